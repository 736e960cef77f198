#!/usr/bin/env python3
"""Regenerate the hand-designed fixtures in tests/data/ (deterministic, fixed seed).

Run from the repo root: python3 tests/data/gen_fixtures.py
The fixtures are committed; this script only documents how they were made.
Goldens are produced from the fixtures by tests/golden/make.sh.
"""
import os
import random
from datetime import datetime, timedelta

OUT = os.path.dirname(os.path.abspath(__file__))
GRID0 = datetime(2024, 12, 28, 0, 0, 9)  # 5 s grid: seconds end in 4 or 9
STEP = timedelta(seconds=5)

MSG_SIZES = {  # msg_type -> (weight, size generator)
    "inv": (30, lambda r: 1 + 36 * r.randint(1, 35)),
    "tx": (20, lambda r: r.randint(150, 2500)),
    "ping": (4, lambda r: 8),
    "pong": (4, lambda r: 8),
    "addrv2": (4, lambda r: r.choice([1 + 21 * r.randint(1, 10), 28000])),
    "headers": (4, lambda r: 82),
    "block": (1, lambda r: r.randint(800_000, 2_000_000)),
    "cmpctblock": (2, lambda r: r.randint(8_000, 30_000)),
    "getdata": (10, lambda r: 1 + 36 * r.randint(1, 20)),
    "feefilter": (3, lambda r: 8),
    "sendcmpct": (1, lambda r: 9),
    "blocktxn": (1, lambda r: r.randint(300, 60_000)),
    "getblocktxn": (1, lambda r: r.randint(35, 300)),
    "version": (1, lambda r: r.randint(102, 127)),
    "verack": (1, lambda r: 0),
    "wtxidrelay": (1, lambda r: 0),
}

# Segment boundaries: MSS = 1500 - IP hdr - 32; P2P overhead 24.
#   IPv4: MSS 1448 -> 1423, 1424, 1425, 2872, 2873
#   IPv6: MSS 1428 -> 1403, 1404, 1405, 2832, 2833
BOUNDARY_SIZES = [0]
for mss in (1448, 1428):
    BOUNDARY_SIZES += [mss - 25, mss - 24, mss - 23, 2 * mss - 24, 2 * mss - 23]
BOUNDARY_SIZES += [10_000_000]


def fmt(ts, offset):
    return ts.strftime("%Y-%m-%d %H:%M:%S") + offset


def tracepoints(r):
    # Grid slots over 3 days (2024-12-28 .. 2024-12-30), several busy hours
    # per day plus slots straddling hour and day boundaries.
    n_slots = 3 * 24 * 720
    slots = set()
    for day in range(3):
        for hour in r.sample(range(24), 6):
            base = (day * 24 + hour) * 720
            slots.update(base + r.randrange(720) for _ in range(12))
    # slot k is 00:00:09 + 5k s, so slot 720h-2 is (h-1):59:59, 720h-1 is h:00:04
    for day in (1, 2):  # 23:59:54, 23:59:59 | 00:00:04, 00:00:09 (new day)
        b = day * 24 * 720
        slots.update([b - 3, b - 2, b - 1, b])
    for h in (5, 30, 61):  # (h-1):59:59 | h:00:04
        slots.update([h * 720 - 2, h * 720 - 1])
    slots = sorted(s for s in slots if 0 <= s < n_slots)
    types = list(MSG_SIZES)
    weights = [MSG_SIZES[t][0] for t in types]
    rows = []
    for s in slots:
        ts = GRID0 + s * STEP
        for _ in range(r.choice([1, 1, 1, 2, 3])):  # several messages per sample
            t = r.choices(types, weights)[0]
            rows.append([ts, r.random() < 0.15, r.choice(["in", "out"]), t, MSG_SIZES[t][1](r)])
    # Boundary sizes, each for IPv4 and IPv6 and both flows, spread over the rows.
    picks = r.sample(range(len(rows)), 4 * len(BOUNDARY_SIZES))
    i = 0
    for size in BOUNDARY_SIZES:
        for ipv6 in (False, True):
            for flow in ("in", "out"):
                row = rows[picks[i]]
                i += 1
                row[1], row[2], row[4] = ipv6, flow, size
                if size >= 2800:
                    row[3] = r.choice(["tx", "blocktxn", "cmpctblock"])
                if size == 10_000_000:
                    row[3] = "block"
                if size == 0:
                    row[3] = r.choice(["verack", "wtxidrelay", "sendcmpct"])
    return rows


def write_tp(rows, path, offset):
    with open(path, "w") as f:
        f.write("timestamp,ipv6,flow,msg_type,size\n")
        for ts, v6, flow, t, size in rows:
            f.write(f"{fmt(ts, offset)},{v6},{flow},{t},{size}\n")


def systemd(r):
    n_slots = 2 * 24 * 720
    slots = set()
    while len(slots) < 390:
        slots.add(r.randrange(n_slots))
    b = 24 * 720  # 23:59:54, 23:59:59 | 00:00:04, 00:00:09; 06:59:59 | 07:00:04
    slots.update([b - 3, b - 2, b - 1, b, 7 * 720 - 2, 7 * 720 - 1])
    # an isolated sample alone in its hour (hour 40, i.e. 2024-12-29 16:xx)
    slots = {s for s in slots if not (40 * 720 <= s < 41 * 720)}
    slots.add(40 * 720 + 100)
    rows = []
    for s in sorted(slots):
        ts = GRID0 + s * STEP
        vin = int(r.lognormvariate(9.8, 0.9))
        vout = int(r.lognormvariate(9.3, 0.9))
        if r.random() < 0.02:
            vin += r.randint(1_000_000, 3_000_000)  # block download spike
        rows.append([ts, vin, vout])
    rows[3][1] = 0  # zero values
    rows[4][2] = 0
    return rows


def write_sys(rows, path, as_float, missing):
    # missing: dict row index -> which of "in"/"out"/"both" is empty
    def v(x):
        return f"{float(x)!r}" if as_float else str(x)

    with open(path, "w") as f:
        f.write("timestamp,IPIngressBytes,IPEgressBytes\n")
        for i, (ts, vin, vout) in enumerate(rows):
            m = missing.get(i, "")
            a = "" if m in ("in", "both") else v(vin)
            b = "" if m in ("out", "both") else v(vout)
            f.write(f"{fmt(ts, '+00:00')},{a},{b}\n")


def main():
    r = random.Random(20241228)
    rows = tracepoints(r)
    write_tp(rows, os.path.join(OUT, "tracepoints.csv"), "+00:00")
    write_tp(rows, os.path.join(OUT, "tracepoints_naive.csv"), "")

    r = random.Random(20250101)
    rows = systemd(r)
    iso = next(i for i, x in enumerate(rows) if x[0] >= GRID0 + 40 * 720 * STEP)
    missing = {10: "in", 57: "out", 123: "both", 250: "in", 251: "out", iso: "in"}
    write_sys(rows, os.path.join(OUT, "systemd.csv"), True, missing)
    write_sys(rows, os.path.join(OUT, "systemd_int.csv"), False, {})
    write_sys(rows, os.path.join(OUT, "systemd_int_missing.csv"), False, missing)


main()
