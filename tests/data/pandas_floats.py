#!/usr/bin/env python3
"""Writes tests/data/pandas_floats.csv: numbers as text and the double pandas 2.2.3's
read_csv makes of each (its default converter, precise_xstrtod, which is not correctly
rounded), as 16 hex digits of the IEEE bits. common/src/num.rs's tests parse every line and
compare bit for bit. Kept: 1,500 cases of a random draw where pandas differs from a
correctly rounded parse (Python's float()), plus a sample where it agrees.

usage: python3 tests/data/pandas_floats.py > tests/data/pandas_floats.csv
"""
import io
import random
import struct

import pandas as pd

random.seed(12)


def number():
    k = random.random()
    if k < 0.4:  # 15-20 significant digits, the point anywhere
        n = random.randint(15, 20)
        d = "".join(random.choice("0123456789") for _ in range(n))
        at = random.randint(0, n)
        s = d[:at] + "." + d[at:]
    elif k < 0.55:
        s = repr(random.uniform(0, 1e6))
    elif k < 0.7:
        s = "%.17g" % random.lognormvariate(0, 20)
    elif k < 0.8:
        s = "%de%d" % (random.randint(1, 10**17), random.randint(-340, 285))
    elif k < 0.9:
        s = "0." + "0" * random.randint(0, 5) + "".join(random.choice("0123456789") for _ in range(random.randint(10, 22)))
    else:
        s = "%.*f" % (random.randint(0, 12), random.uniform(0, 1e9))
    return "-" + s if random.random() < 0.2 else s


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


words = [number() for _ in range(20_000)]
words += ["912.6469444394135", "8682903345082497.000", "0000414931422741352.0", " 1e3 ", "1.e5", ".5"]
parsed = pd.read_csv(io.StringIO("v\n" + "\n".join(words) + "\n"))["v"]
assert parsed.dtype == float
differ = [(w, x) for w, x in zip(words, parsed) if float(w) != x]
agree = [(w, x) for w, x in zip(words, parsed) if float(w) == x]
print("text,pandas_bits")
for w, x in random.sample(differ, 1500) + random.sample(agree, 500) + list(zip(words[-6:], parsed[-6:])):
    print(f'"{w}",{bits(x)}')
