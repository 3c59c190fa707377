#!/usr/bin/env bash
# Post-processes a `deno bundle` output so it runs outside node_modules: @platformatic/kafka's wasm-utils reads
# `../dist/native.wasm` relative to its own module, which after bundling is relative to agent.js. The bundle is
# pointed at `./lib/native.wasm` and the file is copied there. Usage: bundle_fixup.sh AGENT_JS OUT_DIR
set -euo pipefail
agent=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
wasm=$root/node_modules/@platformatic/wasm-utils/dist/native.wasm
sed -i 's|new URL("../dist/native.wasm", import.meta.url)|new URL("./lib/native.wasm", import.meta.url)|' "$agent"
if grep -q '"../dist/native.wasm"' "$agent"; then
  echo "bundle_fixup: could not rewrite the wasm path in $agent" >&2
  exit 1
fi
mkdir -p "$out/lib"
cp -f "$wasm" "$out/lib/native.wasm"
