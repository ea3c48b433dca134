#!/usr/bin/env python3
"""Types lines into a GNS3 node's telnet console, as a student does, and records what the console shows.

    node-console.py [--no-size] HOST PORT LOG LINE...

Connects to the console (GNS3's telnet server for a Docker node: the shell of its start command), tells
it a window of 100x30 as a telnet client does (NAWS; GNS3 resizes the container's terminal to it), sends
each LINE followed by Enter, then appends everything the console prints to LOG, with the telnet
negotiation removed, until the console closes or this process gets SIGTERM. --no-size refuses NAWS, as
netcat would: the container's terminal then stays 0x0. Python standard library
only (telnetlib is gone from newer Pythons).
"""
import signal
import socket
import sys
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
NAWS = 31
COLUMNS, ROWS = 100, 30


def strip_telnet(data, state, conn):
    """Removes IAC sequences and answers DO NAWS with the window size; state carries a sequence cut between reads."""
    out = bytearray()
    for b in data:
        if state["sb"]:
            if state["iac"] and b == SE:
                state["sb"] = state["iac"] = False
            else:
                state["iac"] = b == IAC
            continue
        if state["cmd"]:
            if state["cmd"] == DO and b == NAWS:
                if state["size"]:
                    conn.sendall(bytes([IAC, WILL, NAWS, IAC, SB, NAWS, 0, COLUMNS, 0, ROWS, IAC, SE]))
                else:
                    conn.sendall(bytes([IAC, WONT, NAWS]))
            state["cmd"] = False
            continue
        if state["iac"]:
            state["iac"] = False
            if b in (DO, DONT, WILL, WONT):
                state["cmd"] = b
            elif b == SB:
                state["sb"] = True
            elif b == IAC:
                out.append(b)
            continue
        if b == IAC:
            state["iac"] = True
            continue
        out.append(b)
    return bytes(out)


def main():
    args = sys.argv[1:]
    size = not (args and args[0] == "--no-size")
    args = args[1:] if not size else args
    if len(args) < 4:
        sys.exit("usage: node-console.py [--no-size] HOST PORT LOG LINE...")
    host, port, log, lines = args[0], int(args[1]), args[2], args[3:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = socket.create_connection((host, port), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    conn.settimeout(0.5)
    state = {"iac": False, "cmd": False, "sb": False, "size": size}
    with open(log, "ab", buffering=0) as out:
        end = time.monotonic() + 1  # let the console's greeting and negotiation pass before typing
        while time.monotonic() < end:
            try:
                out.write(strip_telnet(conn.recv(65536), state, conn))
            except socket.timeout:
                pass
        for line in lines:
            conn.sendall(line.encode() + b"\r")
            time.sleep(0.5)
        while True:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return
            out.write(strip_telnet(data, state, conn))


if __name__ == "__main__":
    main()
