#!/usr/bin/env python3
"""Tiny UDP / multicast traffic helper for scripts/make-captures.

Every datagram is sent through an ordinary kernel socket, so all headers
(IP, fragmentation, UDP checksum, MLD, ICMP errors in reply) are the kernel's.
Everything is bounded: each mode exits after --timeout seconds at most.

  serve ADDR PORT --count N         echo back N datagrams, prefixed b"echo:"
  send  ADDR PORT DST DPORT --count N [--size S] [--reply]
                                    send N datagrams (payload is readable
                                    text padded to S bytes); with --reply,
                                    wait for one answer after each
  join  GROUP IFNAME --hold SECONDS join an IPv6 multicast group on IFNAME
                                    (the kernel sends MLD reports), hold it,
                                    then leave (more MLD reports)

Addresses containing ":" are IPv6.
"""
import argparse
import socket
import struct
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def payload(i, size, tag):
    text = f"sosdump {tag} datagram {i}\n".encode()
    if size <= len(text):
        return text[:size] if size else text
    fill = b"0123456789abcdef" * (size // 16 + 1)
    return text + fill[: size - len(text)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=5.0)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("--count", type=int, default=1)
    c = sub.add_parser("send")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("dst")
    c.add_argument("dport", type=int)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--size", type=int, default=0)
    c.add_argument("--tag", default="test")
    c.add_argument("--reply", action="store_true")
    c.add_argument("--gap", type=float, default=0.05)
    j = sub.add_parser("join")
    j.add_argument("group")
    j.add_argument("ifname")
    j.add_argument("--hold", type=float, default=0.5)
    a = ap.parse_args()

    deadline = time.monotonic() + a.timeout
    if a.mode == "serve":
        sock = socket.socket(family(a.addr), socket.SOCK_DGRAM)
        sock.bind((a.addr, a.port))
        print("ready", flush=True)
        for _ in range(a.count):
            left = deadline - time.monotonic()
            if left <= 0:
                print("serve: timeout", file=sys.stderr)
                return 1
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(65535)
            except socket.timeout:
                print("serve: timeout", file=sys.stderr)
                return 1
            sock.sendto(b"echo:" + data, peer)
        return 0
    if a.mode == "send":
        sock = socket.socket(family(a.addr), socket.SOCK_DGRAM)
        sock.bind((a.addr, a.port))
        for i in range(1, a.count + 1):
            sock.sendto(payload(i, a.size, a.tag), (a.dst, a.dport))
            if a.reply:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    sock.recvfrom(65535)
                except socket.timeout:
                    print("send: no reply", file=sys.stderr)
                    return 1
            time.sleep(a.gap)
        return 0
    if a.mode == "join":
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        mreq = socket.inet_pton(socket.AF_INET6, a.group) + struct.pack("@I", socket.if_nametoindex(a.ifname))
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        time.sleep(min(a.hold, a.timeout))
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
