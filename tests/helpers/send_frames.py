#!/usr/bin/env python3
"""Sends Ethernet frames on an interface through an AF_PACKET socket, exactly as given.

Usage: send_frames.py IFACE [REPEAT] < frames.hex   (one frame per line, hex)
Prints the number of frames sent. Used by the integration tests inside a network namespace.
"""
import socket
import sys

def main() -> None:
    ifname = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    frames = [bytes.fromhex(line.strip()) for line in sys.stdin if line.strip()]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    sent = 0
    for _ in range(repeat):
        for frame in frames:
            sock.send(frame)
            sent += 1
    print(sent)

if __name__ == "__main__":
    main()
