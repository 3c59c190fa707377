//! Header values of SIP: comma lists and `;` parameters (src/protocols/sip/_list.ts), numbers, CSeq and Reason
//! (_headers.ts), Content-Type (body.ts); addresses and Via are in sip_address.zig. A byte-exact port for values that
//! are valid UTF-8 without non-ASCII whitespace, which the caller guarantees (sip_utf8.zig `is_plain_utf8`). Then
//! every delimiter TypeScript searches for is ASCII and found at the matching byte (an ASCII byte is never inside a
//! multi-byte sequence), `\s` and trim() match only SP and HT–CR, numbers with non-ASCII in them fail alike (a
//! non-digit, whether lengths count bytes or UTF-16 code units), a backslash in a quoted string skips a character's
//! first byte here and its first code unit there (the rest is no delimiter in either), and toLowerCase(), which
//! TypeScript applies to a parameter name holding non-ASCII, never turns one into a name searched for: of the
//! non-ASCII characters only U+212A KELVIN SIGN lower-cases to ASCII ('k', which no name holds; U+0130 becomes
//! "i\u{307}"). Every field is a range of the payload; a range inside a quoted string with a backslash is written
//! with its escapes resolved (its `escaped` flag, kept beside it).
//!
//! Speed: a range is a u64 (`Text`), so copies and choices between ranges stay in registers; the small helpers are
//! inline, and the functions that are not return a bool or an enum and fill an out-parameter field by field. A
//! struct built in memory piece by piece and read back whole (a copy, an `orelse`, a returned optional) cannot be
//! forwarded from the CPU's store buffer: each such read stalls.
const std = @import("std");
const assert = std.debug.assert;
const find = @import("sip_find.zig");

/// Most items taken from one list value (_list.ts `SIP_LIST_ITEMS_MAX`); the rest is ignored.
pub const list_items_max: u32 = 64;
/// Decimal fields are 32-bit; 10 digits cover 2^32 - 1 (_headers.ts `UINT32_DIGITS_MAX`).
const uint32_digits_max: u32 = 10;

/// A field string: `bytes[start, end)`. Where a field may be the inside of a quoted string holding a backslash, an
/// `escaped` flag goes with it: its escapes (`\x` → `x`, except before CR/LF) are resolved when written.
pub const Text = packed struct(u64) {
    start: u32,
    end: u32,

    pub const empty: Text = .{ .start = 0, .end = 0 };

    pub fn is_empty(t: Text) bool {
        // Resolving escapes keeps one byte per pair: a non-empty range never becomes "".
        return t.start == t.end;
    }
};

/// A range that may be a quoted string's inside (`unquote_range`).
pub const Unquoted = struct { text: Text, escaped: bool };

/// The characters of the RegExp class `\s` and of String.prototype.trim() that are ASCII: SP and HT–CR. The first
/// compare settles the common byte (above SP).
pub inline fn is_regexp_space(byte: u8) bool {
    return byte <= ' ' and (byte == ' ' or byte -% 0x09 < 5);
}

/// Bit k: byte k of `block` is `\s` (vector `is_regexp_space`).
pub inline fn regexp_space_mask(block: find.Block) find.Mask {
    return find.mask_of(block, ' ') | find.mask_below(block -% @as(find.Block, @splat(0x09)), 5);
}

/// Inline: most values have no space to skip, and the check is a byte compare.
pub inline fn skip_regexp_space(bytes: []const u8, start: u32, end: u32) u32 {
    assert(start <= end and end <= bytes.len);
    var i = start;
    while (i < end and is_regexp_space(bytes[i])) i += 1;
    return i;
}

pub inline fn trim_end_regexp_space(bytes: []const u8, start: u32, end: u32) u32 {
    assert(start <= end and end <= bytes.len);
    var i = end;
    while (i > start and is_regexp_space(bytes[i - 1])) i -= 1;
    return i;
}

/// `bytes[start, end)` trimmed of `\s`.
pub inline fn trimmed(bytes: []const u8, start: u32, end: u32) Text {
    const from = skip_regexp_space(bytes, start, end);
    return .{ .start = from, .end = trim_end_regexp_space(bytes, from, end) };
}

/// _bytes.ts `parseDecimalText` + `parseUint32`: at most 10 digits and at most 2^32 - 1, else null.
pub inline fn parse_uint32(bytes: []const u8, start: u32, end: u32) ?u32 {
    const value = parse_decimal(bytes, start, end);
    return if (value <= std.math.maxInt(u32)) @intCast(value) else null;
}

/// The value of at most 10 decimal digits, or `not_decimal`. A u64, not an optional: one register, whichever way
/// the function returns (an optional returned from several places is built in memory).
fn parse_decimal(bytes: []const u8, start: u32, end: u32) u64 {
    if (end <= start or end - start > uint32_digits_max) return not_decimal;
    var value: u64 = 0;
    for (bytes[start..end]) |byte| {
        const digit = byte -% '0';
        if (digit > 9) return not_decimal;
        // Ten digits at most: below 10^10, no u64 overflow to check for.
        value = value *% 10 +% digit;
    }
    return value;
}

/// Above every value of ten digits.
const not_decimal: u64 = std.math.maxInt(u64);

/// _list.ts `unquoteRange`: without surrounding double quotes the range as is, else its inside.
pub inline fn unquote_range(bytes: []const u8, start: u32, end: u32) Unquoted {
    assert(start <= end and end <= bytes.len);
    const quoted = end - start >= 2 and bytes[start] == '"' and bytes[end - 1] == '"';
    const inner_start = if (quoted) start + 1 else start;
    const inner_end = if (quoted) end - 1 else end;
    // One return: the struct is built once, in registers.
    return .{
        .text = .{ .start = inner_start, .end = inner_end },
        .escaped = quoted and find.find_byte(bytes, inner_start, inner_end, '\\') < inner_end,
    };
}

/// The items of a comma list (_list.ts `splitSipListRanges`), one at a time: trimmed, non-empty, at most
/// `list_items_max`. Commas inside quoted strings or `<...>` do not split; an unterminated quoted string swallows the
/// rest, last item included. An iterator, not an array: nothing per item is kept.
pub const ListItems = struct {
    bytes: []const u8,
    to: u32,
    /// Next index to read (`to` stands for a final comma).
    pos: u32,
    start: u32,
    count: u32 = 0,
    /// No comma in the value: the one item is the trimmed value.
    single: bool,
    /// The value may hold a double quote (false: it holds none, so no item's parameters need a search for one).
    quotes: bool,
    quoted: bool = false,
    angle: bool = false,

    /// One search for a comma or a quote: most values have neither, and then nothing else is searched.
    pub inline fn init(bytes: []const u8, from: u32, to: u32) ListItems {
        assert(from <= to and to <= bytes.len);
        const first = find.find_class(bytes, from, to, comma_or_quote);
        const quote = first < to and bytes[first] == '"';
        const single = first == to or (quote and find.find_byte(bytes, first + 1, to, ',') == to);
        // After a comma, quotes are not looked for: a list of several items may hold some.
        return .{ .bytes = bytes, .to = to, .pos = from, .start = from, .single = single, .quotes = first < to };
    }

    /// The next item into `item`; false when there is none. Inline for the common value without a comma.
    pub inline fn next(items: *ListItems, item: *Text) bool {
        if (!items.single) return items.next_split(item);
        if (items.count > 0) return false;
        items.count = 1;
        item.* = trimmed(items.bytes, items.start, items.to);
        return item.end > item.start;
    }

    fn next_split(items: *ListItems, item: *Text) bool {
        assert(!items.single);
        while (items.pos <= items.to and items.count < list_items_max) : (items.pos += 1) {
            const char = if (items.pos < items.to) items.bytes[items.pos] else ',';
            if (items.quoted) {
                if (char == '\\') items.pos += 1 else if (char == '"') items.quoted = false;
                continue;
            }
            switch (char) {
                '"' => items.quoted = true,
                '<' => items.angle = true,
                '>' => items.angle = false,
                ',' => if (!items.angle) {
                    item.* = trimmed(items.bytes, items.start, items.pos);
                    items.start = items.pos + 1;
                    if (item.end > item.start) {
                        items.count += 1;
                        items.pos += 1;
                        return true;
                    }
                },
                else => {},
            }
        }
        return false;
    }
};

inline fn comma_or_quote(block: find.Block) find.Mask {
    return find.mask_of(block, ',') | find.mask_of(block, '"');
}

/// End of the parameter starting at `start` when `[start, to)` holds a double quote: the next `;` outside a quoted
/// string, or `to`; `no_param_end` when a quoted string runs past `to` (_list.ts `paramEnd`). Without a quote the
/// next `;` is searched for directly (both of paramEnd's paths agree then).
fn quoted_param_end(bytes: []const u8, start: u32, to: u32) u64 {
    var quoted = false;
    var i = start;
    while (i <= to) : (i += 1) {
        const char = if (i < to) bytes[i] else ';';
        if (quoted) {
            if (char == '\\') i += 1 else if (char == '"') quoted = false;
        } else if (char == '"') {
            quoted = true;
        } else if (char == ';') {
            return i;
        }
    }
    return no_param_end;
}

/// Past every u32 index.
const no_param_end: u64 = std.math.maxInt(u64);

/// What find_params() found for each name: the value (empty when the parameter is absent or has no value, which
/// every caller treats alike) and whether it is a quoted string with escapes.
pub fn Params(comptime count: usize) type {
    return struct {
        values: [count]Text = @splat(Text.empty),
        /// Bit k: `values[k]` has escapes.
        escaped: u8 = 0,
    };
}

/// _list.ts `findSipParams`: for each of `names` (lower case), the first parameter of `[from, to)` with that name.
/// Values are trimmed and unquoted. One pass for every name. `quotes_possible`: false when the caller knows the
/// range holds no double quote (the search for one is skipped). Not inline (one copy per list of names: the code
/// stays small enough for the instruction cache); the result goes to `params`, field by field.
pub fn find_params(
    bytes: []const u8,
    from: u32,
    to: u32,
    quotes_possible: bool,
    comptime names: []const []const u8,
    params: *Params(names.len),
) void {
    comptime assert(names.len <= 8);
    comptime for (names) |name| assert(no_kelvin_target(name));
    params.* = .{};
    // Bit k: names[k] was seen (a later parameter of that name is ignored, even when the first had no value).
    var found: u8 = 0;
    const all: u8 = (1 << names.len) - 1;
    // Most parameter lists hold no quote and no `\s`: then nothing is trimmed or unquoted, and a parameter ends at
    // the next `;`. One search tells.
    const plain = find.find_class(bytes, from, to, quote_or_space) == to;
    const quotes = !plain and quotes_possible and find.find_byte(bytes, from, to, '"') < to;
    var start = from;
    while (found != all) {
        const found_end = if (quotes) quoted_param_end(bytes, start, to) else find.find_byte(bytes, start, to, ';');
        if (found_end == no_param_end) break;
        const end: u32 = @intCast(found_end);
        const equals = find.find_byte(bytes, start, end, '=');
        const key = if (plain) Text{ .start = start, .end = equals } else trimmed(bytes, start, equals);
        inline for (names, 0..) |name, k| {
            if (found & (1 << k) == 0 and eql_lower(bytes, key, name)) {
                found |= 1 << k;
                if (equals == end) {
                    params.values[k] = .{ .start = key.end, .end = key.end };
                } else if (plain) {
                    params.values[k] = .{ .start = equals + 1, .end = end };
                } else {
                    const value = trimmed(bytes, equals + 1, end);
                    const unquoted = unquote_range(bytes, value.start, value.end);
                    params.values[k] = unquoted.text;
                    if (unquoted.escaped) params.escaped |= 1 << k;
                }
            }
        }
        if (end == to) break;
        start = end + 1;
    }
}

inline fn quote_or_space(block: find.Block) find.Mask {
    return find.mask_of(block, '"') | regexp_space_mask(block);
}

/// std.ascii.eqlIgnoreCase of `bytes[key]` and `name` (lower-case letters): one integer compare of the key's bytes
/// with 0x20 or-ed in, which is the letter only for the letter and its upper case.
inline fn eql_lower(bytes: []const u8, key: Text, comptime name: []const u8) bool {
    const Word = std.meta.Int(.unsigned, name.len * 8);
    const fold: Word, const want: Word = comptime blk: {
        for (name) |char| assert(char >= 'a' and char <= 'z');
        break :blk .{ @as(Word, @bitCast([_]u8{0x20} ** name.len)), @as(Word, @bitCast(name[0..name.len].*)) };
    };
    if (key.end - key.start != name.len) return false;
    return (@as(Word, @bitCast(bytes[key.start..][0..name.len].*)) | fold) == want;
}

/// True when no non-ASCII character lower-cases into `name` (lower-case ASCII): TypeScript compares a key holding
/// non-ASCII with toLowerCase() (_list.ts `paramValueIfNamed`, body.ts `isSdpContentType`), this file compares bytes,
/// and the two differ only for U+212A KELVIN SIGN, whose lower case is 'k'.
pub fn no_kelvin_target(comptime name: []const u8) bool {
    return std.mem.indexOfScalar(u8, name, 'k') == null;
}

/// The CSeq header (types.ts `SipCSeq`).
pub const CSeq = struct { seq: u32, method: Text };

/// _headers.ts `parseCSeq`: `/^(\d+)\s+(\S+)$/` on the value `[start, end)`, into `out`; false when it does not match.
pub fn parse_cseq(bytes: []const u8, start: u32, end: u32, out: *CSeq) bool {
    assert(start <= end and end <= bytes.len);
    var digits_end = start;
    while (digits_end < end and bytes[digits_end] -% '0' <= 9) digits_end += 1;
    const method_start = skip_regexp_space(bytes, digits_end, end);
    if (digits_end == start or method_start == digits_end or method_start == end) return false;
    if (find.find_class(bytes, method_start, end, regexp_space_mask) < end) return false;
    const seq = parse_decimal(bytes, start, digits_end);
    if (seq > std.math.maxInt(u32)) return false;
    out.seq = @intCast(seq);
    out.method = .{ .start = method_start, .end = end };
    return true;
}

/// One Reason value (types.ts `SipReason`).
pub const Reason = struct { protocol: Text, cause: ?u32, text: Text, text_escaped: bool };

/// _headers.ts `parseReasons` for one list item `[start, end)`, into `out`; false when the cause is written with
/// escapes (a fallback: TypeScript reads it unescaped).
pub fn parse_reason(bytes: []const u8, start: u32, end: u32, out: *Reason) bool {
    const semicolon = find.find_byte(bytes, start, end, ';');
    const params_start = if (semicolon < end) semicolon + 1 else end;
    var params: Params(2) = undefined;
    find_params(bytes, params_start, end, true, &.{ "cause", "text" }, &params);
    // An absent cause and an empty one are both no number.
    if (params.escaped & 1 != 0) return false;
    out.cause = parse_uint32(bytes, params.values[0].start, params.values[0].end);
    out.protocol = trimmed(bytes, start, semicolon);
    out.text = params.values[1];
    out.text_escaped = params.escaped & 2 != 0;
    return true;
}

/// body.ts `isSdpContentType`: the type before any `;`, trimmed, is `application/sdp` in any case.
pub fn is_sdp_content_type(bytes: []const u8, content_type: Text) bool {
    comptime assert(no_kelvin_target("application/sdp"));
    const end = find.find_byte(bytes, content_type.start, content_type.end, ';');
    const media = trimmed(bytes, content_type.start, end);
    return std.ascii.eqlIgnoreCase(bytes[media.start..media.end], "application/sdp");
}

pub fn span(bytes: []const u8, t: Text) []const u8 {
    return bytes[t.start..t.end];
}

fn count_items(bytes: []const u8) u32 {
    var items = ListItems.init(bytes, 0, @intCast(bytes.len));
    var count: u32 = 0;
    var item: Text = undefined;
    while (items.next(&item)) count += 1;
    return count;
}

test "lists split outside quotes and angle brackets" {
    const bytes = " a , \"x,y\" <b,c>,, d ";
    var items = ListItems.init(bytes, 0, bytes.len);
    var item: Text = undefined;
    try std.testing.expect(items.next(&item));
    try std.testing.expectEqualStrings("a", span(bytes, item));
    try std.testing.expect(items.next(&item));
    try std.testing.expectEqualStrings("\"x,y\" <b,c>", span(bytes, item));
    try std.testing.expect(items.next(&item));
    try std.testing.expectEqualStrings("d", span(bytes, item));
    try std.testing.expect(!items.next(&item));
    try std.testing.expectEqual(@as(u32, 1), count_items("a, \"b"));
    try std.testing.expectEqual(@as(u32, 0), count_items(" "));
    try std.testing.expectEqual(list_items_max, count_items(",a" ** 70));
}

test "params: first occurrence, quotes, no value" {
    const bytes = "lr; TAG = \"a;b\" ;tag=2;x;lr=1";
    var params: Params(3) = undefined;
    find_params(bytes, 0, bytes.len, true, &.{ "tag", "lr", "y" }, &params);
    try std.testing.expectEqualStrings("a;b", span(bytes, params.values[0]));
    try std.testing.expect(params.values[1].is_empty() and params.values[2].is_empty());
    try std.testing.expectEqual(@as(u8, 0), params.escaped);
    var tag: Params(1) = undefined;
    find_params("tag=\"x", 0, 6, true, &.{"tag"}, &tag);
    try std.testing.expect(tag.values[0].is_empty());
    const escaped = "tag=\"a\\\"b\"";
    find_params(escaped, 0, escaped.len, true, &.{"tag"}, &tag);
    try std.testing.expectEqual(@as(u8, 1), tag.escaped);
}

test "CSeq and Reason" {
    const c = "0012 INVITE";
    var cseq: CSeq = undefined;
    try std.testing.expect(parse_cseq(c, 0, c.len, &cseq));
    try std.testing.expectEqual(@as(u32, 12), cseq.seq);
    try std.testing.expect(!parse_cseq("12345678901 A", 0, 13, &cseq));
    try std.testing.expect(!parse_cseq("1 A B", 0, 5, &cseq));
    const r = "Q.850 ;cause=16;text=\"Normal\"";
    var reason: Reason = undefined;
    try std.testing.expect(parse_reason(r, 0, r.len, &reason));
    try std.testing.expectEqualStrings("Q.850", span(r, reason.protocol));
    try std.testing.expectEqual(@as(?u32, 16), reason.cause);
    try std.testing.expectEqualStrings("Normal", span(r, reason.text));
    try std.testing.expect(!parse_reason("X;cause=\"1\\6\"", 0, 13, &reason));
}

test "numbers: digits only, at most ten, at most 2^32 - 1" {
    try std.testing.expectEqual(@as(?u32, 4294967295), parse_uint32("4294967295", 0, 10));
    try std.testing.expectEqual(@as(?u32, null), parse_uint32("4294967296", 0, 10));
    try std.testing.expectEqual(@as(?u32, 7), parse_uint32("0000000007", 0, 10));
    try std.testing.expectEqual(@as(?u32, null), parse_uint32("00000000007", 0, 11));
    try std.testing.expectEqual(@as(?u32, null), parse_uint32("1/", 0, 2));
    try std.testing.expectEqual(@as(?u32, null), parse_uint32("", 0, 0));
}
