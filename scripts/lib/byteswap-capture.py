#!/usr/bin/env python3
"""Rewrite a pcap or pcapng capture in the opposite byte order.

Why: every capture program on a little-endian host (x86, arm64) writes files
in little-endian order, but readers must also accept files written on
big-endian hosts (classic pcap magic a1b2c3d4 / a1b23c4d stored big-endian,
pcapng sections whose byte-order magic reads 1a2b3c4d big-endian).  No real
program here can produce those, so this script converts a real capture.

What it changes (and nothing else):
  classic pcap  the 24-byte global header (magic, version, thiszone, sigfigs,
                snaplen, link type) and each 16-byte record header (ts_sec,
                ts_usec/ts_nsec, incl_len, orig_len).  The magic keeps its
                value, so microsecond stays microsecond and nanosecond stays
                nanosecond.
  pcapng        every block's type and both total-length fields, and the
                fixed fields of SHB (byte-order magic, version, section
                length), IDB (link type, reserved, snaplen), EPB (interface
                id, timestamp high/low, captured/original length), SPB
                (original length), ISB (interface id, timestamp), NRB (record
                type/length), DSB (secrets type/length), obsolete PB, custom
                blocks (PEN) and the options of all of them (option code and
                length; numeric option values such as if_speed, if_tzone,
                if_tsoffset, epb_flags, epb_dropcount, epb_packetid,
                epb_queue, isb_* counters and timestamps, BPF if_filter
                instructions, custom-option PENs).  Each section is
                converted on its own, so a file with several sections (even
                of different byte orders) comes out with every section
                flipped.
Packet bytes, strings, addresses and secrets data are never touched.  Because
some link types carry host-byte-order pseudo-headers inside the packet data
(e.g. USB_LINUX, NFLOG), only link types whose packet data has no host-order
fields are accepted (see SAFE_LINKTYPES); anything else is refused unless
--force.  Unknown block types or option codes are refused, never guessed.

Usage:
  byteswap-capture.py INPUT OUTPUT      write OUTPUT in the opposite order
  byteswap-capture.py --describe FILE   list the records/blocks and options
"""
import argparse
import struct
import sys

# Link types whose packet data is entirely in network byte order.  (Not e.g.
# NULL/LOOP 0: its 4-byte family field is in the writer's host order.)
SAFE_LINKTYPES = {
    1: "ETHERNET", 101: "RAW", 113: "LINUX_SLL", 228: "IPV4", 229: "IPV6",
    276: "LINUX_SLL2",
}

PCAP_MAGICS = {0xA1B2C3D4: "pcap-usec", 0xA1B23C4D: "pcap-nsec"}
SHB, IDB, OPB, SPB, NRB, ISB, EPB, DSB = 0x0A0D0D0A, 1, 2, 3, 4, 5, 6, 10
CUSTOM_BLOCKS = (0x00000BAD, 0x40000BAD)
BLOCK_NAMES = {SHB: "SHB", IDB: "IDB", OPB: "PB(obsolete)", SPB: "SPB", NRB: "NRB",
               ISB: "ISB", EPB: "EPB", DSB: "DSB", 0x00000BAD: "CB", 0x40000BAD: "DCB"}
CUSTOM_OPTIONS = (2988, 2989, 19372, 19373)

# Per block type: option code -> (name, kind).  kinds: "str"/"bytes" (no
# swap), "u32", "u64", "i32", "i64", "ts" (two u32: high, low), "filter",
# "verdict".  Codes 0 (opt_endofopt), 1 (opt_comment) and the custom option
# codes are common to every block.
OPTIONS = {
    SHB: {2: ("shb_hardware", "str"), 3: ("shb_os", "str"), 4: ("shb_userappl", "str")},
    IDB: {2: ("if_name", "str"), 3: ("if_description", "str"), 4: ("if_IPv4addr", "bytes"),
          5: ("if_IPv6addr", "bytes"), 6: ("if_MACaddr", "bytes"), 7: ("if_EUIaddr", "bytes"),
          8: ("if_speed", "u64"), 9: ("if_tsresol", "bytes"), 10: ("if_tzone", "i32"),
          11: ("if_filter", "filter"), 12: ("if_os", "str"), 13: ("if_fcslen", "bytes"),
          14: ("if_tsoffset", "i64"), 15: ("if_hardware", "str"), 16: ("if_txspeed", "u64"),
          17: ("if_rxspeed", "u64"), 18: ("if_iana_tzname", "str")},
    EPB: {2: ("epb_flags", "u32"), 3: ("epb_hash", "bytes"), 4: ("epb_dropcount", "u64"),
          5: ("epb_packetid", "u64"), 6: ("epb_queue", "u32"), 7: ("epb_verdict", "verdict")},
    OPB: {2: ("pack_flags", "u32"), 3: ("pack_hash", "bytes")},
    ISB: {2: ("isb_starttime", "ts"), 3: ("isb_endtime", "ts"), 4: ("isb_ifrecv", "u64"),
          5: ("isb_ifdrop", "u64"), 6: ("isb_filteraccept", "u64"), 7: ("isb_osdrop", "u64"),
          8: ("isb_usrdeliv", "u64")},
    NRB: {2: ("ns_dnsname", "str"), 3: ("ns_dnsIP4addr", "bytes"), 4: ("ns_dnsIP6addr", "bytes")},
    DSB: {},
    SPB: {},
}


class Refused(Exception):
    pass


def other(order):
    return ">" if order == "<" else "<"


def pad4(n):
    return (n + 3) & ~3


def swap_fmt(buf, off, fmt, src):
    """Re-encode the fields at buf[off:] given by fmt from src order to the other."""
    size = struct.calcsize(src + fmt)
    vals = struct.unpack_from(src + fmt, buf, off)
    struct.pack_into(other(src) + fmt, buf, off, *vals)
    return vals, off + size


def swap_option_value(buf, off, length, kind, src, name):
    if kind in ("str", "bytes"):
        return
    fixed = {"u32": "I", "u64": "Q", "i32": "i", "i64": "q", "ts": "II"}
    if kind in fixed:
        if length != struct.calcsize("=" + fixed[kind]):
            raise Refused(f"option {name}: unexpected length {length}")
        swap_fmt(buf, off, fixed[kind], src)
    elif kind == "filter":
        # first byte: filter type; 0 = string (libpcap syntax), 1 = BPF program
        # (struct bpf_insn {u16 code; u8 jt; u8 jf; u32 k;} in host order).
        if length >= 1 and buf[off] == 1:
            if (length - 1) % 8:
                raise Refused("if_filter: BPF program length not a multiple of 8")
            for p in range(off + 1, off + length, 8):
                swap_fmt(buf, p, "HBBI", src)
        elif length >= 1 and buf[off] != 0:
            raise Refused(f"if_filter: unknown filter type {buf[off]}")
    elif kind == "verdict":
        # first byte: verdict type; 0 = hardware (opaque bytes),
        # 1 = Linux eBPF TC (u64), 2 = Linux eBPF XDP (u64)
        if length >= 1 and buf[off] in (1, 2):
            if length != 9:
                raise Refused("epb_verdict: eBPF verdict must be 8 bytes")
            swap_fmt(buf, off + 1, "Q", src)
        elif length >= 1 and buf[off] != 0:
            raise Refused(f"epb_verdict: unknown verdict type {buf[off]}")
    else:
        raise AssertionError(kind)


def walk_options(buf, off, end, btype, src, swap, out):
    table = OPTIONS[btype]
    while off < end:
        if end - off < 4:
            raise Refused(f"option header cut short at {off}")
        code, length = struct.unpack_from(src + "HH", buf, off)
        if swap:
            swap_fmt(buf, off, "HH", src)
        voff = off + 4
        if voff + length > end:
            raise Refused(f"option {code} runs past its block at {off}")
        if code == 0:
            name, kind = "opt_endofopt", "bytes"
        elif code == 1:
            name, kind = "opt_comment", "str"
        elif code in CUSTOM_OPTIONS:
            name, kind = f"opt_custom({code})", "custom"
        elif code in table:
            name, kind = table[code]
        else:
            raise Refused(f"unknown option code {code} in {BLOCK_NAMES.get(btype, btype)}")
        value = bytes(buf[voff:voff + length])
        if kind == "custom":
            if length < 4:
                raise Refused("custom option shorter than its PEN")
            if swap:
                swap_fmt(buf, voff, "I", src)
        elif swap:
            swap_option_value(buf, voff, length, kind, src, name)
        if out is not None:
            out.append(describe_option(name, kind, value, src))
        off = voff + pad4(length)
        if code == 0:
            break
    return off


def describe_option(name, kind, value, order):
    if kind == "str":
        shown = repr(value.decode("utf-8", "replace"))
    elif kind in ("u32", "u64", "i32", "i64") and len(value) == struct.calcsize("=" + {"u32": "I", "u64": "Q", "i32": "i", "i64": "q"}[kind]):
        shown = str(struct.unpack(order + {"u32": "I", "u64": "Q", "i32": "i", "i64": "q"}[kind], value)[0])
    elif kind == "ts" and len(value) == 8:
        hi, lo = struct.unpack(order + "II", value)
        shown = str((hi << 32) | lo)
    else:
        shown = value.hex()
    return f"{name}={shown}"


def check_linktype(lt, force):
    if lt not in SAFE_LINKTYPES and not force:
        raise Refused(f"link type {lt} may carry host-byte-order data inside packets; use --force if you know it does not")


def do_pcap(buf, swap, force, lines):
    magic_le = struct.unpack_from("<I", buf, 0)[0]
    magic_be = struct.unpack_from(">I", buf, 0)[0]
    if magic_le in PCAP_MAGICS:
        src = "<"
    elif magic_be in PCAP_MAGICS:
        src = ">"
    else:
        raise Refused("not a pcap file")
    vals = struct.unpack_from(src + "IHHiIII", buf, 0)
    magic, vmaj, vmin, _zone, _sig, snaplen, network = vals
    check_linktype(network & 0x0FFFFFFF, force)
    if lines is not None:
        lines.append(f"pcap {'little' if src == '<' else 'big'}-endian {PCAP_MAGICS[magic]} "
                     f"v{vmaj}.{vmin} snaplen={snaplen} linktype={network}")
    if swap:
        swap_fmt(buf, 0, "IHHiIII", src)
    off, n = 24, 0
    while off < len(buf):
        if len(buf) - off < 16:
            raise Refused(f"record header cut short at offset {off}")
        sec, frac, incl, orig = struct.unpack_from(src + "IIII", buf, off)
        if off + 16 + incl > len(buf):
            raise Refused(f"record {n + 1} data cut short at offset {off}")
        n += 1
        if lines is not None:
            lines.append(f"  record {n} @{off}: ts={sec}.{frac} incl_len={incl} orig_len={orig}")
        if swap:
            swap_fmt(buf, off, "IIII", src)
        off += 16 + incl
    return n


def do_pcapng(buf, swap, force, lines):
    off, n, src = 0, 0, None
    while off < len(buf):
        if len(buf) - off < 12:
            raise Refused(f"block header cut short at offset {off}")
        if struct.unpack_from("<I", buf, off)[0] == SHB:
            bom = bytes(buf[off + 8:off + 12])
            if bom == b"\x4d\x3c\x2b\x1a":
                src = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                src = ">"
            else:
                raise Refused(f"bad byte-order magic at offset {off}")
        elif src is None:
            raise Refused("file does not start with a Section Header Block")
        btype, blen = struct.unpack_from(src + "II", buf, off)
        if blen < 12 or blen % 4 or off + blen > len(buf):
            raise Refused(f"bad block length {blen} at offset {off}")
        trailer = struct.unpack_from(src + "I", buf, off + blen - 4)[0]
        if trailer != blen:
            raise Refused(f"block at {off}: trailing length {trailer} != {blen}")
        name = BLOCK_NAMES.get(btype)
        if name is None:
            raise Refused(f"unknown block type 0x{btype:08x} at offset {off}")
        end = off + blen - 4
        body = off + 8
        info, opts = "", []
        olist = opts if lines is not None else None
        if btype == SHB:
            bom, vmaj, vmin, seclen = struct.unpack_from(src + "IHHq", buf, body)
            info = f"{'little' if src == '<' else 'big'}-endian v{vmaj}.{vmin} section_length={seclen}"
            if swap:
                swap_fmt(buf, body, "IHHq", src)
            walk_options(buf, body + 16, end, SHB, src, swap, olist)
        elif btype == IDB:
            lt, _res, snap = struct.unpack_from(src + "HHI", buf, body)
            check_linktype(lt, force)
            info = f"linktype={lt} snaplen={snap}"
            if swap:
                swap_fmt(buf, body, "HHI", src)
            walk_options(buf, body + 8, end, IDB, src, swap, olist)
        elif btype == EPB:
            ifid, hi, lo, cap, orig = struct.unpack_from(src + "IIIII", buf, body)
            info = f"if={ifid} ts={(hi << 32) | lo} caplen={cap} len={orig}"
            if swap:
                swap_fmt(buf, body, "IIIII", src)
            walk_options(buf, body + 20 + pad4(cap), end, EPB, src, swap, olist)
        elif btype == OPB:
            ifid, drops, hi, lo, cap, orig = struct.unpack_from(src + "HHIIII", buf, body)
            info = f"if={ifid} ts={(hi << 32) | lo} caplen={cap} len={orig}"
            if swap:
                swap_fmt(buf, body, "HHIIII", src)
            walk_options(buf, body + 20 + pad4(cap), end, OPB, src, swap, olist)
        elif btype == SPB:
            (orig,) = struct.unpack_from(src + "I", buf, body)
            info = f"len={orig}"
            if swap:
                swap_fmt(buf, body, "I", src)
        elif btype == ISB:
            ifid, hi, lo = struct.unpack_from(src + "III", buf, body)
            info = f"if={ifid} ts={(hi << 32) | lo}"
            if swap:
                swap_fmt(buf, body, "III", src)
            walk_options(buf, body + 12, end, ISB, src, swap, olist)
        elif btype == NRB:
            p, recs = body, 0
            while True:
                rtype, rlen = struct.unpack_from(src + "HH", buf, p)
                if swap:
                    swap_fmt(buf, p, "HH", src)
                p += 4 + pad4(rlen)
                if p > end:
                    raise Refused("NRB record runs past its block")
                if rtype == 0:
                    break
                recs += 1
            info = f"records={recs}"
            walk_options(buf, p, end, NRB, src, swap, olist)
        elif btype == DSB:
            stype, slen = struct.unpack_from(src + "II", buf, body)
            info = f"secrets_type=0x{stype:08x} secrets_len={slen}"
            if swap:
                swap_fmt(buf, body, "II", src)
            walk_options(buf, body + 8 + pad4(slen), end, DSB, src, swap, olist)
        elif btype in CUSTOM_BLOCKS:
            # PEN, then data whose length is not recorded: options cannot be
            # located reliably, so the data (and any options) stay as they are.
            (pen,) = struct.unpack_from(src + "I", buf, body)
            info = f"pen={pen} (custom data and options left untouched)"
            if swap:
                swap_fmt(buf, body, "I", src)
        if swap:
            swap_fmt(buf, off, "II", src)
            swap_fmt(buf, off + blen - 4, "I", src)
        n += 1
        if lines is not None:
            lines.append(f"  {name} @{off} len={blen} {info}" + (f" [{', '.join(opts)}]" if opts else ""))
        off += blen
    return n


def process(buf, swap, force, lines):
    if len(buf) >= 4 and struct.unpack_from("<I", buf, 0)[0] == SHB:
        return "pcapng", do_pcapng(buf, swap, force, lines)
    return "pcap", do_pcap(buf, swap, force, lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--describe", action="store_true", help="list the file's structure instead")
    ap.add_argument("--force", action="store_true", help="accept any link type")
    ap.add_argument("input")
    ap.add_argument("output", nargs="?")
    a = ap.parse_args()
    with open(a.input, "rb") as f:
        buf = bytearray(f.read())
    try:
        if a.describe:
            lines = []
            kind, n = process(buf, False, True, lines)
            print("\n".join(lines))
            print(f"{kind}: {n} {'blocks' if kind == 'pcapng' else 'records'}")
            return 0
        if not a.output:
            ap.error("OUTPUT is required")
        process(buf, True, a.force, None)
    except Refused as e:
        print(f"byteswap-capture: {a.input}: {e}", file=sys.stderr)
        return 1
    with open(a.output, "wb") as f:
        f.write(buf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
