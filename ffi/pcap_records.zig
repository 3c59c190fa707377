//! pcap records for a whole batch in one FFI call: the capture writer's hot path. Per packet a 16-byte record
//! header (seconds, ns or µs, caplen, len) and the packet bytes, with an offloaded VLAN tag put back after the
//! MAC addresses as tcpdump does. Byte for byte what the TypeScript `PcapWriter.writePacket` writes; doing it
//! here saves the per-packet JavaScript work (≈ 80 ns per packet) of `-w`.

const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const Status = abi.Status;

const record_header_bytes: u32 = 16;
const vlan_tag_bytes: u32 = 4;
const mac_pair_bytes: u32 = 12;
/// `PacketBatch.flags` bits (src/capture/batch.ts).
const packet_flag_vlan_valid: u8 = 1;

/// The packets of a batch (struct of arrays over `data`, as PacketBatch). Pointers may be null when the
/// request converts no packet (an empty typed array crosses FFI as null).
pub const Batch = struct {
    data: ?[*]const u8,
    offsets: ?[*]const u32,
    captured_bytes: ?[*]const u32,
    wire_bytes: ?[*]const u32,
    timestamp_sec: ?[*]const f64,
    timestamp_nsec: ?[*]const u32,
    vlan_tci: ?[*]const u16,
    vlan_tpid: ?[*]const u16,
    flags: ?[*]const u8,
};

/// pcap's 32-bit seconds field from PacketBatch's float64 seconds, as JavaScript's ToUint32 (modulo 2^32).
fn seconds_field(seconds: f64) u32 {
    if (!std.math.isFinite(seconds)) return 0;
    const whole = @trunc(seconds);
    const wrapped = @mod(whole, 4294967296.0);
    return @intFromFloat(wrapped);
}

/// Converts packets `request.first ..< request.end` into `out`, stopping before the first record that does
/// not fit. Sets `request.packets_done`, `bytes_done`, `bad_packets`; returns packets done or a status.
pub fn convert(batch: Batch, out_ptr: ?[*]u8, request: *abi.PcapRecords) i32 {
    request.packets_done = 0;
    request.bytes_done = 0;
    request.bad_packets = 0;
    if (request.flags & ~abi.pcap_records_flags_all != 0) return Status.invalid_argument.code();
    if (request.first >= request.end) return 0;
    if (request.end - request.first > std.math.maxInt(i32)) return Status.invalid_argument.code();
    const data = batch.data orelse return Status.invalid_argument.code();
    const offsets = batch.offsets orelse return Status.invalid_argument.code();
    const captured = batch.captured_bytes orelse return Status.invalid_argument.code();
    const wire = batch.wire_bytes orelse return Status.invalid_argument.code();
    const seconds = batch.timestamp_sec orelse return Status.invalid_argument.code();
    const nanoseconds = batch.timestamp_nsec orelse return Status.invalid_argument.code();
    const tci = batch.vlan_tci orelse return Status.invalid_argument.code();
    const tpid = batch.vlan_tpid orelse return Status.invalid_argument.code();
    const flags = batch.flags orelse return Status.invalid_argument.code();
    const out: []u8 = if (out_ptr) |pointer| pointer[0..request.out_bytes] else &.{};
    const nanosecond = request.flags & abi.pcap_records_flag_nanosecond != 0;
    const reinsert = request.flags & abi.pcap_records_flag_vlan_reinsert != 0;
    var at: u32 = 0;
    var index = request.first;
    while (index < request.end) : (index += 1) {
        const start = offsets[index];
        const bytes = captured[index];
        if (@as(u64, start) + bytes > request.data_bytes) {
            request.bad_packets += 1; // Counted and skipped: never read outside `data`.
            continue;
        }
        const tagged = reinsert and flags[index] & packet_flag_vlan_valid != 0 and bytes >= mac_pair_bytes;
        const written = bytes + if (tagged) vlan_tag_bytes else 0;
        if (@as(u64, at) + record_header_bytes + written > out.len) break;
        const fraction = if (nanosecond) nanoseconds[index] else nanoseconds[index] / 1000;
        const header = out[at..][0..record_header_bytes];
        std.mem.writeInt(u32, header[0..4], seconds_field(seconds[index]), .little);
        std.mem.writeInt(u32, header[4..8], fraction, .little);
        std.mem.writeInt(u32, header[8..12], written, .little);
        std.mem.writeInt(u32, header[12..16], wire[index] +% (written - bytes), .little);
        at += record_header_bytes;
        const packet = data[start..][0..bytes];
        if (tagged) {
            const type_ = if (tpid[index] == 0) 0x8100 else tpid[index];
            @memcpy(out[at..][0..mac_pair_bytes], packet[0..mac_pair_bytes]);
            std.mem.writeInt(u16, out[at + mac_pair_bytes ..][0..2], type_, .big);
            std.mem.writeInt(u16, out[at + mac_pair_bytes + 2 ..][0..2], tci[index], .big);
            @memcpy(out[at + mac_pair_bytes + vlan_tag_bytes ..][0 .. bytes - mac_pair_bytes], packet[mac_pair_bytes..]);
        } else {
            @memcpy(out[at..][0..bytes], packet);
        }
        at += written;
    }
    const done = index - request.first;
    request.packets_done = done;
    request.bytes_done = at;
    assert(at <= out.len);
    return @intCast(done);
}

const testing = std.testing;

const TestBatch = struct {
    data: [64]u8 = undefined,
    offsets: [3]u32 = .{ 0, 20, 40 },
    captured: [3]u32 = .{ 14, 20, 10 },
    wire: [3]u32 = .{ 14, 60, 10 },
    sec: [3]f64 = .{ 1_700_000_000, 4294967297, 5 },
    nsec: [3]u32 = .{ 123_456_789, 999, 0 },
    tci: [3]u16 = .{ 0, 0x0064, 0 },
    tpid: [3]u16 = .{ 0, 0, 0x88a8 },
    flags: [3]u8 = .{ 0, 1 | 2, 1 },

    fn init() TestBatch {
        var batch: TestBatch = .{};
        for (&batch.data, 0..) |*byte, i| byte.* = @intCast(i);
        return batch;
    }

    fn view(self: *const TestBatch) Batch {
        return .{
            .data = &self.data,
            .offsets = &self.offsets,
            .captured_bytes = &self.captured,
            .wire_bytes = &self.wire,
            .timestamp_sec = &self.sec,
            .timestamp_nsec = &self.nsec,
            .vlan_tci = &self.tci,
            .vlan_tpid = &self.tpid,
            .flags = &self.flags,
        };
    }
};

fn request_for(flags: u32, out_bytes: u32) abi.PcapRecords {
    return .{ .flags = flags, .first = 0, .end = 3, .data_bytes = 64, .out_bytes = out_bytes };
}

test "convert() writes record headers, reinserts VLAN tags and keeps wire lengths of cut packets" {
    const batch = TestBatch.init();
    var out: [256]u8 = undefined;
    var request = request_for(abi.pcap_records_flag_nanosecond | abi.pcap_records_flag_vlan_reinsert, out.len);
    try testing.expectEqual(@as(i32, 3), convert(batch.view(), &out, &request));
    try testing.expectEqual(@as(u32, (16 + 14) + (16 + 24) + (16 + 10)), request.bytes_done);
    try testing.expectEqual(@as(u32, 1_700_000_000), std.mem.readInt(u32, out[0..4], .little));
    try testing.expectEqual(@as(u32, 123_456_789), std.mem.readInt(u32, out[4..8], .little));
    try testing.expectEqualSlices(u8, batch.data[0..14], out[16..30]);
    // Packet 1: snap-cut (20 of 60 bytes) and tagged: caplen 24, len 64, 802.1Q tag after the MACs.
    const second = out[30..];
    try testing.expectEqual(@as(u32, 1), std.mem.readInt(u32, second[0..4], .little)); // 2^32 + 1 wraps
    try testing.expectEqual(@as(u32, 24), std.mem.readInt(u32, second[8..12], .little));
    try testing.expectEqual(@as(u32, 64), std.mem.readInt(u32, second[12..16], .little));
    try testing.expectEqualSlices(u8, batch.data[20..32], second[16..28]);
    try testing.expectEqualSlices(u8, &.{ 0x81, 0x00, 0x00, 0x64 }, second[28..32]);
    try testing.expectEqualSlices(u8, batch.data[32..40], second[32..40]);
    // Packet 2: 10 bytes is shorter than the MAC pair, so no tag is inserted.
    try testing.expectEqual(@as(u32, 10), std.mem.readInt(u32, out[70 + 8 ..][0..4], .little));
}

test "convert() writes microseconds and no tags without the flags, and stops before a record that does not fit" {
    const batch = TestBatch.init();
    var out: [60]u8 = undefined;
    var request = request_for(0, out.len);
    try testing.expectEqual(@as(i32, 1), convert(batch.view(), &out, &request));
    try testing.expectEqual(@as(u32, 30), request.bytes_done);
    try testing.expectEqual(@as(u32, 123_456), std.mem.readInt(u32, out[4..8], .little));
    request.first = 1;
    request.out_bytes = 36;
    try testing.expectEqual(@as(i32, 1), convert(batch.view(), &out, &request));
    try testing.expectEqual(@as(u32, 20), std.mem.readInt(u32, out[8..12], .little));
    try testing.expectEqual(@as(u32, 60), std.mem.readInt(u32, out[12..16], .little));
}

test "convert() counts and skips packets outside the data, and rejects unknown flags" {
    var batch = TestBatch.init();
    batch.offsets[1] = 60;
    var out: [256]u8 = undefined;
    var request = request_for(0, out.len);
    try testing.expectEqual(@as(i32, 3), convert(batch.view(), &out, &request));
    try testing.expectEqual(@as(u32, 1), request.bad_packets);
    try testing.expectEqual(@as(u32, 30 + 26), request.bytes_done);
    request.flags = 1 << 7;
    try testing.expectEqual(Status.invalid_argument.code(), convert(batch.view(), &out, &request));
}
