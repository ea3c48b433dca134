"""What one run measured: per-flow shares of the bottleneck over the window in which every flow
ran, Jain's fairness index, utilisation, and the queueing delay ping saw (RTT minus base RTT)."""


def bytes_at(samples, counter, t):
    """The counter's value at time t, linear between the samples around it."""
    prev_t, prev_v = samples[0][0], samples[0][1].get(counter, 0)
    if t <= prev_t:
        return prev_v
    for st, values in samples[1:]:
        v = values.get(counter, 0)
        if st >= t:
            return prev_v + (v - prev_v) * (t - prev_t) / (st - prev_t) if st > prev_t else v
        prev_t, prev_v = st, v
    return prev_v


def jain(values):
    """Jain's index: (sum x)^2 / (n * sum x^2); 1 when all equal, 1/n when one takes everything."""
    if not values:
        return float("nan")
    square_sum = sum(x * x for x in values)
    return (sum(values) ** 2) / (len(values) * square_sum) if square_sum > 0 else float("nan")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    low = int(k)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (k - low)


def series(samples, counter, t0):
    """(seconds since t0, bit/s) per sample interval: the throughput over time of one flow."""
    points = []
    for (ta, va), (tb, vb) in zip(samples, samples[1:]):
        if tb > ta:
            points.append(((ta + tb) / 2 - t0, (vb.get(counter, 0) - va.get(counter, 0)) * 8 / (tb - ta)))
    return points


def measure(flows, samples, pings, rate_bps, base_rtt, window):
    start, end = window
    seconds = end - start
    rates = {}
    for f in flows:
        moved = bytes_at(samples, f.counter, end) - bytes_at(samples, f.counter, start)
        rates[f.name] = moved * 8 / seconds if seconds > 0 else 0.0
    total = sum(rates.values())
    delays = sorted(rtt - base_rtt for t, rtt in pings if start <= t <= end)
    return {
        "window_s": seconds,
        "rates_bps": rates,
        "shares": {name: r / rate_bps for name, r in rates.items()},
        "jain": jain(list(rates.values())),
        "utilisation": total / rate_bps,
        "qdelay_median_ms": percentile(delays, 50),
        "qdelay_p95_ms": percentile(delays, 95),
        "pings": len(delays),
        "base_rtt_ms": base_rtt,
    }
