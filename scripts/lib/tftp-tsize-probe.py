#!/usr/bin/env python3
"""A TFTP "size probe" over a real socket, for scripts/make-tftp-captures.

  tftp-tsize-probe.py SERVER FILE [--blksize N] [--timeout 1.0] [--tries 3]

Some boot clients (PXE ROMs, for one) first ask for a file with the tsize
option only to learn its size: they send an RRQ with `tsize 0` (here also
`blksize N` if given), read the size from the server's OACK, and end that
transfer at once with an ERROR to the server's new port instead of ACK 0.
None of the clients in the lab (tftp-hpa, atftp) does this, so this script
does it with an ordinary UDP socket: the TFTP bytes are made here, every
IP/UDP header by the kernel.  The ERROR sent is code 8 ("transfer
terminated due to option negotiation", RFC 2347) with the message
"tsize probe only".

Prints "tsize N" and exits 0 when the server answered with an OACK.
"""
import argparse
import socket
import struct
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("server")
    ap.add_argument("file")
    ap.add_argument("--blksize", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--tries", type=int, default=3)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    rrq = struct.pack("!H", 1) + a.file.encode() + b"\0octet\0tsize\0" + b"0\0"
    if a.blksize:
        rrq += b"blksize\0" + str(a.blksize).encode() + b"\0"
    s.settimeout(a.timeout)
    for _ in range(a.tries):
        s.sendto(rrq, (a.server, 69))
        try:
            pkt, tid = s.recvfrom(65535)
            break
        except socket.timeout:
            continue
    else:
        print("probe: no answer", file=sys.stderr)
        return 1
    op = struct.unpack_from("!H", pkt)[0]
    if op != 6:
        print(f"probe: expected an OACK, got opcode {op}", file=sys.stderr)
        return 1
    f = [x.decode("latin-1") for x in pkt[2:].split(b"\0")[:-1]]
    opts = {f[i].lower(): f[i + 1] for i in range(0, len(f) - 1, 2)}
    s.sendto(struct.pack("!HH", 5, 8) + b"tsize probe only\0", tid)
    print(f"tsize {opts.get('tsize', '?')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
