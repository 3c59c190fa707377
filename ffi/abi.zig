//! Every type that crosses into TypeScript (docs/abi.md). Layouts are asserted at comptime and emitted
//! into src/native/abi.ts by abi_ts.zig; bump `abi_version` on any change here.

const std = @import("std");
const assert = std.debug.assert;

pub const abi_version: u32 = 10;

/// Return value of every exported function: `>= 0` success, `< 0` one of these. Never renumber.
pub const Status = enum(i32) {
    ok = 0,
    timeout = -1,
    interrupted = -2,
    busy = -3,
    invalid_argument = -4,
    no_such_device = -5,
    permission_denied = -6,
    out_of_memory = -7,
    filter_invalid = -8,
    interface_down = -9,
    closed = -10,
    bpf_load_failed = -11,
    unexpected = -127,

    pub fn code(status: Status) i32 {
        return @intFromEnum(status);
    }
};

/// Out-param filled on failure; caller-owned. Strings are NUL-terminated (truncated if needed).
pub const ErrorInfo = extern struct {
    status: i32,
    errno: i32,
    op: [32]u8,
    message: [256]u8,

    comptime {
        assert(@sizeOf(ErrorInfo) == 296);
        assert(@alignOf(ErrorInfo) == 4);
    }
};

/// RingOptions.flags bits.
pub const ring_flag_promiscuous: u32 = 1 << 0;
pub const ring_flags_all: u32 = ring_flag_promiscuous;

/// RingOptions.fanout_mode values (ours; the kernel's PACKET_FANOUT_* are these minus one).
pub const FanoutMode = enum(u16) {
    none = 0,
    hash = 1,
    lb = 2,
    cpu = 3,
    rollover = 4,
    random = 5,
    qm = 6,
};

/// RingOptions.fanout_flags bits.
pub const fanout_flag_defrag: u32 = 1 << 0;
pub const fanout_flag_rollover: u32 = 1 << 1;
pub const fanout_flags_all: u32 = fanout_flag_defrag | fanout_flag_rollover;

pub const RingOptions = extern struct {
    ifname: [16]u8,
    block_bytes: u32,
    block_count: u32,
    frame_bytes: u32,
    retire_timeout_ms: u32,
    snaplen_bytes: u32,
    fanout_group: u16,
    fanout_mode: u16,
    fanout_flags: u32,
    flags: u32,
    reserved: [16]u8,

    comptime {
        assert(@sizeOf(RingOptions) == 64);
        assert(@offsetOf(RingOptions, "block_bytes") == 16);
        assert(@offsetOf(RingOptions, "fanout_group") == 36);
        assert(@offsetOf(RingOptions, "reserved") == 48);
    }
};

pub const RingInfo = extern struct {
    map_address: u64,
    map_bytes: u64,
    block_bytes: u32,
    block_count: u32,
    frame_bytes: u32,
    snaplen_bytes: u32,
    ifindex: i32,
    fd: i32,
    filter_instructions: u32,
    /// tcpdump.org LINKTYPE_ value: 1 Ethernet (also loopback), 101 raw IP (ARPHRD_NONE devices).
    link_type: u32,

    comptime {
        assert(@sizeOf(RingInfo) == 48);
        assert(@alignOf(RingInfo) == 8);
    }
};

/// Cumulative since open. `packets` counts every packet the socket saw, dropped ones included
/// (the kernel adds tp_drops into tp_packets).
pub const RingStats = extern struct {
    packets: u64,
    drops: u64,
    freezes: u64,
    blocks_released: u64,

    comptime {
        assert(@sizeOf(RingStats) == 32);
    }
};

pub const BpfCounterStats = extern struct {
    ingress_packets: u64,
    ingress_bytes: u64,
    egress_packets: u64,
    egress_bytes: u64,

    comptime {
        assert(@sizeOf(BpfCounterStats) == 32);
    }
};

/// `PcapRecords.flags` bits.
pub const pcap_records_flag_nanosecond: u32 = 1 << 0;
/// Put an offloaded VLAN tag (`PacketBatch.flags` VLAN_VALID) back after the MAC addresses (Ethernet only).
pub const pcap_records_flag_vlan_reinsert: u32 = 1 << 1;
pub const pcap_records_flags_all: u32 = pcap_records_flag_nanosecond | pcap_records_flag_vlan_reinsert;

/// In/out request of cap_pcap_records: packets `first ..< end` of a batch into `out_bytes` of output.
pub const PcapRecords = extern struct {
    flags: u32,
    first: u32,
    end: u32,
    /// Length of the batch's `data`: packets outside it are counted in `bad_packets` and skipped.
    data_bytes: u32,
    out_bytes: u32,
    /// Out: packets consumed (converted or skipped as bad), bytes written to `out`, bad packets.
    packets_done: u32 = 0,
    bytes_done: u32 = 0,
    bad_packets: u32 = 0,

    comptime {
        assert(@sizeOf(PcapRecords) == 32);
    }
};

/// In/out request of cap_pcap_block: the pcap records of one retired TPACKET_V3 block (`PcapRecords.flags` bits).
pub const BlockRecords = extern struct {
    flags: u32,
    block_bytes: u32,
    /// At least `block_bytes`: the records of a block are always shorter than the block.
    out_bytes: u32,
    /// At most this many packets are converted (for -c); the rest of the block is left unwritten.
    packets_max: u32,
    /// Out: packets converted, bytes written to `out`, bad packets (header or bytes outside the block).
    packets_done: u32 = 0,
    bytes_done: u32 = 0,
    bad_packets: u32 = 0,
    reserved: u32 = 0,
    /// Out: sum of the wire lengths (tp_len) of the converted packets.
    wire_bytes: u64 = 0,

    comptime {
        assert(@sizeOf(BlockRecords) == 40);
    }
};

/// Per-packet arrays of a batch arena (cap_block_walk), one after another in one buffer: array `k` starts at
/// `offset * packets_max`. `packets_max` is a multiple of `batch_arena_packets_align`, so every array is aligned.
pub const batch_arena = struct {
    pub const timestamp_sec: u32 = 0; // f64: seconds past 2106 stay exact
    pub const offsets: u32 = 8; // u32
    pub const captured_bytes: u32 = 12; // u32
    pub const wire_bytes: u32 = 16; // u32
    pub const timestamp_nsec: u32 = 20; // u32
    pub const vlan_tci: u32 = 24; // u16
    pub const vlan_tpid: u32 = 26; // u16
    pub const flags: u32 = 28; // u8, `batch_flag_*` bits
    pub const packet_type: u32 = 29; // u8, sll_pkttype or `packet_type_unknown`
    pub const bytes_per_packet: u32 = 30;
    pub const packets_align: u32 = 8;
};
/// The L2–L4 summary columns (ffi/summary.zig `Summary`) that follow the per-packet arrays when
/// `BlockWalk.flags` has `block_walk_flag_summaries`; same rule: column `k` starts at `offset * packets_max`.
/// Offsets are from the packet's first byte, -1 when absent.
pub const summary_arena = struct {
    pub const l3_offset: u32 = 30; // i32
    pub const l4_offset: u32 = 34; // i32
    pub const payload_offset: u32 = 38; // i32
    pub const payload_bytes: u32 = 42; // u32
    pub const ether_type: u32 = 46; // u16
    pub const fragment_offset_bytes: u32 = 48; // u16
    pub const src_port: u32 = 50; // u16, valid with `summary_bit_ports`
    pub const dst_port: u32 = 52; // u16
    pub const tcp_flags: u32 = 54; // u16, valid with `summary_bit_tcp_flags`
    pub const vlan_ids: u32 = 56; // u16 x `summary_vlan_ids_max` per packet, interleaved (packet i at i * 4)
    pub const vlan_count: u32 = 64; // u8, every tag (offloaded one first), also those past the 4 stored
    pub const ip_version: u32 = 65; // u8, 0, 4 or 6
    pub const ttl: u32 = 66; // u8
    pub const protocol: u32 = 67; // u8, valid when ip_version != 0
    pub const icmp_type: u32 = 68; // u8, valid with `summary_bit_icmp`
    pub const icmp_code: u32 = 69; // u8
    pub const malformed: u32 = 70; // u8, src/decode/summary.ts `Malformed`
    pub const bits: u32 = 71; // u8, `summary_bit_*`
    pub const bytes_per_packet: u32 = 72; // the whole arena, per-packet arrays included

    comptime {
        assert(l3_offset == batch_arena.bytes_per_packet);
        assert(vlan_ids + 2 * summary_vlan_ids_max == vlan_count);
    }
};
pub const summary_vlan_ids_max: u32 = 4;
/// `summary_arena.bits` bits.
pub const summary_bit_ports: u8 = 1 << 0;
pub const summary_bit_tcp_flags: u8 = 1 << 1;
pub const summary_bit_icmp: u8 = 1 << 2;
pub const summary_bit_fragment: u8 = 1 << 3;
pub const summary_bit_payload_truncated: u8 = 1 << 4;

/// `PacketBatch.flags` bits (src/capture/batch.ts `PacketFlag`).
pub const batch_flag_vlan_valid: u8 = 1;
pub const batch_flag_truncated: u8 = 2;
/// `PacketBatch.packetType` of a kernel pkttype above PACKET_OUTGOING.
pub const packet_type_unknown: u8 = 255;

/// In/out request of cap_block_walk: one retired TPACKET_V3 block into the per-packet arrays of a batch arena.
pub const BlockWalk = extern struct {
    block_bytes: u32,
    /// `block_walk_flag_*` bits.
    flags: u32,
    /// tcpdump.org LINKTYPE_ of the ring (1 Ethernet, 101 raw IP): how summaries decode the packets.
    link_type: u32,
    /// Added to every packet offset: where the block starts in the bytes the batch's `data` covers (the ring).
    base_offset: u32,
    /// Capacity of the arena in packets (a multiple of `batch_arena.packets_align`).
    packets_max: u32,
    /// At least `packets_max * batch_arena.bytes_per_packet` (`summary_arena.bytes_per_packet` with summaries).
    arena_bytes: u32,
    /// Out: packets written to the arena, and packets skipped (header or bytes outside the block, or past
    /// `packets_max`).
    packets_done: u32 = 0,
    bad_packets: u32 = 0,
    /// Out: sum of the wire lengths (tp_len) of the packets written.
    wire_bytes: u64 = 0,

    comptime {
        assert(@sizeOf(BlockWalk) == 40);
    }
};
/// `BlockWalk.flags` bits.
pub const block_walk_flag_summaries: u32 = 1 << 0;
pub const block_walk_flags_all: u32 = block_walk_flag_summaries;

/// Protocol classes `cap_block_counts` counts (src/cli/capture_report.ts `PROTOCOL_NAMES`, in that order).
pub const protocol_classes_count: u32 = 9;

/// In/out request of cap_block_counts: the counters of one retired TPACKET_V3 block, every packet summarised and
/// classified, nothing written per packet (`capture -q --summary`).
pub const BlockCounts = extern struct {
    block_bytes: u32,
    /// tcpdump.org LINKTYPE_ of the ring (1 Ethernet, 101 raw IP): how packets decode.
    link_type: u32,
    /// At most this many packets are counted (for -c); the rest of the block is left uncounted (not bad).
    packets_max: u32,
    /// Out: packets counted; packets whose header or bytes lie outside the block; packets whose summary is
    /// malformed (`Malformed` != none).
    packets_done: u32 = 0,
    bad_packets: u32 = 0,
    malformed_packets: u32 = 0,
    /// Out: packets per protocol class, indexed like `PROTOCOL_NAMES` (tcp, udp, icmp, icmpv6, sctp, ip_other, arp,
    /// other, link_undecoded).
    protocol_classes: [protocol_classes_count]u32 = .{0} ** protocol_classes_count,
    reserved: u32 = 0,
    /// Out: sums of tp_len and tp_snaplen of the packets counted.
    wire_bytes: u64 = 0,
    captured_bytes: u64 = 0,

    comptime {
        assert(@sizeOf(BlockCounts) == 80);
        assert(@offsetOf(BlockCounts, "protocol_classes") == 24);
        assert(@offsetOf(BlockCounts, "wire_bytes") == 64);
    }
};

/// `cap_sip_parse` return value: the message is left to the TypeScript parser (src/native/sip_parse.ts).
pub const sip_parse_fallback: i32 = -100;
/// Reason values a `SipSummary` holds; a message with more is a fallback.
pub const sip_reasons_max: u32 = 4;
/// `SipSummary.kind` values.
pub const sip_kind_request: u32 = 1;
pub const sip_kind_response: u32 = 2;
/// `SipSummary.flags` bits.
pub const sip_flag_from: u32 = 1 << 0;
pub const sip_flag_to: u32 = 1 << 1;

/// Bytes `[start, end)` of the parsed payload; empty (start == end) for an empty field.
pub const SipSpan = extern struct {
    start: u32,
    end: u32,

    comptime {
        assert(@sizeOf(SipSpan) == 8);
    }
};

/// One Reason value of a `SipSummary`.
pub const SipReason = extern struct {
    protocol: SipSpan,
    text: SipSpan,
    /// -1 when the value has no numeric `cause`.
    cause: i32,

    comptime {
        assert(@sizeOf(SipReason) == 20);
    }
};

/// Out-param of cap_sip_parse: what call tracking needs of a parsed SIP message (the rest is in its JSON).
pub const SipSummary = extern struct {
    /// `sip_kind_request` or `sip_kind_response`.
    kind: u32,
    /// 0 for requests.
    status_code: u32,
    cseq_seq: u32,
    body_offset: u32,
    body_length: u32,
    consumed_bytes: u32,
    malformed_header_lines: u32,
    /// `sip_flag_*` bits: the message has a From, a To.
    flags: u32,
    reasons_count: u32,
    json_bytes: u32,
    /// Request method; empty for responses.
    method: SipSpan,
    call_id: SipSpan,
    cseq_method: SipSpan,
    from_uri: SipSpan,
    from_tag: SipSpan,
    to_uri: SipSpan,
    to_tag: SipSpan,
    content_type: SipSpan,
    user_agent: SipSpan,
    reasons: [sip_reasons_max]SipReason,

    comptime {
        assert(@sizeOf(SipSummary) == 192);
        assert(@offsetOf(SipSummary, "method") == 40);
        assert(@offsetOf(SipSummary, "reasons") == 112);
        assert(@alignOf(SipSummary) == 4);
    }
};

/// VLAN ids a `RecordHead` holds; a record with more has its common fields written by TypeScript.
pub const record_head_vlans_max: u32 = 8;
/// `RecordHead.flags` bits: the record has a `flow_id`, a `vlan` list.
pub const record_head_flag_flow_id: u8 = 1 << 0;
pub const record_head_flag_vlan: u8 = 1 << 1;

/// In-param of cap_sip_parse_record: the common fields of a `sip` record (src/pipeline/record_base.ts `recordBase`).
/// Text segments lie one after another at the start of the text buffer, in the order of their `*_bytes` fields: the
/// lead (`{"type":"sip","v":1`), the middle (the task and interface members, `,"task":...`, possibly empty), then
/// the transport and the two addresses (printable ASCII without `"` or `\`).
pub const RecordHead = extern struct {
    sec: u32,
    /// Below 10^9.
    nsec: u32,
    /// Written as `flow_id` when `record_head_flag_flow_id` is set.
    flow_hash: u32,
    src_port: u16,
    dst_port: u16,
    /// 0: no `ip_version` member.
    ip_version: u8,
    flags: u8,
    /// At most `record_head_vlans_max`; at least 1 with `record_head_flag_vlan`.
    vlan_count: u8,
    reserved: u8,
    lead_bytes: u16,
    middle_bytes: u16,
    transport_bytes: u16,
    src_ip_bytes: u16,
    dst_ip_bytes: u16,
    reserved2: u16,
    vlan_ids: [record_head_vlans_max]u16,

    comptime {
        assert(@sizeOf(RecordHead) == 48);
        assert(@offsetOf(RecordHead, "lead_bytes") == 20);
        assert(@offsetOf(RecordHead, "vlan_ids") == 32);
    }
};

/// Filled by cap_abi_layout so TypeScript can check the generated abi.ts against the loaded library.
pub const AbiLayout = extern struct {
    abi_version: u32,
    abi_layout_bytes: u32,
    error_info_bytes: u32,
    ring_options_bytes: u32,
    ring_info_bytes: u32,
    ring_stats_bytes: u32,
    bpf_counter_stats_bytes: u32,
    tpacket3_hdr_bytes: u32,
    tpacket_block_desc_bytes: u32,
    sll_pkttype_offset: u32,
    pcap_records_bytes: u32,
    block_records_bytes: u32,
    block_walk_bytes: u32,
    block_counts_bytes: u32,
    reserved: [2]u32,

    comptime {
        assert(@sizeOf(AbiLayout) == 64);
    }
};

/// Opaque to the caller; a pointer returned by cap_ring_open / cap_bpf_counter_open.
pub const handle_alignment = 8;

test "ABI structs have the sizes docs/abi.md promises" {
    try std.testing.expectEqual(@as(usize, 296), @sizeOf(ErrorInfo));
    try std.testing.expectEqual(@as(usize, 64), @sizeOf(RingOptions));
    try std.testing.expectEqual(@as(usize, 48), @sizeOf(RingInfo));
    try std.testing.expectEqual(@as(usize, 32), @sizeOf(RingStats));
    try std.testing.expectEqual(@as(usize, 32), @sizeOf(BpfCounterStats));
    try std.testing.expectEqual(@as(usize, 64), @sizeOf(AbiLayout));
    try std.testing.expectEqual(@as(usize, 32), @sizeOf(PcapRecords));
    try std.testing.expectEqual(@as(usize, 40), @sizeOf(BlockRecords));
    try std.testing.expectEqual(@as(usize, 40), @sizeOf(BlockWalk));
    try std.testing.expectEqual(@as(usize, 80), @sizeOf(BlockCounts));
    try std.testing.expectEqual(@as(usize, 192), @sizeOf(SipSummary));
    try std.testing.expectEqual(@as(usize, 48), @sizeOf(RecordHead));
    try std.testing.expectEqual(@as(i32, -127), Status.unexpected.code());
}
