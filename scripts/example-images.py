#!/usr/bin/env python3
"""Draws the example station's pictures (examples/): a neutral placeholder
portrait (no real person) and, with Debian's `qrencode`, an app QR code for
a made-up link. The logo (examples/logo.svg) is drawn by hand. Standard
library only; run from the project folder: python3 scripts/example-images.py
"""
import math
import struct
import subprocess
import zlib


def png(path, width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def portrait(path, w=480, h=640):
    """A head-and-shoulders silhouette in soft greys on a pale blue ground,
    lit from the upper left, so that a halftone has tones to show."""
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            u, v = x / w, y / h
            # Background: pale blue-grey, lighter at the top.
            r, g, b = 200 - 30 * v, 212 - 28 * v, 228 - 20 * v
            head = ((u - 0.5) / 0.19) ** 2 + ((v - 0.36) / 0.2) ** 2
            body = ((u - 0.5) / 0.42) ** 2 + ((v - 1.02) / 0.36) ** 2
            neck = abs(u - 0.5) < 0.085 and 0.5 < v < 0.72
            if head <= 1 or body <= 1 or neck:
                # Shaded: lighter towards the upper left.
                light = 0.5 + 0.5 * max(0.0, 1 - math.hypot(u - 0.38, v - 0.25) / 0.6)
                tone = 70 + 80 * light
                r, g, b = tone, tone, tone + 6
                if body <= 1 and v > 0.72:
                    # A dark jacket with a lighter collar line.
                    r, g, b = 52 + 30 * light, 58 + 30 * light, 74 + 30 * light
                    if abs(abs(u - 0.5) - (v - 0.72) * 0.9) < 0.012:
                        r, g, b = 170, 175, 185
            row += [int(max(0, min(255, c))) for c in (r, g, b)]
        rows.append(row)
    png(path, w, h, rows)


if __name__ == "__main__":
    portrait("examples/officer.png")
    # 8 px a module, 4 modules of quiet zone: 29 + 8 modules (version 3-M) → 296 px.
    subprocess.run(
        ["qrencode", "-l", "M", "-s", "8", "-m", "4", "-o", "examples/fanzha-app.png", "https://example.org/fanzha-app"],
        check=True,
    )
