//! Limits of the capture library, each with the reason for its value. Everything the caller can set is
//! checked against these before any syscall (ring.zig `validate`), so the kernel never sees a value we
//! have not thought about.

const std = @import("std");
const assert = std.debug.assert;

/// The smallest block: one page. The kernel requires blocks to be a multiple of the page size.
pub const block_bytes_min: u32 = 4 * 1024;
/// Largest block: 128 MiB. The kernel allocates each block as one contiguous chunk (falling back to
/// vmalloc); beyond this a single retired block is more memory than a reader should hold at once.
pub const block_bytes_max: u32 = 128 * 1024 * 1024;
/// Fewer than two blocks leaves the kernel nothing to fill while the reader holds one (drops every time).
pub const block_count_min: u32 = 2;
/// 4096 blocks bounds the ring walk and the kernel's page vector.
pub const block_count_max: u32 = 4096;
/// The whole ring is mapped at once; 4 GiB keeps map_bytes and every block offset exact in a JS number
/// and far from exhausting a small machine.
pub const ring_bytes_max: u64 = 4 * 1024 * 1024 * 1024;
/// TPACKET_ALIGNMENT: the kernel rejects frame sizes that are not a multiple of it.
pub const frame_alignment: u32 = 16;
/// A frame must hold the kernel's TPACKET3_HDRLEN: TPACKET_ALIGN(sizeof(tpacket3_hdr)) 48 + sockaddr_ll 20
/// = 68 bytes, rounded up to the alignment; the kernel refuses anything smaller with EINVAL (measured).
pub const frame_bytes_min: u32 = 80;
/// Retire timeout: at least 1 ms (0 would make the kernel pick its own value), at most a minute so a
/// quiet interface still hands partial blocks to the reader.
pub const retire_timeout_ms_min: u32 = 1;
pub const retire_timeout_ms_max: u32 = 60_000;
/// Snap length: 262144 is libpcap's MAXIMUM_SNAPLEN (also what tcpdump uses by default).
pub const snaplen_bytes_min: u32 = 1;
pub const snaplen_bytes_max: u32 = 262_144;
/// Interface names are IFNAMSIZ (16) bytes including the NUL.
pub const ifname_bytes_max: u32 = 16;
/// A filter longer than BPF_MAXINSNS (4096) is refused by SO_ATTACH_FILTER.
pub const filter_instructions_max: u32 = 4096;
/// A filter expression longer than this is a configuration mistake, not a filter.
pub const filter_expression_bytes_max: u32 = 64 * 1024;

comptime {
    assert(block_bytes_min <= block_bytes_max);
    assert(block_bytes_min % frame_alignment == 0);
    assert(block_count_min >= 2);
    assert(@as(u64, block_bytes_max) * block_count_max >= ring_bytes_max);
    assert(frame_bytes_min % frame_alignment == 0);
    assert(frame_bytes_min <= block_bytes_min);
    assert(retire_timeout_ms_min >= 1);
    assert(snaplen_bytes_min <= snaplen_bytes_max);
}
