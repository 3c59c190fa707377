//! eBPF counter tests (root: CAP_BPF + CAP_NET_ADMIN): attach to lo, send loopback datagrams, read the
//! counters, detach and check the kernel no longer has our programs on the hook.

const std = @import("std");
const posix = std.posix;
const testing = std.testing;
const abi = @import("abi.zig");
const bpf = @import("bpf.zig");
const errno_ = @import("errno.zig");
const Veth = @import("test_veth.zig").Veth;

extern fn bpf_prog_query(
    target: c_int,
    attach_type: c_uint,
    flags: u32,
    attach_flags: ?*u32,
    ids: [*]u32,
    count: *u32,
) c_int;

/// Program ids attached to `ifindex` at `attach_type` (tcx), at most 64.
fn attached_ids(ifindex: i32, attach_type: c_uint, buffer: *[64]u32) ![]const u32 {
    var count: u32 = buffer.len;
    const result = bpf_prog_query(ifindex, attach_type, 0, null, buffer, &count);
    if (result == -@as(c_int, @intFromEnum(std.os.linux.E.NOENT))) return buffer[0..0];
    if (result < 0) return error.QueryFailed;
    return buffer[0..count];
}

fn send_datagrams(count: u32) !void {
    const fd = try posix.socket(posix.AF.INET, posix.SOCK.DGRAM | posix.SOCK.CLOEXEC, 0);
    defer posix.close(fd);
    const address = std.net.Address.initIp4(.{ 127, 0, 0, 1 }, 39997);
    const payload = [_]u8{0xab} ** 100;
    for (0..count) |_| _ = try posix.sendto(fd, &payload, 0, &address.any, address.getOsSockLen());
}

test "the eBPF counter on lo counts both directions and detaches on close" {
    var err: abi.ErrorInfo = undefined;
    const counter = bpf.open("lo", &err) catch {
        std.debug.print("cap_bpf_counter_open: {s}\n", .{errno_.terminated(&err.message)});
        return error.OpenFailed;
    };
    var closed = false;
    defer if (!closed) bpf.close(counter);
    try testing.expectEqual(bpf.Attachment.tcx, counter.attachment);
    const ids = counter.program_ids;
    try testing.expect(ids[0] != 0 and ids[1] != 0);
    var buffer: [64]u32 = undefined;
    try testing.expect(
        std.mem.indexOfScalar(u32, try attached_ids(counter.ifindex, bpf.attach_tcx_ingress, &buffer), ids[0]) != null,
    );
    try testing.expect(
        std.mem.indexOfScalar(u32, try attached_ids(counter.ifindex, bpf.attach_tcx_egress, &buffer), ids[1]) != null,
    );

    var before: abi.BpfCounterStats = undefined;
    try testing.expectEqual(abi.Status.ok.code(), bpf.read(counter, &before));
    const datagrams = 50;
    try send_datagrams(datagrams);
    var after: abi.BpfCounterStats = undefined;
    try testing.expectEqual(abi.Status.ok.code(), bpf.read(counter, &after));
    // Other traffic on lo may add to the counts, never subtract.
    try testing.expect(after.egress_packets - before.egress_packets >= datagrams);
    try testing.expect(after.ingress_packets - before.ingress_packets >= datagrams);
    // 100 bytes of payload + UDP 8 + IPv4 20 + Ethernet 14 per datagram.
    try testing.expect(after.egress_bytes - before.egress_bytes >= datagrams * 142);

    const ifindex = counter.ifindex;
    bpf.close(counter);
    closed = true;
    try testing.expect(
        std.mem.indexOfScalar(u32, try attached_ids(ifindex, bpf.attach_tcx_ingress, &buffer), ids[0]) == null,
    );
    try testing.expect(
        std.mem.indexOfScalar(u32, try attached_ids(ifindex, bpf.attach_tcx_egress, &buffer), ids[1]) == null,
    );
}

test "the eBPF counter reports an unknown interface" {
    var err: abi.ErrorInfo = undefined;
    try testing.expectError(error.Failed, bpf.open("capz-none9", &err));
    try testing.expectEqual(abi.Status.no_such_device.code(), err.status);
    try testing.expectEqualStrings(
        "ENODEV looking up interface on capz-none9: no such interface \"capz-none9\"",
        errno_.terminated(&err.message),
    );
}

fn tc_show(argv: []const []const u8) ![]u8 {
    const result = try std.process.Child.run(.{ .allocator = testing.allocator, .argv = argv });
    testing.allocator.free(result.stderr);
    return result.stdout;
}

test "the clsact fallback attaches filters and removes the qdisc it created" {
    const veth = try Veth.create('c');
    defer veth.deinit();
    var name: [16:0]u8 = .{0} ** 16;
    @memcpy(name[0..veth.slice().len], veth.slice());
    var err: abi.ErrorInfo = undefined;
    const counter = bpf.open_with(&name, .clsact, &err) catch {
        std.debug.print("cap_bpf_counter_open: {s}\n", .{errno_.terminated(&err.message)});
        return error.OpenFailed;
    };
    var closed = false;
    defer if (!closed) bpf.close(counter);
    try testing.expectEqual(bpf.Attachment.clsact, counter.attachment);
    try testing.expect(counter.created_qdisc);
    const filters = try tc_show(&.{ "tc", "filter", "show", "dev", veth.slice(), "egress" });
    defer testing.allocator.free(filters);
    // Program names are cut to 15 bytes (BPF_OBJ_NAME_LEN); tc prints the program id too.
    var id_text: [32]u8 = undefined;
    const id = try std.fmt.bufPrint(&id_text, " id {d} name cap_count_egres ", .{counter.program_ids[1]});
    try testing.expect(std.mem.indexOf(u8, filters, id) != null);
    try testing.expect(std.mem.indexOf(u8, filters, "pref 49374 ") != null);
    var stats: abi.BpfCounterStats = undefined;
    try testing.expectEqual(abi.Status.ok.code(), bpf.read(counter, &stats));
    bpf.close(counter);
    closed = true;
    const qdiscs = try tc_show(&.{ "tc", "qdisc", "show", "dev", veth.slice() });
    defer testing.allocator.free(qdiscs);
    try testing.expect(std.mem.indexOf(u8, qdiscs, "clsact") == null);
}
