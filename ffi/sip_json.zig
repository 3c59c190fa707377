//! A JSON writer into a caller-owned buffer, producing what JSON.stringify produces for strings decoded from valid
//! UTF-8 (the caller checks it: sip_utf8.zig `is_plain_utf8`) and unsigned integers. JSON.stringify escapes only
//! control characters, `"`, `\\` and lone surrogates (which valid UTF-8 cannot produce): every byte above 0x7F is
//! written as it is. Writes past the capacity are dropped and remembered (`overflow`): the caller then reports
//! FALLBACK, so no check is needed at each call site.
const std = @import("std");
const assert = std.debug.assert;
const fields = @import("sip_fields.zig");
const find = @import("sip_find.zig");

const Text = fields.Text;

const hex_digits = "0123456789abcdef";

/// Digits of a u32 (_headers.ts `UINT32_DIGITS_MAX`).
const uint32_digits_max: u32 = 10;

/// 10^k for k < 10: `number` counts digits with them.
const powers_of_ten: [uint32_digits_max]u32 = blk: {
    var table: [uint32_digits_max]u32 = undefined;
    var power: u32 = 1;
    for (&table) |*entry| {
        entry.* = power;
        power *%= 10;
    }
    break :blk table;
};

/// The decimal digits of `value` at the start of `out`; their count.
fn write_digits(out: *[uint32_digits_max]u8, value: u32) usize {
    var count: usize = 1;
    while (count < uint32_digits_max and value >= powers_of_ten[count]) count += 1;
    // From the last digit: two a step from the table while at least two are left.
    var at = count;
    var rest = value;
    while (rest >= 100) {
        at -= 2;
        out[at..][0..2].* = digit_pairs[(rest % 100) * 2 ..][0..2].*;
        rest /= 100;
    }
    if (rest >= 10) {
        out[at - 2 ..][0..2].* = digit_pairs[rest * 2 ..][0..2].*;
    } else {
        out[at - 1] = '0' + @as(u8, @intCast(rest));
    }
    return count;
}

/// "00" to "99": two digits a step.
const digit_pairs: [200]u8 = blk: {
    var table: [200]u8 = undefined;
    for (0..100) |k| {
        table[2 * k] = '0' + k / 10;
        table[2 * k + 1] = '0' + k % 10;
    }
    break :blk table;
};

/// Bytes a JSON string holds as they are: not a control byte, quote or backslash (0x7F and up included: bytes above
/// 0x7F are parts of UTF-8 sequences of characters JSON.stringify writes as they are).
fn is_plain(byte: u8) bool {
    return byte >= 0x20 and byte != '"' and byte != '\\';
}

/// Bit k: byte k of `block` is not plain (`is_plain`).
inline fn special(block: find.Block) find.Mask {
    const control: find.Mask = @bitCast(block < @as(find.Block, @splat(0x20)));
    return control | find.mask_of(block, '"') | find.mask_of(block, '\\');
}

/// End of the run of plain bytes of `bytes[start, end)` that starts at `start`, found a vector block at a time.
fn plain_run_end(bytes: []const u8, start: u32, end: u32) u32 {
    return find.find_class(bytes, start, end, special);
}

/// A key (and the punctuation around it) padded to a fixed size, copied whole by the shared field writers.
const Head = struct {
    text: [bytes]u8,
    len: u32,

    /// The longest head: `{"kind":"response","status_code":` and its kin.
    const bytes = 48;

    fn of(comptime key: []const u8) Head {
        comptime std.debug.assert(key.len <= bytes);
        var text: [bytes]u8 = @splat(0);
        @memcpy(text[0..key.len], key);
        return .{ .text = text, .len = key.len };
    }
};

pub const Writer = struct {
    buffer: []u8,
    len: u32 = 0,
    overflow: bool = false,

    pub fn init(buffer: []u8) Writer {
        assert(buffer.len <= std.math.maxInt(u32));
        return .{ .buffer = buffer };
    }

    /// Bytes left in the buffer; none once a write overflowed (`fail` shrinks the buffer to what was written), so
    /// every write checks this alone.
    inline fn room(w: *const Writer) usize {
        assert(w.len <= w.buffer.len);
        return w.buffer.len - w.len;
    }

    /// A write did not fit: it and every later write are dropped.
    fn fail(noalias w: *Writer) void {
        w.overflow = true;
        w.buffer = w.buffer[0..w.len];
    }

    /// Bytes written as they are.
    pub fn raw(noalias w: *Writer, bytes: []const u8) void {
        if (bytes.len > w.room()) return w.fail();
        @memcpy(w.buffer[w.len..][0..bytes.len], bytes);
        w.len += @intCast(bytes.len);
    }

    /// A literal (keys and punctuation): its length is known at compile time, so the copy is inlined.
    pub inline fn literal(noalias w: *Writer, comptime bytes: []const u8) void {
        if (bytes.len > w.room()) return w.fail();
        w.buffer[w.len..][0..bytes.len].* = bytes[0..bytes.len].*;
        w.len += bytes.len;
    }

    fn byte(noalias w: *Writer, value: u8) void {
        if (w.room() == 0) return w.fail();
        w.buffer[w.len] = value;
        w.len += 1;
    }

    /// `key` (a literal: a key and its colon, or punctuation) and the decimal digits of `value`.
    pub inline fn number_field(noalias w: *Writer, comptime key: []const u8, value: u32) void {
        const head = comptime Head.of(key);
        w.number_at(&head, value);
    }

    /// `number_field` through one shared function, not a copy per call site: the writer's code stays small enough
    /// for the instruction cache, which matters more than the call.
    noinline fn number_at(noalias w: *Writer, head: *const Head, value: u32) void {
        if (w.room() < Head.bytes + uint32_digits_max) {
            w.raw(head.text[0..head.len]);
            var digits: [uint32_digits_max]u8 = undefined;
            const count = write_digits(&digits, value);
            return w.raw(digits[0..count]);
        }
        const out = w.buffer[w.len..][0 .. Head.bytes + uint32_digits_max];
        // The whole padded head: its bytes past `head.len` are overwritten by the digits.
        out[0..Head.bytes].* = head.text;
        w.len += head.len + @as(u32, @intCast(write_digits(out[head.len..][0..uint32_digits_max], value)));
    }

    pub fn number(noalias w: *Writer, value: u32) void {
        w.number_field("", value);
    }

    pub fn boolean(noalias w: *Writer, value: bool) void {
        if (value) w.literal("true") else w.literal("false");
    }

    /// `bytes[text]` as a JSON string (`field` without a key).
    pub inline fn string(noalias w: *Writer, bytes: []const u8, text: Text, escaped: bool) void {
        w.field("", bytes, text, escaped);
    }

    /// `key` (a literal: a key and its colon, or punctuation) and `bytes[text]` as a JSON string; an `escaped` text
    /// (a quoted string's inside) has `\x` resolved to `x` first (_list.ts `unquoteRange`: `/\\(.)/g`, where `.` is
    /// no line terminator, so a backslash before CR or LF stays; U+2028 and U+2029, the other line terminators, are
    /// never here: `is_plain_utf8` rejects them). Before a multi-byte character the backslash goes and the
    /// character's bytes stay, as `.` takes its first UTF-16 code unit and the rest follows. Inline: the common case
    /// is one check of the room, the key's stores and a few vector copies.
    pub inline fn field(
        noalias w: *Writer,
        comptime key: []const u8,
        bytes: []const u8,
        text: Text,
        escaped: bool,
    ) void {
        const head = comptime Head.of(key ++ "\"");
        w.field_at(&head, bytes, text, escaped);
    }

    /// `field` through one shared function (see `number_at`); `head` ends with the string's opening quote.
    noinline fn field_at(noalias w: *Writer, head: *const Head, bytes: []const u8, text: Text, escaped: bool) void {
        assert(text.start <= text.end and text.end <= bytes.len);
        if (!escaped and w.plain_field(head, bytes, text.start, text.end)) return;
        w.raw(head.text[0..head.len]);
        w.string_body(bytes, text, escaped);
        w.byte('"');
    }

    /// The common case of `field`: a text needing no escape, with room for it and a block to spare, and a block of
    /// payload readable past its end. Each block is copied and checked in the same step; a byte to escape found on
    /// the way leaves `len` as it was (the bytes copied are scratch past the JSON's length) and returns false.
    inline fn plain_field(noalias w: *Writer, head: *const Head, bytes: []const u8, start: u32, end: u32) bool {
        assert(start <= end and end <= bytes.len);
        const len: usize = end - start;
        if (w.room() < Head.bytes + len + 1 + find.block_bytes) return false;
        if (bytes.len - end < find.block_bytes) return false;
        const out = w.buffer[w.len..][0 .. Head.bytes + len + 1 + find.block_bytes];
        const in = bytes[start..][0 .. len + find.block_bytes];
        // The whole padded head: its bytes past `head.len` are overwritten by the text.
        out[0..Head.bytes].* = head.text;
        const at = out[head.len..];
        var i: usize = 0;
        while (i < len) : (i += find.block_bytes) {
            // May copy and check bytes past the text: they land in the buffer past the JSON's length (scratch the
            // caller never reads, overwritten by whatever is written next), and their bits are ignored.
            const block: find.Block = in[i..][0..find.block_bytes].*;
            at[i..][0..find.block_bytes].* = block;
            const found = special(block);
            if (found != 0 and i + @ctz(found) < len) return false;
        }
        at[len] = '"';
        w.len += head.len + @as(u32, @intCast(len + 1));
        return true;
    }

    /// The inside of a JSON string with a byte to escape, or near the end of the buffer or payload.
    fn string_body(noalias w: *Writer, bytes: []const u8, text: Text, escaped: bool) void {
        if (escaped) {
            w.unescaped(bytes, text);
        } else {
            var i = text.start;
            while (i < text.end) {
                // Runs of bytes that need no escape are copied whole.
                const run_end = plain_run_end(bytes, i, text.end);
                w.raw(bytes[i..run_end]);
                if (run_end == text.end) break;
                w.char(bytes[run_end]);
                i = run_end + 1;
            }
        }
    }

    fn unescaped(noalias w: *Writer, bytes: []const u8, text: Text) void {
        var i = text.start;
        while (i < text.end) : (i += 1) {
            var value = bytes[i];
            if (value == '\\' and i + 1 < text.end and bytes[i + 1] != '\r' and bytes[i + 1] != '\n') {
                i += 1;
                value = bytes[i];
            }
            w.char(value);
        }
    }

    /// One byte of a string, escaped as JSON.stringify does (0x7F and bytes of UTF-8 sequences are left as they are).
    fn char(noalias w: *Writer, value: u8) void {
        if (is_plain(value)) return w.byte(value);
        switch (value) {
            '"' => w.raw("\\\""),
            '\\' => w.raw("\\\\"),
            0x08 => w.raw("\\b"),
            0x0c => w.raw("\\f"),
            '\n' => w.raw("\\n"),
            '\r' => w.raw("\\r"),
            '\t' => w.raw("\\t"),
            else => w.raw(&.{ '\\', 'u', '0', '0', hex_digits[value >> 4], hex_digits[value & 0xf] }),
        }
    }
};

test "strings escape as JSON.stringify does" {
    var buffer: [64]u8 = undefined;
    var w = Writer.init(&buffer);
    const bytes = "a\"\\\x01\x7f\t";
    w.string(bytes, .{ .start = 0, .end = bytes.len }, false);
    try std.testing.expectEqualStrings("\"a\\\"\\\\\\u0001\x7f\\t\"", buffer[0..w.len]);
    w.len = 0;
    const quoted = "x\\\"y\\\rz\\";
    w.string(quoted, .{ .start = 0, .end = quoted.len }, true);
    try std.testing.expectEqualStrings("\"x\\\"y\\\\\\rz\\\\\"", buffer[0..w.len]);
    w.len = 0;
    w.number(0);
    w.number(4294967295);
    try std.testing.expectEqualStrings("04294967295", buffer[0..w.len]);
}

test "UTF-8 is written as it is, escaped or not" {
    var buffer: [64]u8 = undefined;
    var w = Writer.init(&buffer);
    const bytes = "\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2-5 \xf0\x9f\x98\x80\xe2\x84\xaa\"";
    w.string(bytes, .{ .start = 0, .end = bytes.len }, false);
    try std.testing.expectEqualStrings("\"" ++ bytes[0 .. bytes.len - 1] ++ "\\\"\"", buffer[0..w.len]);
    w.len = 0;
    // `\` before a 2-, 3- and 4-byte character: the backslash goes, the character stays whole.
    const quoted = "a\\\xc3\xa9b\\\xe2\x84\xaac\\\xf0\x9f\x98\x80\\\\";
    w.string(quoted, .{ .start = 0, .end = quoted.len }, true);
    try std.testing.expectEqualStrings("\"a\xc3\xa9b\xe2\x84\xaac\xf0\x9f\x98\x80\\\\\"", buffer[0..w.len]);
}

test "long strings: runs across vector blocks" {
    var buffer: [256]u8 = undefined;
    var w = Writer.init(&buffer);
    const bytes = "0123456789abcdef0123456789\"bcdef0123456789abcdef\x1f";
    w.string(bytes, .{ .start = 0, .end = bytes.len }, false);
    try std.testing.expectEqualStrings(
        "\"0123456789abcdef0123456789\\\"bcdef0123456789abcdef\\u001f\"",
        buffer[0..w.len],
    );
}

test "overflow is remembered and nothing is written past the capacity" {
    var buffer: [4]u8 = undefined;
    var w = Writer.init(&buffer);
    w.raw("abc");
    w.raw("de");
    w.byte('x');
    try std.testing.expect(w.overflow);
    try std.testing.expectEqual(@as(u32, 3), w.len);
}
