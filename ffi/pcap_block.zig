//! pcap records straight from one retired TPACKET_V3 block in one call (`cap_pcap_block`), skipping the
//! TypeScript block walk and PacketBatch: byte for byte what walkBlock + cap_pcap_records write.
//! Every record (16 + caplen + 4) is shorter than its tpacket3 slot (tp_mac >= 68 + caplen), so the records of
//! one block always fit in `block_bytes` of output: no resumption is needed.
const std = @import("std");
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const block_packets = @import("block_packets.zig");

const BlockRecords = abi.BlockRecords;
const tp_sec = kernel.packet.tp_sec;
const tp_nsec = kernel.packet.tp_nsec;
const tp_vlan_tci = kernel.packet.tp_vlan_tci;
const tp_vlan_tpid = kernel.packet.tp_vlan_tpid;
const header_bytes: u32 = @sizeOf(kernel.PacketHeader);
const status_vlan_valid = kernel.status.vlan_valid;
const status_vlan_tpid_valid = kernel.status.vlan_tpid_valid;
const flag_nanosecond = abi.pcap_records_flag_nanosecond;
const flag_vlan_reinsert = abi.pcap_records_flag_vlan_reinsert;

fn read32(block: []const u8, at: u32) u32 {
    return std.mem.readInt(u32, block[at..][0..4], .little);
}

/// Writes the pcap records of at most `request.packets_max` packets of `block` to `out` (at least as long as
/// `block`); returns the packets converted. Packets whose header or bytes lie outside the block are counted in
/// `bad_packets` and end the walk.
pub fn convert(block: []const u8, out: []u8, request: *BlockRecords) i32 {
    request.packets_done = 0;
    request.bytes_done = 0;
    request.bad_packets = 0;
    request.wire_bytes = 0;
    // The no-resume guarantee needs out >= block; a block too short for its own header is a caller bug.
    if (out.len < block.len or block.len < header_bytes) return abi.Status.invalid_argument.code();
    if (request.flags & ~abi.pcap_records_flags_all != 0) return abi.Status.invalid_argument.code();
    const nanosecond = request.flags & flag_nanosecond != 0;
    const reinsert = request.flags & flag_vlan_reinsert != 0;
    var walker = block_packets.Walker.init(block);
    var at: u32 = 0;
    var done: u32 = 0;
    while (done < request.packets_max) : (done += 1) {
        const p = walker.next() orelse break;
        const h = p.header;
        const tagged = reinsert and p.status & status_vlan_valid != 0 and p.captured >= 12;
        const written = p.captured + if (tagged) @as(u32, 4) else 0;
        const nsec = read32(block, h + tp_nsec);
        const record = out[at..][0..16];
        std.mem.writeInt(u32, record[0..4], read32(block, h + tp_sec), .little);
        std.mem.writeInt(u32, record[4..8], if (nanosecond) nsec else nsec / 1000, .little);
        std.mem.writeInt(u32, record[8..12], written, .little);
        std.mem.writeInt(u32, record[12..16], p.wire +% (written - p.captured), .little);
        at += 16;
        const packet = block[p.start..][0..p.captured];
        if (tagged) {
            const tpid_raw = std.mem.readInt(u16, block[h + tp_vlan_tpid ..][0..2], .little);
            const tpid: u16 = if (p.status & status_vlan_tpid_valid != 0 and tpid_raw != 0) tpid_raw else 0x8100;
            const tci: u16 = @truncate(read32(block, h + tp_vlan_tci));
            @memcpy(out[at..][0..12], packet[0..12]);
            std.mem.writeInt(u16, out[at + 12 ..][0..2], tpid, .big);
            std.mem.writeInt(u16, out[at + 14 ..][0..2], tci, .big);
            @memcpy(out[at + 16 ..][0 .. p.captured - 12], packet[12..]);
        } else {
            @memcpy(out[at..][0..p.captured], packet);
        }
        at += written;
        request.wire_bytes += p.wire;
    }
    request.bad_packets = walker.bad_packets;
    request.packets_done = done;
    request.bytes_done = at;
    return @intCast(done);
}

test "convert() reinserts VLAN tags, keeps wire lengths of snap-cut packets and stops at packets_max" {
    var block: [4096]u8 = undefined;
    var out: [4096]u8 = undefined;
    block_packets.craft(&block, 3, 20, 60, 2, true);
    var request: BlockRecords = .{ .flags = flag_nanosecond | flag_vlan_reinsert, .block_bytes = 4096, .out_bytes = 4096, .packets_max = 10 };
    try std.testing.expectEqual(@as(i32, 3), convert(&block, &out, &request));
    try std.testing.expectEqual(@as(u32, (16 + 24) + (16 + 20) + (16 + 24)), request.bytes_done);
    try std.testing.expectEqual(@as(u64, 180), request.wire_bytes);
    try std.testing.expectEqual(@as(u32, 24), std.mem.readInt(u32, out[8..12], .little));
    try std.testing.expectEqual(@as(u32, 64), std.mem.readInt(u32, out[12..16], .little));
    try std.testing.expectEqualSlices(u8, &.{ 0x88, 0xa8, 0x00, 0x64 }, out[28..32]);
    try std.testing.expectEqual(@as(u32, 60), std.mem.readInt(u32, out[40 + 12 ..][0..4], .little));
    request.packets_max = 1;
    request.flags = 0;
    try std.testing.expectEqual(@as(i32, 1), convert(&block, &out, &request));
    try std.testing.expectEqual(@as(u32, 123_456), std.mem.readInt(u32, out[4..8], .little));
    try std.testing.expectEqual(@as(u32, 36), request.bytes_done);
}

test "convert() counts packets whose header points outside the block" {
    var block: [4096]u8 = undefined;
    var out: [4096]u8 = undefined;
    block_packets.craft(&block, 3, 20, 20, 0, true);
    std.mem.writeInt(u32, block[48..][0..4], 5000, .little);
    var request: BlockRecords = .{ .flags = 0, .block_bytes = 4096, .out_bytes = 4096, .packets_max = 10 };
    try std.testing.expectEqual(@as(i32, 1), convert(&block, &out, &request));
    try std.testing.expectEqual(@as(u32, 2), request.bad_packets);
}
