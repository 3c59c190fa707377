//! Filters for packets read from files: a program compiled once (dead handle: a file's VLAN tags are
//! inline) and run by libpcap's own interpreter (`pcap_filter`, what `pcap_offline_filter` calls) over a
//! whole batch in one FFI call, so `capture -r FILE -f EXPR` keeps exactly the packets `tcpdump -r` keeps.

const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const errno_ = @import("errno.zig");
const constants = @import("constants.zig");
const filter_ = @import("filter.zig");
const Status = abi.Status;

extern fn pcap_filter(program: [*]const filter_.Instruction, packet: [*]const u8, wire_bytes: c_uint, captured_bytes: c_uint) c_uint;

const magic_open: u64 = 0x7274_6c69_665f_7061; // "ap_filtr"

/// Opaque to the caller (`cap_filter_new` → `cap_filter_free`). Immutable after creation, so batches may
/// run on several threads at once.
pub const BatchFilter = struct {
    magic: u64,
    filter: filter_.Filter,
};

/// Compiles `expression` for packets of `link_type` (tcpdump.org LINKTYPE_).
pub fn create(
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) error{Failed}!*BatchFilter {
    if (snaplen_bytes < constants.snaplen_bytes_min or snaplen_bytes > constants.snaplen_bytes_max) {
        errno_.fill(err, .invalid_argument, 0, "cap_filter_new", "snaplen_bytes {d} is outside {d}..{d}", .{
            snaplen_bytes, constants.snaplen_bytes_min, constants.snaplen_bytes_max,
        });
        return error.Failed;
    }
    var filter = try filter_.compile(expression, link_type, snaplen_bytes, err);
    errdefer filter.deinit();
    const handle = std.heap.c_allocator.create(BatchFilter) catch {
        errno_.fill(err, .out_of_memory, 0, "malloc", "allocating the filter handle", .{});
        return error.Failed;
    };
    handle.* = .{ .magic = magic_open, .filter = filter };
    return handle;
}

/// The packets of a batch (struct of arrays over `data`, as PacketBatch). Pointers may be null when
/// `count` is 0 (an empty typed array crosses FFI as null).
pub const Batch = struct {
    data: ?[*]const u8,
    data_bytes: u32,
    offsets: ?[*]const u32,
    captured_bytes: ?[*]const u32,
    wire_bytes: ?[*]const u32,
    count: u32,
};

/// Sets `out_match[i]` to 1 for each packet the filter accepts, else 0, and returns how many matched.
/// A packet whose bytes lie outside `data` never matches (bad input is skipped, not trusted).
pub fn run(handle: *const BatchFilter, batch: Batch, out_match: ?[*]u8) i32 {
    if (handle.magic != magic_open) return Status.closed.code();
    if (batch.count == 0) return 0;
    const data = batch.data orelse return Status.invalid_argument.code();
    const offsets = batch.offsets orelse return Status.invalid_argument.code();
    const captured = batch.captured_bytes orelse return Status.invalid_argument.code();
    const wire = batch.wire_bytes orelse return Status.invalid_argument.code();
    const out = out_match orelse return Status.invalid_argument.code();
    // The count is returned as a non-negative i32.
    if (batch.count > std.math.maxInt(i32)) return Status.invalid_argument.code();
    const program = handle.filter.instructions();
    assert(program.len > 0);
    var matched: u32 = 0;
    for (0..batch.count) |index| {
        const end = @as(u64, offsets[index]) + captured[index];
        const inside = end <= batch.data_bytes;
        // pcap_filter checks every load against `captured`; the wire length is what `len` tests see.
        const accepted = inside and pcap_filter(program.ptr, data + offsets[index], wire[index], captured[index]) != 0;
        out[index] = @intFromBool(accepted);
        matched += @intFromBool(accepted);
    }
    return @intCast(matched);
}

/// Frees the handle; a second free is refused (`closed`) as long as the memory was not reused.
pub fn destroy(handle: *BatchFilter) i32 {
    if (handle.magic != magic_open) return Status.closed.code();
    handle.magic = 0;
    handle.filter.deinit();
    std.heap.c_allocator.destroy(handle);
    return Status.ok.code();
}

const testing = std.testing;

/// Ethernet + IPv4 (20 bytes) + UDP from 10.0.0.1:4000 to 10.0.0.2:`port`, `payload_bytes` of zeros.
fn udp_frame(buffer: []u8, port: u16, payload_bytes: u16) []u8 {
    const length: usize = 42 + payload_bytes;
    const frame = buffer[0..length];
    @memset(frame, 0);
    std.mem.writeInt(u16, frame[12..14], 0x0800, .big);
    frame[14] = 0x45;
    std.mem.writeInt(u16, frame[16..18], 28 + payload_bytes, .big);
    frame[23] = 17;
    @memcpy(frame[26..30], &[_]u8{ 10, 0, 0, 1 });
    @memcpy(frame[30..34], &[_]u8{ 10, 0, 0, 2 });
    std.mem.writeInt(u16, frame[34..36], 4000, .big);
    std.mem.writeInt(u16, frame[36..38], port, .big);
    std.mem.writeInt(u16, frame[38..40], 8 + payload_bytes, .big);
    return frame;
}

test "run() marks exactly the packets the expression accepts" {
    var err: abi.ErrorInfo = undefined;
    const handle = try create("udp port 5060", filter_.linktype_ethernet, 262144, &err);
    defer testing.expectEqual(Status.ok.code(), destroy(handle)) catch unreachable;
    var data: [512]u8 = undefined;
    const ports = [_]u16{ 5060, 53, 5060, 5061 };
    var offsets: [ports.len + 1]u32 = undefined;
    var captured: [ports.len + 1]u32 = undefined;
    var wire: [ports.len + 1]u32 = undefined;
    var offset: u32 = 0;
    for (ports, 0..) |port, index| {
        const frame = udp_frame(data[offset..], port, 10);
        offsets[index] = offset;
        captured[index] = @intCast(frame.len);
        wire[index] = @intCast(frame.len);
        offset += @intCast(frame.len);
    }
    // A record pointing past the data: never read, never matched.
    offsets[ports.len] = offset;
    captured[ports.len] = 400;
    wire[ports.len] = 400;
    var match: [ports.len + 1]u8 = .{0xaa} ** (ports.len + 1);
    const batch: Batch = .{
        .data = &data,
        .data_bytes = offset,
        .offsets = &offsets,
        .captured_bytes = &captured,
        .wire_bytes = &wire,
        .count = ports.len + 1,
    };
    try testing.expectEqual(@as(i32, 2), run(handle, batch, &match));
    try testing.expectEqualSlices(u8, &.{ 1, 0, 1, 0, 0 }, &match);
}

test "run() cuts at the captured length and tests the wire length" {
    var err: abi.ErrorInfo = undefined;
    const handle = try create("udp port 5060 and greater 200", filter_.linktype_ethernet, 65535, &err);
    defer _ = destroy(handle);
    var data: [128]u8 = undefined;
    const frame = udp_frame(&data, 5060, 20);
    const offsets = [_]u32{ 0, 0, 0 };
    // Cut at 30 bytes the ports are missing; `greater` reads the wire length.
    const captured = [_]u32{ @intCast(frame.len), 30, @intCast(frame.len) };
    const wire = [_]u32{ 300, 300, @intCast(frame.len) };
    var match: [3]u8 = undefined;
    const batch: Batch = .{
        .data = &data,
        .data_bytes = data.len,
        .offsets = &offsets,
        .captured_bytes = &captured,
        .wire_bytes = &wire,
        .count = 3,
    };
    try testing.expectEqual(@as(i32, 1), run(handle, batch, &match));
    try testing.expectEqualSlices(u8, &.{ 1, 0, 0 }, &match);
}

test "create() refuses bad expressions and snap lengths; run() accepts an empty batch" {
    var err: abi.ErrorInfo = undefined;
    try testing.expectError(error.Failed, create("udp port banana", filter_.linktype_ethernet, 65535, &err));
    try testing.expectEqual(Status.filter_invalid.code(), err.status);
    try testing.expectError(error.Failed, create("udp", filter_.linktype_ethernet, 0, &err));
    try testing.expectEqual(Status.invalid_argument.code(), err.status);
    const handle = try create("", filter_.linktype_raw, 65535, &err);
    defer _ = destroy(handle);
    const empty: Batch = .{
        .data = null,
        .data_bytes = 0,
        .offsets = null,
        .captured_bytes = null,
        .wire_bytes = null,
        .count = 0,
    };
    try testing.expectEqual(@as(i32, 0), run(handle, empty, null));
    var one = empty;
    one.count = 1;
    try testing.expectEqual(Status.invalid_argument.code(), run(handle, one, null));
}
