//! One retired TPACKET_V3 block into the per-packet arrays of a batch arena (`cap_block_walk`): what
//! src/capture/afpacket_block.ts `walkBlock` does in TypeScript, field for field, in one call per block. The walk
//! reads the tpacket3 headers; with `block_walk_flag_summaries` it also decodes each packet's L2–L4 summary
//! (summary.zig) into the columns after the per-packet arrays, so TypeScript counts and prints without touching
//! packet bytes; without it TypeScript decoders read the packet bytes through views of the ring.
const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const block_packets = @import("block_packets.zig");
const summary_ = @import("summary.zig");

const BlockWalk = abi.BlockWalk;
const arena_layout = abi.batch_arena;
const summary_layout = abi.summary_arena;
const link_type_ethernet = summary_.link_type_ethernet;
const link_type_raw = summary_.link_type_raw;

comptime {
    assert(summary_.vlan_ids_max == abi.summary_vlan_ids_max);
    assert(summary_.bit.ports == abi.summary_bit_ports and summary_.bit.tcp_flags == abi.summary_bit_tcp_flags);
    assert(summary_.bit.icmp == abi.summary_bit_icmp and summary_.bit.fragment == abi.summary_bit_fragment);
    assert(summary_.bit.payload_truncated == abi.summary_bit_payload_truncated);
}

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

/// Typed views of the summary columns (`abi.summary_arena`), after the per-packet arrays.
const Columns = struct {
    l3_offset: [*]align(1) i32,
    l4_offset: [*]align(1) i32,
    payload_offset: [*]align(1) i32,
    payload_bytes: [*]align(1) u32,
    ether_type: [*]align(1) u16,
    fragment_offset_bytes: [*]align(1) u16,
    src_port: [*]align(1) u16,
    dst_port: [*]align(1) u16,
    tcp_flags: [*]align(1) u16,
    vlan_ids: [*]align(1) [summary_.vlan_ids_max]u16,
    vlan_count: [*]u8,
    ip_version: [*]u8,
    ttl: [*]u8,
    protocol: [*]u8,
    icmp_type: [*]u8,
    icmp_code: [*]u8,
    malformed: [*]u8,
    bits: [*]u8,

    fn of(arena: []u8, packets_max: u32) Columns {
        assert(arena.len >= @as(usize, packets_max) * summary_layout.bytes_per_packet);
        const base = arena.ptr;
        var columns: Columns = undefined;
        inline for (@typeInfo(Columns).@"struct".fields) |field| {
            @field(columns, field.name) = @ptrCast(base + @field(summary_layout, field.name) * packets_max);
        }
        return columns;
    }

    fn store(columns: Columns, i: u32, s: *const summary_.Summary) void {
        columns.l3_offset[i] = s.l3_offset;
        columns.l4_offset[i] = s.l4_offset;
        columns.payload_offset[i] = s.payload_offset;
        columns.payload_bytes[i] = s.payload_bytes;
        columns.ether_type[i] = s.ether_type;
        columns.fragment_offset_bytes[i] = s.fragment_offset_bytes;
        columns.src_port[i] = s.src_port;
        columns.dst_port[i] = s.dst_port;
        columns.tcp_flags[i] = s.tcp_flags;
        columns.vlan_ids[i] = s.vlan_ids;
        columns.vlan_count[i] = s.vlan_count;
        columns.ip_version[i] = s.ip_version;
        columns.ttl[i] = s.ttl;
        columns.protocol[i] = s.protocol;
        columns.icmp_type[i] = s.icmp_type;
        columns.icmp_code[i] = s.icmp_code;
        columns.malformed[i] = @intFromEnum(s.malformed);
        columns.bits[i] = s.bits;
    }
};

/// Checks a request against the block and arena; the link summaries decode with, or null when refused.
fn check(block: []const u8, arena: []u8, request: *const BlockWalk) ?summary_.Link {
    const packets_max = request.packets_max;
    const summaries = request.flags & abi.block_walk_flag_summaries != 0;
    const bytes_per_packet = if (summaries) summary_layout.bytes_per_packet else arena_layout.bytes_per_packet;
    if (request.flags & ~abi.block_walk_flags_all != 0) return null;
    if (block.len < @sizeOf(kernel.BlockDesc)) return null;
    if (packets_max == 0 or packets_max % arena_layout.packets_align != 0) return null;
    if (arena.len < @as(u64, packets_max) * bytes_per_packet) return null;
    if (@as(u64, request.base_offset) + block.len > std.math.maxInt(u32)) return null;
    if (!summaries) return .ethernet; // unused
    return summary_.link_of(request.link_type);
}

/// Walks `block` into `arena`; returns the packets written (also in `request.packets_done`). Packets whose header
/// or bytes lie outside the block, and packets past `packets_max`, end the walk and are counted as bad.
pub fn walk(block: []const u8, arena: []u8, request: *BlockWalk) i32 {
    request.packets_done = 0;
    request.bad_packets = 0;
    request.wire_bytes = 0;
    const link = check(block, arena, request) orelse return abi.Status.invalid_argument.code();
    const packets_max = request.packets_max;
    const out = Arrays.of(arena, packets_max);
    const columns: ?Columns = if (request.flags & abi.block_walk_flag_summaries != 0)
        Columns.of(arena, packets_max)
    else
        null;
    var summary: summary_.Summary = .{};
    var walker = block_packets.Walker.init(block);
    var count: u32 = 0;
    while (true) : (count += 1) {
        if (count == packets_max) {
            _ = walker.stop();
            break;
        }
        const p = walker.next() orelse break;
        const tci = store_header(block, out, count, p, request.base_offset);
        request.wire_bytes += p.wire;
        if (columns) |c| {
            summary_.summarize(block[p.start..][0..p.captured], link, tci, &summary);
            c.store(count, &summary);
        }
    }
    request.bad_packets = walker.bad_packets;
    request.packets_done = count;
    return @intCast(count);
}

/// Packet `i`'s header fields into the per-packet arrays; returns its offloaded VLAN TCI, if any.
fn store_header(block: []const u8, out: Arrays, i: u32, p: block_packets.Packet, base_offset: u32) ?u16 {
    const h = p.header;
    out.offsets[i] = base_offset + p.start;
    out.captured_bytes[i] = p.captured;
    out.wire_bytes[i] = p.wire;
    out.timestamp_sec[i] = @floatFromInt(read32(block, h + kernel.packet.tp_sec));
    out.timestamp_nsec[i] = read32(block, h + kernel.packet.tp_nsec);
    var flags: u8 = if (p.captured < p.wire) abi.batch_flag_truncated else 0;
    var tci: ?u16 = null;
    if (p.status & kernel.status.vlan_valid != 0) {
        flags |= abi.batch_flag_vlan_valid;
        tci = @truncate(read32(block, h + kernel.packet.tp_vlan_tci));
        out.vlan_tci[i] = tci.?;
        out.vlan_tpid[i] = if (p.status & kernel.status.vlan_tpid_valid != 0)
            read16(block, h + kernel.packet.tp_vlan_tpid)
        else
            0x8100;
    } else {
        out.vlan_tci[i] = 0;
        out.vlan_tpid[i] = 0;
    }
    out.flags[i] = flags;
    const pkttype = block[h + kernel.packet.sll_pkttype];
    out.packet_type[i] = if (pkttype <= kernel.packet_type.outgoing) pkttype else abi.packet_type_unknown;
    return tci;
}

test "walk() fills every array of the arena like walkBlock" {
    var block: [4096]u8 = undefined;
    var arena: [8 * arena_layout.bytes_per_packet]u8 = undefined;
    block_packets.craft(&block, 6, 20, 60, 2, false);
    var request: BlockWalk = .{
        .block_bytes = 4096,
        .flags = 0,
        .link_type = 1,
        .base_offset = 8192,
        .packets_max = 8,
        .arena_bytes = arena.len,
    };
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
    var request: BlockWalk = .{
        .block_bytes = 4096,
        .flags = 0,
        .link_type = 1,
        .base_offset = 0,
        .packets_max = 8,
        .arena_bytes = arena.len,
    };
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

test "walk() with summaries decodes every packet into the columns after the arrays, and checks the request" {
    var block: [4096]u8 = undefined;
    var arena: [8 * summary_layout.bytes_per_packet]u8 = undefined;
    block_packets.craft(&block, 6, 20, 60, 2, false); // bytes 0, 1, 2, ...: ether type 0x0c0d, not IP
    var request: BlockWalk = .{
        .block_bytes = 4096,
        .flags = abi.block_walk_flag_summaries,
        .link_type = link_type_ethernet,
        .base_offset = 0,
        .packets_max = 8,
        .arena_bytes = arena.len,
    };
    try std.testing.expectEqual(@as(i32, 6), walk(&block, &arena, &request));
    const columns = Columns.of(&arena, 8);
    try std.testing.expectEqual(@as(u16, 0x0c0d), columns.ether_type[5]);
    try std.testing.expectEqual(@as(i32, 14), columns.l3_offset[5]);
    try std.testing.expectEqual(@as(i32, 14), columns.payload_offset[5]);
    try std.testing.expectEqual(@as(u32, 6), columns.payload_bytes[5]);
    try std.testing.expectEqual(@as(u8, 1), columns.vlan_count[4]); // the offloaded tag
    try std.testing.expectEqual(@as(u16, 100), columns.vlan_ids[4][0]);
    try std.testing.expectEqual(@as(u8, 0), columns.vlan_count[5]);
    try std.testing.expectEqual(@as(u8, 0), columns.malformed[5]);
    request.link_type = link_type_raw; // first byte 0: IP version 0
    try std.testing.expectEqual(@as(i32, 6), walk(&block, &arena, &request));
    try std.testing.expectEqual(@intFromEnum(summary_.Malformed.ip_version_invalid), columns.malformed[3]);
    try std.testing.expectEqual(@as(i32, -1), columns.l3_offset[3]);
    request.link_type = 113; // Linux cooked: never a ring's link type
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), walk(&block, &arena, &request));
    request.link_type = link_type_ethernet;
    request.packets_max = 16; // the arrays fit, the columns do not
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), walk(&block, &arena, &request));
    request.packets_max = 8;
    request.flags = 1 << 7;
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), walk(&block, &arena, &request));
}
