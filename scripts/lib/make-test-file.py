#!/usr/bin/env python3
"""Write a deterministic test file for the TFTP capture lab.

  make-test-file.py NAME SIZE SEED [--pattern random|counter]

The same SIZE and SEED always give the same bytes, on any machine and any
Python 3, so a served file need not be committed: its size and SHA-256 (in
captures/tftp/transfers.tsv) are enough to check a rebuilt file.

  random   (default) SHA-256 in counter mode: 32-byte chunk i is
           sha256(b"sosdump-test-file:" + SEED + b":" + str(i)).  Looks random,
           does not compress; any block put at the wrong place, dropped or
           repeated changes the file's hash.
  counter  8-byte chunk i is the 64-bit big-endian number
           (crc32(SEED) << 32) | i.  Every 8 bytes of the file are different
           (up to 2^32 chunks = 32 GiB), so a misplaced block still changes
           the hash, but a capture of it compresses well.  With blksize 8,
           DATA block n carries the number n-1 in its low 32 bits — easy to
           check by eye across a block-number wraparound.

Prints "NAME SIZE SHA256" on standard output.
"""
import argparse
import hashlib
import struct
import sys
import zlib


def chunks_random(seed, size):
    prefix = b"sosdump-test-file:" + seed + b":"
    i = 0
    left = size
    while left > 0:
        c = hashlib.sha256(prefix + str(i).encode()).digest()
        yield c[:left]
        left -= len(c)
        i += 1


def chunks_counter(seed, size):
    high = zlib.crc32(seed) << 32
    pack = struct.Struct(">Q").pack
    batch = 8192
    i = 0
    left = size
    while left > 0:
        n = min(batch, (left + 7) // 8)
        c = b"".join(pack(high | ((i + k) & 0xFFFFFFFF)) for k in range(n))
        yield c[:left]
        left -= len(c)
        i += n


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name")
    ap.add_argument("size", type=int)
    ap.add_argument("seed")
    ap.add_argument("--pattern", choices=("random", "counter"), default="random")
    a = ap.parse_args()
    if a.size < 0:
        ap.error("SIZE must be >= 0")
    gen = chunks_random if a.pattern == "random" else chunks_counter
    h = hashlib.sha256()
    written = 0
    with open(a.name, "wb") as f:
        for c in gen(a.seed.encode(), a.size):
            f.write(c)
            h.update(c)
            written += len(c)
    if written != a.size:
        print(f"make-test-file: wrote {written} bytes, wanted {a.size}", file=sys.stderr)
        return 1
    print(a.name, a.size, h.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
