"""A constant-delay stage for a kernel without netem: a TUN device that gives back every packet
written to it DELAY_MS later.

    python3 delay_stage.py IFNAME DELAY_MS      (inside the router namespace, as root)

The router routes the return direction into the device (ip rule iif to-server -> a table whose
default route is the device); the kernel hands each packet to this process, which holds it in a
FIFO (the delay is constant, so release order is arrival order) and writes it back into the
device, where it arrives as if received and is routed on to the client by the main table.
Prints "ready" once the device exists, then a count of packets on SIGTERM.
"""

import collections
import fcntl
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    name, delay = sys.argv[1], float(sys.argv[2]) / 1000.0
    fd = open_tun(name)
    stop = False

    def on_term(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    print("ready", flush=True)
    held = collections.deque()
    forwarded = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while not stop:
        now = time.monotonic()
        while held and held[0][0] <= now:
            try:
                os.write(fd, held.popleft()[1])
                forwarded += 1
            except BlockingIOError:
                break
        timeout_ms = None if not held else max(0.0, (held[0][0] - now) * 1000.0)
        try:
            ready = poller.poll(timeout_ms)
        except InterruptedError:
            continue
        if ready:
            arrived = time.monotonic() + delay
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                held.append((arrived, packet))
    sys.stderr.write(f"delay stage {name}: {forwarded} packets delayed by {delay * 1000:g} ms\n")


if __name__ == "__main__":
    main()
