"""Makes tests/golden/keys/cases.txt: random small tables whose key columns mix spellings of
the same values (5, +5, 05, 1e1, 10.0, True/true, -0.0, uint64 beyond int64, text), each with
what pandas 2.2.3 writes for

    df.groupby(keys).agg(v=("v", "sum"), mn=("v", "min"), mx=("v", "max"), f=("v", "first"),
                         l=("v", "last"), m=("v", "mean"), n=("v", "count")).reset_index()

and `to_csv(index=False)`. tests/values.rs runs `bucket` on each with the same aggregates and
--dropna over the keys (groupby drops missing keys). Run from the repository root:
python3 tests/golden/keys/make.py (fixed seed: the same file every time).
"""
import io
import random
import sys

import pandas as pd

assert pd.__version__ == "2.2.3", pd.__version__

FAMILIES = {
    "int": ["5", "+5", "05", " 5", "10", "-3", "-03", "0", "-0", "7", "9223372036854775807"],
    "float": ["5", "5.0", "+5.0", "1e1", "10", "10.0", "1.5", "1.50", "15e-1", "-0.0", "0.0",
              "0", "2.5", "inf", "-inf", "9007199254740993", "9007199254740992"],
    "bool": ["true", "True", "TRUE", "false", "False", "FALSE", "tRUE"],
    "uint": ["18446744073709551615", "9223372036854775808", "1", "01", "+1", "42"],
    "text": ["5", "05", "+5", "5.0", "a", "True", "true", " a", "-0.0", "0.0"],
}
MISSING = ["", "NA", "null", "NaN"]
VALUES = ["1", "2", "-7", "0", "3", "1.5", "-0.0", "0.0", "", "100", "2.25"]
AGGS = dict(v=("v", "sum"), mn=("v", "min"), mx=("v", "max"), f=("v", "first"),
            l=("v", "last"), m=("v", "mean"), n=("v", "count"))


def quote(field):
    return '"' + field + '"' if field.startswith(" ") or "," in field else field


def case(rng):
    keys = ["k"] if rng.random() < 0.7 else ["k", "k2"]
    families = {k: rng.choice(list(FAMILIES)) for k in keys}
    # pandas reads integers above int64 with a missing value as text, missing spellings
    # included: a difference of the filters (docs/pandas.md), left out here.
    with_missing = {k: rng.random() < 0.3 and families[k] != "uint" for k in keys}
    ints_only = rng.random() < 0.5
    rows = []
    for _ in range(rng.randint(1, 12)):
        row = []
        for k in keys:
            pool = FAMILIES[families[k]] + (MISSING if with_missing[k] else [])
            row.append(rng.choice(pool))
        values = [v for v in VALUES if not ints_only or v.lstrip("-").isdigit()]
        row.append(rng.choice(values))
        rows.append(row)
    text = ",".join(keys + ["v"]) + "\n" + "".join(",".join(map(quote, r)) + "\n" for r in rows)
    df = pd.read_csv(io.StringIO(text))
    try:
        out = df.groupby(keys).agg(**AGGS).reset_index().to_csv(index=False)
    except Exception as e:  # noqa: BLE001 - a case pandas refuses is not a case
        return None
    return keys, text, out


def main():
    rng = random.Random(23)
    blocks = []
    while len(blocks) < 300:
        made = case(rng)
        if made is None:
            continue
        keys, text, out = made
        blocks.append(f"=== {','.join(keys)}\n{text}--- pandas\n{out}")
    with open("tests/golden/keys/cases.txt", "w", newline="\n") as f:
        f.write("".join(blocks))


if __name__ == "__main__":
    sys.exit(main())
