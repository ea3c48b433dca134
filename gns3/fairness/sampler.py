"""Reads the per-flow nftables counters behind the bottleneck every interval, timestamped."""

import json
import subprocess
import threading
import time

from topology import COUNTER_TABLE

ETHERNET_HEADER = 14   # nft counts IP packets; tbf's rate counts frames (skb->len on the veth)


def read_counters(ns):
    """counter name -> bytes as the bottleneck counts them (IP length + the Ethernet header)."""
    out = subprocess.run(["ip", "netns", "exec", ns, "nft", "-j", "list", "counters", "table", "inet", COUNTER_TABLE],
                         capture_output=True, text=True, check=True).stdout
    values = {}
    for item in json.loads(out).get("nftables", []):
        c = item.get("counter")
        if c:
            values[c["name"]] = c["bytes"] + ETHERNET_HEADER * c["packets"]
    return values


class CounterSampler:
    def __init__(self, ns, interval):
        self.ns = ns
        self.interval = interval
        self.samples = []          # (unix time, {counter: bytes})
        self.error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.sample()
        self._thread.start()

    def sample(self):
        before = time.time()
        values = read_counters(self.ns)
        # The read takes a few milliseconds: stamp it in the middle.
        self.samples.append(((before + time.time()) / 2, values))

    def _run(self):
        next_at = time.time() + self.interval
        while not self._stop.wait(max(0.0, next_at - time.time())):
            try:
                self.sample()
            except (subprocess.CalledProcessError, ValueError) as e:
                self.error = str(e)
                return
            next_at += self.interval

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.samples
