"""A constant-delay stage for a kernel without netem: a TUN device that gives back every packet
written to it DELAY_MS later.

    python3 delay_stage.py IFNAME DELAY_MS      (inside the router namespace, as root)

The router routes the return direction into the device (ip rule iif to-server -> a table whose
default route is the device); the kernel hands each packet to this process, which holds it in a
FIFO (the delay is constant, so release order is arrival order) and writes it back into the
device, where it arrives as if received and is routed on to the client by the main table.
Prints "ready" once the device exists; on SIGTERM, a count of packets and how late they left.

Precision (the stage is the wire: its own jitter reads as queue to a delay-based sender):
- it waits in select(2), whose timeout is in microseconds (poll(2)'s is whole milliseconds, which
  released every packet up to 1 ms late: 0.5 ms of spread and 0.8 ms on top of the RTT), wakes
  SPIN_NS early and spins the rest;
- each packet is stamped when it is read, in integer nanoseconds;
- it runs at real-time priority (SCHED_FIFO, timer slack 0) so that the flows' own processes and
  everything else on the machine do not keep it off a CPU;
- the cyclic garbage collector is off (the loop makes no cycles; a collection is a pause).
"""

import collections
import fcntl
import gc
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
REALTIME_PRIORITY = 20
# select(2) wakes this much before a packet is due and the stage spins the rest: a halted vCPU takes
# 100-200 us to wake (an idle 20 ms path: 85% of packets left >= 100 us late without it, 2% with it).
# While it spins it does not read: a packet that arrives then is stamped up to this much late.
SPIN_NS = 100_000
LATE_BUCKETS_US = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def go_realtime():
    """SCHED_FIFO if allowed (root); what the stage got, for its log."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(REALTIME_PRIORITY))
        return f"SCHED_FIFO {REALTIME_PRIORITY}"
    except (AttributeError, PermissionError, OSError) as e:
        return f"normal priority ({e})"


class Lateness:
    """How long after its due time each packet left: a histogram in microseconds and the worst."""

    def __init__(self):
        self.counts = [0] * (len(LATE_BUCKETS_US) + 1)
        self.worst_ns = 0

    def add(self, late_ns):
        us = late_ns // 1000
        i = 0
        while i < len(LATE_BUCKETS_US) and us >= LATE_BUCKETS_US[i]:
            i += 1
        self.counts[i] += 1
        if late_ns > self.worst_ns:
            self.worst_ns = late_ns

    def count(self):
        return sum(self.counts)

    def summary(self):
        total = self.count() or 1
        edges = ["<10"] + [f">={b}" for b in LATE_BUCKETS_US]
        parts = [f"{edge} us {count * 100.0 / total:.2f}%" for edge, count in zip(edges, self.counts) if count]
        return f"late: {', '.join(parts)}; worst {self.worst_ns / 1e6:.3f} ms"


def main():
    name, delay_ns = sys.argv[1], int(float(sys.argv[2]) * 1_000_000)
    fd = open_tun(name)
    priority = go_realtime()
    gc.disable()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    print("ready", flush=True)
    late = Lateness()
    try:
        run(fd, delay_ns, late)
    except Stopped:
        pass
    cpu = os.times()
    sys.stderr.write(f"delay stage {name}: {late.count()} packets delayed by {delay_ns / 1e6:g} ms at {priority}; "
                     f"{late.summary()}; CPU {cpu.user + cpu.system:.1f} s\n")


class Stopped(Exception):
    """SIGTERM: select(2) is retried after a signal (PEP 475), so the handler ends the loop by raising."""


def on_term(_signum, _frame):
    raise Stopped()


def run(fd, delay_ns, late):
    held = collections.deque()
    clock = time.monotonic_ns
    readable = [fd]
    while True:
        now = clock()
        while held and held[0][0] <= now:
            due, packet = held[0]
            try:
                os.write(fd, packet)
            except BlockingIOError:
                break
            held.popleft()
            late.add(now - due)
            now = clock()
        if held and held[0][0] - now <= SPIN_NS:
            continue
        timeout = None if not held else (held[0][0] - now - SPIN_NS) / 1e9
        try:
            ready, _, _ = select.select(readable, (), (), timeout)
        except InterruptedError:
            continue
        if ready:
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                held.append((clock() + delay_ns, packet))


if __name__ == "__main__":
    main()
