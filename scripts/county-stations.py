#!/usr/bin/env python3
"""Write a county-scale order for the benchmark (issue 11, point 9).

Makes, in the folder given (default: orders/county/ under the project):

  county-stations.csv  N fictional police stations (default 200): id, name,
                       address, phone, hotline, QR link
  county.yaml          an order of 4 items x 3 slogans for all of them
                       (N x 12 jobs: 2,400 for 200 stations)

The apron line says `station_block: off`, as the example order does: a
county orders its aprons as one screen-printed design per slogan for every
station (3 designs, 6 screens), not a set of screens per station (600
designs for 200 stations); `--apron-station-block print` writes the other
order (N x 12 print files), `label` puts the station on sticker labels.

The stations are made up from fixed syllables, so the same N gives the same
bytes every time.
Usage: scripts/county-stations.py [--stations N] [--apron-station-block off|label|print] [DIR]
"""

import argparse
import csv
import io
import os
import sys

FIRST = "东西南北中上下前后新老大小高长石金银青白红黄柳杨桃李"
SECOND = "关河山湾桥庄营坪岭沟塘坝镇集口店铺园林"
ROADS = ["人民路", "解放路", "建设路", "胜利街", "和平街", "文化路", "朝阳路", "团结路"]

# Each item with three shipped slogans that fit it (lint checks them), and
# where its station block goes (None: printed, the default).
LINES = [
    ("bag-nonwoven", ["fanzha-shucaitan", "fanzha-96110", "fanzha-shuiguotan"], 300, None),
    ("apron", ["fanzha-shuiguotan", "fanzha-shucaitan", "fanzha-96110"], 40, "apron"),
    ("poster-a3", ["fanzha-qiandaizi", "xiaofang-dianche", "fanzha-shucaitan"], 20, None),
    ("mousepad-small", ["wangluo-mima", "fanzha-qiandaizi", "fanzha-96110"], 10, None),
]


def stations(n):
    out = []
    for i in range(n):
        a = FIRST[i % len(FIRST)]
        b = SECOND[(i // len(FIRST)) % len(SECOND)]
        round_ = i // (len(FIRST) * len(SECOND))
        name = f"{a}{b}{'' if round_ == 0 else round_ + 1}派出所"
        road = ROADS[i % len(ROADS)]
        out.append(
            {
                "id": f"zhan{i + 1:03d}",
                "name": name,
                "address": f"{a}{b}镇{road}{i % 97 + 1}号",
                "phone": f"0912-{5000000 + i * 37:07d}",
                "hotline": "96110",
                "qr": f"https://example.org/zhan{i + 1:03d}",
            }
        )
    return out


def order_yaml(csv_name, n, apron_block):
    lines = [
        "# County-scale order for the benchmark (scripts/county-stations.py): every",
        f"# station of {csv_name} gets 4 items x 3 slogans. Fictional stations.",
        f"title: 全县{n}个派出所冬季反诈宣传品",
        "vendor:",
        "  name: 县城印务有限公司（示例）",
        "  contact: 张师傅 0912-7654321",
        "due: 2026-12-20",
        "stations:",
        f"  csv: {csv_name}",
        "lines:",
    ]
    for item, slogans, qty, block in LINES:
        lines += [f"  - item: {item}", f"    slogans: [{', '.join(slogans)}]", f"    quantity: {qty}"]
        if block == "apron" and apron_block != "print":
            lines.append(f"    station_block: {apron_block}   # one design per slogan for every station")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "orders", "county"))
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--apron-station-block", choices=["off", "label", "print"], default="off")
    args = ap.parse_args()
    if args.stations < 1:
        sys.exit("--stations must be at least 1")
    os.makedirs(args.dir, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["id", "name", "address", "phone", "hotline", "qr"], lineterminator="\n")
    w.writeheader()
    w.writerows(stations(args.stations))
    with open(os.path.join(args.dir, "county-stations.csv"), "w", encoding="utf-8") as f:
        f.write(buf.getvalue())
    with open(os.path.join(args.dir, "county.yaml"), "w", encoding="utf-8") as f:
        f.write(order_yaml("county-stations.csv", args.stations, args.apron_station_block))
    print(f"wrote {args.stations} stations and county.yaml to {args.dir}")


if __name__ == "__main__":
    main()
