#!/usr/bin/env bash
# Capture benchmark (`make bench-capture`): trafgen in namespace A sends 64-byte UDP over a veth to namespace B at fixed
# rates and at its maximum; on the same traffic, one after another, readers in B are measured:
#   ref      the Zig reference reader (walks blocks, counts packets, no TypeScript), on the same ring as ours
#            (1 MiB x 64 blocks, retired after 100 ms like `capture -w`/`-q`; tcpdump keeps its own ring and 1000 ms)
#   summary  `capture-agent capture -q --summary /dev/null` (every packet through the L2–L4 summary decoder, no file)
#   wnull    `capture-agent capture -w /dev/null`
#   tcpdump  `tcpdump -w /dev/null` (the same work as ours with -w)
# Per reader: achieved pps, kernel drops, CPU ns per packet (all threads, /proc/PID/task/*/schedstat over the traffic
# window) and ratios; a table on stdout and JSON under bench/results/. The generator is pinned to CPU0 and the reader to
# CPU1: on a veth the receive path runs on the sender's CPU, so the reader's CPU is only its own work.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RATES=${BENCH_RATES:-"100000 300000 500000 max"}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-1}
READERS=${BENCH_READERS:-"ref summary wnull tcpdump"}
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
NS_A=capbench-a-$$
NS_B=capbench-b-$$
TMP=$(mktemp -d /tmp/capbench.XXXXXX)

cleanup() {
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  if [[ -n ${BENCH_KEEP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add vbA netns "$NS_A" type veth peer name vbB netns "$NS_B"
ip -n "$NS_A" link set vbA up
ip -n "$NS_B" link set vbB up
ip -n "$NS_A" addr add 10.201.0.1/24 dev vbA
ip -n "$NS_B" addr add 10.201.0.2/24 dev vbB
ip -n "$NS_A" link set vbA txqueuelen 10000
# A destination MAC that is not B's makes frames PACKET_OTHERHOST: the IP stack drops them early (notes/performance.md).
cat >"$TMP/udp64.cfg" <<'CFG'
{ eth(da=02:00:00:00:00:99, sa=02:00:00:00:00:01), ipv4(sa=10.201.0.1, da=10.201.0.2, ttl=64), udp(sp=dinc(1024, 65000), dp=9), fill(0x00, 18) }
CFG

cpu_ns() { # Sum of on-CPU ns over every thread of PID.
  local total=0 t
  for t in /proc/"$1"/task/*/schedstat; do
    read -r ns _ <"$t" 2>/dev/null || continue
    total=$((total + ns))
  done
  echo "$total"
}

start_reader() { # $1 reader; prints PID. Runs in B on CPU1.
  local cmd
  case $1 in
  ref) cmd=("$ROOT/zig-out/bin/ref-reader" --iface vbB --block-bytes 1048576 --block-count 64 --retire-ms 100 --seconds 3600) ;;
  summary) cmd=("$ROOT/build/capture-agent" capture -i vbB -q --summary /dev/null --block-bytes 1048576 --block-count 64) ;;
  wnull) cmd=("$ROOT/build/capture-agent" capture -i vbB -w /dev/null --block-bytes 1048576 --block-count 64) ;;
  tcpdump) cmd=(tcpdump -i vbB -n -B 65536 -w /dev/null) ;;
  esac
  nsenter --net=/run/netns/"$NS_B" -- taskset -c 1 "${cmd[@]}" >"$TMP/$1.out" 2>"$TMP/$1.err" &
  echo $!
}

count_from_output() { # $1 reader → "captured drops"
  case $1 in
  ref) python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print(d["packets"], d["drops"])' "$TMP/ref.out" ;;
  *) awk '/packets captured/ {c=$1} /dropped by kernel/ {d=$1} END {print c+0, d+0}' "$TMP/$1.err" ;;
  esac
}

run_one() { # $1 reader $2 rate → one JSON object
  local reader=$1 rate=$2 pid before after start end sent rate_arg=()
  pid=$(start_reader "$reader")
  sleep 1.5
  [[ $rate != max ]] && rate_arg=(-b "${rate}pps")
  local n=$(( ${rate/max/700000} * SECONDS_PER_RUN ))
  local warm=$(( ${rate/max/700000} * WARMUP_SECONDS ))
  # A warm-up burst first, outside the measured window: a long-running agent has its decoders compiled (JIT) and its
  # buffers faulted in; a 4-second window would otherwise charge those one-time costs to the packets measured.
  if ((warm > 0)); then
    nsenter --net=/run/netns/"$NS_A" -- taskset -c 0 trafgen -o vbA -c "$TMP/udp64.cfg" -n "$warm" -P 1 --no-sock-mem -Q \
      "${rate_arg[@]}" >/dev/null 2>&1 || true
    sleep 0.5
  fi
  before=$(cpu_ns "$pid")
  start=$(date +%s%N)
  nsenter --net=/run/netns/"$NS_A" -- taskset -c 0 trafgen -o vbA -c "$TMP/udp64.cfg" -n "$n" -P 1 --no-sock-mem -Q "${rate_arg[@]}" \
    >"$TMP/trafgen.out" 2>&1 || true
  end=$(date +%s%N)
  sleep 0.5
  after=$(cpu_ns "$pid")
  kill -INT "$pid" 2>/dev/null || true
  # The reader was started inside $(...), so it is not this shell's child: poll until it has exited and flushed.
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  sent=$((n + warm))
  read -r captured drops < <(count_from_output "$reader")
  python3 - "$reader" "$rate" "$sent" "$captured" "$drops" "$((after - before))" "$((end - start))" "$n" <<'PY'
import json, sys
reader, rate, sent, captured, drops, cpu_ns, wall_ns, measured = sys.argv[1:]
sent, captured, drops, cpu_ns, wall_ns, measured = map(int, (sent, captured, drops, cpu_ns, wall_ns, measured))
# Packets of the measured window: those sent in it, less any the kernel dropped (drops are reported either way).
window = max(0, measured - drops)
print(json.dumps({"reader": reader, "rate": rate, "sent": sent, "captured": captured, "drops": drops,
  "pps": round(window / (wall_ns / 1e9)) if wall_ns else 0,
  "cpu_ns_per_packet": round(cpu_ns / window, 1) if window else None}))
PY
}

out=$RESULTS/capture-$(date +%Y%m%d-%H%M%S).json
echo "[" >"$out"
first=1
for rate in $RATES; do
  for reader in $READERS; do
    line=$(run_one "$reader" "$rate")
    echo "$line" >&2
    if ((first)); then first=0; else echo "," >>"$out"; fi
    echo "$line" >>"$out"
  done
done
echo "]" >>"$out"
python3 - "$out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
by = {(r["rate"], r["reader"]): r for r in rows}
print(f"{'rate':>8} {'reader':>8} {'sent':>9} {'captured':>9} {'drops':>7} {'pps':>8} {'ns/pkt':>7} {'vs ref':>7} {'vs tcpdump':>10}")
for r in rows:
    ref = by.get((r["rate"], "ref"), {}).get("cpu_ns_per_packet")
    tcpd = by.get((r["rate"], "tcpdump"), {}).get("cpu_ns_per_packet")
    ns = r["cpu_ns_per_packet"]
    vr = f"{ns / ref:.2f}" if ns and ref else "-"
    vt = f"{ns / tcpd:.2f}" if ns and tcpd else "-"
    print(f"{r['rate']:>8} {r['reader']:>8} {r['sent']:>9} {r['captured']:>9} {r['drops']:>7} {r['pps']:>8} {ns if ns else '-':>7} {vr:>7} {vt:>10}")
print(f"results: {sys.argv[1]}")
PY
