#!/usr/bin/env python3
"""Userspace "wires" for the sosdump capture lab (used by scripts/make-captures).

The kernel this lab was built on has no 802.1Q VLAN driver (CONFIG_VLAN_8021Q),
no bridge VLAN filtering and no ipip/sit/ip6tnl/gre tunnel drivers, so two
small relays stand in for them.  Neither creates packets of its own: every
frame/packet they move was built by the kernel of one namespace (ARP, ICMP,
UDP, ...), the relay only carries it to the other side.

  tun   NS_A:TUN_A NS_B:TUN_B
        An L3 point-to-point wire: reads each IP packet the kernel of NS_A
        routes into tun device TUN_A (IFF_TUN|IFF_NO_PI) and writes it
        unchanged into TUN_B in NS_B, and the reverse.  A capture on either
        tun device is LINKTYPE_RAW (raw IPv4/IPv6, no link-layer header).

  vlan  NS:VETH:TAP:TAGS [NS:VETH:TAP:TAGS ...]
        A userspace VLAN sub-interface.  TAP is a tap device (IFF_TAP|IFF_NO_PI)
        in NS carrying untagged Ethernet frames; the relay pushes TAGS
        (outermost first, e.g. "8100.10" or "88a8.100,8100.20") right after
        the source MAC of every frame the kernel sends out of TAP and sends
        the result on VETH through an AF_PACKET socket.  Frames received on
        VETH whose tag stack equals TAGS are popped and written into TAP.
        Received tags the kernel already moved into skb metadata are
        recovered from PACKET_AUXDATA (as libpcap does).

Both modes print "ready" on stdout once every device is open, stop on
SIGTERM/SIGINT, and stop by themselves after --max-seconds (default 60).
Must run as root in the initial namespace (it enters the others with setns).
"""
import argparse
import ctypes
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
VLAN_TPIDS = (0x8100, 0x88A8)

libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({name}): {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tun(name, flags):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), flags | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def parse_tags(text):
    tags = []
    for part in text.split(","):
        tpid, vid = part.split(".")
        tags.append((int(tpid, 16), int(vid)))
    return tuple(tags)


def push_tags(frame, tags):
    hdr = b"".join(struct.pack("!HH", tpid, vid & 0x0FFF) for tpid, vid in tags)
    return frame[:12] + hdr + frame[12:]


def split_tags(frame):
    """Return (tag stack, frame without tags)."""
    tags = []
    off = 12
    while len(frame) >= off + 4:
        tpid, tci = struct.unpack_from("!HH", frame, off)
        if tpid not in VLAN_TPIDS:
            break
        tags.append((tpid, tci & 0x0FFF))
        off += 4
    return tuple(tags), frame[:12] + frame[off:]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    sub = ap.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("tun")
    t.add_argument("a")
    t.add_argument("b")
    v = sub.add_parser("vlan")
    v.add_argument("ports", nargs="+")
    args = ap.parse_args()

    stop = False

    def on_signal(_sig, _frm):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    root_ns = os.open("/proc/self/ns/net", os.O_RDONLY)

    routes = {}  # fd -> callable(data)
    if args.mode == "tun":
        fds = []
        for spec in (args.a, args.b):
            ns, dev = spec.split(":")
            enter_netns(ns)
            fds.append(open_tun(dev, IFF_TUN))
        a, b = fds
        routes[a] = lambda: os.write(b, os.read(a, 65536))
        routes[b] = lambda: os.write(a, os.read(b, 65536))
    else:
        socks = {}  # (ns, veth) -> socket
        taps = {}   # (ns, veth) -> {tags: tapfd}
        for spec in args.ports:
            ns, veth, tap, tagtext = spec.split(":")
            tags = parse_tags(tagtext)
            enter_netns(ns)
            key = (ns, veth)
            if key not in socks:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
                s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
                s.bind((veth, ETH_P_ALL))
                socks[key] = s
                taps[key] = {}
            tapfd = open_tun(tap, IFF_TAP)
            taps[key][tags] = tapfd
            s = socks[key]
            routes[tapfd] = (lambda fd=tapfd, s=s, tags=tags:
                             s.send(push_tags(os.read(fd, 65536), tags)))

        def from_veth(s, table):
            data, anc, _flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                return
            for level, ctype, cdata in anc:
                if level == SOL_PACKET and ctype == PACKET_AUXDATA:
                    status, _len, _snap, _mac, _net, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        if not status & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
            tags, inner = split_tags(data)
            fd = table.get(tags)
            if fd is not None:
                os.write(fd, inner)

        for key, s in socks.items():
            routes[s.fileno()] = (lambda s=s, table=taps[key]: from_veth(s, table))

    libc.setns(root_ns, CLONE_NEWNET)
    print("ready", flush=True)
    deadline = time.monotonic() + args.max_seconds
    while not stop and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select(list(routes), [], [], 0.2)
        except InterruptedError:
            continue
        for fd in ready:
            try:
                routes[fd]()
            except OSError as e:  # e.g. peer device went down: drop the frame
                print(f"lab-wire: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
