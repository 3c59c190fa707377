#!/usr/bin/env bash
# Static, PIC-safe libbpf/libelf/zlib/libpcap archives for libcapture.so, for x86_64 and aarch64,
# from Debian's registry only (pinned in scripts/versions.env). Why and how: docs/third_party.md.
#
#   scripts/third_party.sh           build what is missing or stale, then run the smoke check
#   scripts/third_party.sh --check   only the smoke check (fails if the archives are missing)
#
# Output: .tools/third_party/<arch>/{include,lib/libbpf.a,lib/libelf.a,lib/libz.a,lib/libpcap.a} and
# .tools/third_party/link.txt (the link recipe). Idempotent: a second run downloads nothing and
# only re-runs the smoke check (a few seconds, cached by zig).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. scripts/versions.env
ROOT=$PWD
OUT=$ROOT/.tools/third_party
DOWNLOADS=$OUT/downloads
SHIMS=$ROOT/ffi/c/third_party_shims.c
ARCHES=(x86_64 aarch64)
export PATH=$ROOT/.tools/bin:$PATH
export ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$ROOT/.zig-cache/global}
export ZIG_LOCAL_CACHE_DIR=${ZIG_LOCAL_CACHE_DIR:-$ROOT/.zig-cache/local}

log() { printf 'third_party: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

deb_arch() { case $1 in x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) die "unknown arch $1" ;; esac; }
zig_target() { echo "$1-linux-gnu.$LIBCAPTURE_GLIBC_VERSION"; }

if [[ $(id -u) != 0 ]]; then SUDO=sudo; else SUDO=; fi
# apt-get download/source as root cannot drop to _apt in a root-owned directory: say so instead of warning.
APT_OPTS=(-q -o APT::Sandbox::User=root)

# Recipe identity: a change to this script, the Debian pins, the glibc target or zig rebuilds the archives.
recipe_id() {
  { cat scripts/third_party.sh; grep -E '^(ZIG_VERSION|DEB_|LIBCAPTURE_)' scripts/versions.env; } |
    sha256sum | cut -c1-16
}

ensure_tools() {
  local missing=()
  command -v make >/dev/null || missing+=(make)
  command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
  command -v llvm-objcopy >/dev/null && command -v llvm-readelf >/dev/null || missing+=(llvm)
  if ((${#missing[@]} > 0)); then
    log "installing ${missing[*]}"
    local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}")
    $SUDO "${install[@]}" >/dev/null || { $SUDO apt-get update -qq && $SUDO "${install[@]}" >/dev/null; }
  fi
  command -v zig >/dev/null || die "zig not found (run scripts/deps.sh)"
}

# arm64 binary packages and deb-src entries; apt-get update only when something was added or a pin is unknown.
ensure_apt_sources() {
  local changed=0 src=/etc/apt/sources.list.d/capture-agent-src.sources
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding dpkg architecture arm64"
    $SUDO dpkg --add-architecture arm64
    changed=1
  fi
  if [[ ! -f $src ]]; then
    log "adding deb-src entries ($src)"
    $SUDO tee "$src" >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    changed=1
  fi
  if ((changed == 0)) && apt-cache show "libelf-dev:arm64=$DEB_LIBELF_VERSION" >/dev/null 2>&1 &&
    apt-cache showsrc libbpf 2>/dev/null | grep -qx "Version: $DEB_LIBBPF_SOURCE_VERSION"; then
    return
  fi
  log "apt-get update"
  $SUDO apt-get update -qq
}

# pinned_or_candidate PKG VERSION: the pin if apt knows it, else (a newer point release removed it) the candidate.
pinned_or_candidate() {
  local pkg=$1 version=$2
  if apt-cache show "$pkg=$version" >/dev/null 2>&1; then echo "$version"; return; fi
  local candidate
  candidate=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
  [[ -n $candidate && $candidate != "(none)" ]] || die "$pkg: neither $version nor a candidate is available"
  log "WARNING: $pkg=$version is gone from the archive; using $candidate (update scripts/versions.env)"
  echo "$candidate"
}

# download_deb PKG ARCH VERSION -> prints the .deb path; cached in $DOWNLOADS/<pkg>_<arch>/.
download_deb() {
  local pkg=$1 arch=$2 version=$3 dir=$DOWNLOADS/$1_$2
  if ! compgen -G "$dir/*.deb" >/dev/null; then
    ensure_apt_sources
    version=$(pinned_or_candidate "$pkg:$arch" "$version")
    log "downloading $pkg:$arch=$version"
    mkdir -p "$dir"
    (cd "$dir" && apt-get download "${APT_OPTS[@]}" "$pkg:$arch=$version" >/dev/null)
  fi
  compgen -G "$dir/*.deb" | head -1
}

# Unpacked libbpf source tree (Debian source package, patches applied) -> prints its path.
libbpf_source() {
  local dir=$DOWNLOADS/libbpf-src
  if [[ ! -f $dir/tree/src/libbpf.c ]]; then
    ensure_apt_sources
    log "downloading source libbpf=$DEB_LIBBPF_SOURCE_VERSION"
    rm -rf "$dir" && mkdir -p "$dir"
    local pin=libbpf=$DEB_LIBBPF_SOURCE_VERSION
    if ! (cd "$dir" && apt-get source "${APT_OPTS[@]}" --download-only "$pin" >/dev/null); then
      log "WARNING: source $pin is gone from the archive; using the newest (update versions.env)"
      (cd "$dir" && apt-get source "${APT_OPTS[@]}" --download-only libbpf >/dev/null)
    fi
    (cd "$dir" && dpkg-source -q -x ./*.dsc tree >/dev/null 2>&1) || die "dpkg-source -x failed in $dir"
  fi
  echo "$dir/tree"
}

# Headers are identical for amd64 and arm64 (checked with diff -r); each arch still gets its own copy.
install_headers() {
  local src=$1 unpacked=$2 include=$3
  mkdir -p "$include"
  make -s -C "$src/src" install_headers DESTDIR="$include" INCLUDEDIR= PREFIX= >/dev/null
  cp -r "$unpacked/usr/include/." "$include/"
  rm -f "$include/nlist.h"
}

build_libbpf() {
  local arch=$1 src=$2 include=$3 obj=$4
  mkdir -p "$obj"
  # -fPIC (not Debian's -fPIE): stderr and friends go through the GOT, so no rename or shim is needed.
  make -s -j2 -C "$src/src" "$obj/libbpf.a" BUILD_STATIC_ONLY=1 NO_PKG_CONFIG=1 OBJDIR="$obj" \
    CC="zig cc -target $(zig_target "$arch")" AR="zig ar" HOSTARCH="$arch" CFLAGS="-g -O2 -Wall -std=gnu89" \
    EXTRA_CFLAGS="-fPIC -I$include" >/dev/null
}

# Debian's libelf.a, libz.a and libpcap.a are -fPIE; see docs/third_party.md for each patch.
patch_debian_archives() {
  local lib=$1
  llvm-ar d "$lib/libelf.a" elf_error.o
  llvm-ar d "$lib/libpcap.a" pcap-dbus.o
  llvm-objcopy --redefine-sym stdin=cap_libc_stdin --redefine-sym stdout=cap_libc_stdout \
    --redefine-sym stderr=cap_libc_stderr "$lib/libpcap.a"
  llvm-ar t "$lib/libelf.a" | grep -qx elf_error.o && die "elf_error.o still in libelf.a"
  if llvm-nm -u "$lib/libpcap.a" 2>/dev/null | grep -Eq ' (stdin|stdout|stderr|dbus_bus_get)$'; then
    die "libpcap.a still references stdio globals or libdbus"
  fi
}

build_arch() {
  local arch=$1 deb
  deb=$(deb_arch "$arch")
  local dest=$OUT/$arch work=$OUT/work/$arch
  rm -rf "$work" "$dest" && mkdir -p "$work/unpacked" "$dest/lib"
  local pkg version
  for pkg in libelf-dev zlib1g-dev libpcap0.8-dev; do
    case $pkg in libelf-dev) version=$DEB_LIBELF_VERSION ;; zlib1g-dev) version=$DEB_ZLIB_VERSION ;;
    libpcap0.8-dev) version=$DEB_LIBPCAP_VERSION ;; esac
    dpkg-deb -x "$(download_deb "$pkg" "$deb" "$version")" "$work/unpacked"
  done
  local src multiarch
  src=$(libbpf_source)
  multiarch=$work/unpacked/usr/lib/$arch-linux-gnu
  install_headers "$src" "$work/unpacked" "$dest/include"
  log "$arch: building libbpf with zig cc -fPIC"
  build_libbpf "$arch" "$src" "$dest/include" "$work/libbpf"
  cp "$work/libbpf/libbpf.a" "$multiarch/libelf.a" "$multiarch/libz.a" "$multiarch/libpcap.a" "$dest/lib/"
  chmod u+w "$dest/lib/"*.a
  patch_debian_archives "$dest/lib"
  recipe_id >"$dest/.recipe"
  rm -rf "$OUT/work"
  log "$arch: done ($(du -sh "$dest/lib" | cut -f1))"
}

up_to_date() {
  local dest=$OUT/$1 a
  [[ -f $dest/.recipe && $(cat "$dest/.recipe") == "$(recipe_id)" ]] || return 1
  for a in libbpf libelf libz libpcap; do [[ -f $dest/lib/$a.a ]] || return 1; done
  [[ -f $dest/include/bpf/libbpf.h && -f $dest/include/pcap/pcap.h ]]
}

write_link_recipe() {
  cat >"$OUT/link.txt" <<EOF
# Link recipe for libcapture.so (written by scripts/third_party.sh; explained in docs/third_party.md).
# ARCH is x86_64 or aarch64. Target glibc $LIBCAPTURE_GLIBC_VERSION: below 2.34 (zig's cross default is 2.28)
# the link adds NEEDED libpthread.so.0.
target        ARCH-linux-gnu.$LIBCAPTURE_GLIBC_VERSION
include       .tools/third_party/ARCH/include
c_source      ffi/c/third_party_shims.c   (flags: -fPIC -O2; compile per target)
archives      .tools/third_party/ARCH/lib/libbpf.a
              .tools/third_party/ARCH/lib/libelf.a
              .tools/third_party/ARCH/lib/libz.a
              .tools/third_party/ARCH/lib/libpcap.a
link_libc     yes (-lc); nothing else
version       { global: cap_*; local: *; };   (required: it makes libz/libpcap globals local)
never         include <pcap/pcap.h> and <bpf/libbpf.h> in one C file (both define struct bpf_insn)
EOF
}

# Builds a tiny .so the way build.zig must, checks its dynamic section, and dlopens it (aarch64: under qemu).
smoke_check() {
  local dir=$OUT/check arch
  mkdir -p "$dir"
  write_check_sources "$dir"
  printf '{ global: cap_*; local: *; };\n' >"$dir/exports.map"
  for arch in "${ARCHES[@]}"; do
    local so=$dir/libsmoke-$arch.so include=$OUT/$arch/include lib=$OUT/$arch/lib
    zig cc -target "$(zig_target "$arch")" -shared -fPIC -O2 -I "$include" -o "$so" \
      "$dir/smoke_pcap.c" "$dir/smoke_bpf.c" "$SHIMS" \
      "$lib/libbpf.a" "$lib/libelf.a" "$lib/libz.a" "$lib/libpcap.a" \
      -Wl,--version-script="$dir/exports.map" -Wl,-z,defs
    local needed
    needed=$(llvm-readelf -d "$so" | awk '/NEEDED/ {print $NF}' | tr -d '[]' | sort | tr '\n' ' ')
    [[ $needed =~ ^(ld-linux-[a-z0-9-]+\.so\.[0-9]\ )?libc\.so\.6\ $ ]] || die "$arch: NEEDED is '$needed'"
    if llvm-readelf -d "$so" | grep -q TEXTREL; then die "$arch: TEXTREL in $so"; fi
    local exported
    exported=$(llvm-nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^cap_smoke_' || true)
    [[ -z $exported ]] || die "$arch: exports more than cap_*: $exported"
    log "$arch: smoke .so links; NEEDED: $needed; no TEXTREL; exports only cap_*"
  done
  zig cc -target "$(zig_target x86_64)" -O2 -o "$dir/smoke_run-x86_64" "$dir/smoke_run.c"
  "$dir/smoke_run-x86_64" "$dir/libsmoke-x86_64.so" x86_64 || die "x86_64: dlopen smoke run failed"
  smoke_run_aarch64 "$dir"
}

# Same dlopen run for aarch64 under qemu-user with Debian's arm64 libc as the sysroot (skipped without qemu).
smoke_run_aarch64() {
  local dir=$1 sysroot=$DOWNLOADS/libc6_arm64/root
  if ! command -v qemu-aarch64-static >/dev/null; then
    log "aarch64: qemu-aarch64-static not installed; dlopen run skipped"
    return
  fi
  if [[ ! -f $sysroot/lib/ld-linux-aarch64.so.1 ]]; then
    rm -rf "$sysroot" && mkdir -p "$sysroot"
    dpkg-deb -x "$(download_deb libc6 arm64 "$DEB_LIBC6_ARM64_VERSION")" "$sysroot"
  fi
  zig cc -target "$(zig_target aarch64)" -O2 -o "$dir/smoke_run-aarch64" "$dir/smoke_run.c"
  qemu-aarch64-static -L "$sysroot" "$dir/smoke_run-aarch64" "$dir/libsmoke-aarch64.so" aarch64 ||
    die "aarch64: dlopen smoke run under qemu failed"
}

write_check_sources() {
  local dir=$1
  cat >"$dir/smoke_pcap.c" <<'EOF'
#include <pcap/pcap.h>

int cap_smoke_filter_insns(const char *expr) {
  pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
  if (!p) return -1;
  struct bpf_program prog;
  int n = pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0 ? (int)prog.bf_len : -2;
  if (n >= 0) pcap_freecode(&prog);
  pcap_close(p);
  return n;
}
EOF
  cat >"$dir/smoke_bpf.c" <<'EOF'
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <zlib.h>

static char junk[256];

// libbpf would print "not a proper ELF object" for the garbage: expected, so keep the log quiet.
static int quiet(enum libbpf_print_level level, const char *format, va_list args) {
  (void)level;
  (void)format;
  (void)args;
  return 0;
}

long cap_smoke_bpf_garbage(void) {
  memset(junk, 0x5a, sizeof junk);
  libbpf_set_print(quiet);
  struct bpf_object *obj = bpf_object__open_mem(junk, sizeof junk, NULL);
  long err = libbpf_get_error(obj);
  if (err == 0) bpf_object__close(obj);
  return err;
}

int cap_smoke_elf_version(void) { return (int)elf_version(EV_CURRENT); }

const char *cap_smoke_elf_error(void) {
  Elf *elf = elf_memory(junk, sizeof junk);
  GElf_Ehdr ehdr;
  const char *msg = gelf_getehdr(elf, &ehdr) == NULL ? elf_errmsg(-1) : "no error?";
  elf_end(elf);
  return msg;
}

int cap_smoke_deflate(void) {
  z_stream s;
  memset(&s, 0, sizeof s);
  int rc = deflateInit(&s, Z_DEFAULT_COMPRESSION);
  if (rc == Z_OK) deflateEnd(&s);
  return rc;
}
EOF
  cat >"$dir/smoke_run.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what) {
  fprintf(stderr, "smoke: %s: %s\n", what, dlerror());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fail("dlopen");
  int (*cap_smoke_filter_insns)(const char *) = (int (*)(const char *))dlsym(lib, "cap_smoke_filter_insns");
  long (*cap_smoke_bpf_garbage)(void) = (long (*)(void))dlsym(lib, "cap_smoke_bpf_garbage");
  int (*cap_smoke_elf_version)(void) = (int (*)(void))dlsym(lib, "cap_smoke_elf_version");
  const char *(*cap_smoke_elf_error)(void) = (const char *(*)(void))dlsym(lib, "cap_smoke_elf_error");
  int (*cap_smoke_deflate)(void) = (int (*)(void))dlsym(lib, "cap_smoke_deflate");
  if (!cap_smoke_filter_insns || !cap_smoke_bpf_garbage || !cap_smoke_elf_version || !cap_smoke_elf_error ||
      !cap_smoke_deflate) {
    return fail("dlsym");
  }
  int sip = cap_smoke_filter_insns("udp port 5060 or tcp port 5060");
  int bad = cap_smoke_filter_insns("udp port ((");
  int version = cap_smoke_elf_version();
  long bpf = cap_smoke_bpf_garbage();
  const char *elf_error = cap_smoke_elf_error();
  int deflate = cap_smoke_deflate();
  fprintf(stderr, "third_party: %s: dlopen run: pcap_compile insns=%d (bad expr %d), "
         "bpf_object__open_mem(garbage)=%ld, elf_version=%d, elf_errmsg=\"%s\", deflateInit=%d\n",
          argv[2], sip, bad, bpf, version, elf_error, deflate);
  int ok = sip == 22 && bad == -2 && bpf < 0 && version == 1 && strcmp(elf_error, "invalid `Elf' handle") == 0 &&
           deflate == 0;
  return ok ? 0 : 1;
}
EOF
}

main() {
  local check_only=0
  case ${1:-} in --check) check_only=1 ;; "") ;; *) die "usage: $0 [--check]" ;; esac
  mkdir -p "$OUT"
  ensure_tools
  if ((check_only == 0)); then
    local arch stale=()
    for arch in "${ARCHES[@]}"; do up_to_date "$arch" || stale+=("$arch"); done
    if ((${#stale[@]} > 0)); then
      for arch in "${stale[@]}"; do build_arch "$arch"; done
    else
      log "archives up to date (${ARCHES[*]})"
    fi
    write_link_recipe
  fi
  local arch
  for arch in "${ARCHES[@]}"; do up_to_date "$arch" || die "$arch: archives missing or stale; run $0"; done
  smoke_check
}

main "$@"
