#!/usr/bin/env python3
"""Write captures/tftp/transfers.tsv: what each TFTP transfer in the lab's
captures was, checked three ways.  For scripts/make-tftp-captures.

  tftp-facts.py PLAN CAPDIR > transfers.tsv

PLAN is a TSV written by make-tftp-captures, one row per transfer, in the
order of their first RRQ in the capture:

  capture  served-path  expected-outcome  downloaded-path  client-program  server-program  note

(served-path "-": nothing was served; downloaded-path "-": the client kept
no file.)  For every capture the packets are read with tshark (only
addresses, ports and the raw UDP payload: tshark's TFTP dissector and its
conversation tracking are *not* used, the TFTP bytes are decoded here), the
transfers are followed, and each is checked against the plan:

  * the outcome seen on the wire equals the one the lab arranged;
  * the bytes carried by the DATA blocks (in block order, first copy of
    each block, block numbers unwrapped past 65535) equal the served file
    (complete transfers) or its beginning (stalled ones);
  * for complete transfers, the client's downloaded file equals the served
    file too.

Any disagreement is an error (exit 1), so a manifest is only written for
captures that are what the plan says.

A transfer starts with an RRQ (opcode 1, to port 69) from a client
endpoint C; RRQs repeated by C for the same name belong to it.  The server's
endpoint (TID) is the source of the first DATA, OACK or ERROR sent to C.
Packets *from* C count whatever their destination (the S.O.S. phone sends
its ACKs to 234.4.8.10:69, not to the TID).
"""
import hashlib
import subprocess
import sys

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
COLUMNS = ["capture", "transfer", "rrq_frame", "client", "server", "server_tid", "file", "mode",
           "options", "oack", "blksize", "windowsize", "outcome", "error", "served_size",
           "served_sha256", "blocks", "blocks_received", "received_size", "received_sha256",
           "wrap", "last_frame", "client_program", "server_program", "note"]


def packets(path):
    """(frame, src ip, dst ip, sport, dport, payload bytes, icmp) per UDP or ICMP frame."""
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-T", "fields",
         "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
         "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport",
         "-e", "udp.dstport", "-e", "icmp.type", "-e", "icmp.code", "-e", "udp.payload"],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split("\t")
        frame, src, dst, sport, dport, itype, icode, payload = f + [""] * (8 - len(f))
        if not sport:
            continue
        if itype:
            # ICMP error: outer,inner addresses; the quoted UDP header's ports
            s, d = src.split(","), dst.split(",")
            yield int(frame), s[0], d[0], None, None, None, \
                {"type": int(itype.split(",")[0]), "code": int(icode.split(",")[0]),
                 "src": (s[-1], int(sport.split(",")[0])), "dst": (d[-1], int(dport.split(",")[0]))}
            continue
        yield int(frame), src, dst, int(sport), int(dport), bytes.fromhex(payload.replace(":", "")), None


def strings(b):
    return [x.decode("latin-1") for x in b.split(b"\0")[:-1]]


def unwrap(last, wire):
    """the block number nearest above-or-at last whose low 16 bits are wire"""
    delta = (wire - last) & 0xFFFF
    return last + delta if delta < 0x8000 else last - (0x10000 - delta)


class Transfer:
    def __init__(self, frame, client, server, name, mode, options):
        self.rrq_frame, self.client, self.server = frame, client, server
        self.name, self.mode, self.options = name, mode, options
        self.tid = None
        self.oack = None
        self.blocks = {}           # unwrapped number -> payload (first copy)
        self.last_data = 0
        self.last_ack = 0
        self.final = None          # unwrapped number of the short block
        self.error = None
        self.unreachable = 0
        self.wrap_to = None
        self.prev_wire = None
        self.last_frame = frame

    def blksize(self):
        return int((self.oack or {}).get("blksize", 512))

    def windowsize(self):
        return int((self.oack or {}).get("windowsize", 1))

    def server_packet(self, frame, op, body):
        self.last_frame = frame
        if op == OACK:
            s = strings(body)
            self.oack = {s[i].lower(): s[i + 1] for i in range(0, len(s) - 1, 2)}
        elif op == DATA and len(body) >= 2:
            wire = int.from_bytes(body[:2], "big")
            n = unwrap(self.last_data, wire)
            if n > self.last_data:
                if self.prev_wire is not None and wire < self.prev_wire:
                    self.wrap_to = wire        # the block number after 65535
                self.prev_wire = wire
            self.blocks.setdefault(n, body[2:])
            self.last_data = max(self.last_data, n)
            if len(body) - 2 < self.blksize():
                self.final = n
        elif op == ERROR and self.error is None:
            self.error = ("server", int.from_bytes(body[:2], "big"), (strings(body[2:]) or [""])[0])

    def client_packet(self, frame, op, body):
        self.last_frame = frame
        if op == ACK and len(body) >= 2:
            self.last_ack = max(self.last_ack, unwrap(self.last_ack, int.from_bytes(body[:2], "big")))
        elif op == ERROR and self.error is None:
            self.error = ("client", int.from_bytes(body[:2], "big"), (strings(body[2:]) or [""])[0])

    def received(self):
        data, n = bytearray(), 1
        while n in self.blocks:
            data += self.blocks[n]
            n += 1
        return n - 1, bytes(data)

    def outcome(self):
        if self.error:
            return "error"
        if self.final is not None and self.last_ack >= self.final and self.received()[0] == self.final:
            return "complete"
        if self.tid is None:
            return "unreachable" if self.unreachable else "unanswered"
        return "stalled"


def follow(path):
    transfers, by_client = [], {}
    for frame, src, dst, sport, dport, payload, icmp in packets(path):
        if icmp:
            if icmp["type"] == 3 and icmp["code"] == 3:
                t = by_client.get(icmp["src"])
                if t and t.tid is None:
                    t.unreachable += 1
                    t.last_frame = frame
            continue
        if len(payload) < 2:
            continue
        op = int.from_bytes(payload[:2], "big")
        me, peer = (src, sport), (dst, dport)
        if op == RRQ and dport == 69:
            s = strings(payload[2:])
            t = by_client.get(me)
            if t and t.name == s[0] and t.tid is None:
                t.last_frame = frame
                continue               # a repeated RRQ
            opts = {s[i].lower(): s[i + 1] for i in range(2, len(s) - 1, 2)}
            t = Transfer(frame, me, peer, s[0], s[1] if len(s) > 1 else "", opts)
            transfers.append(t)
            by_client[me] = t
            continue
        if me in by_client:
            by_client[me].client_packet(frame, op, payload[2:])
            continue
        t = by_client.get(peer)
        if t is None:
            continue
        if t.tid is None and op in (DATA, OACK, ERROR):
            t.tid = me
        if t.tid == me:
            t.server_packet(frame, op, payload[2:])
    return transfers


def ep(e):
    return f"{e[0]}:{e[1]}" if e else "-"


def opts(d):
    return ",".join(f"{k}={v}" for k, v in d.items()) if d else "-"


def sha(b):
    return hashlib.sha256(b).hexdigest()


def main():
    plan_path, capdir = sys.argv[1], sys.argv[2]
    plan = {}
    for line in open(plan_path):
        if line.startswith("#") or not line.strip():
            continue
        cap, served, outcome, downloaded, cprog, sprog, note = line.rstrip("\n").split("\t")
        plan.setdefault(cap, []).append((served, outcome, downloaded, cprog, sprog, note))
    print("\t".join(COLUMNS))
    bad = 0
    for cap, rows in plan.items():
        transfers = follow(f"{capdir}/{cap}")
        if len(transfers) != len(rows):
            print(f"tftp-facts: {cap}: {len(transfers)} transfers seen, {len(rows)} planned", file=sys.stderr)
            bad += 1
            continue
        for i, (t, (served, want, downloaded, cprog, sprog, note)) in enumerate(zip(transfers, rows), 1):
            got = t.outcome()
            content = open(served, "rb").read() if served != "-" else None
            nrecv, data = t.received()
            problems = []
            if got != want:
                problems.append(f"outcome {got}, planned {want}")
            if content is not None and not content.startswith(data):
                problems.append("the DATA blocks differ from the served file")
            if got == "complete":
                if data != content:
                    problems.append("complete, but the DATA blocks do not rebuild the served file")
                if downloaded != "-" and open(downloaded, "rb").read() != content:
                    problems.append("the client's file differs from the served file")
            if problems:
                print(f"tftp-facts: {cap} transfer {i}: " + "; ".join(problems), file=sys.stderr)
                bad += 1
            bs = t.blksize()
            err = f"{t.error[1]} {t.error[2]} (from {t.error[0]})" if t.error else "-"
            print("\t".join(str(x) for x in [
                cap, i, t.rrq_frame, ep(t.client), ep(t.server), ep(t.tid), t.name, t.mode,
                opts(t.options), opts(t.oack), bs, t.windowsize(), got, err,
                len(content) if content is not None else "-",
                sha(content) if content is not None else "-",
                len(content) // bs + 1 if content is not None else "-",
                nrecv, len(data), sha(data),
                f"65535->{t.wrap_to}" if t.wrap_to is not None else "-",
                t.last_frame, cprog, sprog, note]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
