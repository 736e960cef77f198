#!/usr/bin/env python3
"""Regenerate tests/data/monitor/: a monitor results folder written as the monitor writes it.

Run from the repo root: python3 tests/data/monitor/make.py (Python 3.11, stdlib only,
fixed seed: the same bytes every time). The files are committed; this script documents
how they were made and checks, at the end, that every special row below is where it says.

How the files are written (see ../shared/monitor-format.md and virtu/nix-bitcoin-monitor):
every batch goes through csv.DictWriter(f, fieldnames=["timestamp"] + CSV_FIELDS) on
open(file, "a", newline="", encoding="UTF-8"): CRLF line ends, QUOTE_MINIMAL, a header only
when the file did not exist, None (or a missing key) written as an empty field. One file a
day per source, the day taken from the batch's first row. Poll timestamps are what the
monitor's scheduler gives: it wakes one second before each multiple of 5 s, so the grid is
HH:MM:x4/x9; the RPC pollers (every 60 s here) wake at HH:MM:59; after a (re)start every
source makes one immediate, off-grid call first. A tracepoint poll with no message writes
nothing; the systemd and RPC pollers write every time.

Layout (UTC days 2025-01-24 .. 2025-01-27, "D1".."D4"):
  tracepoints/net/DAY.csv            timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size
  systemd/ip_accounting/DAY.csv      timestamp,IPIngressPackets,IPEgressPackets,IPIngressBytes,IPEgressBytes
  rpc/getconnectioncount/DAY.csv     timestamp,connectioncount
  rpc/getpeerinfo/DAY.csv            timestamp,addr,network,services,relaytxes,minping,version,
                                     subver,inbound,addr_relay_enabled,addr_processed,
                                     minfeefilter,connection_type
To stay small only minutes 00-01 of every hour are kept (24 polls of 5 s, 2 RPC polls); the
systemd counters still count the traffic of the hours in between, as the real ones would.
The node is a listening bitcoind 27.1 up since 2025-01-19: 8 outbound-full-relay peers, 2
block-relay-only, 1 manual, inbound peers over IPv4, IPv6, Tor (shown as 127.0.0.1:PORT) and
I2P, outbound peers over IPv4, IPv6, Tor v3 (56-char .onion), I2P (.b32.i2p:0) and CJDNS
([fc..]:8333, '[' so IPv6 by the study's rule); a feeler or two every hour, addr-fetch after
the restart. Message mix and sizes follow a real node: inv, tx, getdata, ping/pong, addrv2
(addr for old peers), feefilter, headers, getheaders, notfound, cmpctblock/getblocktxn/
blocktxn around blocks, full handshakes (version, verack, wtxidrelay, sendaddrv2,
sendheaders, sendcmpct, getaddr) and five 1-2 MB `block` messages. Addresses are from
documentation ranges (RFC 5737, RFC 3849) or random (onion, I2P, CJDNS): no real host.

Special rows ("line" counts the header as line 1, in the decompressed text; make.py
checks every one of them at the end):
  D1 2025-01-24: a monitor restart (a monitor upgrade, say): stopped after the 13:00:29
     poll, started at 13:00:47; every file is appended to without a second header, and
     13:00:47 is the off-grid first call (then 13:00:49, 13:00:54, ... again).
     tracepoints/net/2025-01-24.csv.bz2 (bzip2-rotated) line 797: last row before the stop,
     line 798: first row after it. systemd/ip_accounting line 320, rpc/getconnectioncount
     line 28, rpc/getpeerinfo line 255: the first rows after it.
  D2 2025-01-25: tracepoints/net/2025-01-25.csv.gz and systemd/ip_accounting/2025-01-25.csv.gz
     are gzip-rotated (mtime 0, no file name in the header); otherwise an ordinary day.
  D3 2025-01-26, plain files:
     tracepoints/net line 257: msg_type empty (an inbound peer sent an all-NUL command).
     tracepoints/net line 286: peer_addr empty (a None from the tracer; peer 0).
     systemd/ip_accounting line 196: IPIngressBytes empty, the other counters present.
     bitcoind restart: stopped at 11:40, back at 11:59:45; the monitor (PartOf bitcoind)
     restarts with it and calls every source at 12:00:01, off the grid; same files, no
     second header. Peer ids start again from 0: the manual peer and the two anchors
     (block-relay-only peers saved at shutdown, reconnected first) get the ids they had
     since 2025-01-19, so (0, 203.0.113.7:8333), (1, <anchor>), (2, <anchor>.onion) occur
     both before and after the restart. tracepoints/net line 489: peer 0's last row before
     the restart, line 498: its first after (the new connections' handshakes, the two
     missed blocks, ~1.6 and ~1.3 MB, and an addr-fetch follow).
     systemd/ip_accounting line 290: the first reading after the restart, every counter
     back near 0 (the validation notebook's hourly diff goes negative and is clipped).
     rpc/getpeerinfo lines 235-236: minping empty (the anchors had not answered a ping yet
     at 12:00:01); minping is absent from getpeerinfo until the first pong.
     systemd/ip_accounting line 419: a failed systemctl call: only the timestamp, all four
     counters empty (format_results gets {}).
     tracepoints/net line 1322, the file's last: cut by a crash of the monitor while it
     wrote the 23:01:59 batch: the rows before it in the batch are whole, this one is
     `...,out,getd`: no line end, cut inside msg_type, 6 fields of 7 (pandas pads size with
     NaN and dropna() removes the row). Nothing follows it in that file: the monitor came
     back at 2025-01-27T00:00:02Z, into new day files.
  D4 2025-01-27, plain files, new with headers; the first poll is the off-grid 00:00:02.
     tracepoints/net line 248: size empty (a None).
     tracepoints/net line 999: msg_type `null` (an unknown command from a bitcoinj spy
     peer), which pandas reads as NaN, so the study drops the row.
     tracepoints/net line 1000: msg_type `hello,world` (the same peer; a comma, so
     QUOTE_MINIMAL writes `"hello,world"`), which the study keeps.
  Every day, rpc/getpeerinfo: an inbound peer whose user agent holds a comma (quoted:
  `"/Satoshi:26.0.0(pi, pruned)/"`); services as hex strings, some all digits
  (0000000000000409); minfeefilter as Python prints a JSON float (1e-05, 2.1e-05, 0.0);
  booleans as True/False.
  Full `block` messages: D1 07h and D2 16h and D4 19h (out, to a lagging inbound peer),
  D3 12:00:09 and 12:00:14 (in, the restart's catch-up).
"""
import bz2
import calendar
import csv
import gzip
import math
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20250124
DAYS = ["2025-01-24", "2025-01-25", "2025-01-26", "2025-01-27"]
WINDOW = 120  # seconds kept at the start of every hour
POLL = 5
OUR_SUBVER = "/Satoshi:27.1.0/"

TP_FIELDS = ["peer_id", "peer_conn_type", "peer_addr", "flow", "msg_type", "size"]
SD_FIELDS = ["IPIngressPackets", "IPEgressPackets", "IPIngressBytes", "IPEgressBytes"]
CC_FIELDS = ["connectioncount"]
PI_FIELDS = [
    "addr", "network", "services", "relaytxes", "minping", "version", "subver", "inbound",
    "addr_relay_enabled", "addr_processed", "minfeefilter", "connection_type",
]
SOURCES = {
    "tp": ("tracepoints/net", TP_FIELDS),
    "sd": ("systemd/ip_accounting", SD_FIELDS),
    "cc": ("rpc/getconnectioncount", CC_FIELDS),
    "pi": ("rpc/getpeerinfo", PI_FIELDS),
}


def epoch(day, h=0, m=0, s=0):
    y, mo, d = map(int, day.split("-"))
    return calendar.timegm((y, mo, d, h, m, s))


def stamp(t):
    # datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    y, mo, d, h, mi, s = __import__("time").gmtime(t)[:6]
    return f"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"


def write_batch(src, rows):
    """The monitor's write_result: one DictWriter batch, the day from the first row."""
    sub, fields = SOURCES[src]
    path = os.path.join(HERE, sub, rows[0]["timestamp"][:10] + ".csv")
    exists = os.path.exists(path)
    with open(path, "a", newline="", encoding="UTF-8") as f:
        w = csv.DictWriter(f, fieldnames=["timestamp"] + fields)
        if not exists:
            w.writeheader()
        w.writerows(rows)
    return path


R = random.Random(SEED)
B32 = "abcdefghijklmnopqrstuvwxyz234567"


def poisson(lam):
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= R.random()
        if p <= limit:
            return k
        k += 1


def v4(port=8333):
    return f"{R.choice(['192.0.2', '198.51.100', '203.0.113'])}.{R.randint(1, 254)}:{port}"


def v6(port=8333):
    return f"[2001:db8:{R.randrange(1, 0x10000):x}:{R.randrange(0x10000):x}::{R.randrange(1, 0x10000):x}]:{port}"


def cjdns():
    groups = [f"fc{R.randrange(256):02x}"] + [f"{R.randrange(0x10000):x}" for _ in range(7)]
    return "[" + ":".join(groups) + "]:8333"


def onion(port=8333):
    # a v3 onion is 56 base32 characters, the last one `d` (the version byte)
    return "".join(R.choice(B32) for _ in range(55)) + "d.onion:" + str(port)


def i2p():
    return "".join(R.choice(B32) for _ in range(52)) + ".b32.i2p:0"


def ephemeral():
    return R.randint(32768, 60999)


SUBVERS = [  # (subver, version, services)
    ("/Satoshi:27.1.0/", 70016, "0000000000000c09"),
    ("/Satoshi:28.0.0/", 70016, "0000000000000c09"),
    ("/Satoshi:27.0.0/", 70016, "0000000000000c09"),
    ("/Satoshi:26.0.0/", 70016, "0000000000000c09"),
    ("/Satoshi:25.1.0/", 70016, "0000000000000409"),
    ("/Satoshi:24.0.1/", 70016, "0000000000000409"),
    ("/Satoshi:27.1.0/Knots:20240801/", 70016, "0000000000000c09"),
    ("/Satoshi:28.0.0/", 70016, "0000000000000c08"),  # pruned: NODE_NETWORK_LIMITED only
    ("/btcwire:0.5.0/btcd:0.24.2/", 70016, "0000000000000049"),
    ("/Satoshi:0.20.1/", 70015, "0000000000000409"),
]
# An inbound peer whose user agent holds a comma (SanitizeString keeps ','): quoted in getpeerinfo.
COMMA_SUBVER = ("/Satoshi:26.0.0(pi, pruned)/", 70016, "0000000000000c08")
FEEFILTERS = [1e-05, 1e-05, 1e-05, 1.001e-05, 2.1e-05, 1e-06, 3.134e-05]


class Peer:
    def __init__(self, pid, conn, addr, network, since, subver=None, addrv2=True):
        self.id, self.conn, self.addr, self.network, self.since = pid, conn, addr, network, since
        # Tor v3, I2P and CJDNS need BIP155 (addrv2): no old clients there.
        sv = subver or R.choice(SUBVERS[:8] if network in ("onion", "i2p", "cjdns") else SUBVERS)
        self.subver, self.version, self.services = sv
        self.addrv2 = addrv2 and self.version >= 70016
        self.inbound = conn == "inbound"
        self.relaytxes = conn not in ("block-relay-only", "feeler") and R.random() > 0.03
        self.addr_relay = conn not in ("block-relay-only", "feeler")
        self.feefilter = R.choice(FEEFILTERS) if self.relaytxes else 0.0
        base = {"ipv4": 0.02, "ipv6": 0.02, "cjdns": 0.05, "onion": 0.35, "i2p": 0.9}[network]
        self.minping = round(base * (1 + 3 * R.random()), 6)
        self.pinged = False  # minping is absent from getpeerinfo until the first pong
        self.addr_processed = 0
        self.short = conn in ("feeler", "addr-fetch")
        self.until = since + (2 if conn == "feeler" else 4) if self.short else None
        self.pinned = False

    def live(self, t):
        return self.since <= t and (self.until is None or t <= self.until)

    def relays_tx(self):
        return self.relaytxes


class Node:
    def __init__(self):
        self.peers = []
        self.next_id = 0
        # cumulative counters of bitcoind.service: in packets, out packets, in bytes, out bytes
        self.counters = [0, 0, 0, 0]
        # per second, for the time not kept: the kept windows' own average
        self.rate = [1.9, 2.0, 260.0, 420.0]

    def add(self, conn, network, addr, since, pid=None, subver=None, defer=False):
        """A new connection; with defer, its id is given later by number_new(), in
        connection order (bitcoind numbers connections as they open)."""
        if pid is None and not defer:
            pid = self.next_id
            self.next_id += 1
        p = Peer(pid, conn, addr, network, since, subver)
        self.peers.append(p)
        return p

    def number_new(self):
        for p in sorted((p for p in self.peers if p.id is None), key=lambda p: p.since):
            p.id = self.next_id
            self.next_id += 1

    def find(self, pid):
        return next(p for p in self.peers if p.id == pid)

    def live(self, t):
        return [p for p in self.peers if p.live(t)]


def random_addr(conn):
    r = R.random()
    if conn == "inbound":
        if r < 0.55:
            return "ipv4", v4(ephemeral())
        if r < 0.72:
            return "ipv6", v6(ephemeral())
        if r < 0.92:
            return "onion", f"127.0.0.1:{ephemeral()}"
        return "i2p", i2p()
    if r < 0.5:
        return "ipv4", v4()
    if r < 0.65:
        return "ipv6", v6()
    if r < 0.85:
        return "onion", onion()
    if r < 0.95:
        return "i2p", i2p()
    return "cjdns", cjdns()


# ---- messages -------------------------------------------------------------------------

def msg(p, flow, kind, size):
    return {"peer": p, "flow": flow, "msg_type": kind, "size": size}


def addr_payload(n, v2):
    if not v2:
        return (1 if n < 253 else 3) + 30 * n
    size = 1 if n < 253 else 3
    for _ in range(min(n, 20)):
        size += R.choice([15, 15, 15, 27, 43])  # time 4, services 3, net 1, len 1, addr, port 2
    return size + max(0, n - 20) * 21


def inv_size(k):
    return (1 if k < 253 else 3) + 36 * k


def tx_size():
    if R.random() < 0.004:
        return R.randint(5000, 99000)
    return max(82, min(100000, int(R.lognormvariate(math.log(330), 0.6))))


def their_version(p):
    return 86 + len(p.subver)


def handshake(p, full=True):
    """Version handshake and feature negotiation, as Bitcoin Core 27 does it."""
    out = []
    us_first = not p.inbound
    a, b = ("out", "in") if us_first else ("in", "out")
    out.append(msg(p, a, "version", 102 if us_first else their_version(p)))
    out.append(msg(p, b, "version", their_version(p) if us_first else 102))
    for flow in (b, a):
        if p.version >= 70016:
            out.append(msg(p, flow, "wtxidrelay", 0))
            if p.addrv2:
                out.append(msg(p, flow, "sendaddrv2", 0))
        out.append(msg(p, flow, "verack", 0))
    if not full:
        return out
    for flow in ("out", "in"):
        out.append(msg(p, flow, "sendheaders", 0))
        out.append(msg(p, flow, "sendcmpct", 9))
        out.append(msg(p, flow, "ping", 8))
        out.append(msg(p, "in" if flow == "out" else "out", "pong", 8))
    p.pinged = True
    for flow in (a, b):
        out.append(msg(p, flow, "getheaders", 4 + 1 + 32 * R.randint(28, 33) + 32))
        out.append(msg(p, "in" if flow == "out" else "out", "headers", 1))
    if p.relaytxes:
        out.append(msg(p, "out", "feefilter", 8))
        out.append(msg(p, "in", "feefilter", 8))
    return out


def getaddr_answer(p, n):
    p.addr_processed += n
    return [msg(p, "out", "getaddr", 0),
            msg(p, "in", "addrv2" if p.addrv2 else "addr", addr_payload(n, p.addrv2))]


MIX = [  # (kind, weight, share of `in`)
    ("inv", 540, 0.56), ("tx", 200, 0.57), ("getdata", 100, 0.52), ("ping", 32, 0.5),
    ("addrv2", 38, 0.6), ("feefilter", 12, 0.5), ("headers", 10, 0.5), ("getheaders", 5, 0.5),
    ("notfound", 6, 0.5),
]
MIX_TOTAL = sum(w for _, w, _ in MIX)


def gossip(node, t):
    r = R.randrange(MIX_TOTAL)
    for kind, w, share_in in MIX:
        if r < w:
            break
        r -= w
    live = [p for p in node.live(t) if not p.short]
    if kind in ("inv", "tx", "getdata", "addrv2", "feefilter", "notfound"):
        live = [p for p in live if p.relays_tx() or (kind == "addrv2" and p.addr_relay)]
    p = R.choice(live)
    flow = "in" if R.random() < share_in else "out"
    if kind == "ping":
        p.pinged = True
        return [msg(p, flow, "ping", 8), msg(p, "in" if flow == "out" else "out", "pong", 8)]
    if kind == "inv":
        k = R.randint(100, 600) if R.random() < 0.003 else 1 + int(R.expovariate(0.35))
        return [msg(p, flow, "inv", inv_size(k))]
    if kind == "tx":
        return [msg(p, flow, "tx", tx_size())]
    if kind == "getdata":
        return [msg(p, flow, "getdata", inv_size(1 + int(R.expovariate(0.6))))]
    if kind == "notfound":
        return [msg(p, flow, "notfound", inv_size(1 + int(R.expovariate(1.2))))]
    if kind == "addrv2":
        n = 1 if R.random() < 0.8 else R.randint(2, 10)
        if flow == "in":
            p.addr_processed += n
        return [msg(p, flow, "addrv2" if p.addrv2 else "addr", addr_payload(n, p.addrv2))]
    if kind == "feefilter":
        return [msg(p, flow, "feefilter", 8)]
    if kind == "headers":
        return [msg(p, flow, "headers", 1 if R.random() < 0.7 else 82)]
    return [msg(p, flow, "getheaders", 4 + 1 + 32 * R.randint(28, 33) + 32)]


def new_block(node, t, full_block=None):
    """A block found elsewhere: compact blocks from high-bandwidth peers, then relay."""
    out = []
    size = R.randint(1_000_000, 2_000_000)
    ntx = size // 560
    cmpct = 80 + 8 + 1 + 6 * ntx + R.randint(90, 400)
    live = [p for p in node.live(t) if not p.short]
    hb_from = [p for p in live if not p.inbound][:3]
    first = R.choice(hb_from)
    out.append(msg(first, "in", "cmpctblock", cmpct))
    if R.random() < 0.2:
        k = R.randint(1, 12)
        out.append(msg(first, "out", "getblocktxn", 32 + 1 + 2 * k))
        out.append(msg(first, "in", "blocktxn", 32 + 1 + sum(tx_size() for _ in range(k))))
    for p in live:
        if p is first:
            continue
        if p in hb_from:
            out.append(msg(p, "in", "cmpctblock", cmpct))
        elif p.inbound and R.random() < 0.25:
            out.append(msg(p, "out", "cmpctblock", cmpct))
        else:
            out.append(msg(p, "out", "headers", 82))
            if R.random() < 0.3:
                out.append(msg(p, "in", "headers", 82))
    if full_block:
        # A lagging inbound peer missed it: it fetches the whole block.
        p = full_block
        out.append(msg(p, "in", "getdata", 37))
        out.append(msg(p, "out", "block", size))
    return out


# ---- the run --------------------------------------------------------------------------

def wire(m):
    """Bytes and packets on the wire for one message (P2P header, TCP/IP headers, ACKs)."""
    ipv6 = "[" in (m["peer"].addr or "")
    hdr = 72 if ipv6 else 52
    b = m["size"] + 24
    seg = math.ceil(b / (1500 - hdr))
    return b + seg * hdr, seg


class Monitor:
    def __init__(self, node):
        self.node = node
        self.last_sd = None
        self.specials = {}

    def tp(self, t, msgs):
        rows = []
        for m in msgs:
            p = m["peer"]
            rows.append({
                "timestamp": stamp(t),
                "peer_id": p.id,
                "peer_conn_type": p.conn,
                "peer_addr": m.get("addr", p.addr),
                "flow": m["flow"],
                "msg_type": m["msg_type"],
                "size": m.get("size_field", m["size"]),
            })
        if rows:
            path = write_batch("tp", rows)
            cut = [i for i, m in enumerate(msgs) if m.get("cut")]
            if cut:
                crash_cut(path, len(rows) - cut[0])

    def account(self, msgs, seconds=POLL):
        c = self.node.counters
        for m in msgs:
            b, seg = wire(m)
            i = 0 if m["flow"] == "in" else 1
            c[2 + i] += round(b * 1.06)
            c[i] += seg
            c[1 - i] += math.ceil(seg / 2)  # delayed ACKs the other way
        for i in range(4):
            # keep-alives, TCP-level retransmits, DNS: a little traffic under no message
            c[i] += round(R.uniform(0.2, 1.2) * (2 if i < 2 else 150) * seconds / POLL)

    def unkept(self, seconds):
        c = self.node.counters
        for i in range(4):
            c[i] += round(self.node.rate[i] * seconds * R.uniform(0.8, 1.25))

    def sd(self, t, blank=()):
        row = {"timestamp": stamp(t)}
        for f, v in zip(SD_FIELDS, self.node.counters):
            row[f] = None if f in blank else v
        if blank == "all":  # systemctl failed: format_results gets {}
            row = {"timestamp": stamp(t)}
        write_batch("sd", [row])

    def rpc(self, t, calls):
        ts = stamp(t)
        if "cc" in calls:
            write_batch("cc", [{"timestamp": ts, "connectioncount": len(self.node.live(t))}])
        if "pi" not in calls:
            return
        rows = []
        for p in self.node.live(t):
            d = {
                "timestamp": ts, "addr": p.addr, "network": p.network, "services": p.services,
                "relaytxes": p.relaytxes, "version": p.version, "subver": p.subver,
                "inbound": p.inbound, "addr_relay_enabled": p.addr_relay,
                "addr_processed": p.addr_processed, "minfeefilter": p.feefilter,
                "connection_type": p.conn,
            }
            if p.pinged:
                d["minping"] = p.minping
            rows.append(d)
        if rows:
            write_batch("pi", rows)


def crash_cut(path, keep_rows_back):
    """The crash: the batch's writes stopped inside the msg_type of one row. Drop the rows
    after it and cut that row inside its msg_type: no line end, fewer fields."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    row = lines[-1 - keep_rows_back]
    head = b"\r\n".join(lines[: -1 - keep_rows_back]) + b"\r\n"
    fields = row.split(b",")
    cut = b",".join(fields[:5]) + b"," + fields[5][:4]
    with open(path, "wb") as f:
        f.write(head + cut)


def churn(node, t, seconds):
    """Peers come and go in the time not kept."""
    hours = seconds / 3600
    node.next_id += poisson(22 * hours)  # feelers and short inbound connections unseen
    for p in list(node.peers):
        if p.short:
            node.peers.remove(p)
        elif p.conn == "inbound" and not p.pinned and R.random() < 1 - math.exp(-hours / 7):
            node.peers.remove(p)
        elif p.conn == "outbound-full-relay" and not p.pinned and R.random() < 1 - math.exp(-hours / 40):
            node.peers.remove(p)
            net, addr = random_addr("outbound-full-relay")
            node.add("outbound-full-relay", net, addr, t)
            node.next_id += poisson(2)
    for _ in range(poisson(0.9 * hours)):
        if sum(p.inbound for p in node.peers) < 9:
            net, addr = random_addr("inbound")
            node.add("inbound", net, addr, t)
            node.next_id += poisson(1)
    for p in node.peers:
        if p.addr_relay:
            p.addr_processed += poisson(6 * hours)
        p.pinged = True


def start_node(node, t, restart):
    """Peers at bitcoind start: manual first, then the anchors, then the others."""
    node.peers = []
    node.next_id = 0
    node.add("manual", "ipv4", "203.0.113.7:8333", t, subver=SUBVERS[0]).pinned = True
    for addr, net, subver in node.anchors:
        node.add("block-relay-only", net, addr, t, subver=subver).pinned = True
    if not restart:
        for net, addr in [("ipv4", v4()), ("onion", onion())]:
            node.add("outbound-full-relay", net, addr, t).pinned = True
        node.next_id += 1
        node.add("outbound-full-relay", "cjdns", cjdns(), t).pinned = True
        node.next_id = 1187
        node.add("outbound-full-relay", "i2p", i2p(), t)
        node.next_id = 2741
        node.add("outbound-full-relay", "ipv6", v6(), t).pinned = True
        node.next_id = 3355
        for _ in range(3):
            net, addr = random_addr("outbound-full-relay")
            node.add("outbound-full-relay", net, addr, t)
            node.next_id += R.randint(5, 400)
        for net, addr in [("ipv4", v4(ephemeral())), ("ipv6", v6(ephemeral())),
                          ("onion", f"127.0.0.1:{ephemeral()}"), ("i2p", i2p()), ("ipv4", v4(ephemeral()))]:
            node.add("inbound", net, addr, t)
            node.next_id += R.randint(3, 40)
        # The inbound peer with a comma in its user agent (SanitizeString keeps ',').
        node.add("inbound", "ipv4", v4(ephemeral()), t, subver=COMMA_SUBVER).pinned = True
        for p in node.peers:
            p.pinged = True
            p.addr_processed = R.randint(900, 4000) if p.addr_relay else 0


def main():
    for sub, _ in SOURCES.values():
        shutil.rmtree(os.path.join(HERE, sub.split("/")[0]), ignore_errors=True)
    for sub, _ in SOURCES.values():
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)

    node = Node()
    node.anchors = [(v4(), "ipv4", SUBVERS[6]), (onion(), "onion", SUBVERS[1])]
    mon = Monitor(node)
    start_node(node, epoch("2025-01-19", 8, 12, 40), restart=False)
    node.counters = [812_431, 958_120, 142_318_554, 187_406_219]
    node.next_id = max(node.next_id, 4480)

    d1, d2, d3, d4 = DAYS
    full_blocks = {(d1, 7), (d2, 16), (d4, 19)}
    spy = None
    prev_end = epoch(d1) - 3600 + WINDOW
    last_poll = epoch(d1)  # the counters above are those of the poll before D1 00:00:04
    for day in DAYS:
        for hour in range(24):
            w0 = epoch(day, hour)
            polls = [w0 + s for s in range(4, WINDOW, POLL)]
            # getconnectioncount every 60 s, getpeerinfo every 120 s (both wake 1 s early)
            rpcs = [(w0 + 59, {"cc"}), (w0 + 119, {"cc", "pi"})]
            events = {}  # poll time -> messages to put first
            restart = day == d3 and hour == 12
            if restart:
                # bitcoind stopped at 11:40:12, back at 11:59:45; the monitor (PartOf
                # bitcoind) starts at 12:00:01 and calls every source at once.
                node.counters = [0, 0, 0, 0]
                start_node(node, w0 - 15, restart=True)
                mon.account([], seconds=15)
                for i, p in enumerate(node.peers):
                    p.pinged = i == 0  # only the manual peer has answered a ping yet
                start = w0 + 1
                polls = [start] + polls
                rpcs = [(start, {"cc", "pi"})] + rpcs
                # catching up: headers and the two blocks missed while down
                m0, o1 = node.peers[0], None
                events[w0 + 4] = [msg(m0, "out", "getheaders", 1061), msg(m0, "in", "headers", 163),
                                  msg(m0, "out", "getdata", 37), msg(m0, "out", "getdata", 37)]
                events[w0 + 9] = [msg(m0, "in", "block", 1_634_817)]
                events[w0 + 14] = [msg(m0, "in", "block", 1_287_402)]
                # the other outbound connections open one by one, an addr-fetch among them
                plan = [(4, "outbound-full-relay"), (9, "outbound-full-relay"),
                        (19, "outbound-full-relay"), (29, "outbound-full-relay"),
                        (39, "addr-fetch"), (54, "outbound-full-relay"),
                        (74, "outbound-full-relay"), (94, "outbound-full-relay"),
                        (109, "inbound")]
                for off, conn in plan:
                    if conn == "addr-fetch":
                        p = node.add(conn, "onion", onion(), w0 + off, defer=True)
                    elif conn == "inbound":  # the comma peer comes back
                        p = node.add(conn, "ipv4", v4(ephemeral()), w0 + off, defer=True, subver=COMMA_SUBVER)
                        p.pinned = True
                    else:
                        net, addr = random_addr(conn)
                        if off == 29:
                            net, addr = "i2p", i2p()
                        p = node.add(conn, net, addr, w0 + off, defer=True)
                    hs = handshake(p, full=conn != "addr-fetch")
                    if conn == "addr-fetch":
                        hs += getaddr_answer(p, 1000)
                    elif conn != "inbound":
                        hs += getaddr_answer(p, R.randint(300, 1000))
                    events.setdefault(w0 + off, []).extend(hs)
            else:
                churn(node, w0, w0 - prev_end)
                mon.unkept(max(0, polls[0] - POLL - last_poll))
            if day == d1 and hour == 13:
                # monitor restart: stopped after the 13:00:29 poll, started at 13:00:47
                polls = [t for t in polls if t <= w0 + 29] + [w0 + 47] + [t for t in polls if t >= w0 + 49]
                rpcs = [(w0 + 47, {"cc", "pi"})] + rpcs
            if day == d4 and hour == 0:
                # the monitor comes back after the crash: new day files, off-grid first call
                polls = [w0 + 2] + polls
                rpcs = [(w0 + 2, {"cc", "pi"})] + rpcs
            # a feeler (or two) in the window
            for _ in range(1 if R.random() < 0.75 else 2):
                t = R.choice(polls[2:-2])
                net, addr = random_addr("feeler")
                p = node.add("feeler", net, addr, t, defer=True)
                p.pinged = False
                events.setdefault(t, []).extend(handshake(p, full=False))
            # an inbound peer arrives now and then
            if R.random() < 0.3 and not restart:
                t = R.choice(polls[3:-3])
                net, addr = random_addr("inbound")
                p = node.add("inbound", net, addr, t, defer=True)
                p.pinged = False
                events.setdefault(t, []).extend(handshake(p) + [msg(p, "in", "addrv2" if p.addrv2 else "addr",
                                                                    addr_payload(1, p.addrv2))])
            # a block now and then, a full block fetched three times
            if R.random() < 0.22 or (day, hour) in full_blocks:
                t = R.choice(polls[1:-1])
                fb = None
                if (day, hour) in full_blocks:
                    fb = R.choice([p for p in node.live(t) if p.inbound and not p.short])
                events.setdefault(t, []).extend(new_block(node, t, fb))
            if day == d4 and hour == 18:
                spy = node.add("inbound", "ipv4", v4(ephemeral()), w0 + 64, defer=True,
                               subver=("/bitcoinj:0.16.3/", 70015, "0000000000000000"))
                spy.pinged = False
                spy.short = True  # no gossip from it; it leaves after its junk
                spy.until = w0 + 84
                events.setdefault(w0 + 64, []).extend(handshake(spy, full=False))
            node.number_new()

            for t in polls:
                msgs = list(events.get(t, []))
                lam = 1.3 * (1 + 0.2 * math.sin(2 * math.pi * (hour - 8) / 24))
                n = poisson(lam)
                if t in (epoch(d1, 13, 0, 47), epoch(d3, 12, 0, 1), epoch(d4, 0, 0, 2)):
                    n = max(n, 2)  # what queued up while the tracer attached
                for _ in range(n):
                    msgs.extend(gossip(node, t))
                # special rows
                if day == d3 and hour == 6 and t == w0 + 64:
                    p = next(p for p in node.live(t) if p.inbound and p.network == "ipv4" and not p.short)
                    msgs.append(msg(p, "in", "", 0))  # an all-NUL command: empty msg_type
                if day == d3 and hour == 7 and t == w0 + 34:
                    p = node.find(0)
                    m = msg(p, "in", "inv", 73)
                    m["addr"] = None
                    msgs.append(m)
                if day == d4 and hour == 4 and t == w0 + 89:
                    p = next(p for p in node.live(t) if p.conn == "outbound-full-relay")
                    m = msg(p, "in", "tx", 224)
                    m["size_field"] = None
                    msgs.append(m)
                if day == d4 and hour == 18 and t == w0 + 69:
                    msgs = [msg(spy, "in", "null", 0), msg(spy, "in", "hello,world", 5)] + msgs
                if day == d3 and hour == 23 and t == polls[-1]:
                    # the crash: the monitor dies inside this batch's getdata row
                    p = next(p for p in node.live(t) if p.conn == "outbound-full-relay")
                    cut = msg(p, "out", "getdata", 37)
                    cut["cut"] = True
                    while sum(m["flow"] == "in" for m in msgs) < 2:
                        msgs.extend(gossip(node, t))
                    msgs = [m for m in msgs if m["flow"] == "in"][:2] + [cut, msg(p, "out", "inv", 73)]
                # the monitor drains the inbound perf buffer, then the outbound one
                msgs.sort(key=lambda m: m["flow"] != "in")
                mon.tp(t, msgs)
                mon.account(msgs)
                blank = ()
                if day == d3 and hour == 8 and t == w0 + 14:
                    blank = ("IPIngressBytes",)
                if day == d3 and hour == 17 and t == w0 + 44:
                    blank = "all"
                mon.sd(t, blank)
                for r in [r for r in rpcs if t <= r[0] < t + POLL or (t == polls[-1] and r[0] >= t)]:
                    mon.rpc(*r)
                    rpcs.remove(r)
                last_poll = t
                if day == d3 and hour == 23 and t == polls[-1]:
                    break
            # short connections end with the window
            node.peers = [p for p in node.peers if not p.short]
            prev_end = w0 + WINDOW
    rotate()
    check()


def rotate():
    """Log rotation: D1's tracepoints bzip2-ed, D2's tracepoints and systemd gzip-ed."""
    d1, d2 = DAYS[0], DAYS[1]
    for sub, day, kind in [("tracepoints/net", d1, "bz2"), ("tracepoints/net", d2, "gz"),
                           ("systemd/ip_accounting", d2, "gz")]:
        src = os.path.join(HERE, sub, day + ".csv")
        with open(src, "rb") as f:
            data = f.read()
        if kind == "bz2":
            out = bz2.compress(data, 9)
        else:
            out = gzip.compress(data, compresslevel=9, mtime=0)  # no file name in the header
        with open(src + "." + kind, "wb") as f:
            f.write(out)
        os.remove(src)


def read_lines(sub, day):
    base = os.path.join(HERE, sub, day + ".csv")
    for ext, opener in [("", open), (".bz2", bz2.open), (".gz", gzip.open)]:
        if os.path.exists(base + ext):
            with opener(base + ext, "rb") as f:
                return f.read().decode().split("\r\n")
    raise FileNotFoundError(base)


def check():
    """The special rows are where the docstring says they are (line 1 = the header)."""
    d1, d2, d3, d4 = DAYS
    tp, sd, pi, cc = "tracepoints/net", "systemd/ip_accounting", "rpc/getpeerinfo", "rpc/getconnectioncount"

    def line(sub, day, n):
        return read_lines(sub, day)[n - 1]

    def expect(sub, day, n, pred, what):
        got = line(sub, day, n)
        assert pred(got), f"{sub}/{day} line {n}: {what}: {got!r}"

    at = lambda d, hms: d + "T" + hms + "Z,"
    expect(tp, d1, 797, lambda s: s.startswith(at(d1, "13:00:29")), "last row before the monitor stop")
    expect(tp, d1, 798, lambda s: s.startswith(at(d1, "13:00:47")), "first row after the monitor restart")
    expect(sd, d1, 320, lambda s: s.startswith(at(d1, "13:00:47")), "systemd after the monitor restart")
    expect(cc, d1, 28, lambda s: s.startswith(at(d1, "13:00:47")), "getconnectioncount after it")
    expect(pi, d1, 255, lambda s: s.startswith(at(d1, "13:00:47")), "getpeerinfo after it")
    for sub, day in [(tp, d1), (sd, d1), (cc, d1), (pi, d1), (tp, d3), (sd, d3), (cc, d3), (pi, d3)]:
        assert sum(l.startswith("timestamp,") for l in read_lines(sub, day)) == 1, (sub, day)
    expect(tp, d3, 257, lambda s: s.split(",")[4:6] == ["in", ""], "empty msg_type")
    expect(tp, d3, 286, lambda s: s.split(",")[3] == "", "empty peer_addr")
    expect(sd, d3, 196, lambda s: s.split(",")[3] == "" and "" not in s.split(",")[1:3] + s.split(",")[4:],
           "empty IPIngressBytes")
    manual = ",0,manual,203.0.113.7:8333,"
    expect(tp, d3, 489, lambda s: s.startswith(d3 + "T11:0") and manual in s, "peer 0 before the restart")
    expect(tp, d3, 498, lambda s: s.startswith(at(d3, "12:00:01")) and manual in s, "peer 0 after the restart")
    assert not any(manual in l for l in read_lines(tp, d3)[489:497])
    expect(sd, d3, 290, lambda s: s.startswith(at(d3, "12:00:01")) and max(map(int, s.split(",")[1:])) < 10_000,
           "counters after the restart")
    for n in (235, 236):
        expect(pi, d3, n, lambda s: s.startswith(at(d3, "12:00:01")) and s.split(",")[5] == ""
               and s.endswith(",block-relay-only"), "no minping")
    expect(sd, d3, 419, lambda s: s == at(d3, "17:00:44") + ",,,", "failed reading")
    lines = read_lines(tp, d3)
    assert len(lines) == 1322 and lines[-1].startswith(at(d3, "23:01:59")), len(lines)
    assert lines[-1].endswith(",out,getd") and lines[-1].count(",") == 5, lines[-1]
    assert lines[-2].startswith(at(d3, "23:01:59")) and lines[-2].count(",") == 6
    expect(tp, d4, 2, lambda s: s.startswith(at(d4, "00:00:02")), "the off-grid first poll")
    expect(tp, d4, 248, lambda s: s.endswith(",in,tx,"), "empty size")
    expect(tp, d4, 999, lambda s: s.endswith(",in,null,0"), "msg_type null")
    expect(tp, d4, 1000, lambda s: s.endswith(',in,"hello,world",5'), "msg_type with a comma")
    for day in DAYS:
        assert any('"/Satoshi:26.0.0(pi, pruned)/"' in l for l in read_lines(pi, day)), day
        for sub in (tp, sd, cc, pi):
            assert all(l.count(",") < 99 for l in read_lines(sub, day))
    for kind in ("inbound", "outbound-full-relay", "block-relay-only", "feeler", "manual", "addr-fetch"):
        assert any(f",{kind}," in l for day in DAYS for l in read_lines(tp, day)), kind
    for sub in (tp, sd, cc, pi):
        for day in DAYS:
            text = "\r\n".join(read_lines(sub, day))
            assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", ""), (sub, day)
            assert text.endswith("\r\n") != ((sub, day) == (tp, d3)), (sub, day)
    blocks = [l for day in DAYS for l in read_lines(tp, day) if ",block," in l]
    assert len(blocks) == 5 and all(1_000_000 <= int(l.rsplit(",", 1)[1]) <= 2_000_000 for l in blocks), blocks
    for day in (d1, d2):
        assert not os.path.exists(os.path.join(HERE, tp, day + ".csv"))


if __name__ == "__main__":
    main()
