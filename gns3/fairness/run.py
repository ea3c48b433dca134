"""One run: a scenario's flows at one bottleneck point, one start order."""

import os
import shutil
import time

import metrics
from flows import Flow, Ping, idle_rtt, sparse_input
from sampler import CounterSampler


def start_orders(kinds):
    """Every rotation of the scenario's flows that puts a different kind first: udpx+cubic runs
    once with udpx starting first and once with cubic first; udpx+udpx once."""
    orders, seen = [], set()
    for shift in range(len(kinds)):
        order = list(range(shift, len(kinds))) + list(range(shift))
        key = kinds[order[0]]
        if key not in seen:
            seen.add(key)
            orders.append(order)
    return orders


class Point:
    def __init__(self, rate_name, rate_bps, buffer_ms, rtt_ms):
        self.rate_name, self.rate_bps, self.buffer_ms, self.rtt_ms = rate_name, rate_bps, buffer_ms, rtt_ms

    def label(self):
        return f"{self.rate_name} {self.buffer_ms:g}ms rtt{self.rtt_ms:g}"


def run_once(topo, opts, bin_cmd, point, kinds, order, repeat, logs_root, server_root, say):
    tag = f"{point.rate_name}-buf{point.buffer_ms:g}-rtt{point.rtt_ms:g}-{'+'.join(kinds)}-{kinds[order[0]]}first-{repeat}"
    logs = os.path.join(logs_root, tag)
    os.makedirs(logs, exist_ok=True)
    server_out = os.path.join(server_root, tag)
    flows = [Flow(kind, i, opts, bin_cmd, logs, server_out) for i, kind in enumerate(kinds)]
    total_s = opts.stagger + opts.duration
    size = int(point.rate_bps / 8 * total_s * 1.5) + (64 << 20)
    input_file = sparse_input(logs_root, size)
    result = {"point": point.label(), "rate_bps": point.rate_bps, "buffer_ms": point.buffer_ms,
              "rtt_ms": point.rtt_ms, "scenario": "+".join(kinds), "first": flows[order[0]].name,
              "repeat": repeat, "flows": [f.name for f in flows], "kinds": kinds, "tag": tag, "errors": []}
    with open("/proc/loadavg") as f:
        result["load"] = float(f.read().split()[0])
    ping = sampler = None
    try:
        topo.set_counters(flows)
        base_rtt = idle_rtt(topo, logs)
        drops_before = topo.bottleneck_drops()
        for f in flows:
            f.start_server(topo)
        sampler = CounterSampler(topo.server, opts.interval)
        ping = Ping(topo, logs, "load")
        sampler.start()
        t0 = time.time()
        flows[order[0]].start_client(topo, total_s, input_file)
        time.sleep(opts.stagger)
        for i in order[1:]:
            flows[i].start_client(topo, opts.duration, input_file)
        last_start = max(f.started_at for f in flows)
        while time.time() < last_start + opts.duration:
            time.sleep(0.1)
        t_end = time.time()
        for f in flows:
            rc = f.early_exit()
            if rc is not None and f.is_udpx:
                result["errors"].append(f"{f.name} exited early (exit {rc}; see {f.counter}-{f.kind}-client.log)")
        for f in flows:
            f.stop()
        samples = sampler.stop()
        if sampler.error:
            result["errors"].append(f"counter sampling failed: {sampler.error}")
        sampler = None
        pings = ping.stop()
        ping = None
        result["drops"] = topo.bottleneck_drops() - drops_before
        m = metrics.measure(flows, samples, pings, point.rate_bps, base_rtt, (last_start, t_end))
        result.update(m)
        for f in flows:
            if m["rates_bps"][f.name] <= 0:
                result["errors"].append(f"{f.name} moved no bytes through the bottleneck")
        result["series"] = {f.name: metrics.series(samples, f.counter, t0) for f in flows}
        result["delays"] = [(t - t0, rtt - base_rtt) for t, rtt in pings]
        result["window"] = (last_start - t0, t_end - t0)
        result["total_s"] = t_end - t0
    except RuntimeError as e:
        result["errors"].append(str(e))
    finally:
        if sampler is not None:
            sampler.stop()
        if ping is not None:
            ping.stop()
        for f in flows:
            f.stop()
        shutil.rmtree(server_out, ignore_errors=True)
    state = "FAILED: " + "; ".join(result["errors"]) if result["errors"] else "measured"
    say(f"{tag}: {state}")
    return result
