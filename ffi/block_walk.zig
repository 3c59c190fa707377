//! One retired TPACKET_V3 block into the per-packet arrays of a batch arena (`cap_block_walk`): what
//! src/capture/afpacket_block.ts `walkBlock` does in TypeScript, field for field, in one call per block. The walk
//! reads only the tpacket3 headers; TypeScript decoders then read the packet bytes through views of the ring.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const block_packets = @import("block_packets.zig");

const BlockWalk = abi.BlockWalk;
const arena_layout = abi.batch_arena;

fn read32(block: []const u8, at: u32) u32 {
    return std.mem.readInt(u32, block[at..][0..4], .little);
}

fn read16(block: []const u8, at: u32) u16 {
    return std.mem.readInt(u16, block[at..][0..2], .little);
}

/// Typed views of the arena; align(1) because the caller's buffer alignment is not ours to assume.
const Arrays = struct {
    timestamp_sec: [*]align(1) f64,
    offsets: [*]align(1) u32,
    captured_bytes: [*]align(1) u32,
    wire_bytes: [*]align(1) u32,
    timestamp_nsec: [*]align(1) u32,
    vlan_tci: [*]align(1) u16,
    vlan_tpid: [*]align(1) u16,
    flags: [*]u8,
    packet_type: [*]u8,

    fn of(arena: []u8, packets_max: u32) Arrays {
        assert(arena.len >= @as(usize, packets_max) * arena_layout.bytes_per_packet);
        const base = arena.ptr;
        return .{
            .timestamp_sec = @ptrCast(base + arena_layout.timestamp_sec * packets_max),
            .offsets = @ptrCast(base + arena_layout.offsets * packets_max),
            .captured_bytes = @ptrCast(base + arena_layout.captured_bytes * packets_max),
            .wire_bytes = @ptrCast(base + arena_layout.wire_bytes * packets_max),
            .timestamp_nsec = @ptrCast(base + arena_layout.timestamp_nsec * packets_max),
            .vlan_tci = @ptrCast(base + arena_layout.vlan_tci * packets_max),
            .vlan_tpid = @ptrCast(base + arena_layout.vlan_tpid * packets_max),
            .flags = base + arena_layout.flags * packets_max,
            .packet_type = base + arena_layout.packet_type * packets_max,
        };
    }
};

/// Walks `block` into `arena`; returns the packets written (also in `request.packets_done`). Packets whose header
/// or bytes lie outside the block, and packets past `packets_max`, end the walk and are counted as bad.
pub fn walk(block: []const u8, arena: []u8, request: *BlockWalk) i32 {
    request.packets_done = 0;
    request.bad_packets = 0;
    request.wire_bytes = 0;
    const packets_max = request.packets_max;
    if (block.len < @sizeOf(kernel.BlockDesc)) return abi.Status.invalid_argument.code();
    if (packets_max == 0 or packets_max % arena_layout.packets_align != 0) return abi.Status.invalid_argument.code();
    if (arena.len < @as(u64, packets_max) * arena_layout.bytes_per_packet) return abi.Status.invalid_argument.code();
    if (@as(u64, request.base_offset) + block.len > std.math.maxInt(u32)) return abi.Status.invalid_argument.code();
    const out = Arrays.of(arena, packets_max);
    var walker = block_packets.Walker.init(block);
    var count: u32 = 0;
    while (true) : (count += 1) {
        if (count == packets_max) {
            _ = walker.stop();
            break;
        }
        const p = walker.next() orelse break;
        const h = p.header;
        out.offsets[count] = request.base_offset + p.start;
        out.captured_bytes[count] = p.captured;
        out.wire_bytes[count] = p.wire;
        out.timestamp_sec[count] = @floatFromInt(read32(block, h + kernel.packet.tp_sec));
        out.timestamp_nsec[count] = read32(block, h + kernel.packet.tp_nsec);
        var flags: u8 = if (p.captured < p.wire) abi.batch_flag_truncated else 0;
        if (p.status & kernel.status.vlan_valid != 0) {
            flags |= abi.batch_flag_vlan_valid;
            out.vlan_tci[count] = @truncate(read32(block, h + kernel.packet.tp_vlan_tci));
            out.vlan_tpid[count] = if (p.status & kernel.status.vlan_tpid_valid != 0)
                read16(block, h + kernel.packet.tp_vlan_tpid)
            else
                0x8100;
        } else {
            out.vlan_tci[count] = 0;
            out.vlan_tpid[count] = 0;
        }
        out.flags[count] = flags;
        const pkttype = block[h + kernel.packet.sll_pkttype];
        out.packet_type[count] = if (pkttype <= kernel.packet_type.outgoing) pkttype else abi.packet_type_unknown;
        request.wire_bytes += p.wire;
    }
    request.bad_packets = walker.bad_packets;
    request.packets_done = count;
    return @intCast(count);
}

test "walk() fills every array of the arena like walkBlock" {
    var block: [4096]u8 = undefined;
    var arena: [8 * arena_layout.bytes_per_packet]u8 = undefined;
    block_packets.craft(&block, 6, 20, 60, 2, false);
    var request: BlockWalk = .{ .block_bytes = 4096, .base_offset = 8192, .packets_max = 8, .arena_bytes = arena.len };
    try std.testing.expectEqual(@as(i32, 6), walk(&block, &arena, &request));
    const out = Arrays.of(&arena, 8);
    try std.testing.expectEqual(@as(u32, 8192 + 48 + 82), out.offsets[0]);
    try std.testing.expectEqual(@as(u32, 20), out.captured_bytes[5]);
    try std.testing.expectEqual(@as(u32, 60), out.wire_bytes[5]);
    try std.testing.expectEqual(@as(f64, 1_700_000_005), out.timestamp_sec[5]);
    try std.testing.expectEqual(@as(u32, 123_456_789), out.timestamp_nsec[0]);
    try std.testing.expectEqual(abi.batch_flag_truncated | abi.batch_flag_vlan_valid, out.flags[0]);
    try std.testing.expectEqual(abi.batch_flag_truncated, out.flags[1]);
    try std.testing.expectEqual(@as(u16, 0x64), out.vlan_tci[0]);
    try std.testing.expectEqual(@as(u16, 0x8100), out.vlan_tpid[0]);
    try std.testing.expectEqual(@as(u16, 0), out.vlan_tci[1]);
    try std.testing.expectEqual(@as(u8, 4), out.packet_type[4]);
    try std.testing.expectEqual(abi.packet_type_unknown, out.packet_type[5]);
    try std.testing.expectEqual(@as(u64, 360), request.wire_bytes);
    try std.testing.expectEqual(@as(u32, 0), request.bad_packets);
}

test "walk() counts packets outside the block or past packets_max, and rejects bad requests" {
    var block: [4096]u8 = undefined;
    var arena: [16 * arena_layout.bytes_per_packet]u8 = undefined;
    block_packets.craft(&block, 12, 20, 20, 0, false);
    var request: BlockWalk = .{ .block_bytes = 4096, .base_offset = 0, .packets_max = 8, .arena_bytes = arena.len };
    try std.testing.expectEqual(@as(i32, 8), walk(&block, &arena, &request));
    try std.testing.expectEqual(@as(u32, 4), request.bad_packets);
    std.mem.writeInt(u32, block[48..][0..4], 5000, .little);
    request.packets_max = 16;
    try std.testing.expectEqual(@as(i32, 1), walk(&block, &arena, &request));
    try std.testing.expectEqual(@as(u32, 11), request.bad_packets);
    request.packets_max = 12; // not a multiple of 8
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), walk(&block, &arena, &request));
    request.packets_max = 24; // more than the arena holds
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), walk(&block, &arena, &request));
}
