#!/usr/bin/env python3
"""Draws the two sample images that `udpx demo` ships inside the binary (standard library only).

usage: python3 build/make-samples.py [OUTDIR]   (default src/udpx/Demo/Samples)
"""
import math
import os
import random
import struct
import sys
import zlib


def png(path, width, height, pixel):
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(rows), 9)))
        f.write(chunk(b"IEND", b""))


def mandelbrot(width, height):
    rnd = random.Random(1)
    def pixel(x, y):
        c = complex(-2.2 + 3.0 * x / width, -1.2 + 2.4 * y / height)
        z = 0j
        n = 0
        while abs(z) <= 2 and n < 60:
            z = z * z + c
            n += 1
        t = n / 60
        grain = rnd.randint(-6, 6)  # film grain: real photographs do not compress to nothing
        return bytes(max(0, min(255, int(v) + grain)) for v in (255 * t ** 0.5, 180 * t, 90 + 120 * math.sin(6 * t)))
    return pixel


def waves(width, height):
    rnd = random.Random(2)
    def pixel(x, y):
        r = 128 + 127 * math.sin(x / 23.0) * math.cos(y / 31.0)
        g = 128 + 127 * math.sin((x + y) / 41.0)
        b = 128 + 127 * math.cos(math.hypot(x - width / 2, y - height / 2) / 17.0)
        grain = rnd.randint(-8, 8)
        return bytes(max(0, min(255, int(v) + grain)) for v in (r, g, b))
    return pixel


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "udpx", "Demo", "Samples")
    os.makedirs(out, exist_ok=True)
    png(os.path.join(out, "mandelbrot.png"), 640, 480, mandelbrot(640, 480))
    png(os.path.join(out, "waves.png"), 640, 480, waves(640, 480))


if __name__ == "__main__":
    main()
