#!/usr/bin/env python3
"""The two ends of the SCCP and SIP exchanges of scripts/make-voip-captures,
over real sockets. They only send bytes that `sosdump-sim frames` wrote (the
library's encoders) and read the peer's messages by their SCCP length field;
what goes on the wire is the kernel's TCP and UDP.

  voip-peer.py manager DIR ADDR MODE   call manager on ADDR:2000; MODE ack or reject
  voip-peer.py phone DIR ADDR MANAGER  phone on ADDR, to MANAGER:2000 (ack flow)
  voip-peer.py phone-rejected DIR ADDR MANAGER
  voip-peer.py registrar DIR ADDR      SIP registrar on ADDR:5060 (one 200)
  voip-peer.py sip-phone DIR ADDR REGISTRAR
"""
import socket, struct, sys, time


def load(d, name):
    with open(f"{d}/{name}", "rb") as f:
        return f.read()


def read_message(sock):
    """One SCCP message: 8 header bytes, then the length field's bytes less 4."""
    head = b""
    while len(head) < 8:
        chunk = sock.recv(8 - len(head))
        if not chunk:
            return None
        head += chunk
    length = struct.unpack("<I", head[:4])[0]
    body = b""
    while len(body) < length:
        chunk = sock.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    return struct.unpack("<I", body[:4])[0]


def nodelay(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def manager(d, addr, mode):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, 2000))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    nodelay(conn)
    keepalives = 0
    while True:
        mid = read_message(conn)
        if mid is None:
            break
        if mid == 0x0001:
            conn.sendall(load(d, "sccp-register-ack.bin" if mode == "ack" else "sccp-register-reject.bin"))
            if mode != "ack":
                time.sleep(0.2)
                break
        elif mid == 0x0000:
            keepalives += 1
            conn.sendall(load(d, "sccp-keepalive-ack.bin"))
            if keepalives == 3:
                time.sleep(0.05)
                conn.sendall(load(d, "sccp-reset.bin"))
        elif mid == 0x0027:
            break
    conn.close()
    srv.close()


def phone(d, addr, mgr, rejected):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    nodelay(sock)
    sock.bind((addr, 0))
    sock.connect((mgr, 2000))
    register = load(d, "sccp-register.bin")
    # The register in two segments: the stream tracker puts it together.
    sock.sendall(register[:20])
    time.sleep(0.1)
    sock.sendall(register[20:])
    read_message(sock)
    if rejected:
        time.sleep(0.1)
        sock.close()
        return
    keepalive = load(d, "sccp-keepalive.bin")
    sock.sendall(keepalive + load(d, "sccp-version-req.bin"))  # two messages in one segment
    read_message(sock)
    time.sleep(0.1)
    sock.sendall(keepalive)
    read_message(sock)
    time.sleep(0.1)
    sock.sendall(keepalive)
    read_message(sock)
    read_message(sock)  # the reset
    sock.sendall(load(d, "sccp-unregister.bin"))
    time.sleep(0.1)
    sock.close()


def registrar(d, addr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 5060))
    print("listening", flush=True)
    _, peer = sock.recvfrom(65535)
    sock.sendto(load(d, "sip-200.bin"), peer)
    sock.close()


def sip_phone(d, addr, reg):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 5060))
    sock.sendto(load(d, "sip-register.bin"), (reg, 5060))
    sock.settimeout(5)
    sock.recvfrom(65535)
    sock.close()


if __name__ == "__main__":
    role, d, addr = sys.argv[1], sys.argv[2], sys.argv[3]
    if role == "manager":
        manager(d, addr, sys.argv[4])
    elif role == "phone":
        phone(d, addr, sys.argv[4], False)
    elif role == "phone-rejected":
        phone(d, addr, sys.argv[4], True)
    elif role == "registrar":
        registrar(d, addr)
    elif role == "sip-phone":
        sip_phone(d, addr, sys.argv[4])
    else:
        sys.exit(f"unknown role {role}")
