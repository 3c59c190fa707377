// Glue that lets Debian's static libelf.a and libpcap.a (built -fPIE, not -fPIC) live inside libcapture.so.
// scripts/third_party.sh patches the archives; this file supplies what the patches removed or renamed.
// See docs/third_party.md. Compile per target with -fPIC; every symbol here is hidden (never exported).

#include <stdio.h>
#include <stddef.h>

#define CAP_HIDDEN __attribute__((visibility("hidden")))

// ---- libelf: replacement for elf_error.o ------------------------------------------------------------
// The original keeps the last error in a local-exec TLS variable (R_X86_64_TPOFF32 / R_AARCH64_TLSLE_*),
// which no shared object may use. Same ABI and messages as elfutils 0.188 libelf/elf_error.c; a -fPIC
// `__thread` uses the dynamic TLS model instead. Messages are not translated (no dcgettext).

enum { cap_elf_errors_count = 51 }; // ELF_E_NUM in elfutils 0.188

static __thread int cap_elf_last_error;

static const char *const cap_elf_messages[cap_elf_errors_count] = {
    "no error",
    "unknown error",
    "unknown version",
    "unknown type",
    "invalid `Elf' handle",
    "invalid size of source operand",
    "invalid size of destination operand",
    "invalid encoding",
    "out of memory",
    "invalid file descriptor",
    "invalid ELF file data",
    "invalid operation",
    "ELF version not set",
    "invalid command",
    "offset out of range",
    "invalid fmag field in archive header",
    "invalid archive file",
    "descriptor is not for an archive",
    "no index available",
    "cannot read data from file",
    "cannot write data to file",
    "invalid binary class",
    "invalid section index",
    "invalid operand",
    "invalid section",
    "invalid command",
    "executable header not created first",
    "file descriptor disabled",
    "archive/member file descriptor mismatch",
    "offset out of range",
    "cannot manipulate null section",
    "data/scn mismatch",
    "invalid section header",
    "invalid data",
    "unknown data encoding",
    "section `sh_size' too small for data",
    "invalid section alignment",
    "invalid section entry size",
    "update() for write on read-only file",
    "no such file",
    "only relocatable files can contain section groups",
    "program header only allowed in executables, shared objects, and core files",
    "file has no program header",
    "invalid offset",
    "invalid section type",
    "invalid section flags",
    "section does not contain compressed data",
    "section contains compressed data",
    "unknown compression type",
    "cannot compress data",
    "cannot decompress data",
};

// Returns and clears the calling thread's last libelf error.
CAP_HIDDEN int elf_errno(void) {
  int result = cap_elf_last_error;
  cap_elf_last_error = 0;
  return result;
}

// Internal libelf entry point: out-of-range codes collapse to ELF_E_UNKNOWN_ERROR, as upstream does.
CAP_HIDDEN void __libelf_seterrno(int value) {
  cap_elf_last_error = (value >= 0 && value < cap_elf_errors_count) ? value : 1;
}

// error 0: last error or NULL if none; -1: last error (may be "no error"); else that code's message.
CAP_HIDDEN const char *elf_errmsg(int error) {
  int last_error = cap_elf_last_error;
  if (error == 0) {
    return last_error == 0 ? NULL : cap_elf_messages[last_error];
  }
  if (error < -1 || error >= cap_elf_errors_count) return "unknown error";
  return cap_elf_messages[error == -1 ? last_error : error];
}

// ---- libpcap: stdio globals --------------------------------------------------------------------------
// On x86_64 Debian's objects reach glibc's stdin/stdout/stderr with R_X86_64_PC32 (they expect a copy
// relocation in an executable). third_party.sh renames those references to these hidden copies, filled
// before any libpcap code can run. The same rename is applied on aarch64 (harmless there) for one recipe.

CAP_HIDDEN FILE *cap_libc_stdin;
CAP_HIDDEN FILE *cap_libc_stdout;
CAP_HIDDEN FILE *cap_libc_stderr;

__attribute__((constructor)) static void cap_libc_stdio_init(void) {
  cap_libc_stdin = stdin;
  cap_libc_stdout = stdout;
  cap_libc_stderr = stderr;
}

// ---- libpcap: D-Bus capture source -------------------------------------------------------------------
// pcap-dbus.o is deleted from libpcap.a (it needs libdbus-1). pcap.c still lists the D-Bus source in its
// table, so these stubs report "no devices" and "not my device name".

struct pcap_if_list;
struct pcap;

CAP_HIDDEN int dbus_findalldevs(struct pcap_if_list *devices, char *error_text) {
  (void)devices;
  (void)error_text;
  return 0;
}

CAP_HIDDEN struct pcap *dbus_create(const char *device, char *error_text, int *is_ours) {
  (void)device;
  (void)error_text;
  *is_ours = 0;
  return NULL;
}
