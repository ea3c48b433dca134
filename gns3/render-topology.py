#!/usr/bin/env python3
"""Draw a GNS3 project file (.gns3) as an SVG picture.

Standard library only. Nodes are drawn at their x/y on the GNS3 scene with
their name, type and the addresses found in the node's
project-files/docker/<node_id>/etc/network/interfaces (next to the .gns3 file);
links are straight lines between node centres with the port names at each end.

    python3 gns3/render-topology.py                      # gns3/udpx-lab.gns3 -> gns3/topology.svg
    python3 gns3/render-topology.py PROJECT.gns3 -o OUT.svg
    python3 gns3/render-topology.py --check              # exit 1 if topology.svg is stale
"""

import argparse
import ipaddress
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
MARGIN = 40
COLOURS = {
    "docker": ("#e8f1fb", "#2b6cb0"),
    "qemu": ("#e8f1fb", "#2b6cb0"),
    "ethernet_switch": ("#eef7ee", "#2f7d32"),
    "ethernet_hub": ("#eef7ee", "#2f7d32"),
    "nat": ("#fdf3e6", "#b26a00"),
    "cloud": ("#fdf3e6", "#b26a00"),
}
DEFAULT_COLOUR = ("#f2f2f2", "#555555")
SHORT_TYPES = {"ethernet_switch": "switch", "ethernet_hub": "hub", "nat": "NAT"}


def read_interfaces(path):
    """Return [(iface, text)] from an ifupdown file: 'eth0', '10.10.0.10/24' or 'dhcp'."""
    result = []
    current = None
    address = netmask = None

    def flush():
        if current is None:
            return
        name, method = current
        if method == "static" and address:
            text = address
            if netmask:
                try:
                    prefix = ipaddress.IPv4Network("0.0.0.0/" + netmask).prefixlen
                    text = "%s/%d" % (address, prefix)
                except ValueError:
                    text = "%s mask %s" % (address, netmask)
            result.append((name, text))
        elif method in ("dhcp", "static"):
            result.append((name, method))

    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            if words[0] == "iface" and len(words) >= 4:
                flush()
                current = (words[1], words[3])
                address = netmask = None
            elif words[0] == "address" and len(words) >= 2:
                address = words[1]
            elif words[0] == "netmask" and len(words) >= 2:
                netmask = words[1]
    flush()
    return [item for item in result if item[0] != "lo"]


def node_addresses(project_dir, node):
    path = os.path.join(project_dir, "project-files", node["node_type"], node["node_id"],
                        "etc", "network", "interfaces")
    if not os.path.isfile(path):
        return []
    return ["%s %s" % item for item in read_interfaces(path)]


def drawing_texts(drawing):
    """Text elements of a GNS3 drawing (an SVG snippet) as (text, size, colour, bold)."""
    try:
        root = ET.fromstring(drawing.get("svg", ""))
    except ET.ParseError:
        return []
    texts = []
    for element in root.iter():
        if element.tag.split("}")[-1] == "text" and (element.text or "").strip():
            size = float(element.get("font-size", "10"))
            texts.append((element.text.strip(), size, element.get("fill", "#000000"),
                          element.get("font-weight") == "bold"))
    return texts


def port_label(link_end):
    label = link_end.get("label") or {}
    text = label.get("text")
    if text:
        return re.sub(r"<[^>]+>", "", text)
    return "%d/%d" % (link_end.get("adapter_number", 0), link_end.get("port_number", 0))


def label_position(box, towards, below, text):
    """Where to write a port name: just outside the node's box, on the line towards the other end.

    A line leaving through the bottom edge gets its label under the node's own text block."""
    x, y, w, h = box
    cx, cy = x + w / 2.0, y + h / 2.0
    dx, dy = towards[0] - cx, towards[1] - cy
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    ux, uy = dx / length, dy / length
    exits = []
    if abs(ux) > 1e-9:
        exits.append((w / 2.0 / abs(ux), "side"))
    if abs(uy) > 1e-9:
        exits.append((h / 2.0 / abs(uy), "bottom" if uy > 0 else "top"))
    reach, edge = min(exits)
    gap = below + 8 if edge == "bottom" else 8 + len(text) * 3.5
    distance = min(reach + gap / max(abs(uy), 0.35) if edge == "bottom" else reach + gap, length / 2.0)
    return cx + ux * distance, cy + uy * distance


def filter_text(filters):
    parts = []
    for name, values in sorted((filters or {}).items()):
        parts.append("%s=%s" % (name, ",".join(str(v) for v in values)))
    return " ".join(parts)


def render(project_path):
    with open(project_path, encoding="utf-8") as handle:
        project = json.load(handle)
    project_dir = os.path.dirname(os.path.abspath(project_path))
    topology = project["topology"]
    nodes = topology.get("nodes", [])
    by_id = {node["node_id"]: node for node in nodes}

    boxes = {}
    for node in nodes:
        width = int(node.get("width") or 60)
        height = int(node.get("height") or 60)
        boxes[node["node_id"]] = (int(node["x"]), int(node["y"]), width, height)

    # Scene bounds: nodes plus room for the text under them, plus drawings.
    xs, ys = [], []
    for node in nodes:
        x, y, w, h = boxes[node["node_id"]]
        lines = 2 + len(node_addresses(project_dir, node))
        xs += [x - 40, x + w + 40]
        ys += [y - 10, y + h + 16 * lines + 10]
    for drawing in topology.get("drawings", []):
        for text, size, _, _ in drawing_texts(drawing):
            xs += [int(drawing["x"]), int(drawing["x"]) + int(len(text) * size * 0.62)]
            ys += [int(drawing["y"]), int(drawing["y"]) + int(size * 2)]
    if not xs:
        xs, ys = [0, 100], [0, 100]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    width, height = max(xs) - left + MARGIN, max(ys) - top + MARGIN

    out = []
    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="%d %d %d %d" '
               'font-family="DejaVu Sans, Arial, sans-serif">' % (width, height, left, top, width, height))
    out.append('  <title>%s</title>' % escape("GNS3 project %s" % project.get("name", "")))
    out.append('  <rect x="%d" y="%d" width="%d" height="%d" fill="#ffffff"/>' % (left, top, width, height))

    out.append('  <g id="links" stroke="#444444" stroke-width="2">')
    for link in topology.get("links", []):
        ends = link.get("nodes", [])
        if len(ends) != 2 or any(end["node_id"] not in boxes for end in ends):
            continue
        centres = []
        for end in ends:
            x, y, w, h = boxes[end["node_id"]]
            centres.append((x + w / 2.0, y + h / 2.0))
        (x1, y1), (x2, y2) = centres
        dash = ' stroke-dasharray="6 4"' if link.get("suspend") else ""
        out.append('    <line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"%s/>' % (x1, y1, x2, y2, dash))
    out.append('  </g>')

    text_below = {}
    for node in nodes:
        image = (node.get("properties") or {}).get("image")
        text_below[node["node_id"]] = 18 + 15 * len(node_addresses(project_dir, node)) + (14 if image else 0)

    out.append('  <g id="port-labels" font-size="11" fill="#7a1f1f" text-anchor="middle">')
    for link in topology.get("links", []):
        ends = link.get("nodes", [])
        if len(ends) != 2 or any(end["node_id"] not in boxes for end in ends):
            continue
        centres = []
        for end in ends:
            x, y, w, h = boxes[end["node_id"]]
            centres.append((x + w / 2.0, y + h / 2.0))
        for index, end in enumerate(ends):
            text = port_label(end)
            lx, ly = label_position(boxes[end["node_id"]], centres[1 - index], text_below[end["node_id"]], text)
            out.append('    <text x="%.1f" y="%.1f" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s</text>'
                       % (lx, ly + 4, escape(text)))
        text = filter_text(link.get("filters"))
        if text:
            mx, my = (centres[0][0] + centres[1][0]) / 2, (centres[0][1] + centres[1][1]) / 2
            out.append('    <text x="%.1f" y="%.1f" fill="#b00020">%s</text>' % (mx, my + 14, escape(text)))
    out.append('  </g>')

    out.append('  <g id="nodes">')
    for node in nodes:
        x, y, w, h = boxes[node["node_id"]]
        fill, stroke = COLOURS.get(node["node_type"], DEFAULT_COLOUR)
        out.append('    <g id="node-%s">' % escape(node["name"]))
        out.append('      <rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s" stroke-width="2"/>'
                   % (x, y, w, h, fill, stroke))
        image = (node.get("properties") or {}).get("image")
        out.append('      <text x="%.1f" y="%.1f" font-size="9" fill="%s" text-anchor="middle">%s</text>'
                   % (x + w / 2.0, y + h / 2.0 + 3, stroke, escape(SHORT_TYPES.get(node["node_type"], node["node_type"]))))
        cx = x + w / 2.0
        line_y = y + h + 16
        out.append('      <text x="%.1f" y="%d" font-size="13" font-weight="bold" text-anchor="middle">%s</text>'
                   % (cx, line_y, escape(node["name"])))
        for address in node_addresses(project_dir, node):
            line_y += 15
            out.append('      <text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'
                       % (cx, line_y, escape(address)))
        if image:
            line_y += 14
            out.append('      <text x="%.1f" y="%d" font-size="9" fill="#666666" text-anchor="middle">%s</text>'
                       % (cx, line_y, escape(image)))
        out.append('    </g>')
    out.append('  </g>')

    out.append('  <g id="drawings">')
    for drawing in topology.get("drawings", []):
        offset = 0.0
        for text, size, colour, bold in drawing_texts(drawing):
            offset += size * 1.4
            weight = ' font-weight="bold"' if bold else ""
            out.append('    <text x="%d" y="%.1f" font-size="%.0f" fill="%s"%s>%s</text>'
                       % (int(drawing["x"]), int(drawing["y"]) + offset, size * 1.2, escape(colour), weight,
                          escape(text)))
    out.append('  </g>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", nargs="?", default=os.path.join(HERE, "udpx-lab.gns3"))
    parser.add_argument("-o", "--output", help="SVG file to write (default: topology.svg next to the project)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the SVG on disk differs")
    args = parser.parse_args(argv)
    output = args.output or os.path.join(os.path.dirname(os.path.abspath(args.project)), "topology.svg")
    svg = render(args.project)
    if args.check:
        try:
            with open(output, encoding="utf-8") as handle:
                current = handle.read()
        except OSError:
            current = None
        if current != svg:
            print("%s is stale: run python3 gns3/render-topology.py" % output, file=sys.stderr)
            return 1
        print("%s is up to date" % output)
        return 0
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(svg)
    print("wrote %s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
