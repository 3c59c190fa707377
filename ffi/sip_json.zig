//! A JSON writer into a caller-owned buffer, producing what JSON.stringify produces for strings decoded from valid
//! UTF-8 (the caller checks it: sip_scan.zig `is_plain_utf8`) and unsigned integers. JSON.stringify escapes only
//! control characters, `"`, `\\` and lone surrogates (which valid UTF-8 cannot produce): every byte above 0x7F is
//! written as it is. Writes past the capacity are dropped and remembered (`overflow`): the caller then reports
//! FALLBACK, so no check is needed at each call site.
const std = @import("std");
const assert = std.debug.assert;
const fields = @import("sip_fields.zig");
const scan = @import("sip_scan.zig");

const Text = fields.Text;

const hex_digits = "0123456789abcdef";

/// Bytes a JSON string holds as they are: not a control byte, quote or backslash (0x7F and up included: bytes above
/// 0x7F are parts of UTF-8 sequences of characters JSON.stringify writes as they are).
fn is_plain(byte: u8) bool {
    return byte >= 0x20 and byte != '"' and byte != '\\';
}

/// Bit k: byte k of `block` is not plain (`is_plain`).
inline fn special(block: scan.Block) scan.Mask {
    const control: scan.Mask = @bitCast(block < @as(scan.Block, @splat(0x20)));
    return control | scan.mask_of(block, '"') | scan.mask_of(block, '\\');
}

/// End of the run of plain bytes of `bytes[start, end)` that starts at `start`, found a vector block at a time.
fn plain_run_end(bytes: []const u8, start: u32, end: u32) u32 {
    return scan.find_class(bytes, start, end, special);
}

pub const Writer = struct {
    buffer: []u8,
    len: u32 = 0,
    overflow: bool = false,

    pub fn init(buffer: []u8) Writer {
        assert(buffer.len <= std.math.maxInt(u32));
        return .{ .buffer = buffer };
    }

    /// Bytes written as they are.
    pub fn raw(w: *Writer, bytes: []const u8) void {
        if (w.overflow or bytes.len > w.buffer.len - w.len) {
            w.overflow = true;
            return;
        }
        @memcpy(w.buffer[w.len..][0..bytes.len], bytes);
        w.len += @intCast(bytes.len);
    }

    /// A literal (keys and punctuation): its length is known at compile time, so the copy is inlined.
    pub inline fn literal(w: *Writer, comptime bytes: []const u8) void {
        if (w.overflow or bytes.len > w.buffer.len - w.len) {
            w.overflow = true;
            return;
        }
        w.buffer[w.len..][0..bytes.len].* = bytes[0..bytes.len].*;
        w.len += bytes.len;
    }

    fn byte(w: *Writer, value: u8) void {
        if (w.overflow or w.len == w.buffer.len) {
            w.overflow = true;
            return;
        }
        w.buffer[w.len] = value;
        w.len += 1;
    }

    pub fn number(w: *Writer, value: u32) void {
        var digits: [10]u8 = undefined;
        var at: usize = digits.len;
        var rest = value;
        while (true) {
            at -= 1;
            digits[at] = '0' + @as(u8, @intCast(rest % 10));
            rest /= 10;
            if (rest == 0) break;
        }
        w.raw(digits[at..]);
    }

    pub fn boolean(w: *Writer, value: bool) void {
        if (value) w.literal("true") else w.literal("false");
    }

    /// `bytes[text]` as a JSON string; an `escaped` text has `\x` resolved to `x` first (_list.ts `unquoteRange`:
    /// `/\\(.)/g`, where `.` is no line terminator, so a backslash before CR or LF stays; U+2028 and U+2029, the
    /// other line terminators, are never here: `is_plain_utf8` rejects them). Before a multi-byte character the
    /// backslash goes and the character's bytes stay, as `.` takes its first UTF-16 code unit and the rest follows.
    pub fn string(w: *Writer, bytes: []const u8, text: Text) void {
        assert(text.start <= text.end and text.end <= bytes.len);
        if (!text.escaped and w.plain_string(bytes, text)) return;
        w.byte('"');
        if (text.escaped) {
            w.unescaped(bytes, text);
        } else {
            var i = text.start;
            while (i < text.end) {
                // Runs of bytes that need no escape are copied whole (most values are one run).
                const run_end = plain_run_end(bytes, i, text.end);
                w.raw(bytes[i..run_end]);
                if (run_end == text.end) break;
                w.char(bytes[run_end]);
                i = run_end + 1;
            }
        }
        w.byte('"');
    }

    /// The common case of `string`: a text needing no escape, with room for it and a block to spare, copied a block
    /// at a time. False, having written nothing, otherwise.
    fn plain_string(w: *Writer, bytes: []const u8, text: Text) bool {
        const len = text.end - text.start;
        if (w.overflow or w.buffer.len - w.len < @as(usize, len) + 2 + scan.block_bytes) return false;
        if (plain_run_end(bytes, text.start, text.end) != text.end) return false;
        const out = w.buffer[w.len..][0 .. len + 2 + scan.block_bytes];
        out[0] = '"';
        var i: u32 = 0;
        while (i < len) : (i += scan.block_bytes) {
            const from = text.start + i;
            if (bytes.len - from < scan.block_bytes) {
                @memcpy(out[1 + i ..][0 .. len - i], bytes[from..text.end]);
                break;
            }
            // May copy bytes past the text: they land in the buffer past the JSON's length (scratch the caller never
            // reads) and are overwritten by whatever is written next.
            out[1 + i ..][0..scan.block_bytes].* = bytes[from..][0..scan.block_bytes].*;
        }
        out[1 + len] = '"';
        w.len += len + 2;
        return true;
    }

    fn unescaped(w: *Writer, bytes: []const u8, text: Text) void {
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
    fn char(w: *Writer, value: u8) void {
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
    w.string(bytes, .{ .start = 0, .end = bytes.len });
    try std.testing.expectEqualStrings("\"a\\\"\\\\\\u0001\x7f\\t\"", buffer[0..w.len]);
    w.len = 0;
    const quoted = "x\\\"y\\\rz\\";
    w.string(quoted, .{ .start = 0, .end = quoted.len, .escaped = true });
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
    w.string(bytes, .{ .start = 0, .end = bytes.len });
    try std.testing.expectEqualStrings("\"" ++ bytes[0 .. bytes.len - 1] ++ "\\\"\"", buffer[0..w.len]);
    w.len = 0;
    // `\` before a 2-, 3- and 4-byte character: the backslash goes, the character stays whole.
    const quoted = "a\\\xc3\xa9b\\\xe2\x84\xaac\\\xf0\x9f\x98\x80\\\\";
    w.string(quoted, .{ .start = 0, .end = quoted.len, .escaped = true });
    try std.testing.expectEqualStrings("\"a\xc3\xa9b\xe2\x84\xaac\xf0\x9f\x98\x80\\\\\"", buffer[0..w.len]);
}

test "long strings: runs across vector blocks" {
    var buffer: [256]u8 = undefined;
    var w = Writer.init(&buffer);
    const bytes = "0123456789abcdef0123456789\"bcdef0123456789abcdef\x1f";
    w.string(bytes, .{ .start = 0, .end = bytes.len });
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
