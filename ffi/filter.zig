//! tcpdump filter expressions → classic BPF, compiled by libpcap on a dead handle (no capture device is
//! opened). The program is attached with SO_ATTACH_FILTER before bind (ring.zig), which copies it; the
//! libpcap copy is freed right after.

const std = @import("std");
const assert = std.debug.assert;
const abi = @import("abi.zig");
const errno_ = @import("errno.zig");
const constants = @import("constants.zig");
const kernel = @import("kernel.zig");

const Pcap = opaque {};
pub const Instruction = extern struct { code: u16, jt: u8, jf: u8, k: u32 };
const Program = extern struct { bf_len: c_uint, bf_insns: ?[*]Instruction };

extern fn pcap_open_dead(link_type: c_int, snaplen: c_int) ?*Pcap;
extern fn pcap_compile(p: *Pcap, program: *Program, expression: [*:0]const u8, optimize: c_int, netmask: u32) c_int;
extern fn pcap_geterr(p: *Pcap) [*:0]const u8;
extern fn pcap_freecode(program: *Program) void;
extern fn pcap_close(p: *Pcap) void;
extern fn pcap_lib_version() [*:0]const u8;

const netmask_unknown: u32 = 0xffff_ffff; // PCAP_NETMASK_UNKNOWN

/// libpcap's DLT_RAW is 12 on Linux; its tcpdump.org LINKTYPE_RAW is 101.
const dlt_raw: u32 = 12;
pub const linktype_raw: u32 = 101;
pub const linktype_ethernet: u32 = 1;

/// libpcap's grammar state is global in older releases; one compile at a time.
var compile_mutex: std.Thread.Mutex = .{};

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

    pub fn deinit(filter: *Filter) void {
        pcap_freecode(&filter.program);
        filter.* = undefined;
    }
};

/// Compiles `expression` for `link_type` (tcpdump.org LINKTYPE_). An empty expression compiles to
/// libpcap's single `ret #snaplen`: it accepts everything and still applies the snap length.
pub fn compile(
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) error{Failed}!Filter {
    const length = std.mem.len(expression);
    if (length > constants.filter_expression_bytes_max) {
        errno_.fill(err, .filter_invalid, 0, "pcap_compile", "filter expression is {d} bytes, limit {d}", .{
            length, constants.filter_expression_bytes_max,
        });
        return error.Failed;
    }
    const dlt: u32 = if (link_type == linktype_raw) dlt_raw else link_type;
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
    var program: Program = .{ .bf_len = 0, .bf_insns = null };
    if (pcap_compile(pcap, &program, expression, 1, netmask_unknown) != 0) {
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

test "compile() accepts raw-IP link types" {
    var err: abi.ErrorInfo = undefined;
    var filter = try compile("udp", linktype_raw, 65535, &err);
    defer filter.deinit();
    try testing.expect(filter.instructions().len > 1);
}
