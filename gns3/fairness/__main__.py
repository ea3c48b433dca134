"""gns3/lab.sh fairness: udpx beside TCP CUBIC (iperf3) at a tc tbf bottleneck.

    python3 gns3/fairness [OPTIONS]      (as root; gns3/lab.sh fairness [OPTIONS] runs this)

For every point (rate x buffer x base RTT) and every scenario (udpx alone, iperf3 alone, udpx vs
CUBIC, two udpx, ...) in every start order: the first flow runs alone for --stagger seconds, then
the others join and all run for --duration seconds, with ping beside them. Prints a row per flow:
its share of the bottleneck, Jain's index, utilisation, queueing delay. See docs/performance.md.
"""

import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time

import options
import stage_check
import svg
import table
from run import Point, run_once, start_orders
from topology import Topology

T0 = time.time()


def say(text):
    sys.stderr.write(f"fairness: [{time.time() - T0:6.1f}s] {text}\n")


def need(tool, package):
    if shutil.which(tool) is None:
        sys.stderr.write(f"lab.sh fairness: '{tool}' not found (apt-get install {package})\n")
        sys.exit(options.EXIT_MISSING)


def resolve_bin(spec):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    words = shlex.split(spec) if spec else [os.path.join(repo, "dist", "udpx")]
    first = words[0]
    if "/" in first:
        if not os.path.isfile(first) or not os.access(first, os.X_OK):
            sys.stderr.write(f"lab.sh fairness: udpx binary not found or not executable: {first} "
                             f"(build/publish.sh makes dist/udpx, or pass --bin CMD)\n")
            sys.exit(options.EXIT_MISSING)
        words[0] = os.path.abspath(first)
    elif shutil.which(first) is None:
        sys.stderr.write(f"lab.sh fairness: command not found: {first}\n")
        sys.exit(options.EXIT_MISSING)
    return words


def write_report(directory, results, lines, argv):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "fairness.txt"), "w") as f:
        f.write("gns3/lab.sh fairness " + " ".join(shlex.quote(a) for a in argv) + "\n\n" + "\n".join(lines) + "\n")
    with open(os.path.join(directory, "runs.json"), "w") as f:
        json.dump(results, f, indent=1)
    for r in results:
        if r["errors"]:
            continue
        title = (f"{r['point']}, {r['scenario']}, {r['first']} first: "
                 + ", ".join(f"{n} {r['shares'][n] * 100:.0f}%" for n in r["flows"])
                 + f", Jain {r['jain']:.2f}")
        chart = svg.chart(title, list(r["series"].items()), r["rate_bps"], r["window"], r["delays"], r["total_s"])
        with open(os.path.join(directory, r["tag"] + ".svg"), "w") as f:
            f.write(chart)


def main(argv):
    opts = options.parse(argv)
    if os.geteuid() != 0:
        sys.stderr.write("lab.sh fairness: must run as root (network namespaces, tc, nftables)\n")
        sys.exit(options.EXIT_MISSING)
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("nft", "nftables"), ("ping", "iputils-ping"),
                          ("iperf3", "iperf3")):
        need(tool, package)
    if not os.path.exists("/dev/net/tun") and any(r > 0 for r in opts.rtts):
        sys.stderr.write("lab.sh fairness: /dev/net/tun is missing: no delay stage for --rtt above 0\n")
        sys.exit(options.EXIT_MISSING)
    if opts.down:
        Topology(opts.prefix, "/tmp").down()
        say("down")
        return 0
    logs = os.path.abspath(opts.logs) if opts.logs else tempfile.mkdtemp(prefix="udpx-fairness.", dir="/tmp")
    os.makedirs(logs, exist_ok=True)
    topo = Topology(opts.prefix, logs)
    if opts.stage_check:
        return check_stage(topo, opts, logs, argv)
    bin_cmd = resolve_bin(opts.bin)
    # Received bytes go to memory (the run discards them), not to the disk under the logs.
    server_root = tempfile.mkdtemp(prefix="udpx-fairness-out.", dir="/dev/shm" if os.path.isdir("/dev/shm") else logs)
    results = []
    try:
        topo.up()
        say(f"udpx: {' '.join(bin_cmd)}; logs: {logs}")
        for rate_name, rate_bps in opts.rates:
            for buffer_ms in opts.buffers:
                limit, burst = topo.set_bottleneck(rate_bps, buffer_ms)
                for rtt_ms in opts.rtts:
                    topo.set_delay(rtt_ms)
                    point = Point(rate_name, rate_bps, buffer_ms, rtt_ms)
                    say(f"point {point.label()}: tbf limit {limit} bytes, burst {burst} bytes")
                    for kinds in opts.scenario_list:
                        for order in start_orders(kinds):
                            for repeat in range(1, opts.repeat + 1):
                                results.append(run_once(topo, opts, bin_cmd, point, kinds, order, repeat, logs,
                                                        server_root, say))
    finally:
        topo.down()
        shutil.rmtree(server_root, ignore_errors=True)
        for name in os.listdir(logs):
            if name.startswith("input-"):
                os.remove(os.path.join(logs, name))
    lines = table.rows(results) + [""] + table.legend(results, opts.duration)
    print("\n".join(lines))
    print(f"logs: {logs}")
    if opts.report:
        write_report(opts.report, results, lines, argv)
        print(f"report: {os.path.abspath(opts.report)} (fairness.txt, runs.json, one SVG per run)")
    failed = sum(1 for r in results if r["errors"])
    if failed:
        print(f"FAILED: {failed} of {len(results)} runs")
        return 1
    print(f"PASSED: {len(results)} runs measured")
    return 0


def check_stage(topo, opts, logs, argv):
    try:
        topo.up()
        lines = stage_check.run(topo, opts, logs, say)
    finally:
        topo.down()
    print("\n".join(lines))
    if opts.report:
        os.makedirs(opts.report, exist_ok=True)
        with open(os.path.join(opts.report, "stage-check.txt"), "w") as f:
            f.write("gns3/lab.sh fairness " + " ".join(shlex.quote(a) for a in argv) + "\n\n" + "\n".join(lines) + "\n")
    return 0


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as e:
        sys.stderr.write(f"lab.sh fairness: {e}\n")
        sys.exit(1)
