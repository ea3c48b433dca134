"""The printed table: a row per flow of each run, the run's figures on its first row."""

import math
import os

HEADER = (f"{'point':<22} {'scenario':<14} {'first':<9} {'flow':<10} {'Mbit/s':>8} {'share':>7} {'of solo':>8} "
          f"{'jain':>5} {'util':>6} {'q med':>6} {'q p95':>6} {'drops':>7}")


def fmt(value, spec, missing="-"):
    return missing if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


def solo_rates(results):
    """(point, kind) -> the mean rate of that kind running alone at that point."""
    sums = {}
    for r in results:
        if len(r["kinds"]) == 1 and not r["errors"]:
            key = (r["point"], r["kinds"][0])
            sums.setdefault(key, []).append(r["rates_bps"][r["flows"][0]])
    return {k: sum(v) / len(v) for k, v in sums.items()}


def rows(results):
    solo = solo_rates(results)
    lines = [HEADER]
    for r in results:
        if r["errors"]:
            lines.append(f"{r['point']:<22} {r['scenario']:<14} {r['first']:<9} FAILED: {'; '.join(r['errors'])}")
            continue
        for i, (name, kind) in enumerate(zip(r["flows"], r["kinds"])):
            rate = r["rates_bps"][name]
            of_solo = rate / solo[(r["point"], kind)] if (r["point"], kind) in solo and len(r["kinds"]) > 1 else None
            left = (f"{r['point']:<22} {r['scenario']:<14} {r['first']:<9}" if i == 0 else " " * 47)
            line = (f"{left} {name:<10} {rate / 1e6:>8.1f} {fmt(r['shares'][name] * 100, '.1f'):>6}% "
                    f"{fmt(of_solo * 100 if of_solo is not None else None, '.0f'):>7}%")
            if i == 0:
                line += (f" {fmt(r['jain'], '.2f'):>5} {fmt(r['utilisation'] * 100, '.1f'):>5}% "
                         f"{fmt(r['qdelay_median_ms'], '.1f'):>6} {fmt(r['qdelay_p95_ms'], '.1f'):>6} {r['drops']:>7}")
            lines.append(line.replace(" -%", "  -"))
    return lines


def legend(results, duration):
    loads = [r["load"] for r in results if "load" in r]
    load = f"{min(loads):.1f} to {max(loads):.1f}" if loads else "-"
    return [
        f"share: the flow's bytes through the bottleneck (IP length + 14-byte Ethernet header, counted by destination port "
        f"in the server's input hook) over the {duration} s in which every flow of the run ran, divided by the bottleneck rate;",
        "of solo: the flow's rate over the same kind's rate alone at the same point (when that scenario ran); "
        "jain: Jain's index of the flows' rates; util: all flows over the bottleneck rate;",
        "q med / q p95: ping's RTT (10 per second, client -> server) minus the idle RTT measured before the run, "
        "median and 95th percentile, ms; drops: packets tbf dropped during the run.",
        f"load average (1 min) at the runs' starts: {load} on {os.cpu_count()} cores (other work on the machine shows in the figures).",
    ]
