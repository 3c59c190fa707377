#!/usr/bin/env bash
# Runs every test suite (Zig unit tests, Deno unit and integration tests) and prints one final line
# "N passed, N failed" summed over all suites. Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.tools/bin:$ROOT/node_modules/.bin:$PATH
export ZIG_GLOBAL_CACHE_DIR=$ROOT/.zig-cache/global ZIG_LOCAL_CACHE_DIR=$ROOT/.zig-cache/local
export DENO_DIR=$ROOT/.tools/deno-dir DENO_NO_UPDATE_CHECK=1
OUT=$ROOT/build/test
mkdir -p "$OUT"
passed=0
failed=0

# Zig: `zig build test` runs each test binary; the summary line reads "run test N pass" / "N/M passed".
zig_log=$OUT/zig.log
zig build test --summary all >"$zig_log" 2>&1
zig_rc=$?
cat "$zig_log"
# "Build Summary: 7/7 steps succeeded; 25/25 tests passed" (or "...; 24/25 tests passed; 1 skipped; ...").
summary=$(grep -E '^Build Summary:' "$zig_log" | tail -1)
zp=$(sed -nE 's/.* ([0-9]+)\/([0-9]+) tests passed.*/\1/p' <<<"$summary")
zt=$(sed -nE 's/.* ([0-9]+)\/([0-9]+) tests passed.*/\2/p' <<<"$summary")
zs=$(sed -nE 's/.*tests passed; ([0-9]+) skipped.*/\1/p' <<<"$summary")
zp=${zp:-0}
zt=${zt:-0}
zs=${zs:-0}
zf=$((zt - zp - zs))
if ((zig_rc != 0 && zf == 0)); then zf=1; fi
echo "zig: $zp passed, $zf failed"
passed=$((passed + zp))
failed=$((failed + zf))

# Deno: unit tests beside the code (src/, bench/) and integration tests under tests/. JUnit XML gives exact counts.
junit=$OUT/deno-junit.xml
rm -f "$junit"
deno test -A --no-check=remote --junit-path="$junit" ${DENO_TEST_ARGS:-} src/ tests/ bench/
deno_rc=$?
dp=0
df=0
if [[ -f $junit ]]; then
  read -r dt df < <(python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
total = failed = 0
for case in root.iter("testcase"):
    total += 1
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
print(total, failed)
PY
)
  dp=$((dt - df))
fi
if ((deno_rc != 0 && df == 0)); then df=1; fi
echo "deno: $dp passed, $df failed"
passed=$((passed + dp))
failed=$((failed + df))

# Style gates, one counted check each: formatting, lint, type check of every file (not only those tests import).
for gate in "fmt --check" "lint" "check src/ tests/ bench/"; do
  if deno $gate >"$OUT/gate.log" 2>&1; then
    passed=$((passed + 1))
  else
    cat "$OUT/gate.log"
    echo "deno $gate: FAILED"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
