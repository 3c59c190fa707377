#!/usr/bin/env bash
# Builds build/capture-agent: a launcher around the pinned deno and the bundled agent (deno bundle),
# with libcapture.so beside it. `deno compile` cannot fetch its runtime (denort) here; the packaging
# issue turns this directory into a single file when a denort is available (DENORT_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DENO_DIR=${DENO_DIR:-$ROOT/.tools/deno-dir}
DENO=$ROOT/.tools/bin/deno
arch=$(uname -m)
out=$ROOT/build
mkdir -p "$out/lib"
"$DENO" bundle --quiet --platform deno -o "$out/agent.js" src/main.ts
scripts/bundle_fixup.sh "$out/agent.js" "$out"
# Copy then rename: a running agent keeps its mapping of the old file instead of seeing it rewritten under it.
install_atomic() { cp -f "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
install_atomic "$(readlink -f "$DENO")" "$out/deno"
if [[ -f zig-out/lib/$arch/libcapture.so ]]; then install_atomic "zig-out/lib/$arch/libcapture.so" "$out/lib/libcapture.so"; fi
cat >"$out/capture-agent" <<'LAUNCHER'
#!/bin/sh
# capture-agent launcher: the pinned deno runs the bundled agent; the library sits in lib/.
here=$(dirname "$(readlink -f "$0")")
export CAPTURE_AGENT_LIB="${CAPTURE_AGENT_LIB:-$here/lib/libcapture.so}"
export DENO_NO_UPDATE_CHECK=1
exec "$here/deno" run --quiet --no-config --no-prompt -A "$here/agent.js" "$@"
LAUNCHER
chmod +x "$out/capture-agent"
