//! Filters for live rings, compiled the way tcpdump compiles them on Linux. The kernel moves an 802.1Q tag
//! out of the frame into skb metadata (tp_vlan_tci) before socket filters run, so `vlan 100` must read the
//! tag with the SKF_AD_VLAN_TAG_PRESENT / SKF_AD_VLAN_TAG ancillary loads. libpcap 1.10.3 generates those
//! only for a handle whose `bpf_codegen_flags` has BPF_SPECIAL_VLAN_HANDLING, which only `pcap_activate`
//! on Linux sets (pcap-linux.c, after asking the kernel for SO_BPF_EXTENSIONS); a dead handle never has it.
//!
//! So the expression is compiled on a briefly activated handle: not promiscuous, one ring "frame" (the
//! smallest ring libpcap makes), closed right after compiling, which unmaps its ring and closes its socket.
//! Activation needs CAP_NET_RAW, which the ring's own socket proved already. gencode reads only the
//! handle's link type, snap length and codegen flags, so any up Ethernet handle yields the same program:
//! an interface that is down (libpcap refuses to activate it) borrows `lo`; if that fails too the dead
//! handle's program is used, which is exact for every expression except the `vlan` keyword.
//! Empty expressions and non-Ethernet links cannot involve offloaded tags and compile on a dead handle.
//! The last live program is kept, so the sockets of a fanout group activate a handle once.

const std = @import("std");
const abi = @import("abi.zig");
const filter_ = @import("filter.zig");
const Pcap = filter_.Pcap;
const Filter = filter_.Filter;

extern fn pcap_create(source: [*:0]const u8, errbuf: *[pcap_errbuf_bytes]u8) ?*Pcap;
extern fn pcap_set_snaplen(p: *Pcap, snaplen: c_int) c_int;
extern fn pcap_set_promisc(p: *Pcap, promisc: c_int) c_int;
extern fn pcap_set_buffer_size(p: *Pcap, bytes: c_int) c_int;
extern fn pcap_set_timeout(p: *Pcap, timeout_ms: c_int) c_int;
extern fn pcap_activate(p: *Pcap) c_int;
extern fn pcap_datalink(p: *Pcap) c_int;

const pcap_errbuf_bytes = 256; // PCAP_ERRBUF_SIZE
const dlt_en10mb: c_int = 1;

/// Compiles `expression` for a ring on `ifname` whose link type is `link_type` (tcpdump.org LINKTYPE_).
pub fn compile(
    ifname: []const u8,
    expression: [*:0]const u8,
    link_type: u32,
    snaplen_bytes: u32,
    err: *abi.ErrorInfo,
) error{Failed}!Filter {
    if (expression[0] == 0 or link_type != filter_.linktype_ethernet) {
        return filter_.compile(expression, link_type, snaplen_bytes, err);
    }
    try filter_.check_expression(expression, err);
    var name: [17]u8 = undefined;
    const ifname_z = std.fmt.bufPrintZ(&name, "{s}", .{ifname}) catch
        return filter_.compile(expression, link_type, snaplen_bytes, err);
    filter_.compile_mutex.lock();
    if (cache.lookup(std.mem.span(expression), snaplen_bytes)) |filter| {
        filter_.compile_mutex.unlock();
        return filter;
    }
    const pcap = activate(ifname_z, snaplen_bytes) orelse activate("lo", snaplen_bytes) orelse {
        filter_.compile_mutex.unlock();
        return filter_.compile(expression, link_type, snaplen_bytes, err);
    };
    defer filter_.compile_mutex.unlock();
    defer filter_.pcap_close(pcap);
    const filter = try filter_.compile_locked(pcap, expression, err);
    cache.store(std.mem.span(expression), snaplen_bytes, &filter);
    return filter;
}

/// The last program compiled on an activated handle (guarded by `compile_mutex`). Activating and closing a
/// handle costs ~35 ms (closing a packet socket with a ring waits for an RCU grace period), and fanout opens
/// many sockets with one expression; the program depends only on the expression and the snap length here.
const cache = struct {
    const expression_bytes_max = 512;
    var expression: [expression_bytes_max]u8 = undefined;
    var expression_length: usize = 0;
    var snaplen: u32 = 0;
    var program: ?Filter = null;

    fn lookup(text: []const u8, snaplen_bytes: u32) ?Filter {
        const cached = program orelse return null;
        if (snaplen != snaplen_bytes or !std.mem.eql(u8, expression[0..expression_length], text)) return null;
        return cached.clone() catch null;
    }

    /// Best effort: a long expression or a failed copy just leaves the cache empty.
    fn store(text: []const u8, snaplen_bytes: u32, filter: *const Filter) void {
        clear();
        if (text.len > expression_bytes_max) return;
        program = filter.clone() catch return;
        @memcpy(expression[0..text.len], text);
        expression_length = text.len;
        snaplen = snaplen_bytes;
    }

    fn clear() void {
        if (program) |*old| old.deinit();
        program = null;
    }
};

/// An activated, non-promiscuous Ethernet handle on `ifname`, or null (down, gone, or not Ethernet to
/// libpcap). Warnings (positive results) are fine: they concern capture, not compiling.
fn activate(ifname: [*:0]const u8, snaplen_bytes: u32) ?*Pcap {
    var errbuf: [pcap_errbuf_bytes]u8 = undefined;
    const pcap = pcap_create(ifname, &errbuf) orelse return null;
    // Setters fail only on an activated handle; this one is not.
    _ = pcap_set_snaplen(pcap, @intCast(snaplen_bytes));
    _ = pcap_set_promisc(pcap, 0);
    _ = pcap_set_buffer_size(pcap, 1);
    _ = pcap_set_timeout(pcap, 1);
    if (pcap_activate(pcap) < 0 or pcap_datalink(pcap) != dlt_en10mb) {
        filter_.pcap_close(pcap);
        return null;
    }
    return pcap;
}

const testing = std.testing;
const Veth = @import("test_veth.zig").Veth;

/// SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT (linux/filter.h): "is a tag in the skb metadata?"
const load_vlan_tag_present: u32 = 0xffff_f000 + 48;

fn has_instruction(filter: *const Filter, code: u16, k: u32) bool {
    for (filter.instructions()) |instruction| {
        if (instruction.code == code and instruction.k == k) return true;
    }
    return false;
}

test "compile() reads offloaded VLAN tags on a live interface and keeps the snap length" {
    var err: abi.ErrorInfo = undefined;
    var live = try compile("lo", "vlan 100 and udp", filter_.linktype_ethernet, 96, &err);
    defer live.deinit();
    // BPF_LD | BPF_B | BPF_ABS of the ancillary "tag present" word, and `ret #96` for a match.
    try testing.expect(has_instruction(&live, 0x30, load_vlan_tag_present));
    try testing.expect(has_instruction(&live, 0x06, 96));
    var dead = try filter_.compile("vlan 100 and udp", filter_.linktype_ethernet, 96, &err);
    defer dead.deinit();
    try testing.expect(!has_instruction(&dead, 0x30, load_vlan_tag_present));
}

test "compile() gives a down interface the same program as an up one, and no promiscuous mode" {
    const veth = try Veth.create('v');
    defer veth.deinit();
    var err: abi.ErrorInfo = undefined;
    var down = try compile(veth.slice(), "vlan 7 or udp port 53", filter_.linktype_ethernet, 65535, &err);
    defer down.deinit();
    try veth.set_up();
    filter_.compile_mutex.lock();
    cache.clear(); // the up interface must activate a handle of its own
    filter_.compile_mutex.unlock();
    var up = try compile(veth.slice(), "vlan 7 or udp port 53", filter_.linktype_ethernet, 65535, &err);
    defer up.deinit();
    try testing.expect(has_instruction(&up, 0x30, load_vlan_tag_present));
    try testing.expectEqualSlices(
        u8,
        std.mem.sliceAsBytes(up.instructions()),
        std.mem.sliceAsBytes(down.instructions()),
    );
    try testing.expect(try veth.flags() & 0x100 == 0); // IFF_PROMISC
}

test "compile() reuses the last live program for the same expression and snap length" {
    var err: abi.ErrorInfo = undefined;
    var first = try compile("lo", "vlan 300 or tcp port 8443", filter_.linktype_ethernet, 1500, &err);
    defer first.deinit();
    var second = try compile("lo", "vlan 300 or tcp port 8443", filter_.linktype_ethernet, 1500, &err);
    defer second.deinit();
    try testing.expect(first.instructions().ptr != second.instructions().ptr);
    try testing.expectEqualSlices(
        u8,
        std.mem.sliceAsBytes(first.instructions()),
        std.mem.sliceAsBytes(second.instructions()),
    );
    var other_snaplen = try compile("lo", "vlan 300 or tcp port 8443", filter_.linktype_ethernet, 96, &err);
    defer other_snaplen.deinit();
    try testing.expect(has_instruction(&other_snaplen, 0x06, 96));
    try testing.expect(!has_instruction(&other_snaplen, 0x06, 1500));
}

test "compile() keeps empty and raw-IP expressions on a dead handle and reports bad ones" {
    var err: abi.ErrorInfo = undefined;
    var empty = try compile("lo", "", filter_.linktype_ethernet, 128, &err);
    defer empty.deinit();
    try testing.expectEqual(@as(usize, 1), empty.instructions().len);
    var raw = try compile("lo", "udp", filter_.linktype_raw, 128, &err);
    defer raw.deinit();
    try testing.expect(raw.instructions().len > 1);
    try testing.expectError(error.Failed, compile("lo", "vlan banana", filter_.linktype_ethernet, 128, &err));
    try testing.expectEqual(abi.Status.filter_invalid.code(), err.status);
}
