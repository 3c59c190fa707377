//! libcapture's C ABI (docs/abi.md). Every `@export` lives here; each export is a thin wrapper that
//! turns a Zig result into an i32 status. Types are in abi.zig, the work in ring.zig, filter*.zig, bpf.zig.

const std = @import("std");
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const ring_ = @import("ring.zig");
const filter_ = @import("filter.zig");
const filter_batch = @import("filter_batch.zig");
const version = @import("version.zig");
const bpf = @import("bpf.zig");
const pcap_records = @import("pcap_records.zig");
const pcap_block = @import("pcap_block.zig");
const block_walk = @import("block_walk.zig");
const block_counts = @import("block_counts.zig");
const sip = @import("sip.zig");
const sip_record = @import("sip_record.zig");
const Ring = ring_.Ring;
const Status = abi.Status;

fn cap_ring_open(options: *const abi.RingOptions, expression: [*:0]const u8, err: *abi.ErrorInfo) callconv(.c) ?*Ring {
    return ring_.open(options, expression, err) catch null;
}

fn cap_ring_info(ring: *Ring, out: *abi.RingInfo) callconv(.c) i32 {
    return ring.info(out);
}

fn cap_ring_next(ring: *Ring, timeout_ms: i32) callconv(.c) i32 {
    return ring.next(timeout_ms);
}

fn cap_ring_nap(ring: *Ring, timeout_ms: i32) callconv(.c) i32 {
    return ring.nap(timeout_ms);
}

fn cap_ring_try_next(ring: *Ring) callconv(.c) i32 {
    return ring.try_next();
}

fn cap_ring_release(ring: *Ring, block: u32) callconv(.c) i32 {
    return ring.release(block);
}

fn cap_ring_stats(ring: *Ring, out: *abi.RingStats) callconv(.c) i32 {
    return ring.stats(out);
}

fn cap_ring_interrupt(ring: *Ring) callconv(.c) i32 {
    return ring.interrupt();
}

fn cap_ring_close(ring: *Ring) callconv(.c) i32 {
    return ring.close();
}

fn cap_filter_check(
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) callconv(.c) i32 {
    var filter = filter_.compile(expression, link_type, snaplen_bytes, err) catch return err.status;
    defer filter.deinit();
    return @intCast(filter.instructions().len);
}

fn cap_filter_new(
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) callconv(.c) ?*filter_batch.BatchFilter {
    return filter_batch.create(expression, link_type, snaplen_bytes, err) catch null;
}

fn cap_filter_run_batch(
    filter: *const filter_batch.BatchFilter,
    data: ?[*]const u8,
    data_bytes: u32,
    offsets: ?[*]const u32,
    captured_bytes: ?[*]const u32,
    wire_bytes: ?[*]const u32,
    count: u32,
    out_match: ?[*]u8,
) callconv(.c) i32 {
    return filter_batch.run(filter, .{
        .data = data,
        .data_bytes = data_bytes,
        .offsets = offsets,
        .captured_bytes = captured_bytes,
        .wire_bytes = wire_bytes,
        .count = count,
    }, out_match);
}

fn cap_filter_free(filter: ?*filter_batch.BatchFilter) callconv(.c) i32 {
    const handle = filter orelse return Status.ok.code();
    return filter_batch.destroy(handle);
}

fn cap_bpf_counter_open(ifname: [*:0]const u8, err: *abi.ErrorInfo) callconv(.c) ?*bpf.BpfCounter {
    return bpf.open(ifname, err) catch null;
}

fn cap_bpf_counter_read(counter: *bpf.BpfCounter, out: *abi.BpfCounterStats) callconv(.c) i32 {
    return bpf.read(counter, out);
}

fn cap_bpf_counter_close(counter: ?*bpf.BpfCounter) callconv(.c) i32 {
    if (counter) |handle| bpf.close(handle);
    return Status.ok.code();
}

fn cap_pcap_records(
    data: ?[*]const u8,
    offsets: ?[*]const u32,
    captured_bytes: ?[*]const u32,
    wire_bytes: ?[*]const u32,
    timestamp_sec: ?[*]const f64,
    timestamp_nsec: ?[*]const u32,
    vlan_tci: ?[*]const u16,
    vlan_tpid: ?[*]const u16,
    flags: ?[*]const u8,
    out: ?[*]u8,
    request: *abi.PcapRecords,
) callconv(.c) i32 {
    return pcap_records.convert(.{
        .data = data,
        .offsets = offsets,
        .captured_bytes = captured_bytes,
        .wire_bytes = wire_bytes,
        .timestamp_sec = timestamp_sec,
        .timestamp_nsec = timestamp_nsec,
        .vlan_tci = vlan_tci,
        .vlan_tpid = vlan_tpid,
        .flags = flags,
    }, out, request);
}

fn cap_pcap_block(block: [*]const u8, out: [*]u8, request: *abi.BlockRecords) callconv(.c) i32 {
    if (request.out_bytes < request.block_bytes) return Status.invalid_argument.code();
    return pcap_block.convert(block[0..request.block_bytes], out[0..request.out_bytes], request);
}

fn cap_block_walk(block: [*]const u8, arena: [*]u8, request: *abi.BlockWalk) callconv(.c) i32 {
    return block_walk.walk(block[0..request.block_bytes], arena[0..request.arena_bytes], request);
}

fn cap_block_counts(block: [*]const u8, request: *abi.BlockCounts) callconv(.c) i32 {
    return block_counts.count(block[0..request.block_bytes], request);
}

fn cap_sip_parse(
    payload: ?[*]const u8,
    payload_bytes: u32,
    out: *abi.SipSummary,
    json: ?[*]u8,
    json_capacity: u32,
) callconv(.c) i32 {
    // Deno passes a null pointer for an empty buffer.
    const bytes: []const u8 = if (payload) |p| p[0..payload_bytes] else &.{};
    const buffer: []u8 = if (json) |p| p[0..json_capacity] else &.{};
    return sip.parse(bytes, out, buffer);
}

fn cap_sip_parse_record(
    payload: ?[*]const u8,
    payload_bytes: u32,
    head: *const abi.RecordHead,
    text: ?[*]const u8,
    text_bytes: u32,
    out: *abi.SipSummary,
    json: ?[*]u8,
    json_capacity: u32,
) callconv(.c) i32 {
    const bytes: []const u8 = if (payload) |p| p[0..payload_bytes] else &.{};
    const text_slice: []const u8 = if (text) |p| p[0..text_bytes] else &.{};
    const buffer: []u8 = if (json) |p| p[0..json_capacity] else &.{};
    return sip_record.parse(bytes, head, text_slice, out, buffer);
}

fn cap_abi_version() callconv(.c) u32 {
    return abi.abi_version;
}

fn cap_abi_layout(out: *abi.AbiLayout) callconv(.c) i32 {
    out.* = layout();
    return Status.ok.code();
}

fn cap_version_string(out: [*]u8, length: u32) callconv(.c) i32 {
    return version.write(out[0..length]);
}

pub fn layout() abi.AbiLayout {
    return .{
        .abi_version = abi.abi_version,
        .abi_layout_bytes = @sizeOf(abi.AbiLayout),
        .error_info_bytes = @sizeOf(abi.ErrorInfo),
        .ring_options_bytes = @sizeOf(abi.RingOptions),
        .ring_info_bytes = @sizeOf(abi.RingInfo),
        .ring_stats_bytes = @sizeOf(abi.RingStats),
        .bpf_counter_stats_bytes = @sizeOf(abi.BpfCounterStats),
        .tpacket3_hdr_bytes = @sizeOf(kernel.PacketHeader),
        .tpacket_block_desc_bytes = @sizeOf(kernel.BlockDesc),
        .sll_pkttype_offset = kernel.packet.sll_pkttype,
        .pcap_records_bytes = @sizeOf(abi.PcapRecords),
        .block_records_bytes = @sizeOf(abi.BlockRecords),
        .block_walk_bytes = @sizeOf(abi.BlockWalk),
        .block_counts_bytes = @sizeOf(abi.BlockCounts),
        .reserved = .{0} ** 2,
    };
}

comptime {
    @export(&cap_ring_open, .{ .name = "cap_ring_open" });
    @export(&cap_ring_info, .{ .name = "cap_ring_info" });
    @export(&cap_ring_next, .{ .name = "cap_ring_next" });
    @export(&cap_ring_try_next, .{ .name = "cap_ring_try_next" });
    @export(&cap_ring_nap, .{ .name = "cap_ring_nap" });
    @export(&cap_ring_release, .{ .name = "cap_ring_release" });
    @export(&cap_ring_stats, .{ .name = "cap_ring_stats" });
    @export(&cap_ring_interrupt, .{ .name = "cap_ring_interrupt" });
    @export(&cap_ring_close, .{ .name = "cap_ring_close" });
    @export(&cap_filter_check, .{ .name = "cap_filter_check" });
    @export(&cap_filter_new, .{ .name = "cap_filter_new" });
    @export(&cap_filter_run_batch, .{ .name = "cap_filter_run_batch" });
    @export(&cap_filter_free, .{ .name = "cap_filter_free" });
    @export(&cap_bpf_counter_open, .{ .name = "cap_bpf_counter_open" });
    @export(&cap_bpf_counter_read, .{ .name = "cap_bpf_counter_read" });
    @export(&cap_bpf_counter_close, .{ .name = "cap_bpf_counter_close" });
    @export(&cap_pcap_records, .{ .name = "cap_pcap_records" });
    @export(&cap_pcap_block, .{ .name = "cap_pcap_block" });
    @export(&cap_block_walk, .{ .name = "cap_block_walk" });
    @export(&cap_block_counts, .{ .name = "cap_block_counts" });
    @export(&cap_sip_parse, .{ .name = "cap_sip_parse" });
    @export(&cap_sip_parse_record, .{ .name = "cap_sip_parse_record" });
    @export(&cap_abi_version, .{ .name = "cap_abi_version" });
    @export(&cap_abi_layout, .{ .name = "cap_abi_layout" });
    @export(&cap_version_string, .{ .name = "cap_version_string" });
}

test {
    _ = @import("errno.zig");
    _ = @import("options.zig");
    _ = @import("filter.zig");
    _ = @import("filter_live.zig");
    _ = @import("filter_batch.zig");
    _ = @import("version.zig");
    _ = @import("abi.zig");
    _ = @import("ring_test.zig");
    _ = @import("bpf_test.zig");
    _ = @import("pcap_records.zig");
    _ = @import("pcap_block.zig");
    _ = @import("block_walk.zig");
    _ = @import("block_counts.zig");
    _ = @import("block_packets.zig");
    _ = @import("summary_test.zig");
    _ = @import("sip_test.zig");
    _ = @import("sip_record.zig");
}

test "cap_abi_layout() reports every ABI size" {
    var out: abi.AbiLayout = undefined;
    try std.testing.expectEqual(@as(i32, 0), cap_abi_layout(&out));
    try std.testing.expectEqual(abi.abi_version, out.abi_version);
    try std.testing.expectEqual(@as(u32, 64), out.ring_options_bytes);
    try std.testing.expectEqual(@as(u32, 58), out.sll_pkttype_offset);
    try std.testing.expectEqual(
        @as(i32, 22),
        cap_filter_check("udp port 5060 or tcp port 5060", 1, 65535, undefined_err()),
    );
}

fn undefined_err() *abi.ErrorInfo {
    const holder = struct {
        var err: abi.ErrorInfo = undefined;
    };
    return &holder.err;
}
