//! The packets of one retired TPACKET_V3 block, in order, with their bounds checked: the walk `cap_pcap_block`
//! (pcap_block.zig) and `cap_block_walk` (block_walk.zig) share. A packet whose header or bytes lie outside the
//! block ends the walk; it and every packet after it are counted as bad, never read.
const std = @import("std");
const assert = std.debug.assert;
const kernel = @import("kernel.zig");

const header_bytes: u32 = @sizeOf(kernel.PacketHeader);

/// Bytes ahead of the packet being walked that are prefetched. The kernel wrote the block from another CPU, up to a
/// nap earlier (src/capture/wake_coalescer.ts), and the walk's loads depend on each other (a header gives the next
/// one's offset), so without this each cache line of the block is a miss waited for in turn. A miss to memory costs
/// ≈ 100 ns and a packet ≈ 5–10 ns here: 2 KiB is ≈ 12 slots of 64-byte frames ahead. Three lines per packet keep pace
/// with 160-byte slots. bench/capture.sh, summary reader at 100 kpps: 44 → 30 ns a packet with this and the fast path
/// of block_counts.zig.
const prefetch_distance_bytes: u32 = 2048;
const prefetch_lines_per_packet = 3;

fn prefetch_ahead(block: []const u8, header: u32) void {
    inline for (0..prefetch_lines_per_packet) |line| {
        const at = @as(usize, header) + prefetch_distance_bytes + line * 64;
        if (at < block.len) @prefetch(block.ptr + at, .{ .rw = .read, .locality = 3, .cache = .data });
    }
}

fn read32(block: []const u8, at: u32) u32 {
    return std.mem.readInt(u32, block[at..][0..4], .little);
}

/// One packet of the block: its tpacket3_hdr offset, where its bytes start, their lengths and tp_status.
pub const Packet = struct {
    header: u32,
    start: u32,
    captured: u32,
    wire: u32,
    status: u32,
};

/// Iterates the packets of `block`; see the module doc.
pub const Walker = struct {
    block: []const u8,
    total: u32,
    index: u32 = 0,
    header: u64,
    /// Packets the walk could not reach (a header or bytes outside the block, a chain that ended early, `stop`).
    bad_packets: u32 = 0,

    /// `block` must hold at least the block descriptor; callers check that before (a shorter one is their bug).
    pub fn init(block: []const u8) Walker {
        assert(block.len >= @sizeOf(kernel.BlockDesc));
        return .{
            .block = block,
            .total = read32(block, kernel.block.num_pkts),
            .header = read32(block, kernel.block.offset_to_first_pkt),
        };
    }

    /// The VLAN tag the kernel stripped from packet `p` (tp_vlan_tci), if it did.
    pub fn offloaded_tci(walker: *const Walker, p: Packet) ?u16 {
        if (p.status & kernel.status.vlan_valid == 0) return null;
        return @truncate(read32(walker.block, p.header + kernel.packet.tp_vlan_tci));
    }

    /// The next packet, or null at the end of the block (or of what can be read of it).
    pub inline fn next(walker: *Walker) ?Packet {
        if (walker.index >= walker.total) return null;
        const block = walker.block;
        if (walker.header + header_bytes > block.len) return walker.stop();
        const h: u32 = @intCast(walker.header);
        prefetch_ahead(block, h);
        const captured = read32(block, h + kernel.packet.tp_snaplen);
        const start: u64 = walker.header + std.mem.readInt(u16, block[h + kernel.packet.tp_mac ..][0..2], .little);
        if (start + captured > block.len) return walker.stop();
        walker.index += 1;
        const next_offset = read32(block, h + kernel.packet.tp_next_offset);
        if (next_offset == 0) {
            _ = walker.stop();
        } else {
            walker.header += next_offset;
        }
        return .{
            .header = h,
            .start = @intCast(start),
            .captured = captured,
            .wire = read32(block, h + kernel.packet.tp_len),
            .status = read32(block, h + kernel.packet.tp_status),
        };
    }

    /// Ends the walk; the packets not yet returned count as bad. Returns null, for `return walker.stop()`.
    pub fn stop(walker: *Walker) ?Packet {
        walker.bad_packets += walker.total - walker.index;
        walker.total = walker.index;
        return null;
    }
};

/// Test helper: a block of `count` packets of `captured` bytes (wire `wire`) laid out as the kernel writes them;
/// every `vlan_every`-th packet carries an offloaded tag 0x0064 (TPID 0x88a8, marked valid when `tpid_valid`);
/// sll_pkttype cycles 0..5 and packet byte k is k.
pub fn craft(block: []u8, count: u32, captured: u32, wire: u32, vlan_every: u32, tpid_valid: bool) void {
    const p = kernel.packet;
    @memset(block, 0);
    std.mem.writeInt(u32, block[kernel.block.num_pkts..][0..4], count, .little);
    std.mem.writeInt(u32, block[kernel.block.offset_to_first_pkt..][0..4], 48, .little);
    const mac: u32 = 82; // TPACKET_ALIGN(48) + sockaddr_ll 20 + 14 (ETH_HLEN alignment quirk)
    const slot = std.mem.alignForward(u32, mac + captured, 16);
    var h: u32 = 48;
    for (0..count) |i| {
        const hdr = block[h..];
        std.mem.writeInt(u32, hdr[p.tp_next_offset..][0..4], if (i + 1 == count) 0 else slot, .little);
        std.mem.writeInt(u32, hdr[p.tp_sec..][0..4], 1_700_000_000 + @as(u32, @intCast(i)), .little);
        std.mem.writeInt(u32, hdr[p.tp_nsec..][0..4], 123_456_789, .little);
        std.mem.writeInt(u32, hdr[p.tp_snaplen..][0..4], captured, .little);
        std.mem.writeInt(u32, hdr[p.tp_len..][0..4], wire, .little);
        const vlan = vlan_every != 0 and i % vlan_every == 0;
        const tpid: u32 = if (tpid_valid) kernel.status.vlan_tpid_valid else 0;
        std.mem.writeInt(u32, hdr[p.tp_status..][0..4], if (vlan) kernel.status.vlan_valid | tpid else 0, .little);
        std.mem.writeInt(u16, hdr[p.tp_mac..][0..2], @intCast(mac), .little);
        std.mem.writeInt(u32, hdr[p.tp_vlan_tci..][0..4], 0x0064, .little);
        std.mem.writeInt(u16, hdr[p.tp_vlan_tpid..][0..2], 0x88a8, .little);
        hdr[p.sll_pkttype] = @intCast(i % 6);
        for (hdr[mac..][0..captured], 0..) |*b, k| b.* = @truncate(k);
        h += slot;
    }
}

test "Walker returns every packet in order and counts what a broken chain or stop() leaves" {
    var block: [4096]u8 = undefined;
    craft(&block, 5, 20, 60, 0, false);
    var walker = Walker.init(&block);
    var seen: u32 = 0;
    while (walker.next()) |packet| : (seen += 1) {
        try std.testing.expectEqual(@as(u32, 48 + seen * 112), packet.header);
        try std.testing.expectEqual(packet.header + 82, packet.start);
        try std.testing.expectEqual(@as(u32, 60), packet.wire);
    }
    try std.testing.expectEqual(@as(u32, 5), seen);
    try std.testing.expectEqual(@as(u32, 0), walker.bad_packets);
    std.mem.writeInt(u32, block[48 + 112 ..][0..4], 5000, .little); // packet 1 points past the block
    walker = Walker.init(&block);
    try std.testing.expect(walker.next() != null);
    try std.testing.expect(walker.next() != null);
    try std.testing.expect(walker.next() == null);
    try std.testing.expectEqual(@as(u32, 3), walker.bad_packets);
    walker = Walker.init(&block);
    _ = walker.next();
    _ = walker.stop();
    try std.testing.expect(walker.next() == null);
    try std.testing.expectEqual(@as(u32, 4), walker.bad_packets);
}
