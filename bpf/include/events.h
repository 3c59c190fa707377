/* Shared by the bpf/ programs and ffi/bpf.zig (@cImport): the only contract between the two sides.
 * Layout changes need an abi_version bump in ffi/abi.zig. */
#ifndef CAP_EVENTS_H
#define CAP_EVENTS_H

/* Index into the per-CPU `cap_counters` array map. Never renumber. */
enum cap_direction {
	CAP_DIRECTION_INGRESS = 0,
	CAP_DIRECTION_EGRESS = 1,
	CAP_DIRECTION_COUNT = 2,
};

/* One per direction per CPU: 16 bytes, asserted in Zig. */
struct cap_counter {
	__u64 packets;
	__u64 bytes; /* skb->len: what the stack saw, L2 header included */
};

#endif
