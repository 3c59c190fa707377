//! Ring tests against the live kernel (need root / CAP_NET_RAW + CAP_NET_ADMIN): loopback traffic to
//! 127.0.0.1 and a veth pair with a unique name that every test deletes on the way out.

const std = @import("std");
const posix = std.posix;
const testing = std.testing;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const ring_ = @import("ring.zig");
const options_ = @import("options.zig");
const errno_ = @import("errno.zig");
const Ring = ring_.Ring;
const Status = abi.Status;
const Veth = @import("test_veth.zig").Veth;

const port_matching: u16 = 39999;
const port_other: u16 = 39998;

fn open_ring(ifname: []const u8, expression: [*:0]const u8, flags: u32) !*Ring {
    var options = options_.default_options(ifname);
    options.block_bytes = 64 * 1024;
    options.block_count = 4;
    options.retire_timeout_ms = 10;
    options.flags = flags;
    var err: abi.ErrorInfo = undefined;
    return ring_.open(&options, expression, &err) catch {
        std.debug.print("cap_ring_open: {s}\n", .{errno_.terminated(&err.message)});
        return error.OpenFailed;
    };
}

fn send_datagrams(port: u16, count: u32, token: u64) !void {
    const fd = try posix.socket(posix.AF.INET, posix.SOCK.DGRAM | posix.SOCK.CLOEXEC, 0);
    defer posix.close(fd);
    const address = std.net.Address.initIp4(.{ 127, 0, 0, 1 }, port);
    var payload: [64]u8 = undefined;
    std.mem.writeInt(u64, payload[0..8], token, .little);
    for (0..count) |index| {
        std.mem.writeInt(u32, payload[8..12], @intCast(index), .little);
        _ = try posix.sendto(fd, &payload, 0, &address.any, address.getOsSockLen());
    }
}

const Count = struct { packets: u32 = 0, with_token: u32 = 0, host: u32 = 0, wrong_port: u32 = 0 };

/// Walks one block the way TypeScript does (abi.ts offsets) and counts what it finds.
fn count_block(ring: *Ring, index: u32, token: u64, count: *Count) void {
    const block = ring.map[@as(usize, index) * ring.block_bytes ..][0..ring.block_bytes];
    const packets = std.mem.readInt(u32, block[kernel.block.num_pkts..][0..4], .little);
    var offset: usize = std.mem.readInt(u32, block[kernel.block.offset_to_first_pkt..][0..4], .little);
    for (0..packets) |_| {
        const header = block[offset..];
        const mac = std.mem.readInt(u16, header[kernel.packet.tp_mac..][0..2], .little);
        const snaplen = std.mem.readInt(u32, header[kernel.packet.tp_snaplen..][0..4], .little);
        const frame = header[mac..][0..snaplen];
        count.packets += 1;
        if (header[kernel.packet.sll_pkttype] == kernel.packet_type.host) count.host += 1;
        // Ethernet (14) + IPv4 without options (20) + UDP (8), then our token. Other traffic on lo
        // (other tests) may match the filter too; only packets carrying our token are judged.
        if (frame.len >= 50 and std.mem.readInt(u64, frame[42..50], .little) == token) {
            count.with_token += 1;
            if (std.mem.readInt(u16, frame[36..38], .big) != port_matching) count.wrong_port += 1;
        }
        offset += std.mem.readInt(u32, header[kernel.packet.tp_next_offset..][0..4], .little);
    }
}

test "ring on lo counts exactly the datagrams its filter matches" {
    const ring = try open_ring("lo", "udp port 39999", 0);
    defer testing.expectEqual(Status.ok.code(), ring.close()) catch unreachable;
    var info: abi.RingInfo = undefined;
    try testing.expectEqual(Status.ok.code(), ring.info(&info));
    try testing.expectEqual(@as(u32, 1), info.link_type);
    try testing.expect(info.filter_instructions > 1);
    try testing.expectEqual(@as(u64, 4 * 64 * 1024), info.map_bytes);

    const token = std.crypto.random.int(u64);
    const datagrams: u32 = 200;
    try send_datagrams(port_matching, datagrams, token);
    try send_datagrams(port_other, datagrams, token);
    var count: Count = .{};
    var blocks: u64 = 0;
    while (count.with_token < 2 * datagrams) {
        const index = ring.next(1000);
        if (index < 0) break;
        count_block(ring, @intCast(index), token, &count);
        try testing.expectEqual(Status.ok.code(), ring.release(@intCast(index)));
        blocks += 1;
    }
    // lo shows each datagram twice: once outgoing, once to the host.
    try testing.expectEqual(2 * datagrams, count.with_token);
    try testing.expectEqual(@as(u32, 0), count.wrong_port);
    try testing.expect(count.host >= datagrams);
    var stats: abi.RingStats = undefined;
    try testing.expectEqual(Status.ok.code(), ring.stats(&stats));
    try testing.expect(stats.packets >= count.packets);
    try testing.expectEqual(@as(u64, 0), stats.drops);
    try testing.expectEqual(blocks, stats.blocks_released);
    // A second read adds nothing new: the ring accumulates the kernel's reset-on-read counters.
    var again: abi.RingStats = undefined;
    try testing.expectEqual(Status.ok.code(), ring.stats(&again));
    try testing.expect(again.packets >= stats.packets);
}

test "close() is busy while a block is held and release() keeps the order" {
    const ring = try open_ring("lo", "udp port 39999", 0);
    try send_datagrams(port_matching, 5, 1);
    const first = ring.next(1000);
    try testing.expect(first >= 0);
    try testing.expectEqual(Status.busy.code(), ring.close());
    const other: u32 = (@as(u32, @intCast(first)) + 1) % ring.block_count;
    try testing.expectEqual(Status.invalid_argument.code(), ring.release(other));
    try testing.expectEqual(Status.ok.code(), ring.release(@intCast(first)));
    try testing.expectEqual(Status.invalid_argument.code(), ring.release(@intCast(first)));
    try testing.expectEqual(Status.ok.code(), ring.close());
}

test "try_next() and next() time out on a ring whose filter matches nothing" {
    const ring = try open_ring("lo", "udp port 9 and host 203.0.113.77", 0);
    defer testing.expectEqual(Status.ok.code(), ring.close()) catch unreachable;
    try testing.expectEqual(Status.timeout.code(), ring.try_next());
    const started_ms = std.time.milliTimestamp();
    try testing.expectEqual(Status.timeout.code(), ring.next(50));
    try testing.expect(std.time.milliTimestamp() - started_ms >= 45);
}

fn wait_for_block(ring: *Ring, result: *i32) void {
    result.* = ring.next(10_000);
}

test "interrupt() wakes a waiter, and close() is busy while it waits" {
    const ring = try open_ring("lo", "udp port 9 and host 203.0.113.77", 0);
    var result: i32 = 0;
    const thread = try std.Thread.spawn(.{}, wait_for_block, .{ ring, &result });
    while (ring.calls_in_flight.load(.seq_cst) == 0) std.time.sleep(std.time.ns_per_ms);
    try testing.expectEqual(Status.busy.code(), ring.close());
    const started_ms = std.time.milliTimestamp();
    try testing.expectEqual(Status.ok.code(), ring.interrupt());
    thread.join();
    try testing.expectEqual(Status.interrupted.code(), result);
    try testing.expect(std.time.milliTimestamp() - started_ms < 2000);
    // An interrupt with nobody waiting is kept for the next wait.
    try testing.expectEqual(Status.ok.code(), ring.interrupt());
    try testing.expectEqual(Status.interrupted.code(), ring.next(5000));
    try testing.expectEqual(Status.ok.code(), ring.close());
}

test "nap() sleeps whatever the socket does and interrupt() ends it" {
    const ring = try open_ring("lo", "udp port 39999", 0);
    defer testing.expectEqual(Status.ok.code(), ring.close()) catch unreachable;
    try send_datagrams(port_matching, 3, 1);
    const started_ms = std.time.milliTimestamp();
    try testing.expectEqual(Status.timeout.code(), ring.nap(60));
    try testing.expect(std.time.milliTimestamp() - started_ms >= 55);
    try testing.expectEqual(Status.invalid_argument.code(), ring.nap(-1));
    try testing.expectEqual(Status.invalid_argument.code(), ring.nap(ring_.nap_ms_max + 1));
    try testing.expectEqual(Status.ok.code(), ring.interrupt());
    try testing.expectEqual(Status.interrupted.code(), ring.nap(5000));
    // The datagrams sent before the nap are still there: napping loses nothing.
    const block = ring.next(1000);
    try testing.expect(block >= 0);
    try testing.expectEqual(Status.ok.code(), ring.release(@intCast(block)));
}

test "open() reports unknown interfaces, bad filters and bad options" {
    var options = options_.default_options("capz-none9");
    var err: abi.ErrorInfo = undefined;
    try testing.expectError(error.Failed, ring_.open(&options, "", &err));
    try testing.expectEqual(Status.no_such_device.code(), err.status);
    try testing.expectEqualStrings(
        "ENODEV looking up interface on capz-none9: no such interface \"capz-none9\"",
        errno_.terminated(&err.message),
    );
    options = options_.default_options("lo");
    try testing.expectError(error.Failed, ring_.open(&options, "udp port x", &err));
    try testing.expectEqual(Status.filter_invalid.code(), err.status);
    options.block_count = 1;
    try testing.expectError(error.Failed, ring_.open(&options, "", &err));
    try testing.expectEqual(Status.invalid_argument.code(), err.status);
}

const iff_promisc: u32 = 0x100;

test "promiscuous mode is on while the ring is open and off after close" {
    const veth = try Veth.create('p');
    defer veth.deinit();
    try testing.expect(try veth.flags() & iff_promisc == 0);
    const ring = try open_ring(veth.slice(), "", abi.ring_flag_promiscuous);
    try testing.expect(try veth.flags() & iff_promisc != 0);
    try testing.expectEqual(Status.ok.code(), ring.close());
    try testing.expect(try veth.flags() & iff_promisc == 0);
}

test "rings join one fanout group and a different mode is refused" {
    const veth = try Veth.create('f');
    defer veth.deinit();
    var options = options_.default_options(veth.slice());
    options.block_bytes = 64 * 1024;
    options.block_count = 2;
    options.fanout_group = 4242;
    options.fanout_mode = @intFromEnum(abi.FanoutMode.lb);
    options.fanout_flags = abi.fanout_flag_defrag;
    var err: abi.ErrorInfo = undefined;
    const first = try ring_.open(&options, "", &err);
    defer _ = first.close();
    const second = try ring_.open(&options, "", &err);
    defer _ = second.close();
    options.fanout_mode = @intFromEnum(abi.FanoutMode.hash);
    try testing.expectError(error.Failed, ring_.open(&options, "", &err));
    try testing.expectEqual(Status.invalid_argument.code(), err.status);
    try testing.expectEqualStrings("setsockopt PACKET_FANOUT", errno_.terminated(&err.op));
}

test "next() reports interface_down on an interface that is down" {
    const veth = try Veth.create('d');
    defer veth.deinit();
    const ring = try open_ring(veth.slice(), "", 0);
    defer _ = ring.close();
    try testing.expectEqual(Status.interface_down.code(), ring.next(200));
}

test "the snap length cuts packets and the smallest frame is accepted by the kernel" {
    var options = options_.default_options("lo");
    options.block_bytes = 4096 * 5;
    options.block_count = 4;
    options.frame_bytes = @import("constants.zig").frame_bytes_min;
    options.retire_timeout_ms = 10;
    options.snaplen_bytes = 60;
    var err: abi.ErrorInfo = undefined;
    const ring = ring_.open(&options, "udp dst port 39993", &err) catch {
        std.debug.print("cap_ring_open: {s}\n", .{errno_.terminated(&err.message)});
        return error.OpenFailed;
    };
    defer testing.expectEqual(Status.ok.code(), ring.close()) catch unreachable;
    try send_datagrams(39993, 3, 7);
    const index = ring.next(1000);
    try testing.expect(index >= 0);
    const block = ring.map[@as(usize, @intCast(index)) * ring.block_bytes ..][0..ring.block_bytes];
    const packets = std.mem.readInt(u32, block[kernel.block.num_pkts..][0..4], .little);
    try testing.expect(packets > 0);
    var offset: usize = std.mem.readInt(u32, block[kernel.block.offset_to_first_pkt..][0..4], .little);
    var ours: u32 = 0;
    for (0..packets) |_| {
        const header = block[offset..];
        const snaplen = std.mem.readInt(u32, header[kernel.packet.tp_snaplen..][0..4], .little);
        try testing.expect(snaplen <= 60);
        // Ours: 64 bytes of payload + 42 of headers on the wire, 60 captured.
        if (std.mem.readInt(u32, header[kernel.packet.tp_len..][0..4], .little) == 106 and snaplen == 60) ours += 1;
        offset += std.mem.readInt(u32, header[kernel.packet.tp_next_offset..][0..4], .little);
    }
    try testing.expect(ours > 0);
    try testing.expectEqual(Status.ok.code(), ring.release(@intCast(index)));
}
