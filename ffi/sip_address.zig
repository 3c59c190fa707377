//! From/To/Contact addresses (src/protocols/sip/address.ts) and Via values (via.ts): a byte-exact port for values
//! that are plain UTF-8 (see sip_fields.zig for why byte and string positions agree then). Each parser fills an
//! out-parameter field by field and returns a bool or an enum: a struct returned through memory would be stored in
//! pieces and read back whole, which the CPU cannot forward from its store buffer.
const std = @import("std");
const assert = std.debug.assert;
const find = @import("sip_find.zig");
const fields = @import("sip_fields.zig");

const Text = fields.Text;
const trimmed = fields.trimmed;
const skip_regexp_space = fields.skip_regexp_space;

/// Via ports (via.ts `PORT_DIGITS_MAX`).
const port_digits_max: u32 = 5;

/// A From/To/Contact value (types.ts `SipAddress`); the display name and the tag may be quoted strings with escapes.
pub const Address = struct {
    display_name: Text = Text.empty,
    uri: Text,
    tag: Text = Text.empty,
    params: Text = Text.empty,
    display_name_escaped: bool = false,
    tag_escaped: bool = false,
};

/// address.ts `parseSipAddress` of `[from, to)` into `out` (every field written); false for an unclosed quote or
/// `<`, or a quoted name without `<uri>`. `quotes_possible`: false when the caller knows the range holds no quote.
pub fn parse_address(bytes: []const u8, from: u32, to: u32, quotes_possible: bool, out: *Address) bool {
    const value = trimmed(bytes, from, to);
    const start = value.start;
    const end = value.end;
    out.* = .{ .uri = value };
    if (end - start == 1 and bytes[start] == '*') return true;
    var rest_start = start;
    if (start < end and bytes[start] == '"') {
        const close = closing_quote(bytes, start, end);
        if (close == end) return false;
        const name = fields.unquote_range(bytes, start, close + 1);
        out.display_name = name.text;
        out.display_name_escaped = name.escaped;
        rest_start = close + 1;
    }
    // One pass for `<` (name-addr) or the first `;` (addr-spec parameters); a `;` before `<` belongs to a name.
    const first = find.find_class(bytes, rest_start, end, angle_or_semicolon);
    const open = if (first < end and bytes[first] == ';') find.find_byte(bytes, first + 1, end, '<') else first;
    if (open < end) return name_addr(bytes, rest_start, open, end, quotes_possible, out);
    if (!out.display_name.is_empty()) return false;
    if (first == end) {
        out.uri = .{ .start = rest_start, .end = end };
        return true;
    }
    assert(bytes[first] == ';');
    out.uri = trimmed(bytes, rest_start, first);
    with_params(bytes, skip_regexp_space(bytes, first + 1, end), end, quotes_possible, out);
    return true;
}

inline fn angle_or_semicolon(block: find.Block) find.Mask {
    return find.mask_of(block, '<') | find.mask_of(block, ';');
}

/// Index of the quote closing the quoted string opening at `start`, before `end`; `end` when there is none. A
/// backslash escapes the byte after it. Quotes and backslashes are searched for a vector block at a time.
inline fn closing_quote(bytes: []const u8, start: u32, end: u32) u32 {
    var i = start + 1;
    while (i < end) {
        i = find.find_class(bytes, i, end, quote_or_backslash);
        if (i == end or bytes[i] == '"') break;
        i += 2;
    }
    return @min(i, end);
}

inline fn quote_or_backslash(block: find.Block) find.Mask {
    return find.mask_of(block, '"') | find.mask_of(block, '\\');
}

/// The `name-addr` form: `<uri>` opens at `open` in the trimmed value `[.., end)`; `out` holds the quoted display
/// name, if any.
inline fn name_addr(
    bytes: []const u8,
    rest_start: u32,
    open: u32,
    end: u32,
    quotes_possible: bool,
    out: *Address,
) bool {
    const close = find.find_byte(bytes, open, end, '>');
    if (close == end) return false;
    if (out.display_name.is_empty()) out.display_name = trimmed(bytes, rest_start, open);
    out.uri = trimmed(bytes, open + 1, close);
    // Header parameters: after `>` and optional `\s`, a `;`, then the trimmed rest.
    const semicolon = skip_regexp_space(bytes, close + 1, end);
    if (semicolon < end and bytes[semicolon] == ';') {
        with_params(bytes, skip_regexp_space(bytes, semicolon + 1, end), end, quotes_possible, out);
    }
    return true;
}

/// address.ts `address()`: header parameters `[params_start, params_end)` and the tag among them.
inline fn with_params(
    bytes: []const u8,
    params_start: u32,
    params_end: u32,
    quotes_possible: bool,
    out: *Address,
) void {
    if (params_start >= params_end) return;
    var params: fields.Params(1) = undefined;
    fields.find_params(bytes, params_start, params_end, quotes_possible, &.{"tag"}, &params);
    out.tag = params.values[0];
    out.tag_escaped = params.escaped != 0;
    out.params = .{ .start = params_start, .end = params_end };
}

/// One Via value (types.ts `SipVia`, the fields viaFields writes); ports are `no_port` when absent (a u32, not an
/// optional: see sip_fields.zig on copies).
pub const Via = struct {
    transport: Text,
    host: Text,
    branch: Text,
    received: Text,
    port: u32,
    rport: u32,
    branch_escaped: bool,
    received_escaped: bool,
};

/// A port that is absent or not a number: above every port.
pub const no_port: u32 = std.math.maxInt(u32);

/// What parse_via() made of a list item.
pub const ViaParse = enum {
    via,
    /// No `SIP/2.0/transport` and sent-by: skipped, as TypeScript skips it.
    none,
    /// An rport written with escapes: TypeScript reads it unescaped, so the message is a fallback.
    fallback,
};

/// The ranges a Via value is made of, before its parameters are read.
const ViaParts = struct { transport: Text, sent_by: Text, params: Text };

/// via.ts `parseSipVia` of one list item `[from, to)`, into `out` when the result is `via`. `quotes_possible`: false
/// when the caller knows the range holds no quote.
pub fn parse_via(bytes: []const u8, from: u32, to: u32, quotes_possible: bool, out: *Via) ViaParse {
    const value = trimmed(bytes, from, to);
    var parts: ViaParts = undefined;
    const found = if (std.mem.startsWith(u8, bytes[value.start..value.end], "SIP/2.0/"))
        canonical_via(bytes, value.start, value.end, &parts)
    else
        loose_via(bytes, value.start, value.end, &parts);
    if (!found) return .none;
    return via_of(bytes, &parts, quotes_possible, out);
}

/// The Via of the given ranges (via.ts `viaOf`).
inline fn via_of(bytes: []const u8, parts: *const ViaParts, quotes_possible: bool, out: *Via) ViaParse {
    const names = &.{ "branch", "received", "rport" };
    var params: fields.Params(3) = undefined;
    fields.find_params(bytes, parts.params.start, parts.params.end, quotes_possible, names, &params);
    if (params.escaped & 4 != 0) return .fallback;
    // An absent rport and one without a value (`;rport`, a request for one) are both no number.
    out.rport = parse_port(bytes, params.values[2].start, params.values[2].end);
    out.transport = parts.transport;
    host_port(bytes, parts.sent_by.start, parts.sent_by.end, out);
    out.branch = params.values[0];
    out.received = params.values[1];
    out.branch_escaped = params.escaped & 1 != 0;
    out.received_escaped = params.escaped & 2 != 0;
    return .via;
}

/// via.ts `parsePortAt`: trimmed, at most 5 digits, at most 65535; else `no_port`.
inline fn parse_port(bytes: []const u8, start: u32, end: u32) u32 {
    const port = trimmed(bytes, start, end);
    if (port.end - port.start > port_digits_max) return no_port;
    const value = fields.parse_uint32(bytes, port.start, port.end) orelse return no_port;
    return if (value <= 0xffff) value else no_port;
}

/// via.ts `hostPortAt` of the sent-by `[start, end)`: the host range and the port, into `out`.
inline fn host_port(bytes: []const u8, start: u32, end: u32, out: *Via) void {
    out.host = .{ .start = start, .end = end };
    out.port = no_port;
    if (start < end and bytes[start] == '[') {
        const close = find.find_byte(bytes, start, end, ']');
        if (close == end) return;
        out.host = .{ .start = start + 1, .end = close };
        if (close + 1 < end and bytes[close + 1] == ':') out.port = parse_port(bytes, close + 2, end);
        return;
    }
    const colon = find.find_byte(bytes, start, end, ':');
    if (colon == end) return;
    // The last colon: most sent-bys have one.
    var last = colon;
    if (find.find_byte(bytes, colon + 1, end, ':') < end) {
        last = end - 1;
        while (bytes[last] != ':') last -= 1;
    }
    assert(last >= colon);
    if (colon != last and !is_ipv6_with_port(bytes[start..end])) return;
    out.host = .{ .start = start, .end = last };
    out.port = parse_port(bytes, last + 1, end);
}

/// Exactly eight colons and no "::" (unbracketed IPv6 with a port).
fn is_ipv6_with_port(text: []const u8) bool {
    if (std.mem.indexOf(u8, text, "::") != null) return false;
    return std.mem.count(u8, text, ":") == 8;
}

/// via.ts `canonicalVia`: the value `[start, end)` starts with `SIP/2.0/`.
inline fn canonical_via(bytes: []const u8, start: u32, end: u32, parts: *ViaParts) bool {
    const transport_start = skip_regexp_space(bytes, start + 8, end);
    const transport_end = run_without(bytes, transport_start, end, ';');
    if (transport_end == transport_start or transport_end == end or bytes[transport_end] == ';') return false;
    const sent_by_start = skip_regexp_space(bytes, transport_end, end);
    return sent_by_and_params(bytes, transport_start, transport_end, sent_by_start, end, parts);
}

/// The rest of a Via after its transport `[transport_start, transport_end)`, both forms alike: the sent-by from
/// `sent_by_start` (past the spaces), then nothing but spaces or `;` and the parameters up to `end`.
inline fn sent_by_and_params(
    bytes: []const u8,
    transport_start: u32,
    transport_end: u32,
    sent_by_start: u32,
    end: u32,
    parts: *ViaParts,
) bool {
    const sent_by_end = run_without(bytes, sent_by_start, end, ';');
    if (sent_by_end == sent_by_start) return false;
    const after = skip_regexp_space(bytes, sent_by_end, end);
    if (after < end and bytes[after] != ';') return false;
    parts.* = .{
        .transport = .{ .start = transport_start, .end = transport_end },
        .sent_by = .{ .start = sent_by_start, .end = sent_by_end },
        .params = .{ .start = if (after < end) after + 1 else end, .end = end },
    };
    return true;
}

/// Run of bytes in `[pos, end)` that are neither `\s` nor `stop`, a vector block at a time.
inline fn run_without(bytes: []const u8, pos: u32, end: u32, comptime stop: u8) u32 {
    const class = struct {
        inline fn class(block: find.Block) find.Mask {
            return fields.regexp_space_mask(block) | find.mask_of(block, stop);
        }
    }.class;
    return find.find_class(bytes, pos, end, class);
}

/// The RegExp of via.ts `parseSipVia`, `^([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s;]+)\s+([^;\s]+)\s*(?:;(.*))?$`,
/// on the trimmed `[start, end)`. Every group is a maximal run followed by a byte it cannot hold, so the match has
/// no backtracking alternatives: it is written out as scans.
fn loose_via(bytes: []const u8, start: u32, end: u32, parts: *ViaParts) bool {
    var pos = start;
    for (0..2) |_| { // Groups 1 and 2, each followed by `\s*/\s*`.
        const group_end = run_without(bytes, pos, end, '/');
        if (group_end == pos) return false;
        pos = skip_regexp_space(bytes, group_end, end);
        if (pos == end or bytes[pos] != '/') return false;
        pos = skip_regexp_space(bytes, pos + 1, end);
    }
    const transport_end = run_without(bytes, pos, end, ';');
    if (transport_end == pos) return false;
    const sent_by_start = skip_regexp_space(bytes, transport_end, end);
    if (sent_by_start == transport_end) return false; // `\s+`
    return sent_by_and_params(bytes, pos, transport_end, sent_by_start, end, parts);
}

const span = fields.span;

test "addresses: name-addr, addr-spec, star, failures" {
    var out: Address = undefined;
    const a = "\"Bob \\\"B\\\"\" <sip:b@h>;tag=9";
    try std.testing.expect(parse_address(a, 0, a.len, true, &out));
    try std.testing.expect(out.display_name_escaped);
    try std.testing.expectEqualStrings("sip:b@h", span(a, out.uri));
    try std.testing.expectEqualStrings("9", span(a, out.tag));
    const b = "sip:a@h ; tag=1";
    try std.testing.expect(parse_address(b, 0, b.len, true, &out));
    try std.testing.expectEqualStrings("sip:a@h", span(b, out.uri));
    try std.testing.expect(!parse_address("\"x\" sip:a", 0, 9, true, &out));
    try std.testing.expect(!parse_address("<sip:a", 0, 6, true, &out));
    try std.testing.expect(parse_address(" * ", 0, 3, true, &out));
    try std.testing.expectEqualStrings("*", span(" * ", out.uri));
    try std.testing.expect(out.tag.is_empty() and out.params.is_empty() and out.display_name.is_empty());
}

test "vias: canonical, loose, IPv6, rport" {
    var via: Via = undefined;
    const a = "SIP/2.0/UDP [::1]:5060;branch=z9;rport";
    try std.testing.expectEqual(ViaParse.via, parse_via(a, 0, a.len, true, &via));
    try std.testing.expectEqualStrings("::1", span(a, via.host));
    try std.testing.expectEqual(@as(u32, 5060), via.port);
    try std.testing.expectEqual(no_port, via.rport);
    const b = "SIP / 2.0 / TCP h:1 ; received=x";
    try std.testing.expectEqual(ViaParse.via, parse_via(b, 0, b.len, true, &via));
    try std.testing.expectEqualStrings("TCP", span(b, via.transport));
    try std.testing.expectEqualStrings("x", span(b, via.received));
    try std.testing.expectEqual(ViaParse.none, parse_via("SIP/2.0/UDP", 0, 11, true, &via));
    const c = "SIP/2.0/UDP h;rport=\"1\\2\"";
    try std.testing.expectEqual(ViaParse.fallback, parse_via(c, 0, c.len, true, &via));
    const d = "SIP/2.0/UDP 2001:db8:0:0:0:0:0:1:5060";
    try std.testing.expectEqual(ViaParse.via, parse_via(d, 0, d.len, true, &via));
    try std.testing.expectEqualStrings("2001:db8:0:0:0:0:0:1", span(d, via.host));
    try std.testing.expectEqual(@as(u32, 5060), via.port);
}
