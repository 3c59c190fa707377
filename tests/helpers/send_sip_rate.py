#!/usr/bin/env python3
"""Sends numbered SIP OPTIONS requests over UDP at a fixed rate, each a distinct message.

Usage: send_sip_rate.py SRC_IP DST_IP DST_PORT RATE_PPS DURATION_S
Message n (from 0) has Call-ID "seq-<n>@<SRC_IP>" and CSeq "<n+1> OPTIONS" (OPTIONS starts no call, so every
message becomes exactly one SIP record). Pacing is by the clock, not by sleeps: before each wake-up the sender
catches up to rate * elapsed, so the average rate is exact and bursts are at most a few milliseconds of packets.
SIGTERM ends the run early. At the end it prints one JSON line on stdout:
{"sent": N, "startMs": ..., "endMs": ..., "errors": E, "marks": [[n, ms], ...]} where each mark is the epoch time
(ms) just before message n was sent, one mark per 100 messages, so a test can tell when any message left.
"""
import json
import signal
import socket
import sys
import time

MARK_EVERY = 100
TEMPLATE = (
    "OPTIONS sip:probe@{dst}:{port} SIP/2.0\r\n"
    "Via: SIP/2.0/UDP {src}:5070;branch=z9hG4bK-seq{n}\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:outage@{src}>;tag=t{n}\r\n"
    "To: <sip:probe@{dst}>\r\n"
    "Call-ID: seq-{n}@{src}\r\n"
    "CSeq: {cseq} OPTIONS\r\n"
    "User-Agent: kafka-outage-test\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
)


def main() -> None:
    src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rate, duration_s = float(sys.argv[4]), float(sys.argv[5])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sock.bind((src, 5070))
    target = (dst, port)
    marks = []
    sent = errors = 0
    start = time.monotonic()
    start_ms = time.time() * 1000
    total = int(rate * duration_s)
    while sent < total and not stopping:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        while sent < due:
            if sent % MARK_EVERY == 0:
                marks.append([sent, round(time.time() * 1000, 1)])
            message = TEMPLATE.format(src=src, dst=dst, port=port, n=sent, cseq=sent + 1).encode()
            try:
                sock.sendto(message, target)
            except OSError:
                errors += 1  # ENOBUFS and the like: the message did not leave; counted, and the number is skipped.
            sent += 1
        time.sleep(0.001)
    end_ms = time.time() * 1000
    print(json.dumps({"sent": sent, "startMs": start_ms, "endMs": end_ms, "errors": errors, "marks": marks}))


if __name__ == "__main__":
    main()
