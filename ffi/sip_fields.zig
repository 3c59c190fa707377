//! Header values of SIP: comma lists and `;` parameters (src/protocols/sip/_list.ts), From/To/Contact addresses
//! (address.ts), Via (via.ts), CSeq and Reason (_headers.ts). A byte-exact port for values that are valid UTF-8
//! without non-ASCII whitespace, which the caller guarantees (sip_scan.zig `is_plain_utf8`). Then every delimiter
//! TypeScript searches for is ASCII and found at the matching byte (an ASCII byte is never inside a multi-byte
//! sequence), `\s` and trim() match only SP and HT–CR, numbers with non-ASCII in them fail alike (a non-digit,
//! whether lengths count bytes or UTF-16 code units), a backslash in a quoted string skips a character's first byte
//! here and its first code unit there (the rest is no delimiter in either), and toLowerCase(), which TypeScript
//! applies to a parameter name holding non-ASCII, never turns one into a name searched for: of the non-ASCII
//! characters only U+212A KELVIN SIGN lower-cases to ASCII ('k', which no name holds; U+0130 becomes "i\u{307}").
//! Every field is a range of the payload; a range inside a quoted string with a backslash is written with its escapes
//! resolved (`Text.escaped`).
const std = @import("std");
const assert = std.debug.assert;
const scan = @import("sip_scan.zig");

/// Most items taken from one list value (_list.ts `SIP_LIST_ITEMS_MAX`); the rest is ignored.
pub const list_items_max: u32 = 64;
/// Decimal fields are 32-bit; 10 digits cover 2^32 - 1 (_headers.ts `UINT32_DIGITS_MAX`).
const uint32_digits_max: u32 = 10;
/// Via ports (via.ts `PORT_DIGITS_MAX`).
const port_digits_max: u32 = 5;

/// A field the TypeScript parser does not handle alike natively (such as a number written with escapes).
pub const Error = error{Fallback};

/// A field string: `bytes[start, end)`; `escaped`: the range is the inside of a quoted string holding a backslash,
/// whose escapes (`\x` → `x`, except before CR/LF) are resolved when written.
pub const Text = struct {
    start: u32,
    end: u32,
    escaped: bool = false,

    pub const empty: Text = .{ .start = 0, .end = 0 };

    pub fn is_empty(t: Text) bool {
        // Resolving escapes keeps one byte per pair: a non-empty range never becomes "".
        return t.start == t.end;
    }
};

/// The characters of the RegExp class `\s` and of String.prototype.trim() that are ASCII.
pub fn is_regexp_space(byte: u8) bool {
    return byte == ' ' or (byte >= 0x09 and byte <= 0x0d);
}

pub fn skip_regexp_space(bytes: []const u8, start: u32, end: u32) u32 {
    var i = start;
    while (i < end and is_regexp_space(bytes[i])) i += 1;
    return i;
}

pub fn trim_end_regexp_space(bytes: []const u8, start: u32, end: u32) u32 {
    var i = end;
    while (i > start and is_regexp_space(bytes[i - 1])) i -= 1;
    return i;
}

/// `bytes[start, end)` trimmed of `\s`.
pub fn trimmed(bytes: []const u8, start: u32, end: u32) Text {
    const from = skip_regexp_space(bytes, start, end);
    return .{ .start = from, .end = trim_end_regexp_space(bytes, from, end) };
}

/// Index of `char` in `[from, to)`, or null.
fn index_in(bytes: []const u8, comptime char: u8, from: u32, to: u32) ?u32 {
    const at = scan.find_byte(bytes, from, to, char);
    return if (at < to) at else null;
}

/// _bytes.ts `parseDecimalText` + `parseUint32`: at most 10 digits and at most 2^32 - 1, else null.
pub fn parse_uint32(bytes: []const u8, start: u32, end: u32) ?u32 {
    if (end <= start or end - start > uint32_digits_max) return null;
    var value: u64 = 0;
    for (bytes[start..end]) |byte| {
        if (byte < '0' or byte > '9') return null;
        value = value * 10 + (byte - '0');
    }
    return std.math.cast(u32, value);
}

/// _list.ts `unquoteRange`: without surrounding double quotes the range as is, else its inside.
pub fn unquote_range(bytes: []const u8, start: u32, end: u32) Text {
    if (end - start < 2 or bytes[start] != '"' or bytes[end - 1] != '"') return .{ .start = start, .end = end };
    const inner_start = start + 1;
    const inner_end = end - 1;
    return .{
        .start = inner_start,
        .end = inner_end,
        .escaped = index_in(bytes, '\\', inner_start, inner_end) != null,
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
    quoted: bool = false,
    angle: bool = false,

    pub fn init(bytes: []const u8, from: u32, to: u32) ListItems {
        assert(from <= to and to <= bytes.len);
        const single = index_in(bytes, ',', from, to) == null;
        return .{ .bytes = bytes, .to = to, .pos = from, .start = from, .single = single };
    }

    pub fn next(items: *ListItems) ?Text {
        if (items.single) {
            if (items.count > 0) return null;
            items.count = 1;
            const item = trimmed(items.bytes, items.start, items.to);
            return if (item.end > item.start) item else null;
        }
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
                    const item = trimmed(items.bytes, items.start, items.pos);
                    items.start = items.pos + 1;
                    if (item.end > item.start) {
                        items.count += 1;
                        items.pos += 1;
                        return item;
                    }
                },
                else => {},
            }
        }
        return null;
    }
};

/// End of the parameter starting at `start` (the next `;` outside a quoted string, or `to`), or null when a quoted
/// string runs past `to` (_list.ts `paramEnd`). `quotes`: `[start, to)` holds a double quote; without one, the next
/// `;` is searched for directly (both of paramEnd's paths agree then).
fn param_end(bytes: []const u8, start: u32, to: u32, quotes: bool) ?u32 {
    if (!quotes) return index_in(bytes, ';', start, to) orelse to;
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
    return null;
}

/// _list.ts `findSipParams`: for each of `names` (lower case), the first parameter of `[from, to)` with that name; ""
/// when it has no value, null when absent. Values are trimmed and unquoted. One pass for every name.
pub fn find_params(bytes: []const u8, from: u32, to: u32, comptime names: []const []const u8) [names.len]?Text {
    comptime for (names) |name| assert(no_kelvin_target(name));
    var values: [names.len]?Text = @splat(null);
    const quotes = index_in(bytes, '"', from, to) != null;
    var missing: u32 = names.len;
    var start = from;
    while (missing > 0) {
        const end = param_end(bytes, start, to, quotes) orelse break;
        const equals = index_in(bytes, '=', start, end);
        const key = trimmed(bytes, start, equals orelse end);
        inline for (names, 0..) |name, k| {
            if (values[k] == null and std.ascii.eqlIgnoreCase(bytes[key.start..key.end], name)) {
                missing -= 1;
                if (equals) |at| {
                    const value = trimmed(bytes, at + 1, end);
                    values[k] = unquote_range(bytes, value.start, value.end);
                } else {
                    values[k] = .{ .start = key.end, .end = key.end };
                }
            }
        }
        if (end == to) break;
        start = end + 1;
    }
    return values;
}

/// True when no non-ASCII character lower-cases into `name` (lower-case ASCII): TypeScript compares a key holding
/// non-ASCII with toLowerCase() (_list.ts `paramValueIfNamed`, body.ts `isSdpContentType`), this file compares bytes,
/// and the two differ only for U+212A KELVIN SIGN, whose lower case is 'k'.
fn no_kelvin_target(comptime name: []const u8) bool {
    return std.mem.indexOfScalar(u8, name, 'k') == null;
}

/// _list.ts `findSipParam`: `find_params` of one name.
pub fn find_param(bytes: []const u8, from: u32, to: u32, comptime name: []const u8) ?Text {
    return find_params(bytes, from, to, &.{name})[0];
}

/// A From/To/Contact value (types.ts `SipAddress`).
pub const Address = struct {
    display_name: Text = Text.empty,
    uri: Text,
    tag: Text = Text.empty,
    params: Text = Text.empty,
};

/// Index of the quote closing the quoted string opening at `start`, before `end`; null when there is none.
fn closing_quote(bytes: []const u8, start: u32, end: u32) ?u32 {
    var i = start + 1;
    while (i < end) : (i += 1) {
        if (bytes[i] == '\\') i += 1 else if (bytes[i] == '"') return i;
    }
    return null;
}

/// address.ts `address()`: header parameters `[params_start, params_end)` and the tag among them.
fn with_params(address: Address, bytes: []const u8, params_start: u32, params_end: u32) Address {
    var out = address;
    if (params_start >= params_end) return out;
    out.tag = find_param(bytes, params_start, params_end, "tag") orelse Text.empty;
    out.params = .{ .start = params_start, .end = params_end };
    return out;
}

/// address.ts `parseSipAddress` of `[from, to)`; null for an unclosed quote or `<`, or a quoted name without `<uri>`.
pub fn parse_address(bytes: []const u8, from: u32, to: u32) ?Address {
    const value = trimmed(bytes, from, to);
    const start = value.start;
    const end = value.end;
    if (end - start == 1 and bytes[start] == '*') return .{ .uri = value };
    var display_name = Text.empty;
    var rest_start = start;
    if (start < end and bytes[start] == '"') {
        const close = closing_quote(bytes, start, end) orelse return null;
        display_name = unquote_range(bytes, start, close + 1);
        rest_start = close + 1;
    }
    // One pass for `<` (name-addr) or the first `;` (addr-spec parameters); a `;` before `<` belongs to a name.
    const first = scan.find_class(bytes, rest_start, end, angle_or_semicolon);
    if (first < end and bytes[first] == '<') return name_addr(bytes, display_name, rest_start, first, end);
    if (first < end) {
        if (index_in(bytes, '<', first + 1, end)) |open| return name_addr(bytes, display_name, rest_start, open, end);
    }
    if (!display_name.is_empty()) return null;
    if (first == end) return .{ .uri = .{ .start = rest_start, .end = end } };
    const at = first;
    assert(bytes[at] == ';');
    const uri = trimmed(bytes, rest_start, at);
    return with_params(.{ .uri = uri }, bytes, skip_regexp_space(bytes, at + 1, end), end);
}

inline fn angle_or_semicolon(block: scan.Block) scan.Mask {
    return scan.mask_of(block, '<') | scan.mask_of(block, ';');
}

/// The `name-addr` form: `<uri>` opens at `open` in the trimmed value `[.., end)`.
fn name_addr(bytes: []const u8, display_name: Text, rest_start: u32, open: u32, end: u32) ?Address {
    const close = index_in(bytes, '>', open, end) orelse return null;
    const name = if (display_name.is_empty()) trimmed(bytes, rest_start, open) else display_name;
    const address: Address = .{ .display_name = name, .uri = trimmed(bytes, open + 1, close) };
    // Header parameters: after `>` and optional `\s`, a `;`, then the trimmed rest.
    const semicolon = skip_regexp_space(bytes, close + 1, end);
    if (semicolon >= end or bytes[semicolon] != ';') return address;
    return with_params(address, bytes, skip_regexp_space(bytes, semicolon + 1, end), end);
}

/// One Via value (types.ts `SipVia`, the fields viaFields writes).
pub const Via = struct {
    transport: Text,
    host: Text,
    port: ?u32,
    branch: Text,
    received: Text,
    rport: ?u32,
};

/// via.ts `parsePortAt`: trimmed, at most 5 digits, at most 65535.
fn parse_port(bytes: []const u8, start: u32, end: u32) ?u32 {
    const port = trimmed(bytes, start, end);
    if (port.end - port.start > port_digits_max) return null;
    const value = parse_uint32(bytes, port.start, port.end) orelse return null;
    return if (value <= 0xffff) value else null;
}

/// via.ts `hostPortAt` of the sent-by `[start, end)`: the host range and the port.
fn host_port(bytes: []const u8, start: u32, end: u32) struct { host: Text, port: ?u32 } {
    const whole: Text = .{ .start = start, .end = end };
    if (start < end and bytes[start] == '[') {
        const close = index_in(bytes, ']', start, end) orelse return .{ .host = whole, .port = null };
        const port = if (close + 1 < end and bytes[close + 1] == ':') parse_port(bytes, close + 2, end) else null;
        return .{ .host = .{ .start = start + 1, .end = close }, .port = port };
    }
    const colon = index_in(bytes, ':', start, end) orelse return .{ .host = whole, .port = null };
    const last: u32 = @intCast(std.mem.lastIndexOfScalar(u8, bytes[0..end], ':').?);
    assert(last >= colon);
    if (colon != last and !is_ipv6_with_port(bytes[start..end])) return .{ .host = whole, .port = null };
    return .{ .host = .{ .start = start, .end = last }, .port = parse_port(bytes, last + 1, end) };
}

/// Exactly eight colons and no "::" (unbracketed IPv6 with a port).
fn is_ipv6_with_port(text: []const u8) bool {
    if (std.mem.indexOf(u8, text, "::") != null) return false;
    return std.mem.count(u8, text, ":") == 8;
}

/// First byte in `[pos, end)` that is `\s` or `;`, or `end`.
fn scan_token(bytes: []const u8, pos: u32, end: u32) u32 {
    var i = pos;
    while (i < end and !is_regexp_space(bytes[i]) and bytes[i] != ';') i += 1;
    return i;
}

/// The Via with the given transport, sent-by and parameter ranges (via.ts `viaOf`).
fn via_of(bytes: []const u8, transport: Text, sent_by: Text, params: Text) Error!Via {
    const hp = host_port(bytes, sent_by.start, sent_by.end);
    const values = find_params(bytes, params.start, params.end, &.{ "branch", "received", "rport" });
    var rport: ?u32 = null;
    if (values[2]) |text| {
        if (text.escaped) return error.Fallback;
        if (!text.is_empty()) rport = parse_port(bytes, text.start, text.end);
    }
    return .{
        .transport = transport,
        .host = hp.host,
        .port = hp.port,
        .branch = values[0] orelse Text.empty,
        .received = values[1] orelse Text.empty,
        .rport = rport,
    };
}

/// via.ts `parseSipVia` of one list item `[from, to)`; null when it has no `SIP/2.0/transport` and sent-by.
pub fn parse_via(bytes: []const u8, from: u32, to: u32) Error!?Via {
    const value = trimmed(bytes, from, to);
    if (std.mem.startsWith(u8, bytes[value.start..value.end], "SIP/2.0/")) {
        return canonical_via(bytes, value.start, value.end);
    }
    return loose_via(bytes, value.start, value.end);
}

/// via.ts `canonicalVia`: the value starts with `SIP/2.0/`.
fn canonical_via(bytes: []const u8, start: u32, end: u32) Error!?Via {
    const transport_start = skip_regexp_space(bytes, start + 8, end);
    const transport_end = scan_token(bytes, transport_start, end);
    if (transport_end == transport_start or transport_end == end or bytes[transport_end] == ';') return null;
    const sent_by_start = skip_regexp_space(bytes, transport_end, end);
    const sent_by_end = scan_token(bytes, sent_by_start, end);
    if (sent_by_end == sent_by_start) return null;
    const after = skip_regexp_space(bytes, sent_by_end, end);
    if (after < end and bytes[after] != ';') return null;
    return try via_of(
        bytes,
        .{ .start = transport_start, .end = transport_end },
        .{ .start = sent_by_start, .end = sent_by_end },
        .{ .start = if (after < end) after + 1 else end, .end = end },
    );
}

/// Run of bytes in `[pos, end)` that are neither `\s` nor `stop`.
fn run_without(bytes: []const u8, pos: u32, end: u32, stop: u8) u32 {
    var i = pos;
    while (i < end and !is_regexp_space(bytes[i]) and bytes[i] != stop) i += 1;
    return i;
}

/// The RegExp of via.ts `parseSipVia`, `^([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s;]+)\s+([^;\s]+)\s*(?:;(.*))?$`,
/// on the trimmed `[start, end)`. Every group is a maximal run followed by a byte it cannot hold, so the match has
/// no backtracking alternatives: it is written out as scans.
fn loose_via(bytes: []const u8, start: u32, end: u32) Error!?Via {
    var pos = start;
    for (0..2) |_| { // Groups 1 and 2, each followed by `\s*/\s*`.
        const group_end = run_without(bytes, pos, end, '/');
        if (group_end == pos) return null;
        pos = skip_regexp_space(bytes, group_end, end);
        if (pos == end or bytes[pos] != '/') return null;
        pos = skip_regexp_space(bytes, pos + 1, end);
    }
    const transport_end = run_without(bytes, pos, end, ';');
    if (transport_end == pos) return null;
    const transport: Text = .{ .start = pos, .end = transport_end };
    const sent_by_start = skip_regexp_space(bytes, transport_end, end);
    if (sent_by_start == transport_end) return null; // `\s+`
    const sent_by_end = run_without(bytes, sent_by_start, end, ';');
    if (sent_by_end == sent_by_start) return null;
    const after = skip_regexp_space(bytes, sent_by_end, end);
    if (after < end and bytes[after] != ';') return null;
    const params: Text = .{ .start = if (after < end) after + 1 else end, .end = end };
    return try via_of(bytes, transport, .{ .start = sent_by_start, .end = sent_by_end }, params);
}

/// The CSeq header (types.ts `SipCSeq`).
pub const CSeq = struct { seq: u32, method: Text };

/// _headers.ts `parseCSeq`: `/^(\d+)\s+(\S+)$/` on the value `[start, end)`.
pub fn parse_cseq(bytes: []const u8, start: u32, end: u32) ?CSeq {
    var digits_end = start;
    while (digits_end < end and bytes[digits_end] >= '0' and bytes[digits_end] <= '9') digits_end += 1;
    const method_start = skip_regexp_space(bytes, digits_end, end);
    if (digits_end == start or method_start == digits_end or method_start == end) return null;
    for (bytes[method_start..end]) |byte| if (is_regexp_space(byte)) return null;
    const seq = parse_uint32(bytes, start, digits_end) orelse return null;
    return .{ .seq = seq, .method = .{ .start = method_start, .end = end } };
}

/// One Reason value (types.ts `SipReason`).
pub const Reason = struct { protocol: Text, cause: ?u32, text: Text };

/// _headers.ts `parseReasons` for one list item `[start, end)`.
pub fn parse_reason(bytes: []const u8, start: u32, end: u32) Error!Reason {
    const semicolon = index_in(bytes, ';', start, end);
    const params_start = if (semicolon) |at| at + 1 else end;
    const values = find_params(bytes, params_start, end, &.{ "cause", "text" });
    var cause: ?u32 = null;
    if (values[0]) |text| {
        if (text.escaped) return error.Fallback;
        cause = parse_uint32(bytes, text.start, text.end);
    }
    return .{
        .protocol = trimmed(bytes, start, semicolon orelse end),
        .cause = cause,
        .text = values[1] orelse Text.empty,
    };
}

/// body.ts `isSdpContentType`: the type before any `;`, trimmed, is `application/sdp` in any case.
pub fn is_sdp_content_type(bytes: []const u8, content_type: Text) bool {
    comptime assert(no_kelvin_target("application/sdp"));
    assert(!content_type.escaped);
    const end = index_in(bytes, ';', content_type.start, content_type.end) orelse content_type.end;
    const media = trimmed(bytes, content_type.start, end);
    return std.ascii.eqlIgnoreCase(bytes[media.start..media.end], "application/sdp");
}

fn span(bytes: []const u8, t: Text) []const u8 {
    return bytes[t.start..t.end];
}

fn count_items(bytes: []const u8) u32 {
    var items = ListItems.init(bytes, 0, @intCast(bytes.len));
    var count: u32 = 0;
    while (items.next()) |_| count += 1;
    return count;
}

test "lists split outside quotes and angle brackets" {
    const bytes = " a , \"x,y\" <b,c>,, d ";
    var items = ListItems.init(bytes, 0, bytes.len);
    try std.testing.expectEqualStrings("a", span(bytes, items.next().?));
    try std.testing.expectEqualStrings("\"x,y\" <b,c>", span(bytes, items.next().?));
    try std.testing.expectEqualStrings("d", span(bytes, items.next().?));
    try std.testing.expect(items.next() == null);
    try std.testing.expectEqual(@as(u32, 1), count_items("a, \"b"));
    try std.testing.expectEqual(@as(u32, 0), count_items(" "));
    try std.testing.expectEqual(list_items_max, count_items(",a" ** 70));
}

test "params: first occurrence, quotes, no value" {
    const bytes = "lr; TAG = \"a;b\" ;tag=2;x";
    try std.testing.expectEqualStrings("a;b", span(bytes, find_param(bytes, 0, bytes.len, "tag").?));
    try std.testing.expectEqual(@as(u32, 0), find_param(bytes, 0, bytes.len, "lr").?.end -
        find_param(bytes, 0, bytes.len, "lr").?.start);
    try std.testing.expect(find_param(bytes, 0, bytes.len, "y") == null);
}

test "addresses: name-addr, addr-spec, star, failures" {
    const a = "\"Bob \\\"B\\\"\" <sip:b@h>;tag=9";
    const parsed = parse_address(a, 0, a.len).?;
    try std.testing.expect(parsed.display_name.escaped);
    try std.testing.expectEqualStrings("sip:b@h", span(a, parsed.uri));
    try std.testing.expectEqualStrings("9", span(a, parsed.tag));
    const b = "sip:a@h ; tag=1";
    try std.testing.expectEqualStrings("sip:a@h", span(b, parse_address(b, 0, b.len).?.uri));
    try std.testing.expect(parse_address("\"x\" sip:a", 0, 9) == null);
    try std.testing.expect(parse_address("<sip:a", 0, 6) == null);
    try std.testing.expectEqualStrings("*", span(" * ", parse_address(" * ", 0, 3).?.uri));
}

test "vias: canonical, loose, IPv6, rport" {
    const a = "SIP/2.0/UDP [::1]:5060;branch=z9;rport";
    const via = (try parse_via(a, 0, a.len)).?;
    try std.testing.expectEqualStrings("::1", span(a, via.host));
    try std.testing.expectEqual(@as(?u32, 5060), via.port);
    try std.testing.expectEqual(@as(?u32, null), via.rport);
    const b = "SIP / 2.0 / TCP h:1 ; received=x";
    const loose = (try parse_via(b, 0, b.len)).?;
    try std.testing.expectEqualStrings("TCP", span(b, loose.transport));
    try std.testing.expectEqualStrings("x", span(b, loose.received));
    try std.testing.expect(try parse_via("SIP/2.0/UDP", 0, 11) == null);
}

test "CSeq and Reason" {
    const c = "0012 INVITE";
    try std.testing.expectEqual(@as(u32, 12), parse_cseq(c, 0, c.len).?.seq);
    try std.testing.expect(parse_cseq("12345678901 A", 0, 13) == null);
    const r = "Q.850 ;cause=16;text=\"Normal\"";
    const reason = try parse_reason(r, 0, r.len);
    try std.testing.expectEqualStrings("Q.850", span(r, reason.protocol));
    try std.testing.expectEqual(@as(?u32, 16), reason.cause);
    try std.testing.expectEqualStrings("Normal", span(r, reason.text));
}
