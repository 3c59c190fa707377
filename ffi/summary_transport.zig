//! The transport layer of an L2–L4 summary (ffi/summary.zig): ports, TCP flags, ICMP type/code and the payload's
//! bounds within the IP packet, with `Malformed` reasons for headers cut short, as TypeScript's `decodeSummary` does.
const summary = @import("summary.zig");

const Summary = summary.Summary;
const Malformed = summary.Malformed;
const bit = summary.bit;
const be16 = summary.be16;
const protocol = summary.protocol;

fn has_header(s: *Summary, at: u32, ip_end: u32, bytes: u32, reason: Malformed) bool {
    if (at + bytes <= ip_end) return true;
    s.malformed = reason;
    return false;
}

fn set_ports(p: []const u8, s: *Summary, at: u32) void {
    s.bits |= bit.ports;
    s.src_port = be16(p, at);
    s.dst_port = be16(p, at + 2);
}

/// Reads the header of `s.protocol` at `at`; `ip_end` is the IP packet's end, cut to the capture.
pub fn transport(p: []const u8, s: *Summary, at: u32, ip_end: u32) void {
    switch (s.protocol) {
        protocol.udp => udp(p, s, at, ip_end),
        protocol.tcp => tcp(p, s, at, ip_end),
        protocol.sctp => {
            if (!has_header(s, at, ip_end, 12, .sctp_truncated)) return;
            set_ports(p, s, at);
            s.set_payload(at + 12, ip_end);
        },
        protocol.icmp, protocol.icmpv6 => {
            if (!has_header(s, at, ip_end, 4, .icmp_truncated)) return;
            s.bits |= bit.icmp;
            s.icmp_type = p[at];
            s.icmp_code = p[at + 1];
            s.set_payload(at + 4, ip_end);
        },
        protocol.no_next_header => s.set_payload(at, at),
        else => s.set_payload(at, ip_end),
    }
}

fn udp(p: []const u8, s: *Summary, at: u32, ip_end: u32) void {
    if (!has_header(s, at, ip_end, 8, .udp_truncated)) return;
    set_ports(p, s, at);
    const udp_bytes: u32 = be16(p, at + 4);
    // Length 0 is legal for IPv6 jumbograms: the IP end bounds the payload then.
    if (udp_bytes == 0) {
        s.set_payload(at + 8, ip_end);
    } else if (udp_bytes < 8) {
        s.set_payload(at + 8, ip_end);
        s.malformed = .udp_length_invalid;
    } else if (at + udp_bytes > ip_end) {
        s.bits |= bit.payload_truncated;
        s.set_payload(at + 8, ip_end);
    } else {
        s.set_payload(at + 8, at + udp_bytes);
    }
}

fn tcp(p: []const u8, s: *Summary, at: u32, ip_end: u32) void {
    if (!has_header(s, at, ip_end, 20, .tcp_truncated)) return;
    set_ports(p, s, at);
    s.bits |= bit.tcp_flags;
    s.tcp_flags = p[at + 13] | (@as(u16, p[at + 12] & 0x01) << 8);
    const header_bytes: u32 = @as(u32, p[at + 12] >> 4) * 4;
    if (header_bytes < 20) {
        s.malformed = .tcp_header_invalid;
        return;
    }
    if (!has_header(s, at, ip_end, header_bytes, .tcp_truncated)) return;
    s.set_payload(at + header_bytes, ip_end);
}
