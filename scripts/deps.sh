#!/usr/bin/env bash
# Installs everything capture-agent needs to build, run and test, from the registries only:
# Debian packages (apt), Zig (PyPI `ziglang`), Deno and the npm libraries (npm, lockfile),
# the static third-party archives (Debian packages) and the Kafka broker jars (Maven Central).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/versions.env
ROOT=$PWD
TOOLS=$ROOT/.tools
mkdir -p "$TOOLS/bin"

log() { printf 'deps: %s\n' "$*" >&2; }

APT_PACKAGES=(
  clang llvm lld libbpf-dev bpftool libelf-dev zlib1g-dev libpcap-dev iproute2 dpkg-dev file
  tshark tcpdump netsniff-ng sip-tester kamailio kcat libcap2-bin binutils-aarch64-linux-gnu
  qemu-user-static ethtool procps python3-venv nftables
)

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then log "apt packages present"; return; fi
  log "installing apt packages: ${missing[*]}"
  if [[ $(id -u) != 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_zig() {
  if [[ -x $TOOLS/bin/zig ]] && [[ $("$TOOLS/bin/zig" version) == "$ZIG_VERSION" ]]; then log "zig $ZIG_VERSION present"; return; fi
  log "installing zig $ZIG_VERSION from PyPI (ziglang)"
  python3 -m venv "$TOOLS/zig-venv"
  "$TOOLS/zig-venv/bin/pip" install -q --disable-pip-version-check "ziglang==$ZIG_VERSION"
  local zig
  zig=$("$TOOLS/zig-venv/bin/python" -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
  ln -sf "$zig" "$TOOLS/bin/zig"
  "$TOOLS/bin/zig" version
}

install_npm() {
  if [[ -x node_modules/.bin/deno ]] && [[ $(node_modules/.bin/deno --version | head -1) == "deno $DENO_VERSION"* ]] &&
    [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
    log "npm packages present"
  else
    log "installing npm packages (package-lock.json)"
    # `npm ci` rejects our lockfile: npm 11 leaves other platforms' optional packages (@deno/darwin-*) out of it and
    # then reports them missing. `npm install --no-save` installs exactly the locked versions and never rewrites it.
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
  ln -sf "$ROOT/node_modules/.bin/deno" "$TOOLS/bin/deno"
}

install_apt
install_zig
install_npm
if [[ -x scripts/third_party.sh ]]; then scripts/third_party.sh; fi
if [[ -x scripts/kafka_deps.sh ]]; then scripts/kafka_deps.sh; fi
if [[ -x scripts/deploy_tools.sh ]]; then scripts/deploy_tools.sh; fi
log "done"
