#!/usr/bin/env python3
"""damage-record-length.py — copy a classic pcap file with one record's
lengths set to an impossible value, as a disk or a careless tool damages a
capture.

    damage-record-length.py IN.pcap OUT.pcap FRAME [VALUE]

Frame FRAME (1-based) keeps its timestamp; both its captured length
(incl_len) and its original length (orig_len) become VALUE (default
0x7FFFFFF0: far more than the file's snapshot length and than what is left
of the file). Every other byte is copied as it is. The script prints which
byte offsets it changed, from what to what, so that the change can be
written beside the capture (captures/sos/commands.txt).

Only classic pcap (magic a1b2c3d4 or a1b23c4d, either byte order): the
record header is 16 bytes, ts_sec, ts_frac, incl_len, orig_len, after a
24-byte file header.
"""
import struct
import sys


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    src, dst, frame = sys.argv[1], sys.argv[2], int(sys.argv[3])
    value = int(sys.argv[4], 0) if len(sys.argv) == 5 else 0x7FFFFFF0
    with open(src, "rb") as f:
        data = bytearray(f.read())
    if len(data) < 24:
        sys.exit(f"{src}: {len(data)} bytes, shorter than a pcap file header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        sys.exit(f"{src}: magic {magic.hex()} at byte 0: not a classic pcap file")
    snaplen = struct.unpack_from(order + "I", data, 16)[0]
    offset, n = 24, 1
    while True:
        if offset + 16 > len(data):
            sys.exit(f"{src}: {n - 1} frames, no frame {frame}")
        incl, orig = struct.unpack_from(order + "II", data, offset + 8)
        if n == frame:
            break
        offset += 16 + incl
        n += 1
    if value <= snaplen or value <= len(data) - offset - 16:
        sys.exit(f"0x{value:08X} is not impossible here (snapshot length {snaplen}, {len(data) - offset - 16} bytes left)")
    struct.pack_into(order + "II", data, offset + 8, value, value)
    with open(dst, "wb") as f:
        f.write(data)
    endian = "little" if order == "<" else "big"
    print(
        f"{dst}: frame {frame}'s record header at byte offset {offset} (0x{offset:X}): "
        f"incl_len at {offset + 8} {incl} -> {value} (0x{value:08X}), "
        f"orig_len at {offset + 12} {orig} -> {value} (0x{value:08X}), {endian}-endian; "
        f"snapshot length {snaplen}, {len(data) - offset - 16} bytes follow the header; nothing else changed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
