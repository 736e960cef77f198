#!/usr/bin/env python3
"""Goldens for bucket's aggregates: what pandas 2.2.3's groupby writes for a small table with
integer, float and text values, missing values, integer keys (sorted numerically) and a key
column with a missing value (printed as floats).

usage: python3 tests/golden/aggregates/make.py   (from the repo root; writes next to itself)
"""
import io
import os

import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
table = """timestamp,peer,kind,bytes,rtt,name
2024-12-28 00:00:09+00:00,10,a,100,0.5,x
2024-12-28 00:00:09+00:00,9,a,7,,y
2024-12-28 00:30:00+00:00,10,b,1,1.25,
2024-12-28 01:10:00+00:00,100,a,40,3.0,z
2024-12-28 01:20:00+00:00,9,a,2,0.25,w
2024-12-29 02:00:00+00:00,10,a,5,2.0,x
"""
open(os.path.join(here, "input.csv"), "w").write(table)


def read():
    return pd.read_csv(io.StringIO(table), index_col=0, parse_dates=True)


df = read()
ops = {"bytes": ["sum", "mean", "min", "max", "first", "last", "count"], "rtt": ["sum", "mean", "min", "max"], "name": ["first", "last"], "kind": ["min", "max"]}
flat = []
for col, fs in ops.items():
    for f in fs:
        flat.append((f"{f}_{col}", (col, f)))
df["freq"] = df.index.floor("1h")
g = df.groupby(["freq", "peer"]).agg(**dict(flat)).reset_index().set_index("freq")
g.to_csv(os.path.join(here, "hourly_by_peer.csv"))

# Whole input by two keys, with pandas' row numbers, and durations as a Timedelta.
df = read().reset_index()
g = df.groupby(["peer", "kind"]).agg(
    span=("timestamp", lambda s: s.max() - s.min()),
    n=("bytes", "size"),
).reset_index()
g.to_csv(os.path.join(here, "by_peer_kind.csv"))

# An integer key column with a missing value in a dropped row: pandas reads it as float.
with_missing = table + "2024-12-29 03:00:00+00:00,,a,1,1.0,q\n"
df = pd.read_csv(io.StringIO(with_missing), index_col=0, parse_dates=True).dropna()
df["freq"] = df.index.floor("1d")
df.groupby(["freq", "peer"])["bytes"].sum().reset_index().set_index("freq").to_csv(
    os.path.join(here, "daily_float_keys.csv")
)
open(os.path.join(here, "input_missing_key.csv"), "w").write(with_missing)
