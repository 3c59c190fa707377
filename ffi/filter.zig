//! tcpdump filter expressions → classic BPF, compiled by libpcap on a dead handle (no capture device is
//! opened): what files need (VLAN tags are inline there) and what `cap_filter_check` validates with. Live
//! rings compile through filter_live.zig, whose handle lets libpcap use the kernel's VLAN ancillary loads.
//! A ring's program is attached with SO_ATTACH_FILTER before bind (ring_open.zig), which copies it; the
//! libpcap copy is freed right after.

const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const errno_ = @import("errno.zig");
const constants = @import("constants.zig");
const kernel = @import("kernel.zig");

pub const Pcap = opaque {};
pub const Instruction = extern struct { code: u16, jt: u8, jf: u8, k: u32 };
const Program = extern struct { bf_len: c_uint, bf_insns: ?[*]Instruction };

extern fn pcap_open_dead(link_type: c_int, snaplen: c_int) ?*Pcap;
extern fn pcap_compile(p: *Pcap, program: *Program, expression: [*:0]const u8, optimize: c_int, netmask: u32) c_int;
pub extern fn pcap_geterr(p: *Pcap) [*:0]const u8;
extern fn pcap_freecode(program: *Program) void;
pub extern fn pcap_close(p: *Pcap) void;
extern fn pcap_lib_version() [*:0]const u8;

const netmask_unknown: u32 = 0xffff_ffff; // PCAP_NETMASK_UNKNOWN

pub const linktype_raw: u32 = 101;
pub const linktype_ethernet: u32 = 1;

/// libpcap's grammar state is global in older releases; one compile at a time (filter_live.zig too).
pub var compile_mutex: std.Thread.Mutex = .{};

/// libpcap's DLT_ for a tcpdump.org LINKTYPE_, as `linktype_to_dlt` of libpcap 1.10.3 (pcap-common.c) maps
/// it on Linux: the values below 104 whose DLT differs between systems, the rest unchanged (the LINKTYPE and
/// DLT of 104..289 agree, except ATM_CLIP; above that libpcap passes unknown values through).
pub fn dlt_from_link_type(link_type: u32) u32 {
    return switch (link_type) {
        100 => 11, // ATM_RFC1483
        101 => 12, // RAW
        102 => 15, // SLIP_BSDOS
        103 => 16, // PPP_BSDOS
        106 => 19, // ATM_CLIP
        else => link_type,
    };
}

comptime {
    assert(@sizeOf(Instruction) == @sizeOf(kernel.SockFilter));
}

/// A compiled program; `deinit` frees libpcap's copy.
pub const Filter = struct {
    program: Program,

    pub fn instructions(filter: *const Filter) []const Instruction {
        const insns = filter.program.bf_insns orelse return &.{};
        return insns[0..filter.program.bf_len];
    }

    /// A copy that owns its instructions. They are malloc'd because `deinit` hands them to
    /// `pcap_freecode`, which releases `bf_insns` with free().
    pub fn clone(filter: *const Filter) error{OutOfMemory}!Filter {
        const source = filter.instructions();
        const bytes = std.c.malloc(@max(1, source.len) * @sizeOf(Instruction)) orelse return error.OutOfMemory;
        const target: [*]Instruction = @ptrCast(@alignCast(bytes));
        @memcpy(target[0..source.len], source);
        return .{ .program = .{ .bf_len = @intCast(source.len), .bf_insns = target } };
    }

    pub fn deinit(filter: *Filter) void {
        pcap_freecode(&filter.program);
        filter.* = undefined;
    }
};

/// Compiles `expression` for `link_type` (tcpdump.org LINKTYPE_) on a dead handle. An empty expression compiles
/// to libpcap's single `ret #snaplen`: it accepts everything and still applies the snap length.
pub fn compile(
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) error{Failed}!Filter {
    try check_expression(expression, err);
    const dlt = dlt_from_link_type(link_type);
    compile_mutex.lock();
    defer compile_mutex.unlock();
    const pcap = pcap_open_dead(@intCast(dlt), @intCast(snaplen_bytes)) orelse {
        errno_.fill(
            err,
            .out_of_memory,
            0,
            "pcap_open_dead",
            "pcap_open_dead({d}, {d}) failed",
            .{ dlt, snaplen_bytes },
        );
        return error.Failed;
    };
    defer pcap_close(pcap);
    return compile_locked(pcap, expression, err);
}

/// Refuses expressions too long to be a filter (before libpcap sees them).
pub fn check_expression(expression: [*:0]const u8, err: *abi.ErrorInfo) error{Failed}!void {
    const length = std.mem.len(expression);
    if (length <= constants.filter_expression_bytes_max) return;
    errno_.fill(err, .filter_invalid, 0, "pcap_compile", "filter expression is {d} bytes, limit {d}", .{
        length, constants.filter_expression_bytes_max,
    });
    return error.Failed;
}

/// Compiles on `pcap` (dead or activated); the caller holds `compile_mutex`. The program's link type and
/// snap length are the handle's.
pub fn compile_locked(pcap: *Pcap, expression: [*:0]const u8, err: *abi.ErrorInfo) error{Failed}!Filter {
    var program: Program = .{ .bf_len = 0, .bf_insns = null };
    if (pcap_compile(pcap, &program, expression, 1, netmask_unknown) != 0) {
        const length = std.mem.len(expression);
        errno_.fill(err, .filter_invalid, 0, "pcap_compile", "invalid filter \"{s}\": {s}", .{
            expression[0..@min(length, 64)], std.mem.span(pcap_geterr(pcap)),
        });
        return error.Failed;
    }
    var filter: Filter = .{ .program = program };
    if (filter.program.bf_len == 0 or filter.program.bf_len > constants.filter_instructions_max) {
        errno_.fill(err, .filter_invalid, 0, "pcap_compile", "filter compiles to {d} instructions, limit {d}", .{
            filter.program.bf_len, constants.filter_instructions_max,
        });
        filter.deinit();
        return error.Failed;
    }
    return filter;
}

/// libpcap's version line, e.g. "libpcap version 1.10.3 (with TPACKET_V3)".
pub fn library_version() []const u8 {
    return std.mem.span(pcap_lib_version());
}

const testing = std.testing;

test "compile() counts instructions of known filters" {
    var err: abi.ErrorInfo = undefined;
    var filter = try compile("udp port 5061", linktype_ethernet, 65535, &err);
    defer filter.deinit();
    try testing.expectEqual(@as(usize, 20), filter.instructions().len);
    var empty = try compile("", linktype_ethernet, 96, &err);
    defer empty.deinit();
    try testing.expectEqual(@as(usize, 1), empty.instructions().len);
    // BPF_RET | BPF_K with the snap length: accept everything, cut to 96 bytes.
    try testing.expectEqual(@as(u16, 0x06), empty.instructions()[0].code);
    try testing.expectEqual(@as(u32, 96), empty.instructions()[0].k);
}

test "compile() reports libpcap's message for a bad expression" {
    var err: abi.ErrorInfo = undefined;
    try testing.expectError(error.Failed, compile("udp prot 53", linktype_ethernet, 65535, &err));
    try testing.expectEqual(abi.Status.filter_invalid.code(), err.status);
    const message = errno_.terminated(&err.message);
    try testing.expect(std.mem.startsWith(u8, message, "invalid filter \"udp prot 53\": "));
    try testing.expect(std.mem.indexOf(u8, message, "syntax error") != null);
}

test "dlt_from_link_type() maps the LINKTYPE_ values whose DLT_ differs on Linux" {
    try testing.expectEqual(@as(u32, 12), dlt_from_link_type(linktype_raw));
    try testing.expectEqual(@as(u32, 1), dlt_from_link_type(linktype_ethernet));
    try testing.expectEqual(@as(u32, 113), dlt_from_link_type(113)); // LINUX_SLL
    try testing.expectEqual(@as(u32, 276), dlt_from_link_type(276)); // LINUX_SLL2
    try testing.expectEqual(@as(u32, 19), dlt_from_link_type(106)); // ATM_CLIP
}

test "compile() uses inline VLAN tags on a dead handle, as files need" {
    var err: abi.ErrorInfo = undefined;
    var filter = try compile("vlan 100", linktype_ethernet, 65535, &err);
    defer filter.deinit();
    for (filter.instructions()) |instruction| {
        // SKF_AD_OFF (-4096) and above: an ancillary load, meaningless in a file.
        try testing.expect(!(instruction.code & 0x07 == 0 and instruction.k >= 0xffff_f000));
    }
}

test "compile() accepts raw-IP link types" {
    var err: abi.ErrorInfo = undefined;
    var filter = try compile("udp", linktype_raw, 65535, &err);
    defer filter.deinit();
    try testing.expect(filter.instructions().len > 1);
}
