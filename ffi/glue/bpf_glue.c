// libbpf calls that Zig cannot make directly: translate-c turns libbpf's *_opts structs (bpf_tc_hook,
// bpf_tc_opts) into opaque types, and libbpf's print callback receives a va_list. Every symbol here is
// hidden; ffi/bpf.zig is the only caller. Never include <pcap/pcap.h> here (both define struct bpf_insn).

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CAP_HIDDEN __attribute__((visibility("hidden")))

// The last warning libbpf printed on this thread, quoted in ErrorInfo messages instead of going to stderr.
static __thread char cap_libbpf_last_message[256];

static int cap_libbpf_print(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  int length = vsnprintf(cap_libbpf_last_message, sizeof(cap_libbpf_last_message), format, args);
  // Drop the trailing newline libbpf puts on every line.
  if (length > 0) {
    size_t end = strnlen(cap_libbpf_last_message, sizeof(cap_libbpf_last_message));
    while (end > 0 && (cap_libbpf_last_message[end - 1] == '\n' || cap_libbpf_last_message[end - 1] == ' ')) {
      cap_libbpf_last_message[--end] = 0;
    }
  }
  return 0;
}

CAP_HIDDEN void cap_glue_libbpf_init(void) {
  libbpf_set_print(cap_libbpf_print);
  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
}

CAP_HIDDEN const char *cap_glue_libbpf_last_message(void) { return cap_libbpf_last_message; }

CAP_HIDDEN void cap_glue_libbpf_clear_message(void) { cap_libbpf_last_message[0] = 0; }

CAP_HIDDEN void cap_glue_libbpf_version(int *major, int *minor) {
  *major = (int)libbpf_major_version();
  *minor = (int)libbpf_minor_version();
}

// Our filters' fixed handle and priority on clsact: close finds them again without any state, and a
// stale one (loader killed) is recognisable.
enum { cap_tc_handle = 1, cap_tc_priority = 0xc0de };

CAP_HIDDEN void cap_glue_tc_detach(int ifindex, int created_qdisc);

// clsact fallback (kernels without tcx). Returns 0 or a negative errno. `*created_qdisc` tells the caller
// whether close should remove the clsact qdisc again (only if we created it).
CAP_HIDDEN int cap_glue_tc_attach(int ifindex, int ingress_fd, int egress_fd, int *created_qdisc) {
  DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
  int result = bpf_tc_hook_create(&hook);
  if (result != 0 && result != -EEXIST) return result;
  *created_qdisc = result == 0;
  DECLARE_LIBBPF_OPTS(bpf_tc_opts, ingress, .prog_fd = ingress_fd, .handle = cap_tc_handle, .priority = cap_tc_priority);
  hook.attach_point = BPF_TC_INGRESS;
  result = bpf_tc_attach(&hook, &ingress);
  if (result != 0) goto fail;
  DECLARE_LIBBPF_OPTS(bpf_tc_opts, egress, .prog_fd = egress_fd, .handle = cap_tc_handle, .priority = cap_tc_priority);
  hook.attach_point = BPF_TC_EGRESS;
  result = bpf_tc_attach(&hook, &egress);
  if (result != 0) goto fail;
  return 0;
fail:
  cap_glue_tc_detach(ifindex, *created_qdisc);
  return result;
}

// Detaches both programs by our handle/priority and removes
// the qdisc when we created it. Errors are ignored: close must always finish.
CAP_HIDDEN void cap_glue_tc_detach(int ifindex, int created_qdisc) {
  DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
  DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = cap_tc_handle, .priority = cap_tc_priority);
  bpf_tc_detach(&hook, &opts);
  hook.attach_point = BPF_TC_EGRESS;
  bpf_tc_detach(&hook, &opts);
  if (created_qdisc) {
    hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
    bpf_tc_hook_destroy(&hook);
  }
}
