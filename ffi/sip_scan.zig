//! The SIP start line, header names and the header-line scanner: a byte-exact port of
//! src/protocols/sip/start_line.ts, header_name.ts and _header_scanner.ts (the TypeScript is the reference; keep the
//! two equal, src/native/sip_parse_test.ts compares them). Positions only, no allocation. Folded headers are not
//! ported: the scanner reports `fallback` for them and the TypeScript parser takes the message.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const find = @import("sip_find.zig");

const Block = find.Block;
const Mask = find.Mask;

/// Longest start line scanned (start_line.ts `SIP_START_LINE_BYTES_MAX`).
pub const start_line_bytes_max: u32 = 8192;
/// Longest method token (start_line.ts `METHOD_BYTES_MAX`).
const method_bytes_max: u32 = 32;
/// Most header lines per message (_header_scanner.ts `SIP_HEADER_LINES_MAX`).
pub const header_lines_max: u32 = 512;
/// Shortest payload that can hold a start line (`SIP/2.0 200` plus a line end).
const start_line_bytes_min: u32 = 12;

/// The values are the ABI's: `SipSummary.kind` is `@intFromEnum` of this.
pub const Kind = enum(u32) { request = abi.sip_kind_request, response = abi.sip_kind_response };

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

/// Bytes a request URI cannot hold: SP, CR, LF, other control bytes and DEL.
inline fn uri_end_class(block: Block) Mask {
    const control: Mask = @bitCast(block <= @as(Block, @splat(' ')));
    return control | find.mask_of(block, 0x7f);
}

pub inline fn is_space(byte: u8) bool {
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
    pos = find.find_byte(bytes, pos, limit, '\n');
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
    pos = find.find_class(bytes, pos, limit, uri_end_class);
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
/// e, ...) are `other`, as header_name.ts ids above EXPIRES are skipped by the parser. A switch on the length, then
/// whole-word compares with the (at most three) long names of that length: no byte loop per name.
pub fn lookup_header(name: []const u8) HeaderId {
    return switch (name.len) {
        1 => switch (name[0] | 0x20) {
            'i' => .call_id,
            'f' => .from,
            't' => .to,
            'v' => .via,
            'm' => .contact,
            'l' => .content_length,
            'c' => .content_type,
            else => .other,
        },
        inline 2...long_name_lengths - 1 => |len| lookup_long(len, name[0..len]),
        else => .other,
    };
}

fn lookup_long(comptime len: usize, name: *const [len]u8) HeaderId {
    inline for (comptime long_names_by_length[len]) |id| {
        if (eql_lower(len, name, long_names[@intFromEnum(id)])) return id;
    }
    return .other;
}

/// std.ascii.eqlIgnoreCase for a `lower` of lower-case letters and `-`, as one integer compare: a byte matches a
/// letter in either case (`byte | 0x20` is the letter only for the letter and its upper case), and `-` only itself
/// (no 0x20 is or-ed in there).
inline fn eql_lower(comptime len: usize, name: *const [len]u8, comptime lower: []const u8) bool {
    const Word = std.meta.Int(.unsigned, len * 8);
    const fold: Word, const want: Word = comptime blk: {
        assert(lower.len == len);
        var fold_bytes: [len]u8 = undefined;
        for (lower, 0..) |char, k| {
            assert(char == '-' or (char >= 'a' and char <= 'z'));
            fold_bytes[k] = if (char == '-') 0 else 0x20;
        }
        break :blk .{ @as(Word, @bitCast(fold_bytes)), @as(Word, @bitCast(lower[0..len].*)) };
    };
    return (@as(Word, @bitCast(name.*)) | fold) == want;
}

/// Longest long name, plus one.
const long_name_lengths = blk: {
    var max: usize = 0;
    for (long_names) |long| max = @max(max, long.len);
    break :blk max + 1;
};

/// The HeaderIds whose long name has the index's length (long names of one or no bytes have none).
const long_names_by_length: [long_name_lengths][]const HeaderId = blk: {
    var table: [long_name_lengths][]const HeaderId = @splat(&.{});
    for (long_names[1..], 1..) |long, id| {
        assert(long.len >= 2);
        table[long.len] = table[long.len] ++ [_]HeaderId{@enumFromInt(id)};
    }
    break :blk table;
};

/// Bytes the scanner classifies at once, one bit each in a u64 mask: a line is found with a shift and a count of
/// trailing zeros, and each byte is loaded and compared once however many lines share its chunk.
const chunk_bytes: u32 = 64;

/// The LF mask of `bytes[base, base + 64)`; bytes past the payload's end are in no mask. Only LFs: the scan loop's
/// state stays in registers (the colon is found within the line, near its start).
const Chunk = struct {
    base: u32,
    lf: u64,

    /// The chunk at `base`, into `chunk` field by field (a struct built and returned whole would be copied through
    /// memory, which stalls store forwarding).
    fn load(chunk: *Chunk, bytes: []const u8, base: u32) void {
        assert(base <= bytes.len);
        chunk.base = base;
        if (bytes.len - base >= chunk_bytes) {
            chunk.lf = lf_mask(bytes[base..][0..chunk_bytes]);
        } else if (base == bytes.len) {
            chunk.lf = 0;
        } else if (bytes.len >= chunk_bytes) {
            // Past the payload's end: the payload's last 64 bytes, their bits before `base` shifted out.
            const last = bytes[bytes.len - chunk_bytes ..][0..chunk_bytes];
            chunk.lf = lf_mask(last) >> @intCast(base + chunk_bytes - bytes.len);
        } else {
            // Fewer than 64 bytes in all: a zero-padded copy (zero is in no mask).
            var padded: [chunk_bytes]u8 = @splat(0);
            @memcpy(padded[0 .. bytes.len - base], bytes[base..]);
            chunk.lf = lf_mask(&padded);
        }
    }

    inline fn lf_mask(bytes: *const [chunk_bytes]u8) u64 {
        var mask: u64 = 0;
        inline for (0..chunk_bytes / find.block_bytes) |k| {
            const block: Block = bytes[k * find.block_bytes ..][0..find.block_bytes].*;
            mask |= @as(u64, find.mask_of(block, '\n')) << (k * find.block_bytes);
        }
        return mask;
    }
};

/// What Scanner.next() found; `fallback`: a folded header, which only the TypeScript parser handles.
pub const Step = enum { header, end, truncated, too_many, fallback };

/// A cursor over header lines (_header_scanner.ts `HeaderScanner` without folding); the fields describe the current
/// header after next() returned `header`. It reads the payload a chunk at a time from the first header line on,
/// without gaps: the LFs of every byte before the current chunk have been seen.
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
    chunk: Chunk,

    pub fn init(bytes: []const u8, pos: u32) Scanner {
        assert(pos <= bytes.len and bytes.len <= std.math.maxInt(u32));
        var s: Scanner = .{ .bytes = bytes, .pos = pos, .chunk = undefined };
        s.chunk.load(bytes, pos);
        return s;
    }

    /// Moves `chunk` on until it holds `pos` (`pos` may be the payload's end).
    inline fn reach(s: *Scanner, pos: u32) void {
        assert(pos >= s.chunk.base and pos <= s.bytes.len);
        while (pos - s.chunk.base >= chunk_bytes) s.chunk.load(s.bytes, s.chunk.base + chunk_bytes);
    }

    /// The LF ending the line that starts at `from` (the payload's length when there is none), from the masks,
    /// chunk after chunk.
    inline fn find_lf(s: *Scanner, from: u32) u32 {
        const total: u32 = @intCast(s.bytes.len);
        s.reach(from);
        var pos = from;
        while (true) {
            const lfs = s.chunk.lf >> @intCast(pos - s.chunk.base);
            if (lfs != 0) return pos + @ctz(lfs);
            if (total - s.chunk.base <= chunk_bytes) return total;
            pos = s.chunk.base + chunk_bytes;
            s.reach(pos);
        }
    }

    pub fn next(s: *Scanner) Step {
        const bytes = s.bytes;
        while (true) {
            if (s.lines >= header_lines_max) return .too_many;
            const line_start = s.pos;
            const lf = s.find_lf(line_start);
            if (lf == bytes.len) return .truncated;
            assert(bytes[lf] == '\n');
            const content_end = if (lf > line_start and bytes[lf - 1] == '\r') lf - 1 else lf;
            s.pos = lf + 1;
            if (content_end == line_start) {
                s.body_offset = s.pos;
                return .end;
            }
            s.lines += 1;
            // A line without a colon, or a continuation line that continues no header, is skipped.
            const colon = find.find_byte(bytes, line_start, lf, ':');
            if (colon == lf or is_space(bytes[line_start])) {
                s.malformed_lines += 1;
                continue;
            }
            // A colon is never CR: it lies before the content end.
            const at = colon;
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

/// Index of the first non-SP/HT byte in `[pos, end)`, or `end`.
inline fn skip_space(bytes: []const u8, pos: u32, end: u32) u32 {
    var i = pos;
    while (i < end and is_space(bytes[i])) i += 1;
    return i;
}

/// End of `[start, end)` with trailing SP/HT/CR/LF removed.
inline fn trim_end(bytes: []const u8, start: u32, end: u32) u32 {
    var i = end;
    while (i > start) : (i -= 1) {
        const byte = bytes[i - 1];
        // The first compare settles the common byte (above SP).
        if (byte > ' ' or (!is_space(byte) and byte != '\r' and byte != '\n')) break;
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

test "header names: long and compact forms, any case" {
    try std.testing.expectEqual(HeaderId.call_id, lookup_header("CALL-id"));
    try std.testing.expectEqual(HeaderId.call_id, lookup_header("I"));
    try std.testing.expectEqual(HeaderId.other, lookup_header("k"));
    try std.testing.expectEqual(HeaderId.other, lookup_header(""));
    try std.testing.expectEqual(HeaderId.expires, lookup_header("Expires"));
    // Non-ASCII never matches (TypeScript compares bytes too): not U+017F for s, U+0130 for I, U+212A for K.
    try std.testing.expectEqual(HeaderId.other, lookup_header("Expire\xc5\xbf"));
    try std.testing.expectEqual(HeaderId.other, lookup_header("Call-\xc4\xb0D"));
    try std.testing.expectEqual(HeaderId.other, lookup_header("\xc4\xb0"));
    try std.testing.expectEqual(HeaderId.other, lookup_header("\xe2\x84\xaa"));
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

/// The scanner's results for `bytes` from `pos`, by a byte-at-a-time reading of _header_scanner.ts: the reference of
/// the chunked scanner in the test below.
fn reference_scan(bytes: []const u8, pos: u32, results: []Scanner, malformed: *u32) Step {
    var s = Scanner.init(bytes, pos);
    defer malformed.* = s.malformed_lines;
    var k: usize = 0;
    while (true) {
        if (s.lines >= header_lines_max) return .too_many;
        const line_start = s.pos;
        const lf = std.mem.indexOfScalarPos(u8, bytes, line_start, '\n') orelse return .truncated;
        const content_end: u32 = @intCast(if (lf > line_start and bytes[lf - 1] == '\r') lf - 1 else lf);
        s.pos = @intCast(lf + 1);
        if (content_end == line_start) {
            s.body_offset = s.pos;
            return .end;
        }
        s.lines += 1;
        const colon = std.mem.indexOfScalar(u8, bytes[line_start..lf], ':');
        if (colon == null or is_space(bytes[line_start])) {
            s.malformed_lines += 1;
            continue;
        }
        if (s.pos >= bytes.len) return .truncated;
        if (is_space(bytes[s.pos])) return .fallback;
        const at: u32 = @intCast(line_start + colon.?);
        s.value_start = @intCast(std.mem.indexOfNonePos(u8, bytes[0..content_end], at + 1, " \t") orelse content_end);
        s.value_end = @intCast(std.mem.trimRight(u8, bytes[0..content_end], " \t\r\n").len);
        s.value_end = @max(s.value_end, s.value_start);
        s.id = lookup_header(std.mem.trimRight(u8, bytes[line_start..at], " \t\r\n"));
        results[k] = s;
        k += 1;
    }
}

test "scanner: every prefix of messages with lines across 64-byte chunks, against a byte loop" {
    const message = "INVITE sip:someone@example.com SIP/2.0\r\n" ++
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-0123456789abcdef0123456789abcdef;rport\r\n" ++
        "no colon on this line at all, and long enough to cross a chunk boundary\r\n" ++
        "From : \"A\" <sip:a@example.com>;tag=1 \t\r\n" ++ "i:x\n" ++ "X-Empty:\r\n" ++
        "To:\t<sip:b@example.com>\r\n" ++ ("Long-Header: " ++ "y" ** 90 ++ "\r\n") ++ "CSeq: 1 INVITE\r\n\r\nbody";
    const start = (scan_start_line(message) orelse return error.TestUnexpectedResult).next_line;
    var expected: [16]Scanner = undefined;
    for (start..message.len + 1) |len| {
        const bytes = message[0..len];
        var malformed: u32 = undefined;
        const want = reference_scan(bytes, start, &expected, &malformed);
        var s = Scanner.init(bytes, start);
        var k: usize = 0;
        while (true) : (k += 1) {
            const step = s.next();
            if (step != .header) {
                try std.testing.expectEqual(want, step);
                break;
            }
            try std.testing.expectEqual(expected[k].id, s.id);
            try std.testing.expectEqual(expected[k].value_start, s.value_start);
            try std.testing.expectEqual(expected[k].value_end, s.value_end);
        }
        if (want == .end) try std.testing.expectEqual(@as(u32, @intCast(message.len - 4)), s.body_offset);
        try std.testing.expectEqual(malformed, s.malformed_lines);
    }
}
