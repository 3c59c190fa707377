#!/usr/bin/env bash
# `make dist`: release artifacts for x86_64 and aarch64 in dist/ (docs/packaging.md).
#   dist/capture-agent-<version>-linux-<arch>.tar.gz   always: capture-agent-<version>-linux-<arch>/ with the
#       launcher, the pinned deno for <arch> (npm), agent.js (deno bundle), commit.txt and lib/libcapture.so(.sha256);
#       the same layout as build/, so `BUILD=<extracted dir> scripts/install.sh` and the Dockerfile take it as is.
#   dist/capture-agent-<version>-linux-<arch>          only with a denort: one file from `deno compile` embedding
#       the library. deno compile downloads denort and cannot here; DENORT_BIN_X86_64 / DENORT_BIN_AARCH64 (or
#       DENORT_BIN for the host arch) name one. No package on the reachable registries ships denort (checked: npm
#       denort, @deno/denort, @deno/denort-linux-x64-glibc, @deno/linux-x64-glibc-denort: 404).
# Every artifact is checked with file/readelf; the host arch runs `capture-agent version`, aarch64 under
# qemu-aarch64-static when present (Debian arm64 libc6 + libgcc-s1 as sysroot). Unchanged tarballs are not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/versions.env
source scripts/versions.env
export DENO_DIR=${DENO_DIR:-$ROOT/.tools/deno-dir} DENO_NO_UPDATE_CHECK=1
DENO=$ROOT/.tools/bin/deno
DIST=${DIST_DIR:-$ROOT/dist}
TOOLS=$ROOT/.tools/dist
ARCHES=${DIST_ARCHES:-x86_64 aarch64}
HOST_ARCH=$(uname -m)
# The reachable npm registry has no @deno/linux-arm64-glibc 2.9.6 (its newest is 2.9.5, checked 2026-11-22):
# arm64 ships 2.9.5 (same V8 15.0.245.2 and TypeScript 6.0.3) until 2.9.6 appears. Integrity from `npm view`.
DENO_ARM64_VERSION=${DENO_ARM64_VERSION:-2.9.5}
DENO_ARM64_INTEGRITY=sha512-IuYjsz9PGl7CJcNXMuN27KNDB8Q40brK3SG3l+TXMDVW61ZKwcn0fQHBHnXFiiygEwI8by/fKnASEluhZB1atw==
DEB_LIBGCC_ARM64_VERSION=12.2.0-14+deb12u1
SMOKE_TIMEOUT_S=120

log() { printf 'dist: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

VERSION=$(sed -n 's/^export const VERSION = "\([^"]*\)";$/\1/p' src/version.ts)
[[ -n $VERSION ]] || die "no VERSION in src/version.ts"
COMMIT=$(git rev-parse --short=12 HEAD)
if [[ -n $(git status --porcelain --untracked-files=no) ]]; then COMMIT=$COMMIT-dirty; fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)

triple() { echo "$1-unknown-linux-gnu"; }
elf_machine() { case $1 in x86_64) echo "Advanced Micro Devices X86-64" ;; aarch64) echo "AArch64" ;; esac; }
sri_sha512() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# The deno binary for an arch: x86_64 from node_modules (pinned by package-lock), aarch64 via `npm pack`.
deno_binary() {
  local arch=$1
  if [[ $arch == x86_64 ]]; then
    local deno
    deno=$(readlink -f "$DENO")
    [[ $("$deno" --version | head -1) == "deno $DENO_VERSION "* ]] || die "$deno is not deno $DENO_VERSION"
    echo "$deno"
    return
  fi
  local tgz=$TOOLS/deno-linux-arm64-glibc-$DENO_ARM64_VERSION.tgz dir=$TOOLS/deno-aarch64-$DENO_ARM64_VERSION
  if [[ ! -x $dir/package/deno ]]; then
    mkdir -p "$TOOLS"
    [[ -f $tgz ]] || (cd "$TOOLS" && npm pack --silent "@deno/linux-arm64-glibc@$DENO_ARM64_VERSION" >/dev/null)
    [[ $(sri_sha512 "$tgz") == "$DENO_ARM64_INTEGRITY" ]] || die "$tgz does not match the pinned integrity"
    rm -rf "$dir" && mkdir -p "$dir" && tar -xzf "$tgz" -C "$dir"
  fi
  if [[ $DENO_ARM64_VERSION != "$DENO_VERSION" ]]; then
    log "aarch64: npm has no @deno/linux-arm64-glibc@$DENO_VERSION; using $DENO_ARM64_VERSION"
  fi
  echo "$dir/package/deno"
}

# Checks that an ELF file is for `arch`; prints file(1)'s line.
check_elf() {
  local path=$1 arch=$2 machine
  machine=$(readelf -h "$path" | sed -n 's/^ *Machine: *//p')
  [[ $machine == "$(elf_machine "$arch")" ]] || die "$path is for '$machine', not $arch"
  log "$arch: $(file -b "$path" | cut -d, -f1-2): ${path#"$ROOT"/}"
}

# A sysroot for qemu-user: Debian's arm64 libc6 and libgcc-s1 (deno needs both). Prints it, or fails quietly.
arm64_sysroot() {
  local root=$TOOLS/sysroot-aarch64
  if [[ ! -e $root/lib/aarch64-linux-gnu/libgcc_s.so.1 ]]; then
    mkdir -p "$TOOLS/debs" "$root"
    # shellcheck disable=SC2153 # DEB_LIBC6_ARM64_VERSION comes from versions.env
    (cd "$TOOLS/debs" && apt-get download -q "libc6:arm64=$DEB_LIBC6_ARM64_VERSION" \
      "libgcc-s1:arm64=$DEB_LIBGCC_ARM64_VERSION" >/dev/null 2>&1) || return 1
    for deb in "$TOOLS"/debs/*_arm64.deb; do dpkg-deb -x "$deb" "$root"; done
  fi
  echo "$root"
}

# Prints `version` of a tree (the launcher on the host arch; its deno under qemu for aarch64), nothing if skipped.
run_version() {
  local arch=$1 tree=$2
  if [[ $arch == "$HOST_ARCH" ]]; then
    timeout "$SMOKE_TIMEOUT_S" "$tree/capture-agent" version </dev/null
    return
  fi
  local sysroot
  if [[ $arch != aarch64 ]] || ! command -v qemu-aarch64-static >/dev/null; then
    log "$arch: cannot run $arch binaries here; version run skipped"
    return 0
  fi
  sysroot=$(arm64_sysroot) || { log "$arch: no arm64 sysroot (apt-get download failed); version run skipped" && return 0; }
  CAPTURE_AGENT_LIB=$tree/lib/libcapture.so timeout "$SMOKE_TIMEOUT_S" qemu-aarch64-static -L "$sysroot" \
    "$tree/deno" run --quiet --no-config --no-prompt -A "$tree/agent.js" version </dev/null
}

# The version output must name this version, the commit, the arch and a loaded library.
check_version_output() {
  local arch=$1 text=$2
  grep -qx "capture-agent $VERSION" <<<"$text" && grep -qx "commit   $COMMIT" <<<"$text" &&
    grep -q "^arch     $arch linux$" <<<"$text" && grep -q "^library  libcapture " <<<"$text"
}

write_tree() {
  local arch=$1 tree=$2
  local lib=zig-out/lib/$arch/libcapture.so
  [[ -f $lib ]] || die "$lib missing: run 'make lib' (zig build) first"
  rm -rf "$tree" && mkdir -p "$tree/lib"
  cp "$(deno_binary "$arch")" "$tree/deno"
  cp "$DIST/.stage/agent.js" "$DIST/.stage/commit.txt" "$tree/"
  cp "$lib" "$tree/lib/libcapture.so"
  cp "$DIST/.stage/lib/native.wasm" "$tree/lib/native.wasm"
  (cd "$tree/lib" && sha256sum libcapture.so >libcapture.so.sha256)
  cat >"$tree/capture-agent" <<'LAUNCHER'
#!/bin/sh
# capture-agent launcher: the pinned deno runs the bundled agent; the library sits in lib/.
here=$(dirname "$(readlink -f "$0")")
export CAPTURE_AGENT_LIB="${CAPTURE_AGENT_LIB:-$here/lib/libcapture.so}"
export DENO_NO_UPDATE_CHECK=1
exec "$here/deno" run --quiet --no-config --no-prompt -A "$here/agent.js" "$@"
LAUNCHER
  chmod 0755 "$tree/capture-agent" "$tree/deno"
  chmod 0644 "$tree/agent.js" "$tree/commit.txt" "$tree/lib/"*
}

# Tarball of the tree; rebuilt only when a file in it changed (reproducible: fixed owner, order and mtime).
write_tarball() {
  local arch=$1 tree=$2 name tarball stamp
  name=$(basename "$tree")
  tarball=$DIST/$name.tar.gz
  stamp=$(cd "$tree" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if [[ -f $tarball && -f $DIST/.stage/$name.stamp && $(cat "$DIST/.stage/$name.stamp") == "$stamp" ]]; then
    log "$arch: ${tarball#"$ROOT"/} is up to date"
  else
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -C "$(dirname "$tree")" \
      -cf - "$name" | gzip -n -6 >"$tarball.tmp"
    mv -f "$tarball.tmp" "$tarball"
    echo "$stamp" >"$DIST/.stage/$name.stamp"
    log "$arch: wrote ${tarball#"$ROOT"/}"
  fi
}

# The single-file build when a denort for this arch is given; a binary that does not run the agent is removed.
write_single_file() {
  local arch=$1 tree=$2 var denort out text
  var=DENORT_BIN_${arch^^}
  denort=${!var:-}
  if [[ -z $denort && $arch == "$HOST_ARCH" ]]; then denort=${DENORT_BIN:-}; fi
  out=$DIST/$(basename "$tree")
  rm -f "$out"
  if [[ -z $denort ]]; then
    log "$arch: no single-file build: deno compile needs a denort for deno $DENO_VERSION ($var=/path/to/denort)"
    return
  fi
  check_elf "$denort" "$arch"
  (cd "$tree" && DENORT_BIN=$denort "$DENO" compile --quiet --no-config --no-check -A --target "$(triple "$arch")" \
    --include lib/libcapture.so --include lib/libcapture.so.sha256 --include lib/native.wasm --include commit.txt -o "$out" agent.js)
  check_elf "$out" "$arch"
  if [[ $arch != "$HOST_ARCH" ]]; then
    log "$arch: single file ${out#"$ROOT"/} built (not run: foreign arch)"
    return
  fi
  text=$(NO_COLOR=1 timeout "$SMOKE_TIMEOUT_S" "$out" version </dev/null 2>&1) || true
  if ! check_version_output "$arch" "$text"; then
    rm -f "$out"
    die "$arch: $denort is not a denort for deno $DENO_VERSION: the compiled binary printed: $(head -c 200 <<<"$text" | tr '\n' ' ')"
  fi
  log "$arch: wrote single file ${out#"$ROOT"/}"
}

# dist/SHA256SUMS over every artifact of this version.
write_sums() {
  local artifacts=("$DIST"/capture-agent-"$VERSION"-linux-*)
  (cd "$DIST" && sha256sum "${artifacts[@]##*/}" >SHA256SUMS.tmp && mv -f SHA256SUMS.tmp SHA256SUMS)
}

main() {
  mkdir -p "$DIST/.stage"
  "$DENO" bundle --quiet --platform deno -o "$DIST/.stage/agent.js" src/main.ts
  scripts/bundle_fixup.sh "$DIST/.stage/agent.js" "$DIST/.stage"
  echo "$COMMIT" >"$DIST/.stage/commit.txt"
  local arch tree text
  for arch in $ARCHES; do
    tree=$DIST/.stage/capture-agent-$VERSION-linux-$arch
    write_tree "$arch" "$tree"
    check_elf "$tree/deno" "$arch"
    check_elf "$tree/lib/libcapture.so" "$arch"
    write_tarball "$arch" "$tree"
    write_sums
    if text=$(run_version "$arch" "$tree"); then
      if [[ -n $text ]]; then
        check_version_output "$arch" "$text" || die "$arch: unexpected version output: $text"
        log "$arch: capture-agent version: $(tr '\n' ';' <<<"$text")"
      fi
    else
      die "$arch: capture-agent version failed: $text"
    fi
    write_single_file "$arch" "$tree"
  done
  write_sums
  log "done: $(cut -d' ' -f3 "$DIST/SHA256SUMS" | tr '\n' ' ')"
}

main "$@"
