//! The L2–L4 summary of one captured packet (Ethernet or raw IP), field for field what TypeScript's
//! `decodeSummary` (src/decode/decode.ts and the decoders it calls) finds, including its `Malformed` reasons. The
//! TypeScript decoder stays the reference: src/decode/summary_columns_test.ts and tests/native_summary_test.ts compare
//! the two over crafted, corpus and mutated frames. Offsets are from the packet's first byte; every read is checked
//! against the captured length first. Bounded work: at most `vlan_tags_walk_max` tags and
//! `extension_headers_max` IPv6 extension headers per packet, no allocation.
const std = @import("std");
const assert = std.debug.assert;
const summary_transport = @import("summary_transport.zig");

/// src/decode/summary.ts `Malformed`; values index metric labels, never renumber.
pub const Malformed = enum(u8) {
    none = 0,
    link_truncated = 1,
    vlan_truncated = 2,
    ip_version_invalid = 3,
    ipv4_truncated = 4,
    ipv4_header_invalid = 5,
    ipv6_truncated = 6,
    ipv6_extension_truncated = 7,
    tcp_truncated = 8,
    tcp_header_invalid = 9,
    udp_truncated = 10,
    udp_length_invalid = 11,
    icmp_truncated = 12,
    sctp_truncated = 13,
};

/// Link types the summary decodes (tcpdump.org LINKTYPE_): the two a ring delivers.
pub const Link = enum { ethernet, raw };

/// LINKTYPE_ values of `Link`.
pub const link_type_ethernet: u32 = 1;
pub const link_type_raw: u32 = 101;

/// The `Link` of a LINKTYPE_ value, or null for one the summary does not decode.
pub fn link_of(link_type: u32) ?Link {
    return switch (link_type) {
        link_type_ethernet => .ethernet,
        link_type_raw => .raw,
        else => null,
    };
}

/// `Summary.bits`: which optional fields are set, and the two flags.
pub const bit = struct {
    pub const ports: u8 = 1 << 0;
    pub const tcp_flags: u8 = 1 << 1;
    pub const icmp: u8 = 1 << 2;
    pub const fragment: u8 = 1 << 3;
    pub const payload_truncated: u8 = 1 << 4;
};

/// VLAN ids kept per packet (src/decode/summary.ts `VLAN_IDS_MAX`); deeper stacks are only counted.
pub const vlan_ids_max = 4;
/// src/decode/ethernet.ts `VLAN_TAGS_WALK_MAX`: tags in the frame walked at most.
pub const vlan_tags_walk_max = 16;
/// src/decode/ipv6.ts `EXTENSION_HEADERS_MAX`.
pub const extension_headers_max = 16;

const ether_type_ipv4: u16 = 0x0800;
const ether_type_ipv6: u16 = 0x86dd;
const ether_type_min: u16 = 0x0600;
const ethernet_header_bytes: u32 = 14;

/// IP protocol numbers the summary reads past.
pub const protocol = struct {
    pub const icmp: u8 = 1;
    pub const tcp: u8 = 6;
    pub const udp: u8 = 17;
    pub const icmpv6: u8 = 58;
    pub const no_next_header: u8 = 59;
    pub const sctp: u8 = 132;
};

/// One packet's summary. Offsets are -1 when absent; `protocol` is meaningful when `ip_version != 0`; ports, TCP
/// flags and ICMP type/code when their `bit` is set. Addresses follow from `l3_offset` and `ip_version`.
pub const Summary = struct {
    l3_offset: i32 = -1,
    l4_offset: i32 = -1,
    payload_offset: i32 = -1,
    payload_bytes: u32 = 0,
    ether_type: u16 = 0,
    fragment_offset_bytes: u16 = 0,
    src_port: u16 = 0,
    dst_port: u16 = 0,
    tcp_flags: u16 = 0,
    vlan_ids: [vlan_ids_max]u16 = .{0} ** vlan_ids_max,
    vlan_count: u8 = 0,
    ip_version: u8 = 0,
    ttl: u8 = 0,
    protocol: u8 = 0,
    icmp_type: u8 = 0,
    icmp_code: u8 = 0,
    malformed: Malformed = .none,
    bits: u8 = 0,

    fn push_vlan(summary: *Summary, vlan_id: u16) void {
        assert(vlan_id <= 0x0fff);
        if (summary.vlan_count < vlan_ids_max) summary.vlan_ids[summary.vlan_count] = vlan_id;
        summary.vlan_count += 1;
    }

    pub fn set_payload(summary: *Summary, at: u32, end: u32) void {
        summary.payload_offset = @intCast(at);
        summary.payload_bytes = end -| at;
    }
};

/// What the decoders below return instead of an offset when there is nothing further to decode (`malformed` says
/// why, if anything is wrong). A sentinel, not an optional: an optional u32 result came back through the stack and
/// the caller's reload stalled on store forwarding (half the summary's time under perf).
const absent: u32 = std.math.maxInt(u32);

/// Packets longer than this are cut to it for the summary (offsets must fit an i32); no ring block is this big.
pub const packet_bytes_max: u32 = std.math.maxInt(i32);

comptime {
    assert(packet_bytes_max < absent);
}

/// Summarises `packet` (its captured bytes); `offloaded_tci` is the tag the kernel stripped, if any.
pub fn summarize(packet: []const u8, link: Link, offloaded_tci: ?u16, out: *Summary) void {
    assert(packet.len <= packet_bytes_max);
    out.* = .{};
    // The kernel strips the outermost tag; it comes before any tag still in the frame.
    if (offloaded_tci) |tci| out.push_vlan(tci & 0x0fff);
    const end: u32 = @intCast(packet.len);
    const l3 = switch (link) {
        .ethernet => ethernet(packet, out, end),
        .raw => raw_ip(packet, out, end),
    };
    if (l3 == absent) return;
    assert(l3 <= end);
    out.l3_offset = @intCast(l3);
    network(packet, out, l3, end);
}

/// The big-endian u16 at `at`; callers checked the bounds.
pub fn be16(p: []const u8, at: u32) u16 {
    return std.mem.readInt(u16, p[at..][0..2], .big);
}

fn ethernet(p: []const u8, s: *Summary, end: u32) u32 {
    if (ethernet_header_bytes > end) {
        s.malformed = .link_truncated;
        return absent;
    }
    const type_or_length = be16(p, 12);
    if (type_or_length < ether_type_min) return snap(p, s, ethernet_header_bytes, end);
    return ether_type_chain(p, s, ethernet_header_bytes, end, type_or_length);
}

/// 802.3: only LLC SNAP with OUI 0 carries an ether type.
fn snap(p: []const u8, s: *Summary, at: u32, end: u32) u32 {
    const is_snap = at + 8 <= end and p[at] == 0xaa and p[at + 1] == 0xaa and p[at + 2] == 0x03 and
        p[at + 3] == 0 and p[at + 4] == 0 and p[at + 5] == 0;
    if (!is_snap) {
        s.ether_type = 0;
        return absent;
    }
    return ether_type_chain(p, s, at + 8, end, be16(p, at + 6));
}

fn is_vlan_tpid(ether_type: u16) bool {
    return ether_type == 0x8100 or ether_type == 0x88a8 or ether_type == 0x9100 or ether_type == 0x9200;
}

fn ether_type_chain(p: []const u8, s: *Summary, start: u32, end: u32, first_type: u16) u32 {
    var at = start;
    var ether_type = first_type;
    var tags: u32 = 0;
    while (tags < vlan_tags_walk_max and is_vlan_tpid(ether_type)) : (tags += 1) {
        if (at + 4 > end) {
            s.ether_type = ether_type;
            s.malformed = .vlan_truncated;
            return absent;
        }
        s.push_vlan(be16(p, at) & 0x0fff);
        ether_type = be16(p, at + 2);
        at += 4;
    }
    s.ether_type = ether_type;
    return at;
}

fn raw_ip(p: []const u8, s: *Summary, end: u32) u32 {
    if (end < 1) {
        s.malformed = .link_truncated;
        return absent;
    }
    switch (p[0] >> 4) {
        4 => s.ether_type = ether_type_ipv4,
        6 => s.ether_type = ether_type_ipv6,
        else => {
            s.malformed = .ip_version_invalid;
            return absent;
        },
    }
    return 0;
}

fn network(p: []const u8, s: *Summary, at: u32, end: u32) void {
    const ip_end = switch (s.ether_type) {
        ether_type_ipv4 => ipv4(p, s, at, end),
        ether_type_ipv6 => ipv6(p, s, at, end),
        else => {
            s.set_payload(at, end);
            return;
        },
    };
    if (ip_end == absent) return;
    assert(ip_end <= end);
    const l4: u32 = @intCast(s.l4_offset);
    if (s.fragment_offset_bytes != 0) {
        // A later fragment continues the upper-layer payload: no header to read.
        s.set_payload(l4, ip_end);
        return;
    }
    summary_transport.transport(p, s, l4, ip_end);
}

/// The IP packet's end (cut to the capture), or `absent` with `malformed` set.
fn ipv4(p: []const u8, s: *Summary, at: u32, end: u32) u32 {
    if (at + 20 > end) {
        s.malformed = .ipv4_truncated;
        return absent;
    }
    const header_bytes: u32 = @as(u32, p[at] & 0x0f) * 4;
    if (p[at] >> 4 != 4 or header_bytes < 20) {
        s.malformed = .ipv4_header_invalid;
        return absent;
    }
    if (at + header_bytes > end) {
        s.malformed = .ipv4_truncated;
        return absent;
    }
    const total_bytes: u32 = be16(p, at + 2);
    if (total_bytes != 0 and total_bytes < header_bytes) {
        s.malformed = .ipv4_header_invalid;
        return absent;
    }
    s.ip_version = 4;
    s.ttl = p[at + 8];
    s.protocol = p[at + 9];
    const fragment_field = be16(p, at + 6);
    s.fragment_offset_bytes = (fragment_field & 0x1fff) * 8;
    if (fragment_field & 0x2000 != 0 or s.fragment_offset_bytes != 0) s.bits |= bit.fragment;
    s.l4_offset = @intCast(at + header_bytes);
    // A total length of 0: TSO/GSO packets captured before segmentation.
    if (total_bytes == 0) return end;
    if (at + total_bytes > end) {
        s.bits |= bit.payload_truncated;
        return end;
    }
    return at + total_bytes;
}

fn ipv6(p: []const u8, s: *Summary, at: u32, end: u32) u32 {
    if (at + 40 > end) {
        s.malformed = .ipv6_truncated;
        return absent;
    }
    if (p[at] >> 4 != 6) {
        s.malformed = .ip_version_invalid;
        return absent;
    }
    s.ip_version = 6;
    s.ttl = p[at + 7];
    const payload_bytes: u32 = be16(p, at + 4);
    // A payload length of 0 announces a jumbogram: the captured end is all we know.
    var ip_end = end;
    if (payload_bytes != 0 and at + 40 + payload_bytes <= end) {
        ip_end = at + 40 + payload_bytes;
    } else if (payload_bytes != 0) {
        s.bits |= bit.payload_truncated;
    }
    return ipv6_extensions(p, s, p[at + 6], at + 40, ip_end);
}

fn ipv6_extensions(p: []const u8, s: *Summary, first_next: u8, start: u32, ip_end: u32) u32 {
    var next = first_next;
    var at = start;
    var headers: u32 = 0;
    while (headers < extension_headers_max) : (headers += 1) {
        const length_known = at + 2 <= ip_end;
        const header_bytes: u32 = switch (next) {
            44 => 8, // fragment
            51 => if (length_known) (@as(u32, p[at + 1]) + 2) * 4 else 2, // authentication
            0, 43, 60, 135, 139, 140 => if (length_known) (@as(u32, p[at + 1]) + 1) * 8 else 2,
            else => break,
        };
        if (at + header_bytes > ip_end) {
            s.protocol = next;
            s.malformed = .ipv6_extension_truncated;
            return absent;
        }
        const header = next;
        next = p[at];
        if (header == 44) {
            s.bits |= bit.fragment;
            s.fragment_offset_bytes = be16(p, at + 2) & 0xfff8;
            if (s.fragment_offset_bytes != 0) {
                // Later fragments hold no upper-layer header: stop at the protocol they belong to.
                s.protocol = next;
                s.l4_offset = @intCast(at + header_bytes);
                return ip_end;
            }
        }
        at += header_bytes;
    }
    s.protocol = next;
    s.l4_offset = @intCast(at);
    return ip_end;
}
