#!/usr/bin/env python3
"""Every DHCP option instance tshark found, from its PDML (standard input).

Prints one tab-separated line per instance:
    frame  offset  code  length  value
where offset is the option's code byte counted from the start of the DHCP
message (the UDP payload), length is its value length, value is the value
bytes in hex (empty for a zero-length value). Pad (0) and End (255) are
left out. Options that option overload (52) put in the file or sname field
are included (tshark nests them under option 52). Used by
scripts/update-dhcp-references; the tests compare sosdump's instances with
these lines.
"""
import sys
import xml.etree.ElementTree as ET

print("frame\toffset\tcode\tlength\tvalue")
frame = None
for _, elem in ET.iterparse(sys.stdin.buffer, events=("end",)):
    if elem.tag != "packet":
        continue
    frame = None
    for proto in elem.iter("proto"):
        if proto.get("name") == "geninfo":
            for f in proto.iter("field"):
                if f.get("name") == "num":
                    frame = int(f.get("show"))
        if proto.get("name") != "dhcp":
            continue
        start = int(proto.get("pos"))
        for f in proto.iter("field"):
            if f.get("name") != "dhcp.option.type":
                continue
            raw = f.get("value") or ""
            code = int(raw[0:2], 16) if raw else -1
            if code in (0, 255, -1):
                continue
            data = raw[4:]
            print(f"{frame}\t{int(f.get('pos')) - start}\t{code}\t{len(data) // 2}\t{data}")
    elem.clear()
