//! cap_sip_parse_record: a whole `sip` record's JSON from one call. The common fields (`RecordHead`, what
//! src/pipeline/record_base.ts `recordBase` builds) are written first, byte for byte what JSON.stringify gives for
//! them, then `"sip":` and the `sip` object of sip.zig. In TypeScript those fields cost a JSON.stringify of their own
//! and a splice per record (more than the parse; docs/benchmarks.md); here they are integers printed and text copied.
//!
//! Strings with escapes in them are not written here: TypeScript hands over the lead (`{"type":"sip","v":1`) and
//! the task/interface members as JSON it made with JSON.stringify, and the transport and addresses only when every
//! byte is plain printable ASCII (checked again here).
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const sip = @import("sip.zig");

const Head = abi.RecordHead;

const hex_digits = "0123456789abcdef";

/// Parses `payload` into `json`: the record's common fields, then its `sip` object; see docs/abi.md
/// `cap_sip_parse_record` for the return value (cap_sip_parse's, counting the whole record's bytes).
pub fn parse(payload: []const u8, head: *const Head, text: []const u8, out: *abi.SipSummary, json: []u8) i32 {
    assert(json.len <= std.math.maxInt(i32));
    const head_bytes = write_head(head, text, json) orelse {
        out.* = std.mem.zeroes(abi.SipSummary);
        return abi.sip_parse_fallback;
    };
    // Two bytes stay free: the record's closing brace, and a NUL after it, so that TypeScript can read the JSON as a C
    // string (Deno's getCString is about twice as fast as a TextDecoder). JSON holds no NUL byte: the writers escape
    // every control character.
    if (json.len - head_bytes < 2) return abi.sip_parse_fallback;
    const result = sip.parse(payload, out, json[head_bytes .. json.len - 2]);
    if (result < 0) return result;
    const end = head_bytes + @as(u32, @intCast(result));
    json[end] = '}';
    json[end + 1] = 0;
    out.json_bytes = end + 1;
    return @intCast(end + 1);
}

/// Bytes written so far into a caller-owned buffer; writes past its end are dropped and remembered.
const Out = struct {
    buffer: []u8,
    len: u32 = 0,
    overflow: bool = false,

    fn raw(o: *Out, bytes: []const u8) void {
        if (o.overflow or bytes.len > o.buffer.len - o.len) {
            o.overflow = true;
            return;
        }
        @memcpy(o.buffer[o.len..][0..bytes.len], bytes);
        o.len += @intCast(bytes.len);
    }

    /// The decimal digits of `value`, as JavaScript prints an integer below 2^53 (no exponent, no sign).
    fn decimal(o: *Out, value: u64) void {
        var digits: [20]u8 = undefined;
        var at: usize = digits.len;
        var rest = value;
        while (true) {
            at -= 1;
            digits[at] = '0' + @as(u8, @intCast(rest % 10));
            rest /= 10;
            if (rest == 0) break;
        }
        o.raw(digits[at..]);
    }

    /// `(hash >>> 0).toString(16).padStart(8, "0")`.
    fn hex8(o: *Out, hash: u32) void {
        var digits: [8]u8 = undefined;
        for (&digits, 0..) |*digit, k| digit.* = hex_digits[(hash >> @intCast(28 - 4 * k)) & 0xf];
        o.raw(&digits);
    }

    /// `"text"`: `text` must need no escape (`is_plain`), which the caller checked.
    fn quoted(o: *Out, text: []const u8) void {
        o.raw("\"");
        o.raw(text);
        o.raw("\"");
    }
};

/// Printable ASCII other than `"` and `\`: JSON.stringify writes such a string between quotes as it is.
fn is_plain(text: []const u8) bool {
    for (text) |byte| {
        if (byte < 0x20 or byte > 0x7e or byte == '"' or byte == '\\') return false;
    }
    return true;
}

/// The text segments of `head`, in their order in `text`.
const Segments = struct {
    lead: []const u8,
    middle: []const u8,
    transport: []const u8,
    src_ip: []const u8,
    dst_ip: []const u8,

    fn of(head: *const Head, text: []const u8) ?Segments {
        const lengths = [_]u16{ head.lead_bytes, head.middle_bytes, head.transport_bytes, head.src_ip_bytes, head.dst_ip_bytes };
        var parts: [lengths.len][]const u8 = undefined;
        var at: usize = 0;
        for (lengths, &parts) |length, *part| {
            if (length > text.len - at) return null;
            part.* = text[at..][0..length];
            at += length;
        }
        const segments: Segments = .{
            .lead = parts[0],
            .middle = parts[1],
            .transport = parts[2],
            .src_ip = parts[3],
            .dst_ip = parts[4],
        };
        if (!is_plain(segments.transport) or !is_plain(segments.src_ip) or !is_plain(segments.dst_ip)) return null;
        return segments;
    }
};

/// Writes `{` + the common fields + `,"sip":` in recordBase's member order; the bytes written, or null when `head` or
/// `text` break their contract (docs/abi.md) or `json` is too small.
fn write_head(head: *const Head, text: []const u8, json: []u8) ?u32 {
    if (head.nsec >= std.time.ns_per_s or head.vlan_count > abi.record_head_vlans_max) return null;
    if (head.lead_bytes == 0 or (head.vlan_count == 0 and head.flags & abi.record_head_flag_vlan != 0)) return null;
    const segments = Segments.of(head, text) orelse return null;
    const sec: u64 = head.sec;
    var o: Out = .{ .buffer = json };
    o.raw(segments.lead);
    o.raw(",\"timestamp_ms\":");
    o.decimal(sec * std.time.ms_per_s + head.nsec / std.time.ns_per_ms);
    o.raw(",\"timestamp_ns\":\"");
    o.decimal(sec * std.time.ns_per_s + head.nsec);
    o.raw("\"");
    o.raw(segments.middle);
    if (head.ip_version != 0) {
        o.raw(",\"ip_version\":");
        o.decimal(head.ip_version);
    }
    o.raw(",\"transport\":");
    o.quoted(segments.transport);
    o.raw(",\"src_ip\":");
    o.quoted(segments.src_ip);
    o.raw(",\"src_port\":");
    o.decimal(head.src_port);
    o.raw(",\"dst_ip\":");
    o.quoted(segments.dst_ip);
    o.raw(",\"dst_port\":");
    o.decimal(head.dst_port);
    if (head.flags & abi.record_head_flag_vlan != 0) {
        o.raw(",\"vlan\":[");
        for (head.vlan_ids[0..head.vlan_count], 0..) |id, k| {
            if (k > 0) o.raw(",");
            o.decimal(id);
        }
        o.raw("]");
    }
    if (head.flags & abi.record_head_flag_flow_id != 0) {
        o.raw(",\"flow_id\":\"");
        o.hex8(head.flow_hash);
        o.raw("\"");
    }
    o.raw(",\"sip\":");
    return if (o.overflow) null else o.len;
}

fn test_head() Head {
    var head = std.mem.zeroes(Head);
    head.sec = 1_700_000_000;
    head.nsec = 5_000_123;
    head.flow_hash = 0x00ab_cdef;
    head.src_port = 5060;
    head.dst_port = 65535;
    head.ip_version = 4;
    head.flags = abi.record_head_flag_flow_id | abi.record_head_flag_vlan;
    head.vlan_count = 2;
    head.vlan_ids[0] = 10;
    head.vlan_ids[1] = 4094;
    return head;
}

test "the common fields are written as JSON.stringify writes recordBase's" {
    const lead = "{\"type\":\"sip\",\"v\":1";
    const middle = ",\"task\":\"t\\\"1\",\"interface\":\"eth0\"";
    const text = lead ++ middle ++ "udp" ++ "10.0.0.1" ++ "::ffff:10.0.0.2";
    var head = test_head();
    head.lead_bytes = lead.len;
    head.middle_bytes = middle.len;
    head.transport_bytes = 3;
    head.src_ip_bytes = 8;
    head.dst_ip_bytes = 15;
    var buffer: [512]u8 = undefined;
    const written = write_head(&head, text, &buffer) orelse return error.TestUnexpectedResult;
    try std.testing.expectEqualStrings(lead ++ ",\"timestamp_ms\":1700000000005,\"timestamp_ns\":\"1700000000005000123\"" ++
        middle ++ ",\"ip_version\":4,\"transport\":\"udp\",\"src_ip\":\"10.0.0.1\",\"src_port\":5060," ++
        "\"dst_ip\":\"::ffff:10.0.0.2\",\"dst_port\":65535,\"vlan\":[10,4094],\"flow_id\":\"00abcdef\",\"sip\":", buffer[0..written]);
}

test "a head breaking its contract, or too long for the buffer, writes nothing usable" {
    const text = "{\"type\":\"sip\"" ++ "udp" ++ "10.0.0.\"" ++ "10.0.0.2";
    var head = test_head();
    head.lead_bytes = 13;
    head.transport_bytes = 3;
    head.src_ip_bytes = 8;
    head.dst_ip_bytes = 8;
    var buffer: [512]u8 = undefined;
    try std.testing.expectEqual(@as(?u32, null), write_head(&head, text, &buffer));
    head.src_ip_bytes = 9;
    try std.testing.expectEqual(@as(?u32, null), write_head(&head, text, &buffer));
    const good = "{\"type\":\"sip\"" ++ "udp" ++ "10.0.0.1" ++ "10.0.0.2";
    head.src_ip_bytes = 8;
    try std.testing.expect(write_head(&head, good, &buffer) != null);
    try std.testing.expectEqual(@as(?u32, null), write_head(&head, good, buffer[0..40]));
    head.nsec = std.time.ns_per_s;
    try std.testing.expectEqual(@as(?u32, null), write_head(&head, good, &buffer));
}

test "a SIP message parsed as a record: head, sip object, closing brace" {
    const lead = "{\"type\":\"sip\",\"v\":1";
    const text = lead ++ "udp" ++ "10.0.0.1" ++ "10.0.0.2";
    var head = test_head();
    head.flags = 0;
    head.vlan_count = 0;
    head.ip_version = 0;
    head.lead_bytes = lead.len;
    head.transport_bytes = 3;
    head.src_ip_bytes = 8;
    head.dst_ip_bytes = 8;
    const message = "OPTIONS sip:b@example.com SIP/2.0\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    var summary: abi.SipSummary = undefined;
    var buffer: [2048]u8 = undefined;
    const result = parse(message, &head, text, &summary, &buffer);
    try std.testing.expect(result > 0);
    const record = buffer[0..@intCast(result)];
    try std.testing.expectEqual(@as(u32, @intCast(result)), summary.json_bytes);
    try std.testing.expect(std.mem.startsWith(u8, record, lead ++ ",\"timestamp_ms\":1700000000005,"));
    try std.testing.expect(std.mem.indexOf(u8, record, ",\"sip\":{\"kind\":\"request\",\"method\":\"OPTIONS\"") != null);
    try std.testing.expect(std.mem.endsWith(u8, record, "}}"));
    try std.testing.expectEqual(@as(u8, 0), buffer[record.len]);
    try std.testing.expect(std.mem.indexOfScalar(u8, record, 0) == null);
    var sip_only: [2048]u8 = undefined;
    const sip_bytes = sip.parse(message, &summary, &sip_only);
    try std.testing.expect(std.mem.endsWith(u8, record[0 .. record.len - 1], sip_only[0..@intCast(sip_bytes)]));
    try std.testing.expectEqual(sip.parse("not sip", &summary, &sip_only), parse("not sip", &head, text, &summary, &buffer));
}
