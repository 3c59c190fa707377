//! sip.zig against hand-written messages (JSON, summary, each invalid reason, fallbacks) and robustness over mutated
//! messages. Equality with the TypeScript parser over the corpus and many mutations is tested from TypeScript
//! (src/native/sip_parse_test.ts), which can run both.
const std = @import("std");
const abi = @import("abi.zig");
const sip = @import("sip.zig");

comptime {
    _ = @import("sip_scan.zig");
    _ = @import("sip_fields.zig");
    _ = @import("sip_address.zig");
    _ = @import("sip_json.zig");
    _ = @import("sip_find.zig");
    _ = @import("sip_utf8.zig");
}

const expectEqual = std.testing.expectEqual;
const expectEqualStrings = std.testing.expectEqualStrings;

fn invalid(reason: sip.Invalid) i32 {
    return -1 - @as(i32, @intCast(@intFromEnum(reason)));
}

const invite =
    "INVITE sip:bob@b.example SIP/2.0\r\n" ++
    "Via: SIP/2.0/UDP a.example:5060;branch=z9hG4bK1;rport, SIP/2.0/TCP [2001:db8::1]:5061;received=10.0.0.1\r\n" ++
    "f: \"Alice \\\"A\\\"\" <sip:alice@a.example>;tag=77\r\n" ++
    "To: sip:bob@b.example\r\n" ++
    "Call-ID: abc@a\r\n" ++
    "CSeq: 1 INVITE\r\n" ++
    "Contact: <sip:alice@10.0.0.1>, *\r\n" ++
    "Reason: Q.850;cause=16;text=\"Normal\", SIP;cause=200\r\n" ++
    "Max-Forwards: 70\r\n" ++
    "Content-Type: application/SDP; x=1\r\n" ++
    "Content-Length: 4\r\n" ++
    "\r\n" ++
    "v=0\n";

test "an INVITE: JSON as sipFields writes it, and the summary" {
    var out: abi.SipSummary = undefined;
    var json: [1024]u8 = undefined;
    const n = sip.parse(invite, &out, &json);
    try std.testing.expect(n > 0);
    try expectEqualStrings(
        "{\"kind\":\"request\",\"method\":\"INVITE\",\"request_uri\":\"sip:bob@b.example\",\"call_id\":\"abc@a\"," ++
            "\"cseq\":{\"seq\":1,\"method\":\"INVITE\"}," ++
            "\"from\":{\"uri\":\"sip:alice@a.example\",\"display_name\":\"Alice \\\"A\\\"\",\"tag\":\"77\"," ++
            "\"params\":\"tag=77\"},\"to\":{\"uri\":\"sip:bob@b.example\"}," ++
            "\"vias\":[{\"transport\":\"UDP\",\"host\":\"a.example\",\"port\":5060,\"branch\":\"z9hG4bK1\"}," ++
            "{\"transport\":\"TCP\",\"host\":\"2001:db8::1\",\"port\":5061,\"received\":\"10.0.0.1\"}]," ++
            "\"contacts\":[{\"uri\":\"sip:alice@10.0.0.1\"},{\"uri\":\"*\"}]," ++
            "\"content_type\":\"application/SDP; x=1\",\"content_length\":4," ++
            "\"reasons\":[{\"protocol\":\"Q.850\",\"cause\":16,\"text\":\"Normal\"},{\"protocol\":\"SIP\",\"cause\":200}]," ++
            "\"max_forwards\":70,\"body_bytes\":4,\"sdp\":true}",
        json[0..@intCast(n)],
    );
    try expectEqual(@as(u32, @intCast(n)), out.json_bytes);
    try expectEqual(abi.sip_kind_request, out.kind);
    try expectEqual(@as(u32, 1), out.cseq_seq);
    try expectEqual(@as(u32, invite.len - 4), out.body_offset);
    try expectEqual(@as(u32, invite.len), out.consumed_bytes);
    try expectEqual(abi.sip_flag_from | abi.sip_flag_to, out.flags);
    try expectEqualStrings("77", invite[out.from_tag.start..out.from_tag.end]);
    try expectEqualStrings("abc@a", invite[out.call_id.start..out.call_id.end]);
    try expectEqual(@as(u32, 2), out.reasons_count);
    try expectEqual(@as(i32, 200), out.reasons[1].cause);
    try expectEqualStrings("Normal", invite[out.reasons[0].text.start..out.reasons[0].text.end]);
}

test "invalid reasons in message.ts order" {
    var out: abi.SipSummary = undefined;
    var json: [1024]u8 = undefined;
    try expectEqual(invalid(.not_sip), sip.parse("hello world!\r\n", &out, &json));
    try expectEqual(invalid(.bad_start_line), sip.parse("SIP/2.0 20 OK\r\n\r\n", &out, &json));
    try expectEqual(invalid(.truncated_headers), sip.parse("SIP/2.0 200 OK\r\nCall-ID: x\r\n", &out, &json));
    const cl = "SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 2\r\nCSeq: 1 A\r\n\r\nab";
    try expectEqual(invalid(.bad_content_length), sip.parse(cl, &out, &json));
    const no_call_id = "SIP/2.0 200 OK\r\nCall-ID:\r\nCSeq: 1 A\r\n\r\n";
    try expectEqual(invalid(.missing_call_id), sip.parse(no_call_id, &out, &json));
    const cseq = "SIP/2.0 200 OK\r\ni: x\r\nCSeq: 1\r\n\r\n";
    try expectEqual(invalid(.bad_cseq), sip.parse(cseq, &out, &json));
    const body = "SIP/2.0 200 OK\r\ni: x\r\nCSeq: 1 A\r\nl: 3\r\n\r\nab";
    try expectEqual(invalid(.body_truncated), sip.parse(body, &out, &json));
}

test "too many header lines" {
    var message: [4096]u8 = undefined;
    var len: usize = 0;
    const head = "SIP/2.0 200 OK\r\n";
    @memcpy(message[0..head.len], head);
    len = head.len;
    for (0..513) |_| {
        @memcpy(message[len..][0..3], "x\r\n");
        len += 3;
    }
    @memcpy(message[len..][0..2], "\r\n");
    len += 2;
    var out: abi.SipSummary = undefined;
    var json: [64]u8 = undefined;
    try expectEqual(invalid(.too_many_headers), sip.parse(message[0..len], &out, &json));
}

test "fallbacks: folded header, invalid UTF-8, non-ASCII space, small buffer, escaped tag, too many reasons" {
    var out: abi.SipSummary = undefined;
    var json: [1024]u8 = undefined;
    const fallback = abi.sip_parse_fallback;
    try expectEqual(fallback, sip.parse("SIP/2.0 200 OK\r\ni: x\r\n y\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    // Invalid UTF-8 (TextDecoder writes U+FFFD), an overlong, a surrogate, in the start line or a header.
    try expectEqual(fallback, sip.parse("SIP/2.0 200 \xc3\r\ni: x\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    try expectEqual(fallback, sip.parse("SIP/2.0 200 OK\r\ni: \xc0\xaf\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    try expectEqual(fallback, sip.parse("SIP/2.0 200 OK\r\ni: x\r\nX: \xed\xa0\x80\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    // Whitespace to trim() (U+00A0 around a Call-ID), a BOM TextDecoder drops (U+FEFF starting the reason phrase).
    try expectEqual(fallback, sip.parse("SIP/2.0 200 OK\r\ni: x\xc2\xa0\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    try expectEqual(fallback, sip.parse("SIP/2.0 200 \xef\xbb\xbfOK\r\ni: x\r\nCSeq: 1 A\r\n\r\n", &out, &json));
    try expectEqual(fallback, sip.parse(invite, &out, json[0..100]));
    const tag = "SIP/2.0 200 OK\r\ni: x\r\nCSeq: 1 A\r\nt: <sip:a>;tag=\"a\\b\"\r\n\r\n";
    try expectEqual(fallback, sip.parse(tag, &out, &json));
    const reasons = "SIP/2.0 200 OK\r\ni: x\r\nCSeq: 1 A\r\nReason: a, b, c, d, e\r\n\r\n";
    try expectEqual(fallback, sip.parse(reasons, &out, &json));
}

test "UTF-8 in the start line and headers: the fields are the bytes, spans too" {
    var out: abi.SipSummary = undefined;
    var json: [1024]u8 = undefined;
    const message = "SIP/2.0 200 \xd0\x9e\xd0\x9a\r\n" ++ // "ОК"
        "From: \"\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2-5\" <sip:540454@maxus.lan>;tag=\xf0\x9f\x98\x80\r\n" ++
        "To: \"\\\xc3\xa9\" <sip:\xe2\x84\xaa@h>\r\n" ++ // an escaped é; U+212A in the URI
        "Call-ID: \xc3\xa9@h\r\n" ++
        "CSeq: 7 \xc5\xbfUB\r\n" ++ // U+017F, not a space: the method
        "Expire\xc5\xbf: 5\r\n" ++ // not Expires
        "Max-Forwards: 7\xc2\xb2\r\n" ++ // a superscript two is no digit
        "User-Agent: \xe4\xb8\xad\r\n\r\n";
    const n = sip.parse(message, &out, &json);
    try std.testing.expect(n > 0);
    try expectEqualStrings(
        "{\"kind\":\"response\",\"status_code\":200,\"reason_phrase\":\"\xd0\x9e\xd0\x9a\",\"call_id\":\"\xc3\xa9@h\"," ++
            "\"cseq\":{\"seq\":7,\"method\":\"\xc5\xbfUB\"}," ++
            "\"from\":{\"uri\":\"sip:540454@maxus.lan\",\"display_name\":\"\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2-5\"," ++
            "\"tag\":\"\xf0\x9f\x98\x80\",\"params\":\"tag=\xf0\x9f\x98\x80\"}," ++
            "\"to\":{\"uri\":\"sip:\xe2\x84\xaa@h\",\"display_name\":\"\xc3\xa9\"},\"vias\":[]," ++
            "\"user_agent\":\"\xe4\xb8\xad\",\"body_bytes\":0,\"sdp\":false}",
        json[0..@intCast(n)],
    );
    try expectEqualStrings("\xf0\x9f\x98\x80", message[out.from_tag.start..out.from_tag.end]);
    try expectEqualStrings("\xc5\xbfUB", message[out.cseq_method.start..out.cseq_method.end]);
    try expectEqualStrings("\xe4\xb8\xad", message[out.user_agent.start..out.user_agent.end]);
}

test "a response without Content-Length takes the rest as body" {
    var out: abi.SipSummary = undefined;
    var json: [1024]u8 = undefined;
    const message = "SIP/2.0 486 Busy Here\nCall-ID: c\nCSeq: 9 BYE\nbad line\n\nxyz";
    const n = sip.parse(message, &out, &json);
    try expectEqualStrings(
        "{\"kind\":\"response\",\"status_code\":486,\"reason_phrase\":\"Busy Here\",\"call_id\":\"c\"," ++
            "\"cseq\":{\"seq\":9,\"method\":\"BYE\"},\"vias\":[],\"body_bytes\":3,\"sdp\":false}",
        json[0..@intCast(n)],
    );
    try expectEqual(@as(u32, 1), out.malformed_header_lines);
    try expectEqual(@as(u32, 3), out.body_length);
    try expectEqual(@as(u32, 0), out.method.end);
}

/// `invite` with UTF-8 in its display names (one escaped), URI, tag, Call-ID and reason text.
const utf8_invite =
    "INVITE sip:\xd0\x9f\xd1\x91\xd1\x82\xd1\x80@b.example SIP/2.0\r\n" ++
    "Via: SIP/2.0/UDP \xe4\xb8\xad.example:5060;branch=z9hG4bK\xc3\xa9;rport\r\n" ++
    "f: \"\xd0\x9f\xd1\x81\xd0\xba\xd0\xbe\xd0\xb2 \\\xc3\xa9\" <sip:alice@a.example>;tag=\xf0\x9f\x98\x80\r\n" ++
    "To: Zo\xc3\xab <sip:bob@b.example>\r\n" ++
    "Call-ID: \xe2\x82\xac@a\r\n" ++
    "CSeq: 1 INVITE\r\n" ++
    "Reason: Q.850;cause=16;text=\"\xd0\x9d\xd0\xbe\xd1\x80\xd0\xbc\"\r\n" ++
    "Content-Length: 4\r\n" ++
    "\r\n" ++
    "v=0\n";

test "mutated messages never read out of bounds and return a valid code" {
    var prng = std.Random.DefaultPrng.init(0x5e1f);
    const random = prng.random();
    var bytes: [@max(invite.len, utf8_invite.len) + 64]u8 = undefined;
    var out: abi.SipSummary = undefined;
    var json: [2048]u8 = undefined;
    var utf8_messages: u32 = 0;
    for (0..40_000) |k| {
        const seed = if (k % 2 == 0) invite else utf8_invite;
        var len: usize = seed.len;
        @memcpy(bytes[0..len], seed);
        for (0..1 + random.uintLessThan(usize, 6)) |_| {
            const at = random.uintLessThan(usize, len);
            switch (random.uintLessThan(u8, 4)) {
                0 => bytes[at] = random.int(u8),
                1 => bytes[at] = "\r\n:;,\"<>\\ \t="[random.uintLessThan(usize, 13)],
                2 => len = at,
                else => bytes[at] ^= 0x20,
            }
            if (len == 0) break;
        }
        // A copy of exactly `len` bytes: reading past it is caught by the test allocator.
        const copy = try std.testing.allocator.dupe(u8, bytes[0..len]);
        defer std.testing.allocator.free(copy);
        const result = sip.parse(copy, &out, &json);
        try std.testing.expect(result >= 0 or result == abi.sip_parse_fallback or (result <= -1 and result >= -8));
        if (result >= 0) try std.testing.expect(out.consumed_bytes <= len);
        if (result >= 0 and k % 2 == 1) utf8_messages += 1;
    }
    // The UTF-8 seed's mutations reach the writer (the escaped display name included), not only the fallback.
    try std.testing.expect(utf8_messages > 1000);
}
