#!/usr/bin/env python3
"""Goldens for the README's examples on the monitor's RPC logs (tests/data/monitor/rpc), as
pandas 2.2.3 computes them from the day files read as the study reads a folder.

usage: python3 tests/golden/rpc/make.py   (from the repo root; writes next to itself)
"""
import glob
import os

import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
rpc = "tests/data/monitor/rpc"


def read(kind):
    files = sorted(glob.glob(f"{rpc}/{kind}/*.csv"))
    return pd.concat(pd.read_csv(f, index_col=0, parse_dates=True) for f in files).sort_index()


# The hourly mean and maximum connection count.
cc = read("getconnectioncount")
cc.index = cc.index.floor("1h")
out = cc.groupby(level=0)["connectioncount"].agg(mean="mean", max="max")
out.to_csv(os.path.join(here, "connections_hourly.csv"))

# Peers per network: counted per poll, then the hourly mean and maximum of those counts.
peers = read("getpeerinfo")
per_poll = peers.reset_index().groupby(["timestamp", "network"]).size().rename("peers").reset_index()
per_poll["timestamp"] = per_poll["timestamp"].dt.floor("1h")
out = per_poll.groupby(["timestamp", "network"])["peers"].agg(mean="mean", max="max")
out.to_csv(os.path.join(here, "peers_per_network_hourly.csv"))
