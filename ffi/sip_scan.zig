//! The SIP start line, header names and the header-line scanner: a byte-exact port of
//! src/protocols/sip/start_line.ts, header_name.ts and _header_scanner.ts (the TypeScript is the reference; keep the
//! two equal, src/native/sip_parse_test.ts compares them). Positions only, no allocation. Folded headers are not
//! ported: the scanner reports `fallback` for them and the TypeScript parser takes the message.
const std = @import("std");
const assert = std.debug.assert;

/// Longest start line scanned (start_line.ts `SIP_START_LINE_BYTES_MAX`).
pub const start_line_bytes_max: u32 = 8192;
/// Longest method token (start_line.ts `METHOD_BYTES_MAX`).
const method_bytes_max: u32 = 32;
/// Most header lines per message (_header_scanner.ts `SIP_HEADER_LINES_MAX`).
pub const header_lines_max: u32 = 512;
/// Shortest payload that can hold a start line (`SIP/2.0 200` plus a line end).
const start_line_bytes_min: u32 = 12;

pub const Kind = enum(u32) { request = 1, response = 2 };

/// What scan_start_line() found. Request: method is `[0, method_end)`; response: the reason phrase span.
pub const StartLine = struct {
    kind: Kind,
    method_end: u32 = 0,
    uri_start: u32 = 0,
    uri_end: u32 = 0,
    status_code: u32 = 0,
    reason_start: u32 = 0,
    reason_end: u32 = 0,
    /// Just past the line's LF.
    next_line: u32,
};

pub fn is_space(byte: u8) bool {
    return byte == ' ' or byte == '\t';
}

/// RFC 3261 `token` bytes: alphanumerics and `-.!%*_+`'~`.
fn is_token_byte(byte: u8) bool {
    return switch (byte) {
        '0'...'9', 'A'...'Z', 'a'...'z', '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~' => true,
        else => false,
    };
}

/// True if `bytes[pos..pos+7)` is "SIP/2.0", letters in any case.
fn is_sip_version(bytes: []const u8, pos: usize) bool {
    if (pos + 7 > bytes.len) return false;
    return bytes[pos] | 0x20 == 's' and bytes[pos + 1] | 0x20 == 'i' and bytes[pos + 2] | 0x20 == 'p' and
        std.mem.eql(u8, bytes[pos + 3 ..][0..4], "/2.0");
}

/// True when the payload starts with "SIP/2.0" (then a failed start line is `bad_start_line`, not `not_sip`).
pub fn starts_with_sip_version(bytes: []const u8) bool {
    return is_sip_version(bytes, 0);
}

/// Index just past the line end (CRLF or LF) at `pos`, or null.
fn line_end_at(bytes: []const u8, pos: usize) ?u32 {
    if (pos < bytes.len and bytes[pos] == '\n') return @intCast(pos + 1);
    if (pos + 1 < bytes.len and bytes[pos] == '\r' and bytes[pos + 1] == '\n') return @intCast(pos + 2);
    return null;
}

/// The start line of `bytes`, or null when the first line is not a complete SIP start line.
pub fn scan_start_line(bytes: []const u8) ?StartLine {
    if (bytes.len < start_line_bytes_min) return null;
    if (is_sip_version(bytes, 0)) return scan_status_line(bytes);
    return scan_request_line(bytes);
}

fn scan_status_line(bytes: []const u8) ?StartLine {
    assert(bytes.len >= start_line_bytes_min);
    if (bytes[7] != ' ') return null;
    var code: u32 = 0;
    for (bytes[8..11]) |byte| {
        if (byte < '0' or byte > '9') return null;
        code = code * 10 + (byte - '0');
    }
    if (code < 100) return null;
    const after = bytes[11];
    if (after != ' ' and after != '\r' and after != '\n') return null;
    const limit: u32 = @intCast(@min(bytes.len, start_line_bytes_max));
    var pos: u32 = 11;
    if (after == ' ') pos += 1;
    const reason_start = pos;
    while (pos < limit and bytes[pos] != '\n') pos += 1;
    if (pos >= limit) return null;
    const reason_end = if (bytes[pos - 1] == '\r') pos - 1 else pos;
    return .{
        .kind = .response,
        .status_code = code,
        .reason_start = reason_start,
        .reason_end = @max(reason_start, reason_end),
        .next_line = pos + 1,
    };
}

fn scan_request_line(bytes: []const u8) ?StartLine {
    var pos: u32 = 0;
    while (pos < bytes.len and pos < method_bytes_max and is_token_byte(bytes[pos])) pos += 1;
    if (pos == 0 or pos >= bytes.len or bytes[pos] != ' ') return null;
    const method_end = pos;
    pos += 1;
    const uri_start = pos;
    const limit: u32 = @intCast(@min(bytes.len, start_line_bytes_max));
    // The URI holds no SP, CR, LF or other control bytes.
    while (pos < limit and bytes[pos] > ' ' and bytes[pos] != 0x7f) pos += 1;
    if (pos == uri_start or pos >= bytes.len or bytes[pos] != ' ' or !is_sip_version(bytes, pos + 1)) return null;
    const next_line = line_end_at(bytes, pos + 8) orelse return null;
    return .{
        .kind = .request,
        .method_end = method_end,
        .uri_start = uri_start,
        .uri_end = pos,
        .next_line = next_line,
    };
}

/// The headers the parser extracts (header_name.ts `SipHeader` 0–13); every other name is `other`.
pub const HeaderId = enum(u8) {
    other,
    call_id,
    from,
    to,
    via,
    contact,
    content_length,
    content_type,
    cseq,
    user_agent,
    server,
    reason,
    max_forwards,
    expires,
};

/// Lower-case long names, indexed by HeaderId (`other` has none).
const long_names = [_][]const u8{
    "",       "call-id", "from",         "to",      "via", "contact", "content-length", "content-type", "cseq", "user-agent",
    "server", "reason",  "max-forwards", "expires",
};

comptime {
    assert(long_names.len == @typeInfo(HeaderId).@"enum".fields.len);
}

/// The header named `name` (trimmed), ignoring ASCII case. Compact forms of headers that are not extracted (k, s,
/// e, ...) are `other`, as header_name.ts ids above EXPIRES are skipped by the parser.
pub fn lookup_header(name: []const u8) HeaderId {
    if (name.len == 1) {
        return switch (name[0] | 0x20) {
            'i' => .call_id,
            'f' => .from,
            't' => .to,
            'v' => .via,
            'm' => .contact,
            'l' => .content_length,
            'c' => .content_type,
            else => .other,
        };
    }
    if (name.len < 2) return .other;
    for (long_names[1..], 1..) |long, id| {
        if (std.ascii.eqlIgnoreCase(name, long)) return @enumFromInt(id);
    }
    return .other;
}

/// What Scanner.next() found; `fallback`: a folded header, which only the TypeScript parser handles.
pub const Step = enum { header, end, truncated, too_many, fallback };

/// A cursor over header lines (_header_scanner.ts `HeaderScanner` without folding); the fields describe the current
/// header after next() returned `header`.
pub const Scanner = struct {
    bytes: []const u8,
    pos: u32,
    lines: u32 = 0,
    /// Lines skipped because they had no colon or continued nothing.
    malformed_lines: u32 = 0,
    /// Just past the empty line, once next() returned `end`.
    body_offset: u32 = 0,
    id: HeaderId = .other,
    value_start: u32 = 0,
    value_end: u32 = 0,

    pub fn init(bytes: []const u8, pos: u32) Scanner {
        assert(pos <= bytes.len);
        return .{ .bytes = bytes, .pos = pos };
    }

    pub fn next(s: *Scanner) Step {
        const bytes = s.bytes;
        while (true) {
            if (s.lines >= header_lines_max) return .too_many;
            const line_start = s.pos;
            const lf: u32 = @intCast(std.mem.indexOfScalarPos(u8, bytes, line_start, '\n') orelse
                return .truncated);
            const content_end = if (lf > line_start and bytes[lf - 1] == '\r') lf - 1 else lf;
            s.pos = lf + 1;
            if (content_end == line_start) {
                s.body_offset = s.pos;
                return .end;
            }
            s.lines += 1;
            // A line without a colon, or a continuation line that continues no header, is skipped.
            const colon = std.mem.indexOfScalar(u8, bytes[line_start..lf], ':');
            if (colon == null or is_space(bytes[line_start])) {
                s.malformed_lines += 1;
                continue;
            }
            // A colon is never CR: it lies before the content end.
            const at = line_start + @as(u32, @intCast(colon.?));
            assert(at < content_end);
            // A header that ends exactly at the end of the bytes may still have continuation lines to come.
            if (s.pos >= bytes.len) return .truncated;
            if (is_space(bytes[s.pos])) return .fallback;
            s.value_start = skip_space(bytes, at + 1, content_end);
            s.value_end = trim_end(bytes, s.value_start, content_end);
            s.id = lookup_header(bytes[line_start..trim_end(bytes, line_start, at)]);
            return .header;
        }
    }
};

/// True when every byte of `bytes` is ASCII. Vector blocks: the header section of every message is checked.
pub fn is_ascii(bytes: []const u8) bool {
    const block_bytes = 16;
    const Block = @Vector(block_bytes, u8);
    var bits: Block = @splat(0);
    var i: usize = 0;
    while (i + block_bytes <= bytes.len) : (i += block_bytes) bits |= bytes[i..][0..block_bytes].*;
    var tail: u8 = 0;
    for (bytes[i..]) |byte| tail |= byte;
    return (@reduce(.Or, bits) | tail) & 0x80 == 0;
}

/// Index of the first non-SP/HT byte in `[pos, end)`, or `end`.
fn skip_space(bytes: []const u8, pos: u32, end: u32) u32 {
    var i = pos;
    while (i < end and is_space(bytes[i])) i += 1;
    return i;
}

/// End of `[start, end)` with trailing SP/HT/CR/LF removed.
fn trim_end(bytes: []const u8, start: u32, end: u32) u32 {
    var i = end;
    while (i > start) : (i -= 1) {
        const byte = bytes[i - 1];
        if (!is_space(byte) and byte != '\r' and byte != '\n') break;
    }
    return i;
}

test "start lines: request, response, and the ones TypeScript rejects" {
    const request = scan_start_line("INVITE sip:a@b SIP/2.0\r\nX").?;
    try std.testing.expectEqual(Kind.request, request.kind);
    try std.testing.expectEqual(@as(u32, 6), request.method_end);
    try std.testing.expectEqual(@as(u32, 24), request.next_line);
    const response = scan_start_line("SIP/2.0 180 Ringing\r\n").?;
    try std.testing.expectEqual(@as(u32, 180), response.status_code);
    try std.testing.expectEqual(@as(u32, 12), response.reason_start);
    try std.testing.expectEqual(@as(u32, 19), response.reason_end);
    try std.testing.expect(scan_start_line("SIP/2.0 099 x\r\n") == null);
    try std.testing.expect(scan_start_line("INVITE  sip:a SIP/2.0\r\n") == null);
    try std.testing.expect(scan_start_line("INVITE sip:a SIP/2.0") == null);
    try std.testing.expect(starts_with_sip_version("sip/2.0"));
}

test "is_ascii over blocks and tail" {
    try std.testing.expect(is_ascii("0123456789abcdef0123456789abcdef-x"));
    try std.testing.expect(!is_ascii("0123456789abcdef0123456789abcdef-\x80"));
    try std.testing.expect(!is_ascii("0123456\xff89abcdef"));
    try std.testing.expect(is_ascii(""));
}

test "header names: long and compact forms, any case" {
    try std.testing.expectEqual(HeaderId.call_id, lookup_header("CALL-id"));
    try std.testing.expectEqual(HeaderId.call_id, lookup_header("I"));
    try std.testing.expectEqual(HeaderId.other, lookup_header("k"));
    try std.testing.expectEqual(HeaderId.other, lookup_header(""));
    try std.testing.expectEqual(HeaderId.expires, lookup_header("Expires"));
}

test "scanner: malformed lines, truncation, folding" {
    const bytes = "X\r\nno colon\r\n foo\r\nVia : a \r\n\r\nbody";
    var s = Scanner.init(bytes, 3);
    try std.testing.expectEqual(Step.header, s.next());
    try std.testing.expectEqual(HeaderId.via, s.id);
    try std.testing.expectEqualStrings("a", bytes[s.value_start..s.value_end]);
    try std.testing.expectEqual(Step.end, s.next());
    try std.testing.expectEqual(@as(u32, 2), s.malformed_lines);
    try std.testing.expectEqualStrings("body", bytes[s.body_offset..]);
    var folded = Scanner.init("X\nA: b\n c\n\n", 2);
    try std.testing.expectEqual(Step.fallback, folded.next());
    var truncated = Scanner.init("X\nA: b\n", 2);
    try std.testing.expectEqual(Step.truncated, truncated.next());
}
