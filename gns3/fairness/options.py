"""The command line of `gns3/lab.sh fairness`: parsed once, checked once, one line per error."""

import argparse
import os
import re
import sys

# Flow kinds a scenario is made of (scenario = kinds joined by '+', e.g. "udpx+cubic").
FLOW_KINDS = {
    "udpx": "udpx send (--mode thread)",
    "udpx-bg": "udpx send --background (the scavenger mode; the flag is passed as given by --background-args)",
    "cubic": "iperf3 -C cubic (TCP CUBIC)",
}
DEFAULT_SCENARIOS = "udpx,cubic,udpx+cubic,udpx+udpx"

EXIT_BAD_USAGE = 2
EXIT_MISSING = 3


class OneLineParser(argparse.ArgumentParser):
    """argparse prints its usage and the error on two or more lines; udpx's rule is one line."""

    def error(self, message):
        sys.stderr.write(f"lab.sh fairness: {message} (see gns3/lab.sh fairness --help)\n")
        sys.exit(EXIT_BAD_USAGE)


def bad(message):
    sys.stderr.write(f"lab.sh fairness: {message}\n")
    sys.exit(EXIT_BAD_USAGE)


RATE_UNITS = {"kbit": 1e3, "mbit": 1e6, "gbit": 1e9}


def parse_rate(text):
    """'10mbit', '100mbit', '1gbit' (tc's spelling) -> bits per second."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(kbit|mbit|gbit)", text.strip().lower())
    if not m:
        bad(f"rate '{text}' is not NUMBER followed by kbit, mbit or gbit (e.g. 100mbit)")
    bps = float(m.group(1)) * RATE_UNITS[m.group(2)]
    if not 1e6 <= bps <= 10e9:
        bad(f"rate '{text}' is outside 1mbit..10gbit")
    return text.strip().lower(), bps


def split_list(text):
    return [item for item in re.split(r"[,\s]+", text.strip()) if item]


def parse_numbers(text, name, low, high):
    values = []
    for item in split_list(text):
        if not re.fullmatch(r"\d+(\.\d+)?", item):
            bad(f"{name} '{item}' is not a number")
        value = float(item)
        if not low <= value <= high:
            bad(f"{name} {item} is outside {low:g}..{high:g}")
        values.append(value)
    if not values:
        bad(f"{name} needs at least one value")
    return values


def parse_scenarios(text):
    scenarios = []
    for item in split_list(text):
        kinds = item.split("+")
        for kind in kinds:
            if kind not in FLOW_KINDS:
                bad(f"scenario '{item}': unknown flow '{kind}' (known: {', '.join(FLOW_KINDS)})")
        if len(kinds) > 4:
            bad(f"scenario '{item}': at most 4 flows")
        scenarios.append(kinds)
    if not scenarios:
        bad("--scenarios needs at least one scenario")
    return scenarios


def build_parser():
    p = OneLineParser(
        prog="gns3/lab.sh fairness",
        description="udpx beside TCP CUBIC (iperf3) at a tc tbf bottleneck between network namespaces: "
        "per-flow shares of the bottleneck, Jain's index, utilisation and queueing delay (ping).",
        epilog="Scenarios are flows joined by '+': "
        + "; ".join(f"{k} = {v}" for k, v in FLOW_KINDS.items())
        + f". Default: {DEFAULT_SCENARIOS}. Exit codes: 0 every run measured, 1 a run failed (a flow moved "
        "no bytes, a server did not start), 2 bad command line, 3 a tool or the binary is missing.",
    )
    p.add_argument("--rate", default="100mbit", help="bottleneck rates, comma-separated (10mbit, 100mbit, 1gbit); default 100mbit")
    p.add_argument("--buffer", default="5,50", help="bottleneck buffers in ms of the rate (1..100), comma-separated; default 5,50")
    p.add_argument("--rtt", default="0,20", help="base RTTs in ms (0..50) added by the delay stage, comma-separated; default 0,20")
    p.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help=f"comma-separated scenarios (default {DEFAULT_SCENARIOS})")
    p.add_argument("--duration", type=int, default=30, help="seconds all flows of a scenario run together (default 30)")
    p.add_argument("--stagger", type=int, default=3, help="seconds the first flow runs alone before the others start (default 3)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each scenario and start order (default 1)")
    p.add_argument("--interval", type=float, default=0.25, help="seconds between counter samples (default 0.25)")
    p.add_argument("--bin", default="", help="the udpx command (default dist/udpx of this repository); may carry words")
    p.add_argument("--udpx-args", default="", help="extra arguments for every `udpx send` (e.g. '--datagram-size 1400')")
    p.add_argument("--background-args", default="--background", help="what makes a udpx-bg flow (default --background)")
    p.add_argument("--report", default="", help="write DIR/fairness.txt, DIR/runs.json and one SVG of throughput over time per run")
    p.add_argument("--logs", default="", help="logs and the sparse input files (default a new /tmp/udpx-fairness.XXXXXX)")
    p.add_argument("--stage-check", action="store_true", help="only measure what the path adds to an RTT by itself: ping "
                   "through each --rtt (and 0) idle and beside --stage-load of UDP in the return direction (no udpx)")
    p.add_argument("--stage-load", default="100M", help="iperf3 -b for --stage-check's loaded phase (default 100M)")
    p.add_argument("--down", action="store_true", help="only remove the fairness namespaces of --prefix (left behind by a killed run)")
    p.add_argument("--prefix", default=os.environ.get("UDPX_LAB_PREFIX", "udpx"), help="namespace prefix (default udpx, or UDPX_LAB_PREFIX)")
    return p


def parse(argv):
    a = build_parser().parse_args(argv)
    a.rates = [parse_rate(r) for r in split_list(a.rate)] or bad("--rate needs at least one rate")
    a.buffers = parse_numbers(a.buffer, "--buffer", 1, 100)
    a.rtts = parse_numbers(a.rtt, "--rtt", 0, 50)
    a.scenario_list = parse_scenarios(a.scenarios)
    if not 1 <= a.duration <= 3600:
        bad("--duration must be 1..3600 seconds")
    if not 0 <= a.stagger <= 600:
        bad("--stagger must be 0..600 seconds")
    if not 1 <= a.repeat <= 100:
        bad("--repeat must be 1..100")
    if not 0.05 <= a.interval <= 5:
        bad("--interval must be 0.05..5 seconds")
    if not re.fullmatch(r"\d+[KMG]?", a.stage_load):
        bad(f"--stage-load '{a.stage_load}' is not a number with an optional K, M or G (iperf3 -b, e.g. 100M)")
    if not re.fullmatch(r"[a-zA-Z0-9_.-]{1,8}", a.prefix):
        bad("--prefix must be 1-8 characters [a-zA-Z0-9_.-]")
    return a
