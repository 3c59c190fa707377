//! Vector byte searches of the SIP parser: the first byte of a class in a range, 16 bytes a compare. The ranges
//! searched are short (a header value, a parameter) and lie inside a payload that goes on past them (the rest of the
//! header section, the empty line, the body), so a block is read whole even when it crosses the range's end, and
//! the bits past the end are ignored: no per-call tail logic, except within the last block of the payload.
const std = @import("std");
const assert = std.debug.assert;

/// Bytes compared at once (SSE2 and NEON registers hold 16).
pub const block_bytes: u32 = 16;
pub const Block = @Vector(block_bytes, u8);
/// Bit k: byte k of a block is in the class searched for.
pub const Mask = u16;

/// Bit k set when byte k of `block` is `char`.
pub inline fn mask_of(block: Block, comptime char: u8) Mask {
    return @bitCast(block == @as(Block, @splat(char)));
}

/// Bit k set when byte k of `block` is below `limit`.
pub inline fn mask_below(block: Block, comptime limit: u8) Mask {
    return @bitCast(block < @as(Block, @splat(limit)));
}

pub inline fn load(bytes: []const u8, at: u32) Block {
    return bytes[at..][0..block_bytes].*;
}

/// Index of the first byte of `bytes[from, to)` whose bit `class` sets, or `to`. Blocks are read from `from` while a
/// whole one fits in `bytes` (bits past `to` are ignored: the first bit found is the answer, or past `to`);
/// the last few bytes of `bytes` are left to `find_class_tail`. No byte past `bytes` is read.
pub inline fn find_class(bytes: []const u8, from: u32, to: u32, comptime class: anytype) u32 {
    assert(from <= to and to <= bytes.len and bytes.len <= std.math.maxInt(u32));
    // Blocks starting before `whole_end` fit in `bytes`: the loop tests one bound, not two.
    const whole_end: u32 = @intCast(@min(to, bytes.len -| (block_bytes - 1)));
    var i = from;
    while (i < whole_end) : (i += block_bytes) {
        const found = class(load(bytes, i));
        if (found != 0) return @min(i + @ctz(found), to);
    }
    if (i >= to) return to;
    return find_class_tail(bytes, i, to, class);
}

/// `find_class` within the last block of `bytes` (`bytes.len - from < block_bytes`): the block ending at the end of
/// `bytes`, its bits before `from` shifted out, or (fewer than a block of bytes in all) the rest, zero-padded.
fn find_class_tail(bytes: []const u8, from: u32, to: u32, comptime class: anytype) u32 {
    assert(from < to and to <= bytes.len and bytes.len - from < block_bytes);
    const rest: u32 = @intCast(bytes.len - from);
    var found: Mask = undefined;
    if (bytes.len >= block_bytes) {
        found = class(load(bytes, @intCast(bytes.len - block_bytes))) >> @intCast(block_bytes - rest);
    } else {
        var padded: [block_bytes]u8 = @splat(0);
        @memcpy(padded[0..rest], bytes[from..]);
        found = class(padded) & ((@as(Mask, 1) << @intCast(rest)) - 1);
    }
    return if (found != 0) @min(from + @ctz(found), to) else to;
}

/// Index of the first `char` in `bytes[from, to)`, or `to`.
pub inline fn find_byte(bytes: []const u8, from: u32, to: u32, comptime char: u8) u32 {
    const class = struct {
        inline fn class(block: Block) Mask {
            return mask_of(block, char);
        }
    }.class;
    return find_class(bytes, from, to, class);
}

test "find_byte: every range of short and long bytes, against a byte loop" {
    const texts = [_][]const u8{
        "a:b",
        "0123456789abcd:f",
        "0123456789abcdef0123:56789\n",
        ":" ** 40,
        "x" ** 33,
        "0123456789abcdef0123456789:",
        "",
        ":",
        "xxxxxxxxxxxxxxx:",
        "xxxxxxxxxxxxxxxx:",
    };
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
