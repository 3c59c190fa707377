//! Kernel structs and constants of AF_PACKET TPACKET_V3, taken from the Linux UAPI headers that Zig
//! ships for every target (so x86_64 and aarch64 agree with the kernel, not with a copy of it).

const std = @import("std");
const assert = std.debug.assert;

pub const c = @cImport({
    @cInclude("linux/if_packet.h");
    @cInclude("linux/if_ether.h");
    @cInclude("linux/if_arp.h");
    @cInclude("linux/filter.h");
});

pub const tpacket_alignment: u32 = c.TPACKET_ALIGNMENT;

/// TPACKET_ALIGN(x) from if_packet.h (a function-like macro translate-c cannot express).
pub fn tpacket_align(value: u32) u32 {
    return (value + tpacket_alignment - 1) & ~(tpacket_alignment - 1);
}

pub const BlockDesc = c.struct_tpacket_block_desc;
pub const BlockHeader = c.struct_tpacket_hdr_v1;
pub const PacketHeader = c.struct_tpacket3_hdr;
pub const Request = c.struct_tpacket_req3;
pub const Stats = c.struct_tpacket_stats_v3;
pub const Membership = c.struct_packet_mreq;
pub const SockFilter = c.struct_sock_filter;
pub const SockFprog = c.struct_sock_fprog;

/// Offset of tpacket_hdr_v1 inside tpacket_block_desc (the `hdr.bh1` union member).
pub const block_header_offset: u32 = @offsetOf(BlockDesc, "hdr");

/// Byte offsets inside a block, from the block's first byte.
pub const block = struct {
    pub const version: u32 = @offsetOf(BlockDesc, "version");
    pub const offset_to_priv: u32 = @offsetOf(BlockDesc, "offset_to_priv");
    pub const block_status: u32 = block_header_offset + @offsetOf(BlockHeader, "block_status");
    pub const num_pkts: u32 = block_header_offset + @offsetOf(BlockHeader, "num_pkts");
    pub const offset_to_first_pkt: u32 = block_header_offset + @offsetOf(BlockHeader, "offset_to_first_pkt");
    pub const blk_len: u32 = block_header_offset + @offsetOf(BlockHeader, "blk_len");
    pub const seq_num: u32 = block_header_offset + @offsetOf(BlockHeader, "seq_num");
};

/// Offsets inside tpacket3_hdr (hv1 is the `hv1` anonymous-union member in the UAPI header).
pub const packet = struct {
    const variant_offset: u32 = @offsetOf(PacketHeader, "unnamed_0");
    const Variant = c.struct_tpacket_hdr_variant1;
    pub const tp_next_offset: u32 = @offsetOf(PacketHeader, "tp_next_offset");
    pub const tp_sec: u32 = @offsetOf(PacketHeader, "tp_sec");
    pub const tp_nsec: u32 = @offsetOf(PacketHeader, "tp_nsec");
    pub const tp_snaplen: u32 = @offsetOf(PacketHeader, "tp_snaplen");
    pub const tp_len: u32 = @offsetOf(PacketHeader, "tp_len");
    pub const tp_status: u32 = @offsetOf(PacketHeader, "tp_status");
    pub const tp_mac: u32 = @offsetOf(PacketHeader, "tp_mac");
    pub const tp_net: u32 = @offsetOf(PacketHeader, "tp_net");
    pub const tp_rxhash: u32 = variant_offset + @offsetOf(Variant, "tp_rxhash");
    pub const tp_vlan_tci: u32 = variant_offset + @offsetOf(Variant, "tp_vlan_tci");
    pub const tp_vlan_tpid: u32 = variant_offset + @offsetOf(Variant, "tp_vlan_tpid");
    /// The kernel writes a sockaddr_ll right after the aligned header (tp_hdrlen of TPACKET_V3).
    pub const sockaddr_ll: u32 = tpacket_align(@sizeOf(PacketHeader));
    pub const sll_pkttype: u32 = sockaddr_ll + @offsetOf(c.struct_sockaddr_ll, "sll_pkttype");
    pub const sll_hatype: u32 = sockaddr_ll + @offsetOf(c.struct_sockaddr_ll, "sll_hatype");
    pub const sll_ifindex: u32 = sockaddr_ll + @offsetOf(c.struct_sockaddr_ll, "sll_ifindex");
};

/// TP_STATUS_* bits (block_status and tp_status).
pub const status = struct {
    pub const kernel: u32 = c.TP_STATUS_KERNEL;
    pub const user: u32 = c.TP_STATUS_USER;
    pub const copy: u32 = c.TP_STATUS_COPY;
    pub const losing: u32 = c.TP_STATUS_LOSING;
    pub const csumnotready: u32 = c.TP_STATUS_CSUMNOTREADY;
    pub const vlan_valid: u32 = c.TP_STATUS_VLAN_VALID;
    pub const blk_tmo: u32 = c.TP_STATUS_BLK_TMO;
    pub const vlan_tpid_valid: u32 = c.TP_STATUS_VLAN_TPID_VALID;
    pub const csum_valid: u32 = c.TP_STATUS_CSUM_VALID;
};

/// sll_pkttype values.
pub const packet_type = struct {
    pub const host: u8 = c.PACKET_HOST;
    pub const broadcast: u8 = c.PACKET_BROADCAST;
    pub const multicast: u8 = c.PACKET_MULTICAST;
    pub const otherhost: u8 = c.PACKET_OTHERHOST;
    pub const outgoing: u8 = c.PACKET_OUTGOING;
};

comptime {
    assert(@sizeOf(PacketHeader) == 48);
    assert(@sizeOf(BlockDesc) == 48);
    assert(block.num_pkts == 12);
    assert(block.offset_to_first_pkt == 16);
    assert(packet.tp_vlan_tci == 32);
    assert(packet.sll_pkttype == 58);
    assert(@sizeOf(Stats) == 12);
    assert(@sizeOf(Request) == 28);
    // TPACKET3_HDRLEN must fit in the smallest frame we accept.
    assert(@import("constants.zig").frame_bytes_min >= packet.sockaddr_ll + @sizeOf(c.struct_sockaddr_ll));
}
