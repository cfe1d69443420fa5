#!/usr/bin/env python3
"""The TFTP transfer of an S.O.S. recovery, over real sockets (no crafting of
IP or UDP headers: every header is the kernel's).  For scripts/make-tftp-captures.

The phone side follows docs/sos-protocol.md §B (the 7.6.2f recovery loader's TFTP
client); the PC side is a minimal server that copes with it.

  phone ADDR FILE [--out PATH] [--timeout 2.0] [--tries 5] [--port 2000]
      From ADDR:2000 send `00 01 FILE\\0 octet\\0` (no options) to
      234.4.8.10:69.  Latch the server's port (TID) from the source port of the
      first packet received; later packets from another port are ignored (the
      source address is never checked).  Accept a DATA block whenever its
      number differs from the last one accepted (no check for last+1), send
      its ACK to 234.4.8.10:69 (the group and port 69, not the server's
      TID), stop after a block shorter than 512 bytes.  A duplicate is dropped
      and not re-ACKed.  An OACK is answered with ACK 0.  An ERROR ends the
      transfer at once.  No DATA for --timeout seconds: send the RRQ or the
      last ACK again; it is sent --tries times in all (the spec's R = 5
      transmissions, T = 5 → ~2 s each), then "TFTP Timed out".
      The phone's datagrams have TTL 60 (the loader's udp_send).
      The destination group must be routed out of the phone's interface
      (`ip route add 234.4.8.10/32 dev IF`): the socket does not pick one.
      Exit 0 when the file was received (prints its size and SHA-256).

  pc ADDR IFNAME ROOT [--stop-after N] [--timeout 1.0] [--tries 5] [--idle 12]
      Join 234.4.8.10 on IFNAME and bind 234.4.8.10:69.  Serve one RRQ: the
      file ROOT/<name without leading "/">, in 512-byte DATA blocks from
      ADDR and a new ephemeral port to the requester's address and port.
      ACKs are read on the group socket (where the phone sends them) and on
      the data socket.  DATA not acknowledged within --timeout is sent again,
      --tries times in all.  A missing file gets ERROR 1 "File not found"
      from the new port.  With --stop-after N the PC goes silent once block N
      is acknowledged (as a utility that hangs): it keeps listening and
      counts the ACKs still arriving, and exits after --idle seconds without
      any.  Prints "ready" once it listens.

Every mode ends after --max-seconds at most.
"""
import argparse
import select
import hashlib
import os
import socket
import struct
import sys
import time

GROUP = "234.4.8.10"
TFTP_PORT = 69
BLOCK = 512
RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def phone(a):
    deadline = time.monotonic() + a.max_seconds
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 60)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 60)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.bind((a.addr, a.port))
    server = (GROUP, TFTP_PORT)
    last = struct.pack("!H", RRQ) + a.file.encode() + b"\0octet\0"
    tid = None
    last_blk = None          # the loader starts with "no block yet"
    data = bytearray()
    tries_left = a.tries
    s.sendto(last, server)
    tries_left -= 1
    log(f"phone: RRQ {a.file} -> {GROUP}:{TFTP_PORT}")
    while True:
        wait_until = time.monotonic() + a.timeout
        got = None
        while got is None:
            left = min(wait_until, deadline) - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                pkt, peer = s.recvfrom(65535)
            except socket.timeout:
                break
            if tid is None:
                tid = peer[1]
                log(f"phone: server TID latched: {peer[0]}:{tid}")
            elif peer[1] != tid:
                log(f"phone: ignored a packet from port {peer[1]}")
                continue
            if len(pkt) < 4:
                continue
            op = struct.unpack_from("!H", pkt)[0]
            if op == DATA:
                blk = struct.unpack_from("!H", pkt, 2)[0]
                if blk == last_blk:
                    log(f"phone: duplicate DATA {blk} dropped, not re-ACKed")
                    continue
                got = (blk, pkt[4:])
            elif op == OACK:
                last = struct.pack("!HH", ACK, 0)
                s.sendto(last, server)
                log("phone: OACK answered with ACK 0")
            elif op == ERROR:
                code = struct.unpack_from("!H", pkt, 2)[0]
                msg = pkt[4:].split(b"\0")[0].decode("latin-1")
                log(f"phone: TFTP: Error[{code}]: {msg}")
                return 1
        if time.monotonic() >= deadline:
            log("phone: --max-seconds reached")
            return 2
        if got is None:
            if tries_left <= 0:
                log("phone: TFTP Timed out")
                return 1
            s.sendto(last, server)
            tries_left -= 1
            log("phone: timeout, sent the last packet again")
            continue
        blk, chunk = got
        last_blk = blk
        data += chunk
        tries_left = a.tries
        last = struct.pack("!HH", ACK, blk)
        s.sendto(last, server)
        tries_left -= 1
        if len(chunk) < BLOCK:
            break
    if a.out:
        with open(a.out, "wb") as f:
            f.write(data)
    print(f"phone: received {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}", flush=True)
    return 0


def pc(a):
    deadline = time.monotonic() + a.max_seconds
    ifindex = socket.if_nametoindex(a.ifname)
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    g.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    g.bind((GROUP, TFTP_PORT))
    mreqn = socket.inet_aton(GROUP) + socket.inet_aton(a.addr) + struct.pack("@i", ifindex)
    g.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    print("ready", flush=True)

    def recv(socks, until):
        """next datagram on any of socks before `until`: (sock, pkt, peer) or None"""

        while True:
            left = min(until, deadline) - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select(socks, [], [], left)
            if r:
                pkt, peer = r[0].recvfrom(65535)
                return r[0], pkt, peer

    got = recv([g], deadline)
    if got is None:
        log("pc: no RRQ")
        return 1
    _, pkt, phone_ep = got
    op = struct.unpack_from("!H", pkt)[0] if len(pkt) >= 2 else None
    if op != RRQ:
        log(f"pc: expected an RRQ, got opcode {op}")
        return 1
    fields = pkt[2:].split(b"\0")
    name = fields[0].decode("latin-1")
    log(f"pc: RRQ {name!r} mode {fields[1].decode('latin-1') if len(fields) > 1 else '?'} from {phone_ep[0]}:{phone_ep[1]}")
    d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    d.bind((a.addr, 0))
    log(f"pc: answering from {a.addr}:{d.getsockname()[1]}")
    path = os.path.join(a.root, name.lstrip("/"))
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError:
        d.sendto(struct.pack("!HH", ERROR, 1) + b"File not found\0", phone_ep)
        log("pc: ERROR 1 File not found")
        return 0
    blocks = len(content) // BLOCK + 1
    blk = 1
    while blk <= blocks:
        chunk = content[(blk - 1) * BLOCK: blk * BLOCK]
        pkt = struct.pack("!HH", DATA, blk & 0xFFFF) + chunk
        acked = False
        for _ in range(a.tries):
            d.sendto(pkt, phone_ep)
            until = time.monotonic() + a.timeout
            while True:
                got = recv([g, d], until)
                if got is None:
                    break
                _, ack, peer = got
                if peer != phone_ep or len(ack) < 4:
                    continue
                aop, ablk = struct.unpack_from("!HH", ack)
                if aop == ACK and ablk == blk & 0xFFFF:
                    acked = True
                    break
                if aop == ERROR:
                    log("pc: ERROR from the phone")
                    return 1
            if acked or time.monotonic() >= deadline:
                break
        if not acked:
            log(f"pc: block {blk} not acknowledged, giving up")
            return 1
        if a.stop_after and blk == a.stop_after and blk < blocks:
            log(f"pc: block {blk} acknowledged; going silent (--stop-after)")
            late = 0
            while True:
                got = recv([g, d], time.monotonic() + a.idle)
                if got is None:
                    break
                late += 1
            print(f"pc: stopped after block {blk}; {late} datagrams arrived afterwards", flush=True)
            return 0
        blk += 1
    print(f"pc: sent {len(content)} bytes in {blocks} blocks", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("phone")
    p.add_argument("addr")
    p.add_argument("file")
    p.add_argument("--out")
    p.add_argument("--port", type=int, default=2000)
    p.add_argument("--timeout", type=float, default=2.0,
                   help="seconds without DATA before the RRQ/last ACK is sent again (loader: ~2 s)")
    p.add_argument("--tries", type=int, default=5,
                   help="transmissions of the RRQ or of the last ACK in all (loader: 5)")
    c = sub.add_parser("pc")
    c.add_argument("addr")
    c.add_argument("ifname")
    c.add_argument("root")
    c.add_argument("--stop-after", type=int, default=0)
    c.add_argument("--timeout", type=float, default=1.0)
    c.add_argument("--tries", type=int, default=5)
    c.add_argument("--idle", type=float, default=12.0)
    a = ap.parse_args()
    return phone(a) if a.mode == "phone" else pc(a)


if __name__ == "__main__":
    sys.exit(main())
