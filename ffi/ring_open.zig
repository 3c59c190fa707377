//! Opening a ring, in the order that keeps unfiltered packets out:
//! socket → filter (SO_ATTACH_FILTER) → TPACKET_V3 → PACKET_RX_RING → mmap → bind → promisc → fanout.
//! The only allocation of a ring's life happens here.

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const socket = @import("socket.zig");
const errno_ = @import("errno.zig");
const filter_ = @import("filter.zig");
const filter_live = @import("filter_live.zig");
const options_ = @import("options.zig");
const ring_ = @import("ring.zig");
const Ring = ring_.Ring;

const Failed = error{Failed};

/// Reports a failed step; `capability` is what EPERM points at.
fn fail(err: *abi.ErrorInfo, errno: linux.E, op: []const u8, action: []const u8, ifname: []const u8) Failed {
    _ = errno_.report(err, errno, .{ .op = op, .action = action, .ifname = ifname });
    return error.Failed;
}

/// tcpdump.org LINKTYPE_ for an ARPHRD_ type, or null when we cannot filter it.
fn link_type_from_arphrd(arphrd: u16) ?u32 {
    return switch (arphrd) {
        kernel.c.ARPHRD_ETHER, kernel.c.ARPHRD_LOOPBACK => filter_.linktype_ethernet,
        kernel.c.ARPHRD_NONE => filter_.linktype_raw,
        else => null,
    };
}

fn interface_link_type(fd: i32, ifname: []const u8, err: *abi.ErrorInfo) Failed!u32 {
    const arphrd = switch (socket.hardware_type(fd, ifname)) {
        .arphrd => |arphrd| arphrd,
        .errno => |errno| return fail(err, errno, "ioctl SIOCGIFHWADDR", "reading link type", ifname),
    };
    return link_type_from_arphrd(arphrd) orelse {
        errno_.fill(
            err,
            .invalid_argument,
            0,
            "ioctl SIOCGIFHWADDR",
            "unsupported link type ARPHRD {d} on {s}",
            .{ arphrd, ifname },
        );
        return error.Failed;
    };
}

pub fn open(options: *const abi.RingOptions, expression: [*:0]const u8, err: *abi.ErrorInfo) Failed!*Ring {
    const ifname = try options_.validate(options, err);
    const fd = switch (socket.open()) {
        .fd => |fd| fd,
        .errno => |errno| return fail(err, errno, "socket", "opening AF_PACKET socket", ifname),
    };
    errdefer socket.close(fd);
    const ifindex = switch (socket.interface_index(fd, ifname)) {
        .ifindex => |ifindex| ifindex,
        .errno => |errno| return fail(err, errno, "ioctl SIOCGIFINDEX", "looking up interface", ifname),
    };
    const link_type = try interface_link_type(fd, ifname, err);
    const filter_instructions = try attach_filter(fd, expression, link_type, options.snaplen_bytes, ifname, err);
    const map = try map_ring(fd, options, ifname, err);
    errdefer _ = linux.munmap(map.ptr, map.len);
    var errno = socket.bind(fd, ifindex);
    if (errno != .SUCCESS) return fail(err, errno, "bind", "binding AF_PACKET socket", ifname);
    const promiscuous = options.flags & abi.ring_flag_promiscuous != 0;
    if (promiscuous) {
        errno = socket.promiscuous(fd, ifindex, true);
        if (errno != .SUCCESS) return fail(
            err,
            errno,
            "setsockopt PACKET_ADD_MEMBERSHIP",
            "enabling promiscuous mode",
            ifname,
        );
    }
    errdefer if (promiscuous) {
        _ = socket.promiscuous(fd, ifindex, false);
    };
    try join_fanout(fd, options, ifname, err);
    const event_fd_rc = linux.eventfd(0, linux.EFD.CLOEXEC | linux.EFD.NONBLOCK);
    errno = linux.E.init(event_fd_rc);
    if (errno != .SUCCESS) return fail(err, errno, "eventfd", "creating the interrupt eventfd", ifname);
    const event_fd: i32 = @intCast(event_fd_rc);
    errdefer socket.close(event_fd);
    const ring = std.heap.c_allocator.create(Ring) catch return fail(
        err,
        .NOMEM,
        "malloc",
        "allocating the ring handle",
        ifname,
    );
    ring.* = .{
        .magic = ring_.magic_open,
        .fd = fd,
        .event_fd = event_fd,
        .map = map,
        .block_bytes = options.block_bytes,
        .block_count = options.block_count,
        .frame_bytes = options.frame_bytes,
        .snaplen_bytes = options.snaplen_bytes,
        .ifindex = ifindex,
        .filter_instructions = filter_instructions,
        .link_type = link_type,
        .promiscuous = promiscuous,
    };
    return ring;
}

fn attach_filter(
    fd: i32,
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    ifname: []const u8,
    err: *abi.ErrorInfo,
) Failed!u32 {
    // Compiled for this interface, so that `vlan` tests read the tag the kernel moved into skb metadata.
    var filter = try filter_live.compile(ifname, expression, link_type, snaplen_bytes, err);
    defer filter.deinit();
    const instructions = filter.instructions();
    assert(instructions.len > 0);
    const program: kernel.SockFprog = .{
        .len = @intCast(instructions.len),
        .filter = @ptrCast(@constCast(instructions.ptr)),
    };
    const errno = socket.set_option(fd, linux.SOL.SOCKET, linux.SO.ATTACH_FILTER, &program);
    if (errno != .SUCCESS) return fail(err, errno, "setsockopt SO_ATTACH_FILTER", "attaching the filter", ifname);
    return @intCast(instructions.len);
}

fn map_ring(
    fd: i32,
    options: *const abi.RingOptions,
    ifname: []const u8,
    err: *abi.ErrorInfo,
) Failed![]align(std.heap.page_size_min) u8 {
    const version: c_int = kernel.c.TPACKET_V3;
    var errno = socket.set_packet_option(fd, kernel.c.PACKET_VERSION, &version);
    if (errno != .SUCCESS) return fail(err, errno, "setsockopt PACKET_VERSION", "selecting TPACKET_V3", ifname);
    const frames_per_block = options.block_bytes / options.frame_bytes;
    const request: kernel.Request = .{
        .tp_block_size = options.block_bytes,
        .tp_block_nr = options.block_count,
        .tp_frame_size = options.frame_bytes,
        .tp_frame_nr = frames_per_block * options.block_count,
        .tp_retire_blk_tov = options.retire_timeout_ms,
        .tp_sizeof_priv = 0,
        .tp_feature_req_word = 0,
    };
    errno = socket.set_packet_option(fd, kernel.c.PACKET_RX_RING, &request);
    if (errno != .SUCCESS) return fail(err, errno, "setsockopt PACKET_RX_RING", "creating the ring", ifname);
    const map_bytes: usize = @as(usize, options.block_bytes) * options.block_count;
    const rc = linux.mmap(null, map_bytes, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .SHARED }, fd, 0);
    errno = linux.E.init(rc);
    if (errno != .SUCCESS) return fail(err, errno, "mmap", "mapping the ring", ifname);
    const pointer: [*]align(std.heap.page_size_min) u8 = @ptrFromInt(rc);
    return pointer[0..map_bytes];
}

fn join_fanout(fd: i32, options: *const abi.RingOptions, ifname: []const u8, err: *abi.ErrorInfo) Failed!void {
    const mode: abi.FanoutMode = @enumFromInt(options.fanout_mode);
    if (mode == .none) return;
    var kernel_flags: u32 = 0;
    if (options.fanout_flags & abi.fanout_flag_defrag != 0) kernel_flags |= kernel.c.PACKET_FANOUT_FLAG_DEFRAG;
    if (options.fanout_flags & abi.fanout_flag_rollover != 0) kernel_flags |= kernel.c.PACKET_FANOUT_FLAG_ROLLOVER;
    // Ours are the kernel's PACKET_FANOUT_HASH(0)..QM(5) plus one, so that 0 can mean "none".
    const kernel_mode: u32 = @as(u32, @intFromEnum(mode)) - 1;
    const value: u32 = @as(u32, options.fanout_group) | ((kernel_mode | kernel_flags) << 16);
    const errno = socket.set_packet_option(fd, kernel.c.PACKET_FANOUT, &value);
    if (errno != .SUCCESS) return fail(err, errno, "setsockopt PACKET_FANOUT", "joining the fanout group", ifname);
}

comptime {
    assert(kernel.c.PACKET_FANOUT_HASH == 0);
    assert(kernel.c.PACKET_FANOUT_QM == 5);
    assert(@intFromEnum(abi.FanoutMode.qm) - 1 == kernel.c.PACKET_FANOUT_QM);
    assert(@intFromEnum(abi.FanoutMode.random) - 1 == kernel.c.PACKET_FANOUT_RND);
    assert(@intFromEnum(abi.FanoutMode.rollover) - 1 == kernel.c.PACKET_FANOUT_ROLLOVER);
    assert(@intFromEnum(abi.FanoutMode.cpu) - 1 == kernel.c.PACKET_FANOUT_CPU);
    assert(@intFromEnum(abi.FanoutMode.lb) - 1 == kernel.c.PACKET_FANOUT_LB);
}
