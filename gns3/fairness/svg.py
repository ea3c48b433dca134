"""A small SVG chart of one run: throughput over time per flow (top) and ping's queueing delay
(bottom), with the bottleneck rate and the measuring window marked. No library."""

from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
WIDTH, LEFT, RIGHT = 820, 70, 20
TOP_H, BOTTOM_H, GAP, TITLE_H = 260, 120, 40, 40


def nice_ceiling(value):
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


def polyline(points, x, y, colour, dash=""):
    if not points:
        return ""
    coords = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in points)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="1.6"{extra} points="{coords}"/>\n'


def axis(y_top, height, x_max, y_max, y_label, x, y, unit_scale, ticks=5):
    out = [f'<rect x="{LEFT}" y="{y_top}" width="{WIDTH - LEFT - RIGHT}" height="{height}" fill="none" stroke="#999"/>\n']
    for i in range(ticks + 1):
        v = y_max * i / ticks
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>\n')
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v / unit_scale:g}</text>\n')
    step = max(1, int(nice_ceiling(x_max / 8)))
    t = 0
    while t <= x_max:
        out.append(f'<text x="{x(t):.1f}" y="{y_top + height + 14}" text-anchor="middle">{t}</text>\n')
        t += step
    out.append(f'<text x="16" y="{y_top + height / 2}" transform="rotate(-90 16 {y_top + height / 2})" '
               f'text-anchor="middle">{escape(y_label)}</text>\n')
    return "".join(out)


def chart(title, flow_series, rate_bps, window, delay_points, total_s):
    """flow_series: [(name, [(t, bit/s)])]; window: (start, end) seconds; delay_points: [(t, ms)]."""
    height = TITLE_H + TOP_H + GAP + BOTTOM_H + 40
    x = lambda t: LEFT + (WIDTH - LEFT - RIGHT) * min(max(t, 0), total_s) / total_s
    y_max = nice_ceiling(max([rate_bps] + [v for _, pts in flow_series for _, v in pts]) * 1.05)
    top = TITLE_H
    y = lambda v: top + TOP_H * (1 - v / y_max)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="11">\n',
           f'<rect width="100%" height="100%" fill="white"/>\n',
           f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>\n']
    out.append(f'<rect x="{x(window[0]):.1f}" y="{top}" width="{x(window[1]) - x(window[0]):.1f}" '
               f'height="{TOP_H}" fill="#f6f6ff"/>\n')
    out.append(axis(top, TOP_H, total_s, y_max, "Mbit/s", x, y, 1e6))
    out.append(polyline([(0, rate_bps), (total_s, rate_bps)], x, y, "#555", "6,4"))
    legend_x = LEFT
    for i, (name, pts) in enumerate(flow_series):
        colour = COLOURS[i % len(COLOURS)]
        out.append(polyline(pts, x, y, colour))
        out.append(f'<rect x="{legend_x}" y="26" width="12" height="8" fill="{colour}"/>'
                   f'<text x="{legend_x + 16}" y="34">{escape(name)}</text>\n')
        legend_x += 16 + 7 * len(name) + 20
    out.append(f'<text x="{legend_x}" y="34" fill="#555">- - bottleneck; shaded: the measured window</text>\n')

    dtop = top + TOP_H + GAP
    d_max = nice_ceiling(max([1.0] + [d for _, d in delay_points]) * 1.05)
    dy = lambda v: dtop + BOTTOM_H * (1 - max(v, 0) / d_max)
    out.append(axis(dtop, BOTTOM_H, total_s, d_max, "queue ms", x, dy, 1, ticks=4))
    out.append(polyline(delay_points, x, dy, "#444"))
    out.append(f'<text x="{WIDTH / 2}" y="{dtop + BOTTOM_H + 32}" text-anchor="middle">'
               f'seconds; bottom: ping RTT minus the idle RTT</text>\n')
    out.append("</svg>\n")
    return "".join(out)
