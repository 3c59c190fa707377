#!/usr/bin/env bash
# `make run`: capture on the first non-loopback interface that is UP (else lo) into ./var/: rotating pcap
# files (5 minutes each, 48 kept) and a JSONL summary every 10 s. Ctrl-C stops and flushes.
set -euo pipefail
cd "$(dirname "$0")/.."
iface=""
for dir in /sys/class/net/*; do
  name=${dir##*/}
  [[ $name == lo ]] && continue
  # Bit 0 of the interface flags is IFF_UP.
  flags=$(cat "$dir/flags" 2>/dev/null || echo 0)
  if (((flags & 1) == 1)); then
    iface=$name
    break
  fi
done
iface=${iface:-lo}
mkdir -p var/pcap
echo "capture-agent: capturing on $iface"
echo "  pcap files:  $PWD/var/pcap/capture-YYYYmmdd-HHMMSS.pcap (a new file every 300 s; stops after 48 files = 4 h, as tcpdump -G -W does)"
echo "  summary:     $PWD/var/summary.jsonl (one JSON line every 10 s)"
echo "  Ctrl-C stops."
exec build/capture-agent capture -i "$iface" -w 'var/pcap/capture-%Y%m%d-%H%M%S.pcap' -G 300 -W 48 \
  --summary var/summary.jsonl
