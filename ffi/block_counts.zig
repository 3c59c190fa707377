//! The counters of one retired TPACKET_V3 block in one call (`cap_block_counts`): packets, bytes, protocol classes and
//! malformed packets, what `capture -q --summary` reports, with nothing written per packet. The walk is
//! block_packets.zig's; plain IPv4 UDP/TCP frames are classed by a fast path that agrees with summary.zig's decoder,
//! every other packet goes through that decoder, as `cap_block_walk` with summaries does; only the counters leave the
//! library.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const block_packets = @import("block_packets.zig");
const summary_ = @import("summary.zig");

const BlockCounts = abi.BlockCounts;
const link_type_ethernet = summary_.link_type_ethernet;
const link_type_raw = summary_.link_type_raw;
const be16 = summary_.be16;

/// Protocol classes, indexed like src/cli/capture_report.ts `PROTOCOL_NAMES`.
pub const Class = enum(u8) { tcp, udp, icmp, icmpv6, sctp, ip_other, arp, other, link_undecoded };

comptime {
    assert(@typeInfo(Class).@"enum".fields.len == abi.protocol_classes_count);
}

const ether_type_arp: u16 = 0x0806;

/// The class of a summarised packet: the one definition in Zig of src/cli/capture_report.ts `protocolClassOf` (keep the
/// two equal; src/native/block_counts_test.ts and tests/native_summary_test.ts compare them). `protocol` counts only
/// when an IP header was decoded (`ip_version != 0`).
pub fn protocol_class(link_decoded: bool, s: *const summary_.Summary) Class {
    if (!link_decoded) return .link_undecoded;
    if (s.ip_version != 0) {
        return switch (s.protocol) {
            6 => .tcp,
            17 => .udp,
            1 => .icmp,
            58 => .icmpv6,
            132 => .sctp,
            else => .ip_other,
        };
    }
    return if (s.ether_type == ether_type_arp) .arp else .other;
}

/// The class of an Ethernet frame holding an unfragmented IPv4 packet without options, carrying a well-formed UDP or
/// TCP header, or null when summarize() must decide. Most frames on a capture are such, and this reads 3 fields where
/// summarize() fills a whole `Summary`. Every test here is summarize()'s own for that layer, with the frames that
/// would be malformed or truncated left to it, so the counts are the same (the equality tests over the corpus and
/// mutated frames hold the two to that). A stripped VLAN tag changes no count, so offloaded tags take this path too.
fn plain_ipv4_class(p: []const u8) ?Class {
    const l3: u32 = 14;
    const l4: u32 = l3 + 20;
    if (p.len < l4 or be16(p, 12) != 0x0800 or p[l3] != 0x45) return null;
    const total_bytes: u32 = be16(p, l3 + 2);
    if (total_bytes < 20 or l3 + total_bytes > p.len) return null;
    if (be16(p, l3 + 6) & 0x1fff != 0) return null; // A later fragment: no transport header.
    const ip_end = l3 + total_bytes;
    switch (p[l3 + 9]) {
        17 => {
            if (l4 + 8 > ip_end) return null;
            const udp_bytes = be16(p, l4 + 4);
            if (udp_bytes != 0 and udp_bytes < 8) return null;
            return .udp;
        },
        6 => {
            if (l4 + 20 > ip_end) return null;
            const header_bytes: u32 = @as(u32, p[l4 + 12] >> 4) * 4;
            if (header_bytes < 20 or l4 + header_bytes > ip_end) return null;
            return .tcp;
        },
        else => return null,
    }
}

/// Counts at most `request.packets_max` packets of `block` into `request`; returns the packets counted. Packets
/// whose header or bytes lie outside the block are counted in `bad_packets` and end the walk.
pub fn count(block: []const u8, request: *BlockCounts) i32 {
    request.packets_done = 0;
    request.bad_packets = 0;
    request.malformed_packets = 0;
    request.protocol_classes = .{0} ** abi.protocol_classes_count;
    request.wire_bytes = 0;
    request.captured_bytes = 0;
    if (block.len < @sizeOf(kernel.BlockDesc)) return abi.Status.invalid_argument.code();
    const link = summary_.link_of(request.link_type) orelse return abi.Status.invalid_argument.code();
    // Per-block counters in locals: the request is the caller's memory, written once at the end.
    var classes: [abi.protocol_classes_count]u32 = .{0} ** abi.protocol_classes_count;
    var malformed: u32 = 0;
    var wire_bytes: u64 = 0;
    var captured_bytes: u64 = 0;
    var summary: summary_.Summary = .{};
    var walker = block_packets.Walker.init(block);
    var done: u32 = 0;
    while (done < request.packets_max) : (done += 1) {
        const p = walker.next() orelse break;
        const packet = block[p.start..][0..p.captured];
        if (link == .ethernet) {
            if (plain_ipv4_class(packet)) |class| {
                classes[@intFromEnum(class)] += 1;
                wire_bytes += p.wire;
                captured_bytes += p.captured;
                continue;
            }
        }
        summary_.summarize(packet, link, walker.offloaded_tci(p), &summary);
        classes[@intFromEnum(protocol_class(true, &summary))] += 1;
        if (summary.malformed != .none) malformed += 1;
        wire_bytes += p.wire;
        captured_bytes += p.captured;
    }
    request.protocol_classes = classes;
    request.malformed_packets = malformed;
    request.wire_bytes = wire_bytes;
    request.captured_bytes = captured_bytes;
    request.bad_packets = walker.bad_packets;
    request.packets_done = done;
    return @intCast(done);
}

/// Test helper: a block of `frames.len` packets (64 captured bytes each, wire 100) whose first bytes are `frames[i]`.
fn craft_frames(block: []u8, frames: []const []const u8) void {
    block_packets.craft(block, @intCast(frames.len), 64, 100, 0, false);
    const slot = std.mem.alignForward(u32, 82 + 64, 16);
    for (frames, 0..) |frame, i| {
        const start = 48 + @as(u32, @intCast(i)) * slot + 82;
        @memcpy(block[start..][0..frame.len], frame);
    }
}

const mac_pair = [_]u8{0x02} ** 12;
fn ipv4_frame(comptime protocol: u8, comptime total: u8, comptime l4: []const u8) []const u8 {
    return &mac_pair ++ [_]u8{ 0x08, 0x00, 0x45, 0, 0, total, 0, 0, 0, 0, 64, protocol, 0, 0 } ++ [_]u8{10} ** 8 ++ l4;
}

test "count() classifies every packet as protocolClassOf does and counts malformed ones" {
    const frames = [_][]const u8{
        ipv4_frame(6, 40, &([_]u8{0} ** 12 ++ [_]u8{ 0x50, 0x10 } ++ [_]u8{0} ** 6)), // tcp
        ipv4_frame(17, 28, &.{ 0, 1, 0, 2, 0, 8, 0, 0 }), // udp
        ipv4_frame(1, 24, &.{ 8, 0, 0, 0 }), // icmp
        ipv4_frame(132, 32, &([_]u8{0} ** 12)), // sctp
        ipv4_frame(47, 20, &.{}), // ip_other
        ipv4_frame(6, 40, &([_]u8{0} ** 12 ++ [_]u8{ 0x30, 0x10 } ++ [_]u8{0} ** 6)), // tcp, header invalid
        &mac_pair ++ [_]u8{ 0x08, 0x00, 0x44 }, // IPv4 header length 16: other, malformed
        &mac_pair ++ [_]u8{ 0x86, 0xdd, 0x60, 0, 0, 0, 0, 4, 58, 255 } ++ [_]u8{0} ** 32 ++ [_]u8{ 128, 0, 0, 0 },
        &mac_pair ++ [_]u8{ 0x08, 0x06 }, // arp
        &mac_pair ++ [_]u8{ 0x88, 0xcc }, // other
    };
    var block: [4096]u8 = undefined;
    craft_frames(&block, &frames);
    var request: BlockCounts = .{ .block_bytes = 4096, .link_type = link_type_ethernet, .packets_max = 100 };
    try std.testing.expectEqual(@as(i32, 10), count(&block, &request));
    try std.testing.expectEqualSlices(u32, &.{ 2, 1, 1, 1, 1, 1, 1, 2, 0 }, &request.protocol_classes);
    try std.testing.expectEqual(@as(u32, 2), request.malformed_packets);
    try std.testing.expectEqual(@as(u64, 1000), request.wire_bytes);
    try std.testing.expectEqual(@as(u64, 640), request.captured_bytes);
    try std.testing.expectEqual(@as(u32, 0), request.bad_packets);
    // -c: the rest of the block is neither counted nor bad.
    request.packets_max = 3;
    try std.testing.expectEqual(@as(i32, 3), count(&block, &request));
    try std.testing.expectEqualSlices(u32, &.{ 1, 1, 1, 0, 0, 0, 0, 0, 0 }, &request.protocol_classes);
    try std.testing.expectEqual(@as(u32, 0), request.bad_packets);
    try std.testing.expectEqual(@as(u64, 300), request.wire_bytes);
    // Raw IP: the frames without their Ethernet header are not IP (first byte 2): every one is other and malformed.
    request.packets_max = 100;
    request.link_type = link_type_raw;
    try std.testing.expectEqual(@as(i32, 10), count(&block, &request));
    try std.testing.expectEqual(@as(u32, 10), request.protocol_classes[@intFromEnum(Class.other)]);
    try std.testing.expectEqual(@as(u32, 10), request.malformed_packets);
}

test "count() agrees with summarize() + protocol_class() per packet, counts bad packets, refuses other link types" {
    var block: [4096]u8 = undefined;
    block_packets.craft(&block, 12, 20, 30, 3, false);
    std.mem.writeInt(u32, block[48 + 5 * 112 ..][0..4], 5000, .little); // packet 5 points past the block
    var request: BlockCounts = .{ .block_bytes = 4096, .link_type = link_type_ethernet, .packets_max = 100 };
    try std.testing.expectEqual(@as(i32, 6), count(&block, &request));
    try std.testing.expectEqual(@as(u32, 6), request.bad_packets);
    var expected: [abi.protocol_classes_count]u32 = .{0} ** abi.protocol_classes_count;
    var walker = block_packets.Walker.init(&block);
    var summary: summary_.Summary = undefined;
    while (walker.next()) |p| {
        summary_.summarize(block[p.start..][0..p.captured], .ethernet, null, &summary);
        expected[@intFromEnum(protocol_class(true, &summary))] += 1;
    }
    try std.testing.expectEqualSlices(u32, &expected, &request.protocol_classes);
    try std.testing.expectEqual(Class.link_undecoded, protocol_class(false, &summary));
    request.link_type = 113;
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), count(&block, &request));
    try std.testing.expectEqual(@as(u32, 0), request.packets_done);
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), count(block[0..8], &request));
}

test "plain_ipv4_class() answers only when summarize() would, and then as it does" {
    const udp = ipv4_frame(17, 28, &.{ 0, 1, 0, 2, 0, 8, 0, 0 });
    const tcp = ipv4_frame(6, 40, &([_]u8{0} ** 12 ++ [_]u8{ 0x50, 0x10 } ++ [_]u8{0} ** 6));
    const values = [_]u8{
        0x00, 0x01, 0x04, 0x06, 0x07, 0x08, 0x11, 0x14, 0x1c, 0x20,
        0x28, 0x3f, 0x40, 0x45, 0x46, 0x4f, 0x50, 0x60, 0x81, 0xff,
    };
    const lengths = [_]usize{ 0, 13, 14, 33, 34, 41, 42, 53, 54, 80 };
    var answered: u32 = 0;
    for ([_][]const u8{ udp, tcp }) |base| {
        var frame: [80]u8 = .{0} ** 80;
        // Every byte of the headers takes every value above, at every captured length from 0 to the frame plus padding.
        for (0..base.len) |at| for (values) |value| for (lengths) |len| {
            @memcpy(frame[0..base.len], base);
            frame[at] = value;
            const packet = frame[0..len];
            const class = plain_ipv4_class(packet) orelse continue;
            answered += 1;
            var summary: summary_.Summary = undefined;
            summary_.summarize(packet, .ethernet, null, &summary);
            try std.testing.expectEqual(protocol_class(true, &summary), class);
            try std.testing.expectEqual(summary_.Malformed.none, summary.malformed);
        };
    }
    try std.testing.expect(answered > 1000); // The fast path is taken, not only refused.
    try std.testing.expectEqual(Class.udp, plain_ipv4_class(udp).?);
    try std.testing.expectEqual(Class.tcp, plain_ipv4_class(tcp).?);
    try std.testing.expectEqual(@as(?Class, null), plain_ipv4_class(ipv4_frame(1, 24, &.{ 8, 0, 0, 0 })));
}
