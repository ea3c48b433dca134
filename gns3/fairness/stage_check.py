"""`gns3/lab.sh fairness --stage-check`: what the lab's path adds to an RTT by itself, without udpx.

For every --rtt (and 0, the path without the delay stage, as the reference): ping -i 0.01 through the
path with nothing else running, then beside --stage-load of iperf3 UDP in the return direction
(iperf3 -R: the server sends, so every datagram crosses the delay stage, as acknowledgements do).
Prints the RTT's percentiles and spread (p95 - p5) and the stage's own account of how late its
packets left (delay_stage.py's log). A delay-based sender reads that spread as queue.
"""

import os
import re
import subprocess
import time

from flows import IPERF_PORT_BASE
from metrics import percentile
from topology import SERVER_ADDR

PINGS = 2000
PING_INTERVAL = "0.01"
RTT = re.compile(r"time=([\d.]+) ms")


def pings(topo):
    out = subprocess.run(["ip", "netns", "exec", topo.client, "ping", "-n", "-i", PING_INTERVAL, "-c", str(PINGS),
                          SERVER_ADDR], capture_output=True, text=True).stdout
    return sorted(float(x) for x in RTT.findall(out))


def with_load(topo, logs, rate, body):
    """Runs body() while iperf3 sends `rate` of UDP from the server to the client (the return direction)."""
    port = str(IPERF_PORT_BASE + 50)
    server = subprocess.Popen(["ip", "netns", "exec", topo.server, "iperf3", "-s", "-1", "-B", SERVER_ADDR, "-p", port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    seconds = str(int(PINGS * float(PING_INTERVAL)) + 5)
    with open(os.path.join(logs, f"stage-check-iperf3-{rate}.log"), "w") as log:
        client = subprocess.Popen(["ip", "netns", "exec", topo.client, "iperf3", "-c", SERVER_ADDR, "-p", port, "-R",
                                   "-u", "-b", rate, "-l", "1400", "-t", seconds], stdout=log, stderr=subprocess.STDOUT)
    time.sleep(1.5)
    try:
        return body()
    finally:
        for proc in (client, server):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def stage_log(topo, logs, rtt):
    """Stops the stage (it writes its account on SIGTERM) and returns that account."""
    topo.stop_delay()
    path = os.path.join(logs, f"delay-stage-{rtt:g}ms.log")
    if rtt <= 0 or not os.path.exists(path):
        return "no stage"
    with open(path, errors="replace") as f:
        text = f.read().strip()
    return text.split(": ", 1)[1] if ": " in text else text


def line(rtt, phase, rtts, stage):
    if not rtts:
        return f"rtt {rtt:g} ms, {phase}: no ping reply"
    p = {k: percentile(rtts, k) for k in (5, 50, 95, 99)}
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    return (f"rtt {rtt:g} ms, {phase}: {len(rtts)} pings, min {rtts[0]:.3f} p5 {p[5]:.3f} p50 {p[50]:.3f} "
            f"p95 {p[95]:.3f} p99 {p[99]:.3f} max {rtts[-1]:.3f} ms; spread (p95 - p5) {p[95] - p[5]:.3f} ms; "
            f"load {load}; stage: {stage}")


def run(topo, opts, logs, say):
    topo.set_bottleneck(opts.rates[0][1], max(opts.buffers))
    lines = []
    for rtt in sorted(set([0.0] + opts.rtts)):
        for phase in ("idle", f"beside {opts.stage_load}bit/s of UDP back"):
            topo.set_delay(rtt)
            if phase == "idle":
                rtts = pings(topo)
            else:
                rtts = with_load(topo, logs, opts.stage_load, lambda: pings(topo))
            lines.append(line(rtt, phase, rtts, stage_log(topo, logs, rtt)))
            say(lines[-1])
    return lines
