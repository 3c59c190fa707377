//! The SIP start line, header names and the header-line scanner: a byte-exact port of
//! src/protocols/sip/start_line.ts, header_name.ts and _header_scanner.ts (the TypeScript is the reference; keep the
//! two equal, src/native/sip_parse_test.ts compares them). Positions only, no allocation. Folded headers are not
//! ported: the scanner reports `fallback` for them and the TypeScript parser takes the message.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");

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

/// Bytes compared at once by the searches below (SSE2 and NEON registers hold 16).
pub const block_bytes: u32 = 16;
pub const Block = @Vector(block_bytes, u8);
/// Bit k: byte k of a block is in the class searched for.
pub const Mask = u16;

/// Bit k set when byte k of `block` is `char`.
pub inline fn mask_of(block: Block, comptime char: u8) Mask {
    return @bitCast(block == @as(Block, @splat(char)));
}

inline fn load(bytes: []const u8, at: u32) Block {
    return bytes[at..][0..block_bytes].*;
}

/// Index of the first byte of `bytes[from, to)` whose bit `class` sets, or `to`: a vector block at a time. The last
/// partial block is read as the whole block ending at `to` (or starting at `from`): bytes of `bytes` outside the
/// range are read but masked off, so no byte past `bytes` is read.
pub inline fn find_class(bytes: []const u8, from: u32, to: u32, comptime class: anytype) u32 {
    assert(from <= to and to <= bytes.len);
    var i = from;
    while (to - i >= block_bytes) : (i += block_bytes) {
        const found = class(load(bytes, i));
        if (found != 0) return i + @ctz(found);
    }
    if (i == to) return to;
    const rest = to - i;
    assert(rest < block_bytes);
    var found: Mask = undefined;
    if (to >= block_bytes) {
        found = class(load(bytes, to - block_bytes)) >> @intCast(block_bytes - rest);
    } else if (bytes.len - i >= block_bytes) {
        found = class(load(bytes, i)) & ((@as(Mask, 1) << @intCast(rest)) - 1);
    } else {
        // Fewer than two blocks of bytes in all: the rest, padded with zero bytes (masked off).
        var padded: [block_bytes]u8 = @splat(0);
        @memcpy(padded[0..rest], bytes[i..to]);
        found = class(padded) & ((@as(Mask, 1) << @intCast(rest)) - 1);
    }
    return if (found != 0) i + @ctz(found) else to;
}

/// Index of the first `char` in `bytes[from, to)`, or `to`.
pub fn find_byte(bytes: []const u8, from: u32, to: u32, comptime char: u8) u32 {
    const class = struct {
        inline fn class(block: Block) Mask {
            return mask_of(block, char);
        }
    }.class;
    return find_class(bytes, from, to, class);
}

/// Bytes a request URI cannot hold: SP, CR, LF, other control bytes and DEL.
inline fn uri_end_class(block: Block) Mask {
    const control: Mask = @bitCast(block <= @as(Block, @splat(' ')));
    return control | mask_of(block, 0x7f);
}

inline fn colon_or_lf(block: Block) Mask {
    return mask_of(block, ':') | mask_of(block, '\n');
}

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
    pos = find_byte(bytes, pos, limit, '\n');
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
    pos = find_class(bytes, pos, limit, uri_end_class);
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
    // Only the names of the same length are compared (at most three: `long_names_by_length`).
    if (name.len >= long_names_by_length.len) return .other;
    for (long_names_by_length[name.len]) |id| {
        if (eql_lower(name, long_names[@intFromEnum(id)])) return id;
    }
    return .other;
}

/// std.ascii.eqlIgnoreCase for a `lower` of lower-case letters and `-`: a byte matches a letter in either case
/// (`byte | 0x20` is the letter only for the letter and its upper case), and `-` only itself.
fn eql_lower(name: []const u8, lower: []const u8) bool {
    assert(name.len == lower.len);
    for (name, lower) |byte, want| {
        const got = if (want == '-') byte else byte | 0x20;
        if (got != want) return false;
    }
    return true;
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
            // One pass over the line: its first colon or LF, then (after a colon) its LF.
            const total: u32 = @intCast(bytes.len);
            const stop = find_class(bytes, line_start, total, colon_or_lf);
            if (stop == total) return .truncated;
            const colon: ?u32 = if (bytes[stop] == ':') stop else null;
            const lf = if (colon) |at| find_byte(bytes, at + 1, total, '\n') else stop;
            if (lf == total) return .truncated;
            assert(bytes[lf] == '\n');
            const content_end = if (lf > line_start and bytes[lf - 1] == '\r') lf - 1 else lf;
            s.pos = lf + 1;
            if (content_end == line_start) {
                s.body_offset = s.pos;
                return .end;
            }
            s.lines += 1;
            // A line without a colon, or a continuation line that continues no header, is skipped.
            if (colon == null or is_space(bytes[line_start])) {
                s.malformed_lines += 1;
                continue;
            }
            // A colon is never CR: it lies before the content end.
            const at = colon.?;
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
    var bits: Block = @splat(0);
    var i: usize = 0;
    while (i + block_bytes <= bytes.len) : (i += block_bytes) bits |= bytes[i..][0..block_bytes].*;
    // The rest: within the last block of `bytes`, if there is one (bytes before `i` were checked already).
    if (i < bytes.len and bytes.len >= block_bytes) bits |= bytes[bytes.len - block_bytes ..][0..block_bytes].*;
    var tail: u8 = 0;
    if (bytes.len < block_bytes) {
        for (bytes) |byte| tail |= byte;
    }
    return (@reduce(.Or, bits) | tail) & 0x80 == 0;
}

/// Code points above 0x7F that String.prototype.trim() and the RegExp class `\s` remove (ECMAScript WhiteSpace and
/// LineTerminator: U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF), plus U+180E,
/// which engines on Unicode before 6.3 also remove. U+FEFF is also the BOM that TextDecoder drops at the start of
/// every range it decodes. All are in the BMP: two or three UTF-8 bytes.
pub fn is_unicode_space(code_point: u21) bool {
    return switch (code_point) {
        0xa0, 0x1680, 0x180e, 0x2000...0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff => true,
        else => false,
    };
}

/// True when `bytes` is valid UTF-8 (shortest form, no surrogates U+D800–U+DFFF, at most U+10FFFF) and holds no
/// `is_unicode_space` code point. Then the TypeScript parser's decoded strings are the bytes: TextDecoder replaces
/// nothing and drops no BOM, every delimiter it looks for is ASCII (never inside a multi-byte sequence, so string
/// and byte positions of delimiters correspond), and its `\s`/trim() checks match only ASCII bytes, as the native
/// parser's do. ASCII is checked a vector block at a time; the rest byte by byte.
pub fn is_plain_utf8(bytes: []const u8) bool {
    if (is_ascii(bytes)) return true;
    var i: usize = 0;
    while (i < bytes.len) {
        const b0 = bytes[i];
        if (b0 < 0x80) {
            i += 1;
            continue;
        }
        const len: usize = switch (b0) {
            0xc2...0xdf => 2,
            0xe0...0xef => 3,
            0xf0...0xf4 => 4,
            else => return false, // A continuation byte, an overlong lead (C0, C1) or above U+10FFFF (F5–FF).
        };
        if (len > bytes.len - i) return false;
        // The second byte's range excludes overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
        const min: u8, const max: u8 = switch (b0) {
            0xe0 => .{ 0xa0, 0xbf },
            0xed => .{ 0x80, 0x9f },
            0xf0 => .{ 0x90, 0xbf },
            0xf4 => .{ 0x80, 0x8f },
            else => .{ 0x80, 0xbf },
        };
        const b1 = bytes[i + 1];
        if (b1 < min or b1 > max) return false;
        for (bytes[i + 2 .. i + len]) |byte| if (byte & 0xc0 != 0x80) return false;
        if (len == 2) {
            if (is_unicode_space((@as(u21, b0 & 0x1f) << 6) | (b1 & 0x3f))) return false;
        } else if (len == 3) {
            const code_point = (@as(u21, b0 & 0x0f) << 12) | (@as(u21, b1 & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
            if (is_unicode_space(code_point)) return false;
        }
        i += len;
    }
    return true;
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

test "is_plain_utf8: every code point, encoded" {
    var buffer: [4]u8 = undefined;
    var spaces: u32 = 0;
    var code_point: u21 = 0;
    while (code_point <= 0x10ffff) : (code_point += 1) {
        // WTF-8 encodes surrogates as UTF-8 would if it allowed them (ED A0 80 ...): the validator must reject them.
        const len = std.unicode.wtf8Encode(code_point, &buffer) catch unreachable;
        const bytes = buffer[0..len];
        const surrogate = code_point >= 0xd800 and code_point <= 0xdfff;
        const space = is_unicode_space(code_point);
        if (space) spaces += 1;
        try std.testing.expectEqual(!surrogate and !space, is_plain_utf8(bytes));
        // The same in the middle of text, past a vector block of ASCII.
        const prefix = "From: \"abcdefghijklmn";
        var text: [prefix.len + 6]u8 = undefined;
        @memcpy(text[0..prefix.len], prefix);
        @memcpy(text[prefix.len..][0..len], bytes);
        @memcpy(text[prefix.len + len ..][0..2], "\"<");
        try std.testing.expectEqual(!surrogate and !space, is_plain_utf8(text[0 .. prefix.len + len + 2]));
    }
    // U+00A0, U+1680, U+180E, U+2000–U+200A (11), U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
    try std.testing.expectEqual(@as(u32, 20), spaces);
    try std.testing.expect(is_unicode_space(0xfeff) and is_unicode_space(0x2000) and is_unicode_space(0x200a));
    try std.testing.expect(!is_unicode_space(0x200b) and !is_unicode_space(0x85) and !is_unicode_space(0x1fff));
}

test "is_plain_utf8: invalid sequences, overlongs, surrogates, whitespace" {
    // Stray continuation bytes, truncated sequences, bytes never in UTF-8.
    const stray = [_][]const u8{ "\x80", "\xbf", "\xc2", "\xc2\x41", "\xc2\xc2\xa9" };
    const truncated = [_][]const u8{ "\xe1\x80", "\xe1\x80\x41", "\xf0\x9f\x98" };
    const never = [_][]const u8{ "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xf4\x90\x80\x80" };
    const overlong = [_][]const u8{ "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80" };
    // Surrogates alone and as a pair (CESU-8), then the whitespace code points.
    const surrogates = [_][]const u8{ "\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80" };
    const spaces = [_][]const u8{ "\xc2\xa0", "\xe1\x9a\x80", "\xe1\xa0\x8e", "\xe2\x80\x80", "\xe2\x80\x8a" };
    const more_spaces = [_][]const u8{ "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f" };
    const last_spaces = [_][]const u8{ "\xe3\x80\x80", "\xef\xbb\xbf" };
    const rejected = stray ++ truncated ++ never ++ overlong ++ surrogates ++ spaces ++ more_spaces ++ last_spaces;
    inline for (rejected) |bytes| {
        try std.testing.expect(!is_plain_utf8(bytes));
        try std.testing.expect(!is_plain_utf8("SIP/2.0 200 OK\r\nFrom: " ++ bytes));
    }
    // U+212A KELVIN SIGN, U+0130, U+017F (case-mapped to ASCII by JavaScript), U+200B (no whitespace), U+FEFE.
    const cased = [_][]const u8{ "\xe2\x84\xaa", "\xc4\xb0", "\xc5\xbf", "\xe2\x80\x8b", "\xef\xbb\xbe" };
    const edges = [_][]const u8{ "", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80" };
    const wide = [_][]const u8{ "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf" };
    const cyrillic = [_][]const u8{"\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2"};
    const accepted = cased ++ edges ++ wide ++ cyrillic;
    inline for (accepted) |bytes| {
        try std.testing.expect(is_plain_utf8(bytes));
        try std.testing.expect(is_plain_utf8("SIP/2.0 200 OK\r\nFrom: " ++ bytes ++ "\r\n"));
    }
}

test "is_plain_utf8 agrees with std.unicode over random bytes" {
    var prng = std.Random.DefaultPrng.init(0x07f8);
    const random = prng.random();
    var bytes: [24]u8 = undefined;
    const pieces = [_][]const u8{ "a", "\xc2\xa0", "\xd0\x9f", "\xe2\x80", "\xef\xbb\xbf", "\xf0\x9f\x98" };
    for (0..200_000) |_| {
        var len: usize = 0;
        while (len < 16) {
            if (random.boolean()) {
                bytes[len] = random.int(u8);
                len += 1;
            } else {
                const piece = pieces[random.uintLessThan(usize, pieces.len)];
                @memcpy(bytes[len..][0..piece.len], piece);
                len += piece.len;
            }
        }
        const text = bytes[0..len];
        var expected = std.unicode.utf8ValidateSlice(text);
        if (expected) {
            var it = std.unicode.Utf8View.initUnchecked(text).iterator();
            while (it.nextCodepoint()) |code_point| {
                if (is_unicode_space(code_point)) expected = false;
            }
        }
        try std.testing.expectEqual(expected, is_plain_utf8(text));
    }
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

test "find_byte: every range of short and long bytes, against a byte loop" {
    const texts = [_][]const u8{ "a:b", "0123456789abcd:f", "0123456789abcdef0123:56789\n", ":" ** 40, "x" ** 33 };
    for (texts) |text| {
        for (0..text.len + 1) |from| for (from..text.len + 1) |to| {
            var expected: u32 = @intCast(to);
            for (from..to) |k| if (text[k] == ':') {
                expected = @intCast(k);
                break;
            };
            try std.testing.expectEqual(expected, find_byte(text, @intCast(from), @intCast(to), ':'));
        };
    }
}
