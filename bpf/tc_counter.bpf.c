// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Counts packets and bytes per direction on one interface. Attached by ffi/bpf.zig with tcx (kernel >= 6.6)
 * or clsact; the same SEC("tc") programs serve both. Never drops or redirects: every path returns
 * TC_ACT_UNSPEC (= TCX_NEXT), so the next program or the stack decides. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "events.h"

#define TC_ACT_UNSPEC (-1)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAP_DIRECTION_COUNT);
	__type(key, __u32);
	__type(value, struct cap_counter);
} cap_counters SEC(".maps");

static __always_inline int count(struct __sk_buff *skb, __u32 direction)
{
	struct cap_counter *counter = bpf_map_lookup_elem(&cap_counters, &direction);

	if (!counter) /* cannot happen for a valid index; fail open */
		return TC_ACT_UNSPEC;
	/* per-CPU slot: no other writer, plain adds are enough */
	counter->packets += 1;
	counter->bytes += skb->len;
	return TC_ACT_UNSPEC;
}

SEC("tc")
int cap_count_ingress(struct __sk_buff *skb)
{
	return count(skb, CAP_DIRECTION_INGRESS);
}

SEC("tc")
int cap_count_egress(struct __sk_buff *skb)
{
	return count(skb, CAP_DIRECTION_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
