//! cap_sip_parse: one SIP payload into the JSON of its `sip` record object, byte-identical to
//! `JSON.stringify(sipFields(message))` of src/pipeline/records.ts over `parseSipMessage` of
//! src/protocols/sip/message.ts, plus a `SipSummary` of spans for call tracking. The TypeScript is the reference:
//! a message this file cannot prove it handles alike (a start line or header section that is not valid UTF-8 or holds
//! a non-ASCII whitespace code point, a folded header, a field that is no plain range of the payload, a full JSON
//! buffer) is FALLBACK, and TypeScript parses it. No allocation.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const scan = @import("sip_scan.zig");
const fields = @import("sip_fields.zig");
const address_ = @import("sip_address.zig");
const json_ = @import("sip_json.zig");
const utf8 = @import("sip_utf8.zig");

const Text = fields.Text;
const Writer = json_.Writer;
const HeaderId = scan.HeaderId;
const Summary = abi.SipSummary;

/// types.ts `SIP_INVALID_REASONS` order: `cap_sip_parse` returns `-(1 + k)` for reason `k`.
pub const Invalid = enum(u32) {
    not_sip,
    bad_start_line,
    truncated_headers,
    too_many_headers,
    bad_content_length,
    body_truncated,
    missing_call_id,
    bad_cseq,
};

const Fallback = error{Fallback};

/// Via, Contact and Reason headers kept per message; a message with more is a fallback (real ones have a handful,
/// and a small array keeps the stack frame small: no stack probe, little to fill in safe builds).
const list_headers_max: u32 = 32;

/// A Via, Contact or Reason header: its id and trimmed value range.
const ListHeader = struct { id: HeaderId, start: u32, end: u32 };

/// The list headers of one message in message order; their values are read while the JSON is written.
const Headers = struct {
    items: [list_headers_max]ListHeader = undefined,
    count: u32 = 0,

    fn slice(h: *const Headers) []const ListHeader {
        return h.items[0..h.count];
    }
};

/// _headers.ts `MessageDraft`: the single-valued fields (lists are read from `Headers` while writing).
const Draft = struct {
    call_id: ?Text = null,
    /// Set when `has_cseq` (parsed in place).
    cseq: fields.CSeq = .{ .seq = 0, .method = Text.empty },
    has_cseq: bool = false,
    /// From and To: set when `has_from`/`has_to` (parsed in place, not copied: see sip_address.zig).
    from: address_.Address = .{ .uri = Text.empty },
    to: address_.Address = .{ .uri = Text.empty },
    has_from: bool = false,
    has_to: bool = false,
    content_type: Text = Text.empty,
    user_agent: Text = Text.empty,
    server: Text = Text.empty,
    content_length: ?u32 = null,
    bad_content_length: bool = false,
    max_forwards: ?u32 = null,
    expires: ?u32 = null,
    body_offset: u32 = 0,
    body_length: u32 = 0,
    malformed_header_lines: u32 = 0,
};

fn invalid(reason: Invalid) i32 {
    return -1 - @as(i32, @intCast(@intFromEnum(reason)));
}

/// Parses `payload`; see docs/abi.md `cap_sip_parse` for the return value.
pub fn parse(payload: []const u8, out: *Summary, json: []u8) i32 {
    assert(payload.len <= std.math.maxInt(u32));
    out.* = std.mem.zeroes(Summary);
    const start = scan.scan_start_line(payload) orelse
        return invalid(if (scan.starts_with_sip_version(payload)) .bad_start_line else .not_sip);
    var headers: Headers = .{};
    var draft: Draft = .{};
    const scanned = read_headers(payload, start.next_line, &headers, &draft) catch return abi.sip_parse_fallback;
    if (scanned) |reason| return invalid(reason);
    // Past the header section every decision depends on decoded strings: valid UTF-8 without non-ASCII whitespace
    // makes them the bytes (sip_utf8.zig `is_plain_utf8`). The scan above and the values parsed on the way only
    // compare bytes with ASCII, so their outcome is the same for any bytes.
    if (!utf8.is_plain_utf8(payload[0..draft.body_offset])) return abi.sip_parse_fallback;
    if (validate(payload, &draft)) |reason| return invalid(reason);
    var w = Writer.init(json);
    write_message(&w, payload, &start, &draft, headers.slice(), out) catch return abi.sip_parse_fallback;
    if (w.overflow) return abi.sip_parse_fallback;
    fill_summary(out, &start, &draft) catch return abi.sip_parse_fallback;
    out.json_bytes = w.len;
    assert(w.len <= std.math.maxInt(i32));
    return @intCast(w.len);
}

/// message.ts `readHeaders`: scans every header line, applying single-valued headers to `draft` and keeping list
/// headers; an invalid reason, or null once the empty line was reached. TypeScript applies the headers after the
/// scan, but applying them cannot fail, so doing it on the way gives the same fields.
fn read_headers(payload: []const u8, pos: u32, headers: *Headers, draft: *Draft) Fallback!?Invalid {
    var scanner = scan.Scanner.init(payload, pos);
    while (true) {
        switch (scanner.next()) {
            .truncated => return .truncated_headers,
            .too_many => return .too_many_headers,
            .fallback => return error.Fallback,
            .end => break,
            .header => {},
        }
        const header: ListHeader = .{ .id = scanner.id, .start = scanner.value_start, .end = scanner.value_end };
        switch (header.id) {
            .other => {},
            .via, .contact, .reason => {
                if (headers.count == list_headers_max) return error.Fallback;
                headers.items[headers.count] = header;
                headers.count += 1;
            },
            else => apply_header(payload, header, draft),
        }
    }
    draft.body_offset = scanner.body_offset;
    draft.malformed_header_lines = scanner.malformed_lines;
    return null;
}

/// _headers.ts `applyHeader` for a single-valued header, called in message order: the first usable value wins
/// (Call-ID not empty, From/To parsed, CSeq well-formed, numbers decimal); Content-Length values must agree.
fn apply_header(payload: []const u8, h: ListHeader, draft: *Draft) void {
    const value: Text = .{ .start = h.start, .end = h.end };
    switch (h.id) {
        .call_id => if (draft.call_id == null and h.end > h.start) {
            draft.call_id = value;
        },
        .from => if (!draft.has_from) {
            draft.has_from = address_.parse_address(payload, h.start, h.end, true, &draft.from);
        },
        .to => if (!draft.has_to) {
            draft.has_to = address_.parse_address(payload, h.start, h.end, true, &draft.to);
        },
        .cseq => if (!draft.has_cseq) {
            draft.has_cseq = fields.parse_cseq(payload, h.start, h.end, &draft.cseq);
        },
        .content_type => if (draft.content_type.is_empty()) {
            draft.content_type = value;
        },
        .user_agent => if (draft.user_agent.is_empty()) {
            draft.user_agent = value;
        },
        .server => if (draft.server.is_empty()) {
            draft.server = value;
        },
        .content_length => apply_content_length(draft, fields.parse_uint32(payload, h.start, h.end)),
        .max_forwards => if (draft.max_forwards == null) {
            draft.max_forwards = fields.parse_uint32(payload, h.start, h.end);
        },
        .expires => if (draft.expires == null) {
            draft.expires = fields.parse_uint32(payload, h.start, h.end);
        },
        .via, .contact, .reason, .other => unreachable,
    }
}

fn apply_content_length(draft: *Draft, length: ?u32) void {
    const value = length orelse {
        draft.bad_content_length = true;
        return;
    };
    if (draft.content_length) |known| {
        if (known != value) draft.bad_content_length = true;
    } else {
        draft.content_length = value;
    }
}

/// message.ts `validate`: the fields pairing depends on, then the body bounds.
fn validate(payload: []const u8, draft: *Draft) ?Invalid {
    if (draft.bad_content_length) return .bad_content_length;
    if (draft.call_id == null) return .missing_call_id;
    if (!draft.has_cseq) return .bad_cseq;
    assert(draft.body_offset <= payload.len);
    const available: u32 = @intCast(payload.len - draft.body_offset);
    if (draft.content_length) |length| {
        if (length > available) return .body_truncated;
        draft.body_length = length;
    } else {
        // Datagram without Content-Length: the body is the rest of the datagram (RFC 3261 §18.3).
        draft.body_length = available;
    }
    return null;
}

fn span_of(text: Text) abi.SipSpan {
    return .{ .start = text.start, .end = text.end };
}

/// The span of a field that may be a quoted string with escapes.
fn quoted_span_of(text: Text, escaped: bool) Fallback!abi.SipSpan {
    // A span must be the field's exact bytes: resolved escapes are not.
    if (escaped) return error.Fallback;
    return span_of(text);
}

/// records.ts `sipFields`, key by key in its order, each optional key only when sipFields sets it.
fn write_message(
    noalias w: *Writer,
    payload: []const u8,
    start: *const scan.StartLine,
    draft: *const Draft,
    headers: []const ListHeader,
    out: *Summary,
) Fallback!void {
    if (start.kind == .request) {
        w.field("{\"kind\":\"request\",\"method\":", payload, .{ .start = 0, .end = start.method_end }, false);
        w.field(",\"request_uri\":", payload, .{ .start = start.uri_start, .end = start.uri_end }, false);
    } else {
        w.number_field("{\"kind\":\"response\",\"status_code\":", start.status_code);
        w.field(",\"reason_phrase\":", payload, .{ .start = start.reason_start, .end = start.reason_end }, false);
    }
    w.field(",\"call_id\":", payload, draft.call_id.?, false);
    w.number_field(",\"cseq\":{\"seq\":", draft.cseq.seq);
    w.field(",\"method\":", payload, draft.cseq.method, false);
    w.literal("}");
    if (draft.has_from) write_address(w, payload, ",\"from\":", &draft.from);
    if (draft.has_to) write_address(w, payload, ",\"to\":", &draft.to);
    try write_vias(w, payload, headers);
    write_contacts(w, payload, headers);
    write_optional_string(w, payload, ",\"user_agent\":", draft.user_agent, false);
    write_optional_string(w, payload, ",\"server\":", draft.server, false);
    write_optional_string(w, payload, ",\"content_type\":", draft.content_type, false);
    write_optional_number(w, ",\"content_length\":", draft.content_length);
    try write_reasons(w, payload, headers, out);
    write_optional_number(w, ",\"max_forwards\":", draft.max_forwards);
    write_optional_number(w, ",\"expires\":", draft.expires);
    w.number_field(",\"body_bytes\":", draft.body_length);
    w.literal(",\"sdp\":");
    w.boolean(draft.body_length > 0 and fields.is_sdp_content_type(payload, draft.content_type));
    w.literal("}");
}

inline fn write_optional_string(
    noalias w: *Writer,
    payload: []const u8,
    comptime key: []const u8,
    text: Text,
    escaped: bool,
) void {
    if (!text.is_empty()) w.field(key, payload, text, escaped);
}

inline fn write_optional_number(noalias w: *Writer, comptime key: []const u8, value: ?u32) void {
    if (value) |number| w.number_field(key, number);
}

inline fn write_port(noalias w: *Writer, comptime key: []const u8, port: u32) void {
    if (port != address_.no_port) w.number_field(key, port);
}

/// records.ts `addressFields`, after `prefix` (its key, or a list's punctuation).
fn write_address(
    noalias w: *Writer,
    payload: []const u8,
    comptime prefix: []const u8,
    address: *const address_.Address,
) void {
    w.field(prefix ++ "{\"uri\":", payload, address.uri, false);
    write_optional_string(w, payload, ",\"display_name\":", address.display_name, address.display_name_escaped);
    write_optional_string(w, payload, ",\"tag\":", address.tag, address.tag_escaped);
    write_optional_string(w, payload, ",\"params\":", address.params, false);
    w.literal("}");
}

/// `vias` (always present): every Via value of every Via header, in order; unparsable values are skipped.
fn write_vias(noalias w: *Writer, payload: []const u8, headers: []const ListHeader) Fallback!void {
    w.literal(",\"vias\":[");
    var first = true;
    for (headers) |h| {
        if (h.id != .via) continue;
        var items = fields.ListItems.init(payload, h.start, h.end);
        var item: Text = undefined;
        var via: address_.Via = undefined;
        while (items.next(&item)) {
            switch (address_.parse_via(payload, item.start, item.end, items.quotes, &via)) {
                .via => {},
                .none => continue,
                .fallback => return error.Fallback,
            }
            if (first) write_via(w, payload, "", &via) else write_via(w, payload, ",", &via);
            first = false;
        }
    }
    w.literal("]");
}

/// records.ts `viaFields`, after `prefix` (a list's punctuation).
fn write_via(noalias w: *Writer, payload: []const u8, comptime prefix: []const u8, via: *const address_.Via) void {
    w.field(prefix ++ "{\"transport\":", payload, via.transport, false);
    w.field(",\"host\":", payload, via.host, false);
    write_port(w, ",\"port\":", via.port);
    write_optional_string(w, payload, ",\"branch\":", via.branch, via.branch_escaped);
    write_optional_string(w, payload, ",\"received\":", via.received, via.received_escaped);
    write_port(w, ",\"rport\":", via.rport);
    w.literal("}");
}

/// `contacts`, only when there is at least one parsable Contact value.
fn write_contacts(noalias w: *Writer, payload: []const u8, headers: []const ListHeader) void {
    var first = true;
    for (headers) |h| {
        if (h.id != .contact) continue;
        var items = fields.ListItems.init(payload, h.start, h.end);
        var item: Text = undefined;
        var address: address_.Address = undefined;
        while (items.next(&item)) {
            if (!address_.parse_address(payload, item.start, item.end, items.quotes, &address)) continue;
            if (first) {
                write_address(w, payload, ",\"contacts\":[", &address);
            } else {
                write_address(w, payload, ",", &address);
            }
            first = false;
        }
    }
    if (!first) w.literal("]");
}

/// `reasons`, only when there is at least one (records.ts `reasonFields`); the first `sip_reasons_max` also go to
/// the summary, and a message with more is a fallback.
fn write_reasons(noalias w: *Writer, payload: []const u8, headers: []const ListHeader, out: *Summary) Fallback!void {
    var count: u32 = 0;
    for (headers) |h| {
        if (h.id != .reason) continue;
        var items = fields.ListItems.init(payload, h.start, h.end);
        var item: Text = undefined;
        var reason: fields.Reason = undefined;
        while (items.next(&item)) {
            if (count == abi.sip_reasons_max) return error.Fallback;
            if (!fields.parse_reason(payload, item.start, item.end, &reason)) return error.Fallback;
            // The summary's cause is an i32: a larger one cannot be told apart from "none".
            if (reason.cause) |cause| if (cause > std.math.maxInt(i32)) return error.Fallback;
            out.reasons[count] = .{
                .protocol = span_of(reason.protocol),
                .text = try quoted_span_of(reason.text, reason.text_escaped),
                .cause = if (reason.cause) |cause| @intCast(cause) else -1,
            };
            if (count == 0) w.literal(",\"reasons\":[") else w.literal(",");
            count += 1;
            w.field("{\"protocol\":", payload, reason.protocol, false);
            write_optional_number(w, ",\"cause\":", reason.cause);
            write_optional_string(w, payload, ",\"text\":", reason.text, reason.text_escaped);
            w.literal("}");
        }
    }
    if (count > 0) w.literal("]");
    out.reasons_count = count;
}

/// The summary's fields other than the reasons (written with the JSON).
fn fill_summary(out: *Summary, start: *const scan.StartLine, draft: *const Draft) Fallback!void {
    const cseq = draft.cseq;
    out.kind = @intFromEnum(start.kind);
    out.status_code = start.status_code;
    out.cseq_seq = cseq.seq;
    out.body_offset = draft.body_offset;
    out.body_length = draft.body_length;
    out.consumed_bytes = draft.body_offset + draft.body_length;
    out.malformed_header_lines = draft.malformed_header_lines;
    out.method = .{ .start = 0, .end = start.method_end };
    out.call_id = span_of(draft.call_id.?);
    out.cseq_method = span_of(cseq.method);
    out.content_type = span_of(draft.content_type);
    out.user_agent = span_of(draft.user_agent);
    if (draft.has_from) {
        out.flags |= abi.sip_flag_from;
        out.from_uri = span_of(draft.from.uri);
        out.from_tag = try quoted_span_of(draft.from.tag, draft.from.tag_escaped);
    }
    if (draft.has_to) {
        out.flags |= abi.sip_flag_to;
        out.to_uri = span_of(draft.to.uri);
        out.to_tag = try quoted_span_of(draft.to.tag, draft.to.tag_escaped);
    }
}
