#!/usr/bin/env bash
# Installs the built agent (build/, from `make build`), the systemd unit, tmpfiles.d/sysusers.d entries and the
# default config. Environment: PREFIX (/usr/local), SYSCONFDIR (/etc), DESTDIR (staging root, empty = live system).
#   $PREFIX/bin/capture-agent                    the binary (a single file), or a link to the launcher in
#   $PREFIX/lib/capture-agent/                   launcher + deno + agent.js + lib/libcapture.so (make build)
#   $PREFIX/lib/systemd/system/capture-agent.service, $PREFIX/lib/{tmpfiles,sysusers}.d/capture-agent.conf
#   $PREFIX/share/capture-agent/{config.yml,systemd/ebpf.conf}   pristine default config, eBPF drop-in
#   $SYSCONFDIR/capture-agent/config.yml          never overwritten once edited: the new default goes to config.yml.new
# A config equal to the previously installed default is unedited and is upgraded in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
DESTDIR=${DESTDIR:-}
BUILD=${BUILD:-build}

log() { printf 'install: %s\n' "$*" >&2; }

[[ $PREFIX == /* && $SYSCONFDIR == /* ]] || { log "PREFIX and SYSCONFDIR must be absolute paths"; exit 1; }
[[ -x $BUILD/capture-agent ]] || { log "$BUILD/capture-agent not found: run 'make build' first"; exit 1; }

bindir=$PREFIX/bin
libdir=$PREFIX/lib/capture-agent
datadir=$PREFIX/share/capture-agent
docdir=$PREFIX/share/doc/capture-agent
unitdir=$PREFIX/lib/systemd/system
confdir=$SYSCONFDIR/capture-agent
root=$DESTDIR

install_agent() {
  install -d -m 0755 "$root$bindir"
  # A single-file build (ELF) goes straight to bin/; the launcher layout keeps its files together under lib/.
  if [[ $(head -c 4 "$BUILD/capture-agent" | od -An -c | tr -d ' ') == '177ELF' ]]; then
    install -m 0755 "$BUILD/capture-agent" "$root$bindir/capture-agent"
    return
  fi
  install -d -m 0755 "$root$libdir" "$root$libdir/lib"
  install -m 0755 "$BUILD/capture-agent" "$BUILD/deno" "$root$libdir/"
  install -m 0644 "$BUILD/agent.js" "$root$libdir/"
  if [[ -f $BUILD/lib/libcapture.so ]]; then install -m 0644 "$BUILD/lib/libcapture.so" "$root$libdir/lib/"; fi
  if [[ -f $BUILD/lib/native.wasm ]]; then install -m 0644 "$BUILD/lib/native.wasm" "$root$libdir/lib/"; fi
  # Relative, so the link also resolves inside a DESTDIR staging tree.
  ln -sfn ../lib/capture-agent/capture-agent "$root$bindir/capture-agent"
}

install_systemd() {
  install -d -m 0755 "$root$unitdir" "$root$PREFIX/lib/tmpfiles.d" "$root$PREFIX/lib/sysusers.d" "$root$datadir/systemd"
  sed -e "s|/usr/local/|$PREFIX/|g" -e "s| /etc/capture-agent/| $confdir/|g" deploy/systemd/capture-agent.service \
    >"$root$unitdir/capture-agent.service.tmp"
  chmod 0644 "$root$unitdir/capture-agent.service.tmp"
  mv -f "$root$unitdir/capture-agent.service.tmp" "$root$unitdir/capture-agent.service"
  install -m 0644 deploy/systemd/capture-agent.tmpfiles "$root$PREFIX/lib/tmpfiles.d/capture-agent.conf"
  install -m 0644 deploy/systemd/capture-agent.sysusers "$root$PREFIX/lib/sysusers.d/capture-agent.conf"
  install -m 0644 deploy/systemd/ebpf.conf "$root$datadir/systemd/ebpf.conf"
  install -d -m 0755 "$root$docdir"
  install -m 0644 docs/install.md "$root$docdir/install.md"
}

# The previously installed pristine default tells an unedited config (safe to upgrade) from an edited one.
install_config() {
  local new=deploy/config/config.yml target=$root$confdir/config.yml pristine=$root$datadir/config.yml
  install -d -m 0755 "$root$confdir"
  if [[ ! -e $target ]]; then
    install -m 0644 "$new" "$target"
    log "installed $confdir/config.yml"
  elif cmp -s "$new" "$target"; then
    log "$confdir/config.yml is current"
  elif [[ -f $pristine ]] && cmp -s "$pristine" "$target"; then
    install -m 0644 "$new" "$target"
    log "upgraded unedited $confdir/config.yml"
  else
    install -m 0644 "$new" "$target.new"
    log "kept edited $confdir/config.yml; the new default is $confdir/config.yml.new (compare and merge)"
  fi
  install -m 0644 "$new" "$pristine"
}

# On the live system (no DESTDIR) create the user and directories now; starting the service stays the operator's call.
activate() {
  [[ -z $root && $(id -u) == 0 ]] || return 0
  if command -v systemd-sysusers >/dev/null; then systemd-sysusers "$PREFIX/lib/sysusers.d/capture-agent.conf"; fi
  if command -v systemd-tmpfiles >/dev/null; then systemd-tmpfiles --create "$PREFIX/lib/tmpfiles.d/capture-agent.conf"; fi
  if [[ -d /run/systemd/system ]]; then systemctl daemon-reload; fi
  log "next: systemctl enable --now capture-agent"
}

install_agent
install_systemd
install_config
activate
log "installed into ${root:-/} (PREFIX=$PREFIX, SYSCONFDIR=$SYSCONFDIR)"
