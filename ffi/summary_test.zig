//! summary.zig against hand-computed expectations (one frame per decoder branch and per `Malformed` reason) and
//! robustness over random and mutated frames. Equality with the TypeScript decoder over the corpus is tested from
//! TypeScript (tests/native_summary_test.ts), which can run both.
const std = @import("std");
const summary_ = @import("summary.zig");
const Summary = summary_.Summary;
const Malformed = summary_.Malformed;
const bit = summary_.bit;
const expectEqual = std.testing.expectEqual;

/// A frame assembled from pieces (the test's own bytes, no allocation).
const Frame = struct {
    bytes: [512]u8 = undefined,
    len: u32 = 0,

    fn add(frame: *Frame, piece: []const u8) *Frame {
        @memcpy(frame.bytes[frame.len..][0..piece.len], piece);
        frame.len += @intCast(piece.len);
        return frame;
    }

    fn slice(frame: *const Frame) []const u8 {
        return frame.bytes[0..frame.len];
    }
};

const mac_pair = [_]u8{ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

fn ipv4_header(protocol: u8, total_bytes: u16, fragment_field: u16) [20]u8 {
    var h = [_]u8{ 0x45, 0, 0, 0, 0, 1, 0, 0, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
    std.mem.writeInt(u16, h[2..4], total_bytes, .big);
    std.mem.writeInt(u16, h[6..8], fragment_field, .big);
    return h;
}

fn ipv6_header(next: u8, payload_bytes: u16) [40]u8 {
    var h = [_]u8{0} ** 40;
    h[0] = 0x60;
    std.mem.writeInt(u16, h[4..6], payload_bytes, .big);
    h[6] = next;
    h[7] = 255;
    return h;
}

fn run(frame: []const u8, link: summary_.Link, tci: ?u16) Summary {
    var out: Summary = undefined;
    summary_.summarize(frame, link, tci, &out);
    return out;
}

test "UDP in IPv4 under an offloaded tag and a QinQ stack: VLAN ids in order, ports, payload cut to the UDP length" {
    var f: Frame = .{};
    _ = f.add(&mac_pair).add(&.{ 0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x01, 0x2c, 0x08, 0x00 });
    _ = f.add(&ipv4_header(17, 20 + 12, 0)).add(&.{ 0x13, 0xc4, 0x00, 0x35, 0x00, 0x0c, 0, 0, 1, 2, 3, 4 });
    _ = f.add(&[_]u8{0xee} ** 6); // Ethernet padding: not payload
    const s = run(f.slice(), .ethernet, 0xe064);
    try expectEqual(Malformed.none, s.malformed);
    try expectEqual(@as(u8, 3), s.vlan_count);
    try std.testing.expectEqualSlices(u16, &.{ 100, 200, 300 }, s.vlan_ids[0..3]);
    try expectEqual(@as(u16, 0x0800), s.ether_type);
    try expectEqual(@as(i32, 22), s.l3_offset);
    try expectEqual(@as(i32, 42), s.l4_offset);
    try expectEqual(@as(u8, 4), s.ip_version);
    try expectEqual(@as(u8, 64), s.ttl);
    try expectEqual(bit.ports, s.bits);
    try expectEqual(@as(u16, 5060), s.src_port);
    try expectEqual(@as(u16, 53), s.dst_port);
    try expectEqual(@as(i32, 50), s.payload_offset);
    try expectEqual(@as(u32, 4), s.payload_bytes);
}

test "TCP in IPv6 after hop-by-hop and a first fragment header; a later fragment stops at its protocol" {
    var f: Frame = .{};
    _ = f.add(&mac_pair).add(&.{ 0x86, 0xdd }).add(&ipv6_header(0, 8 + 8 + 24));
    _ = f.add(&.{ 44, 0, 1, 4, 0, 0, 0, 0 }).add(&.{ 6, 0, 0x00, 0x01, 0, 0, 0, 9 });
    _ = f.add(&.{ 0, 80, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x61, 0x12, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 });
    var s = run(f.slice(), .ethernet, null);
    try expectEqual(Malformed.none, s.malformed);
    try expectEqual(@as(u8, 6), s.protocol);
    try expectEqual(@as(i32, 14 + 40 + 16), s.l4_offset);
    try expectEqual(bit.ports | bit.tcp_flags | bit.fragment, s.bits);
    try expectEqual(@as(u16, 0x112), s.tcp_flags);
    try expectEqual(@as(u32, 0), s.payload_bytes);
    f.bytes[14 + 40 + 8 + 3] = 0x08; // fragment offset 8 bytes
    s = run(f.slice(), .ethernet, null);
    try expectEqual(@as(u16, 8), s.fragment_offset_bytes);
    try expectEqual(@as(i32, 14 + 40 + 16), s.l4_offset);
    try expectEqual(bit.fragment, s.bits);
    try expectEqual(@as(u32, 24), s.payload_bytes);
}

test "raw IP, 802.3 SNAP, ARP and non-SNAP LLC frames end where the TypeScript decoders end" {
    const raw = ipv4_header(1, 24, 0) ++ [_]u8{ 8, 0, 0, 0 };
    var s = run(&raw, .raw, null);
    try expectEqual(@as(i32, 0), s.l3_offset);
    try expectEqual(bit.icmp, s.bits);
    try expectEqual(@as(u8, 8), s.icmp_type);
    var f: Frame = .{};
    _ = f.add(&mac_pair).add(&.{ 0x00, 0x30, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06 }).add(&[_]u8{0} ** 28);
    s = run(f.slice(), .ethernet, null);
    try expectEqual(@as(u16, 0x0806), s.ether_type);
    try expectEqual(@as(i32, 22), s.payload_offset);
    try expectEqual(@as(u32, 28), s.payload_bytes);
    f.bytes[14] = 0x42;
    s = run(f.slice(), .ethernet, null);
    try expectEqual(@as(u16, 0), s.ether_type);
    try expectEqual(@as(i32, -1), s.l3_offset);
    try expectEqual(Malformed.none, s.malformed);
}

test "every Malformed reason comes from the branch that finds it" {
    var f: Frame = .{};
    _ = f.add(&mac_pair).add(&.{ 0x08, 0x00 }).add(&ipv4_header(17, 28, 0)).add(&.{ 0, 1, 0, 2, 0, 4, 0, 0 });
    const udp_frame = f.bytes;
    const Case = struct { frame: []const u8, link: summary_.Link, expected: Malformed };
    var ipv4_bad = udp_frame;
    ipv4_bad[14] = 0x44; // IHL 4
    var udp_short = udp_frame;
    std.mem.writeInt(u16, udp_short[16..18], 26, .big); // total length leaves 6 bytes of UDP
    var tcp_bad = udp_frame;
    tcp_bad[23] = 6;
    var sctp = udp_frame;
    sctp[23] = 132;
    var icmp = udp_frame;
    icmp[23] = 1;
    std.mem.writeInt(u16, icmp[16..18], 23, .big);
    const ipv6_ext = [_]u8{ 0x86, 0xdd } ++ ipv6_header(60, 4) ++ [_]u8{ 17, 3, 0, 0 };
    const cases = [_]Case{
        .{ .frame = udp_frame[0..13], .link = .ethernet, .expected = .link_truncated },
        .{ .frame = &(mac_pair ++ [_]u8{ 0x81, 0x00, 0, 1 }), .link = .ethernet, .expected = .vlan_truncated },
        .{ .frame = &.{0x50}, .link = .raw, .expected = .ip_version_invalid },
        .{ .frame = udp_frame[0..33], .link = .ethernet, .expected = .ipv4_truncated },
        .{ .frame = ipv4_bad[0..42], .link = .ethernet, .expected = .ipv4_header_invalid },
        .{ .frame = &(mac_pair ++ [_]u8{ 0x86, 0xdd } ++ [_]u8{0x60} ** 39), .link = .ethernet, .expected = .ipv6_truncated },
        .{ .frame = &(mac_pair ++ ipv6_ext), .link = .ethernet, .expected = .ipv6_extension_truncated },
        .{ .frame = tcp_bad[0..42], .link = .ethernet, .expected = .tcp_truncated },
        .{ .frame = udp_short[0..42], .link = .ethernet, .expected = .udp_truncated },
        .{ .frame = udp_frame[0..42], .link = .ethernet, .expected = .udp_length_invalid },
        .{ .frame = icmp[0..42], .link = .ethernet, .expected = .icmp_truncated },
        .{ .frame = sctp[0..42], .link = .ethernet, .expected = .sctp_truncated },
    };
    for (cases) |case| try expectEqual(case.expected, run(case.frame, case.link, null).malformed);
    var tcp_header: [42 + 20]u8 = undefined;
    @memcpy(tcp_header[0..42], tcp_bad[0..42]);
    @memset(tcp_header[42..], 0);
    std.mem.writeInt(u16, tcp_header[16..18], 40, .big);
    tcp_header[14 + 20 + 12] = 0x40; // data offset 4 words
    try expectEqual(Malformed.tcp_header_invalid, run(&tcp_header, .ethernet, null).malformed);
}

test "random and mutated frames keep every offset inside the packet and stop within the walk limits" {
    var prng = std.Random.DefaultPrng.init(20261122);
    const random = prng.random();
    var seed: Frame = .{};
    _ = seed.add(&mac_pair).add(&.{ 0x81, 0x00, 0, 7, 0x86, 0xdd }).add(&ipv6_header(0, 60));
    _ = seed.add(&.{ 43, 0, 0, 0, 0, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0 });
    _ = seed.add(&[_]u8{0} ** 36);
    var frame: [512]u8 = undefined;
    var rounds: u32 = 0;
    while (rounds < 20_000) : (rounds += 1) {
        const len = random.uintAtMost(u32, seed.len);
        @memcpy(frame[0..len], seed.bytes[0..len]);
        for (frame[0..len]) |*byte| {
            if (random.uintLessThan(u8, 4) == 0) byte.* = random.int(u8);
        }
        const link: summary_.Link = if (rounds % 3 == 0) .raw else .ethernet;
        const s = run(frame[0..len], link, if (rounds % 5 == 0) random.int(u16) else null);
        const end: i64 = len;
        try std.testing.expect(s.l3_offset <= end and s.l4_offset <= end);
        try std.testing.expect(s.payload_offset + @as(i64, s.payload_bytes) <= end);
        try std.testing.expect(s.vlan_count <= summary_.vlan_tags_walk_max + 1);
        if (s.ip_version != 0) {
            const address_end: i64 = if (s.ip_version == 4) 20 else 40;
            try std.testing.expect(s.l3_offset + address_end <= end);
        }
    }
}
