//! The embedded eBPF counter (bpf/tc_counter.bpf.c): loaded with libbpf from memory, attached to one
//! interface with tcx links (kernel >= 6.6) or, where tcx is unknown, clsact filters (ffi/glue/bpf_glue.c).
//! tcx links vanish with the process; clsact filters survive a crash (docs/abi.md, toolchain notes §3).

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;
const abi = @import("abi.zig");
const errno_ = @import("errno.zig");

const events = @cImport({
    @cInclude("linux/types.h");
    @cInclude("events.h");
});

comptime {
    assert(@sizeOf(events.struct_cap_counter) == 16);
    assert(events.CAP_DIRECTION_COUNT == 2);
}

/// libelf reads the object in place: it must be 8-byte aligned and outlive every handle.
const object_bytes align(8) = @embedFile("tc_counter_bpf").*;

const BpfObject = opaque {};
const BpfProgram = opaque {};
const BpfMap = opaque {};
extern fn bpf_object__open_mem(buffer: *const anyopaque, size: usize, opts: ?*const anyopaque) ?*BpfObject;
extern fn bpf_object__load(object: *BpfObject) c_int;
extern fn bpf_object__close(object: *BpfObject) void;
extern fn bpf_object__find_program_by_name(object: *const BpfObject, name: [*:0]const u8) ?*BpfProgram;
extern fn bpf_object__find_map_by_name(object: *const BpfObject, name: [*:0]const u8) ?*BpfMap;
extern fn bpf_program__fd(program: *const BpfProgram) c_int;
extern fn bpf_map__fd(map: *const BpfMap) c_int;
extern fn bpf_link_create(prog_fd: c_int, target: c_int, attach_type: c_uint, opts: ?*const anyopaque) c_int;
extern fn bpf_map_lookup_elem(fd: c_int, key: *const anyopaque, value: *anyopaque) c_int;
extern fn bpf_obj_get_info_by_fd(fd: c_int, info: *anyopaque, length: *u32) c_int;
extern fn libbpf_num_possible_cpus() c_int;
extern fn if_nametoindex(name: [*:0]const u8) c_uint;
extern fn cap_glue_libbpf_init() void;
extern fn cap_glue_libbpf_last_message() [*:0]const u8;
extern fn cap_glue_libbpf_clear_message() void;
extern fn cap_glue_libbpf_version(major: *c_int, minor: *c_int) void;
extern fn cap_glue_tc_attach(ifindex: c_int, ingress_fd: c_int, egress_fd: c_int, created_qdisc: *c_int) c_int;
extern fn cap_glue_tc_detach(ifindex: c_int, created_qdisc: c_int) void;

pub const attach_tcx_ingress: c_uint = 46; // BPF_TCX_INGRESS (kernel 6.6; libbpf 1.1 predates the name)
pub const attach_tcx_egress: c_uint = 47; // BPF_TCX_EGRESS
/// A per-CPU map read returns one value per possible CPU; this bounds the buffer allocated at open.
const cpus_max: u32 = 4096;
const capability = "CAP_BPF and CAP_NET_ADMIN";

var libbpf_init_once = std.once(init_libbpf);

fn init_libbpf() void {
    cap_glue_libbpf_init();
}

pub const Attachment = enum { tcx, clsact };

pub const BpfCounter = struct {
    object: *BpfObject,
    ifindex: i32,
    map_fd: i32,
    attachment: Attachment,
    /// tcx link fds (ingress, egress); closing them detaches.
    link_fds: [2]i32,
    created_qdisc: bool,
    program_ids: [2]u32,
    values: []events.struct_cap_counter,
};

const Failed = error{Failed};

/// Reports a libbpf failure: EPERM/EACCES → permission_denied, ENODEV → no_such_device, anything
/// else → bpf_load_failed; libbpf's last warning is appended.
fn fail(err: *abi.ErrorInfo, errno: linux.E, op: []const u8, action: []const u8, ifname: []const u8) Failed {
    const status = errno_.report(
        err,
        errno,
        .{ .op = op, .action = action, .ifname = ifname, .capability = capability },
    );
    switch (status) {
        .permission_denied, .no_such_device, .out_of_memory, .interface_down => {},
        else => err.status = abi.Status.bpf_load_failed.code(),
    }
    const last = std.mem.span(cap_glue_libbpf_last_message());
    if (last.len > 0) {
        const used = errno_.terminated(&err.message).len;
        _ = std.fmt.bufPrint(err.message[used .. err.message.len - 1], " (libbpf: {s})", .{last}) catch {};
    }
    return error.Failed;
}

fn errno_from(result: c_int) linux.E {
    assert(result < 0);
    return @enumFromInt(@as(u16, @intCast(-result)));
}

pub fn open(ifname_z: [*:0]const u8, err: *abi.ErrorInfo) Failed!*BpfCounter {
    return open_with(ifname_z, .tcx, err);
}

/// `prefer = .clsact` skips tcx (tests use it to cover the fallback on kernels that have tcx).
pub fn open_with(ifname_z: [*:0]const u8, prefer: Attachment, err: *abi.ErrorInfo) Failed!*BpfCounter {
    libbpf_init_once.call();
    cap_glue_libbpf_clear_message();
    const ifname = std.mem.span(ifname_z);
    if (ifname.len == 0 or ifname.len >= linux.IFNAMESIZE) {
        errno_.fill(
            err,
            .invalid_argument,
            0,
            "if_nametoindex",
            "ifname \"{s}\" must be 1..15 bytes",
            .{ifname[0..@min(ifname.len, 32)]},
        );
        return error.Failed;
    }
    const ifindex = if_nametoindex(ifname_z);
    if (ifindex == 0) return fail(
        err,
        std.posix.errno(@as(c_int, -1)),
        "if_nametoindex",
        "looking up interface",
        ifname,
    );
    const object = bpf_object__open_mem(&object_bytes, object_bytes.len, null) orelse {
        return fail(err, std.posix.errno(@as(c_int, -1)), "bpf_object__open_mem", "opening the eBPF object", ifname);
    };
    errdefer bpf_object__close(object);
    const loaded = bpf_object__load(object);
    if (loaded < 0) return fail(err, errno_from(loaded), "bpf_object__load", "loading the eBPF counter", ifname);
    const program_fds = [2]c_int{
        bpf_program__fd(bpf_object__find_program_by_name(object, "cap_count_ingress").?),
        bpf_program__fd(bpf_object__find_program_by_name(object, "cap_count_egress").?),
    };
    const map_fd = bpf_map__fd(bpf_object__find_map_by_name(object, "cap_counters").?);
    assert(program_fds[0] >= 0 and program_fds[1] >= 0 and map_fd >= 0);
    const cpus = libbpf_num_possible_cpus();
    if (cpus <= 0 or cpus > cpus_max) return fail(err, .RANGE, "libbpf_num_possible_cpus", "counting CPUs", ifname);
    const values = std.heap.c_allocator.alloc(events.struct_cap_counter, @intCast(cpus)) catch {
        return fail(err, .NOMEM, "malloc", "allocating the per-CPU buffer", ifname);
    };
    errdefer std.heap.c_allocator.free(values);
    const counter = std.heap.c_allocator.create(BpfCounter) catch return fail(
        err,
        .NOMEM,
        "malloc",
        "allocating the handle",
        ifname,
    );
    errdefer std.heap.c_allocator.destroy(counter);
    counter.* = .{
        .object = object,
        .ifindex = @intCast(ifindex),
        .map_fd = map_fd,
        .attachment = .tcx,
        .link_fds = .{ -1, -1 },
        .created_qdisc = false,
        .program_ids = .{ program_id(program_fds[0]), program_id(program_fds[1]) },
        .values = values,
    };
    try attach(counter, program_fds, prefer, ifname, err);
    return counter;
}

fn program_id(fd: c_int) u32 {
    // bpf_prog_info starts with `type: u32, id: u32`; asking for 8 bytes reads just those.
    var info = [2]u32{ 0, 0 };
    var length: u32 = @sizeOf(@TypeOf(info));
    if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0) return 0;
    return info[1];
}

/// tcx first; clsact only where the kernel does not know the tcx attach types (before 6.6).
fn attach(
    counter: *BpfCounter,
    program_fds: [2]c_int,
    prefer: Attachment,
    ifname: []const u8,
    err: *abi.ErrorInfo,
) Failed!void {
    const ingress = switch (prefer) {
        .tcx => bpf_link_create(program_fds[0], counter.ifindex, attach_tcx_ingress, null),
        .clsact => -@as(c_int, @intFromEnum(linux.E.INVAL)),
    };
    if (ingress >= 0) {
        counter.link_fds[0] = ingress;
        const egress = bpf_link_create(program_fds[1], counter.ifindex, attach_tcx_egress, null);
        if (egress < 0) {
            _ = linux.close(ingress);
            return fail(
                err,
                errno_from(egress),
                "bpf_link_create BPF_TCX_EGRESS",
                "attaching the eBPF counter",
                ifname,
            );
        }
        counter.link_fds[1] = egress;
        return;
    }
    const errno = errno_from(ingress);
    if (errno != .INVAL) return fail(
        err,
        errno,
        "bpf_link_create BPF_TCX_INGRESS",
        "attaching the eBPF counter",
        ifname,
    );
    var created: c_int = 0;
    const result = cap_glue_tc_attach(counter.ifindex, program_fds[0], program_fds[1], &created);
    if (result < 0) return fail(
        err,
        errno_from(result),
        "bpf_tc_attach",
        "attaching the eBPF counter (clsact)",
        ifname,
    );
    counter.attachment = .clsact;
    counter.created_qdisc = created != 0;
}

pub fn read(counter: *BpfCounter, out: *abi.BpfCounterStats) i32 {
    var totals: [2]events.struct_cap_counter = undefined;
    for (&totals, 0..) |*total, direction| {
        const key: u32 = @intCast(direction);
        const result = bpf_map_lookup_elem(counter.map_fd, &key, counter.values.ptr);
        if (result < 0) return errno_.status_from_errno(errno_from(result)).code();
        total.* = .{ .packets = 0, .bytes = 0 };
        for (counter.values) |value| {
            total.packets +%= value.packets;
            total.bytes +%= value.bytes;
        }
    }
    out.* = .{
        .ingress_packets = totals[events.CAP_DIRECTION_INGRESS].packets,
        .ingress_bytes = totals[events.CAP_DIRECTION_INGRESS].bytes,
        .egress_packets = totals[events.CAP_DIRECTION_EGRESS].packets,
        .egress_bytes = totals[events.CAP_DIRECTION_EGRESS].bytes,
    };
    return abi.Status.ok.code();
}

/// Detaches and frees; never fails.
pub fn close(counter: *BpfCounter) void {
    switch (counter.attachment) {
        .tcx => for (counter.link_fds) |fd| {
            if (fd >= 0) _ = linux.close(fd);
        },
        .clsact => cap_glue_tc_detach(counter.ifindex, @intFromBool(counter.created_qdisc)),
    }
    bpf_object__close(counter.object);
    std.heap.c_allocator.free(counter.values);
    counter.* = undefined;
    std.heap.c_allocator.destroy(counter);
}

/// "1.1" from the linked libbpf (the patch level comes from the build, see version.zig).
pub fn library_version(buffer: []u8) []const u8 {
    var major: c_int = 0;
    var minor: c_int = 0;
    cap_glue_libbpf_version(&major, &minor);
    return std.fmt.bufPrint(buffer, "{d}.{d}", .{ major, minor }) catch "?";
}
