//! The UTF-8 rule of the native SIP parser: a header section it parses must be valid UTF-8 without non-ASCII
//! whitespace (docs/abi.md, plain UTF-8), which makes every string the TypeScript parser decodes equal to its bytes.
const std = @import("std");
const find = @import("sip_find.zig");

const Block = find.Block;
const block_bytes = find.block_bytes;

/// True when every byte of `bytes` is ASCII. Vector blocks, four a step (one bounds check per 64 bytes): the header
/// section of every message is checked.
pub fn is_ascii(bytes: []const u8) bool {
    var bits: Block = @splat(0);
    var i: usize = 0;
    while (bytes.len - i >= 4 * block_bytes) : (i += 4 * block_bytes) {
        const quad: @Vector(4 * block_bytes, u8) = bytes[i..][0 .. 4 * block_bytes].*;
        const halves: [2]@Vector(2 * block_bytes, u8) = @bitCast(quad);
        const pair = halves[0] | halves[1];
        const blocks: [2]Block = @bitCast(pair);
        bits |= blocks[0] | blocks[1];
    }
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

test "is_ascii over blocks and tail" {
    try std.testing.expect(is_ascii("0123456789abcdef0123456789abcdef-x"));
    try std.testing.expect(!is_ascii("0123456789abcdef0123456789abcdef-\x80"));
    try std.testing.expect(!is_ascii("0123456\xff89abcdef"));
    try std.testing.expect(is_ascii(""));
    // Every length to past two 64-byte steps, a byte 0x80 or above at every position.
    var bytes: [160]u8 = @splat('a');
    for (0..bytes.len + 1) |len| {
        try std.testing.expect(is_ascii(bytes[0..len]));
        for (0..len) |at| {
            bytes[at] = 0x80 + @as(u8, @intCast(at % 128));
            try std.testing.expect(!is_ascii(bytes[0..len]));
            bytes[at] = 'a';
        }
    }
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
