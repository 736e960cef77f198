#!/usr/bin/env python3
"""Regenerate the goldens of `widen` in tests/golden/widen/ with pandas 2.2.3 (CI never runs this).

    python3 tests/golden/widen/make.py            # ORACLE_DIR defaults to ../shared/oracle
    ORACLE_DIR=/work/shared/oracle python3 tests/golden/widen/make.py

1. long_{est,emp}_{hourly,daily}.csv: the long tables that the validation oracle
   (ORACLE_DIR/later/validation.py) pivots, for the monitor folder tests/data/monitor. The
   oracle's own code runs up to the cell that defines its pivot (read, dropna, diff, stack,
   estimate, agg_sum), then each of its `dfs` is written with to_csv. Its pivoted tables
   are tests/golden/oracles/validation/data_*.csv (oracles/make.sh): widen must
   turn the first into the second.
2. odd/NAME.csv, NAME.args, and NAME.wide.csv or NAME.error: small inputs that pin
   pandas' rules (number keys, missing cells, float values, text, NaN keys, duplicates),
   each run through the validation notebook's pivot chain with pandas:
   read_csv, pivot, rename_axis(None, axis=1), reset_index, fillna, astype(int), and the
   clamp df.loc[df[c] < N, c] = N, written with to_csv; NAME.error is pandas' exception
   where it raises.
"""

import glob
import gzip
import bz2
import os
import shutil
import sys
import tempfile

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def long_tables(oracle_dir):
    """The validation oracle's `dfs` just before its pivot, as CSV."""
    source_path = os.path.join(oracle_dir, "later", "validation.py")
    source = open(source_path).read()
    cut = source.index("# ---- cell ----\ndef pivot(")
    with tempfile.TemporaryDirectory() as tmp:
        # The study's read_csvs globs *.csv: decompress the rotated days of a copy.
        monitor = os.path.join(tmp, "monitor")
        shutil.copytree(os.path.join(ROOT, "tests", "data", "monitor"), monitor)
        for path in glob.glob(os.path.join(monitor, "**", "*.csv.*"), recursive=True):
            opener = {".bz2": bz2.open, ".gz": gzip.open}[os.path.splitext(path)[1]]
            with opener(path, "rb") as packed, open(os.path.splitext(path)[0], "wb") as plain:
                plain.write(packed.read())
            os.remove(path)
        sys.argv = [source_path, monitor, os.path.join(tmp, "out")]
        scope = {"__name__": "validation"}
        exec(compile(source[:cut], source_path, "exec"), scope)
    for name, df in scope["dfs"].items():
        df.to_csv(os.path.join(HERE, f"long_{name}.csv"))


# name, input, widen's arguments, and the same as pandas gets them:
# (index, key, value, fill, astype(int), clip)
ODD = [
    ("int_keys", "t,flow,net_size\n10,2,5\n9,10,7\n9,2,1\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("float_keys", "t,flow,net_size\n10,2.5,5\n9,10,7\n9,2,1\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("missing_cells", "t,flow,net_size\n1,a,1\n2,a,2\n1,b,3\n3,b,-4\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("missing_cells_fill", "t,flow,net_size\n1,a,1\n2,a,2\n1,b,3\n3,b,-4\n",
     "--index t --fill 0", (["t"], "flow", "net_size", 0, False, None)),
    ("missing_cells_fill_int", "t,flow,net_size\n1,a,1\n2,a,2\n1,b,3\n3,b,-4\n",
     "--index t --fill 0 --int --clip-lower -1", (["t"], "flow", "net_size", 0, True, -1)),
    ("float_values",
     "t,flow,net_size\n1,a,1e3\n1,b,-1.5\n2,a,0.1\n2,b,0.00001\n3,a,1e16\n3,b,12345678.125\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("float_values_int",
     "t,flow,net_size\n1,a,12.7\n1,b,-0.5\n2,a,1e3\n2,b,-7.9\n3,a,0.00001\n",
     "--index t --fill 0 --int", (["t"], "flow", "net_size", 0, True, None)),
    ("clip_floats", "t,flow,net_size\n1,a,-2.5\n1,b,3\n2,a,0.5\n",
     "--index t --clip-lower 0", (["t"], "flow", "net_size", None, False, 0)),
    ("text_values", "t,flow,net_size\nx,b,hi\n8,a,1\n9,a,NA\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("text_values_fill", "t,flow,net_size\nx,b,hi\n8,a,1\n9,a,NA\n",
     "--index t --fill 0", (["t"], "flow", "net_size", 0, False, None)),
    ("missing_index_and_key",
     "t,k,flow,net_size\n1,b,in,1\n1,,in,2\n0,b,out,3\nNA,a,in,4\n,,,5\n",
     "--index t,k", (["t", "k"], "flow", "net_size", None, False, None)),
    ("equal_numbers", "t,flow,net_size\n5,in,1\n+5,out,2\n 6,in,3\n05,x,4\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("negative_zero_keys", "t,flow,net_size\n1,-0.0,1\n2,0.0,2\n3,1.5,3\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("default_index", "net_size,k,flow,t\n1,b,in,2\n2,a,in,2\n3,b,out,1\n",
     "", (["k", "t"], "flow", "net_size", None, False, None)),
    ("other_names", "day,node,kind,bytes,extra\nd2,n1,x,7,z\nd1,n1,y,8,z\nd1,n2,x,9,z\n",
     "--index node,day --key kind --value bytes",
     (["node", "day"], "kind", "bytes", None, False, None)),
    ("quoted_and_unicode", 't,flow,net_size\n1,"a,b",1\n1,\u00e9,2\n1,z,3\n2,"say ""hi""",4\n',
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("big_ints_with_gaps", "t,flow,net_size\n1,a,9007199254740993\n2,b,1\n",
     "--index t --fill 0 --int", (["t"], "flow", "net_size", 0, True, None)),
    ("duplicate", "t,flow,net_size\n1,in,5\n2,in,6\n1,in,7\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("duplicate_equal_numbers", "t,flow,net_size\n1,in,5\n+1,in,7\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("int_missing_cell", "t,flow,net_size\n1,in,5\n2,out,6\n",
     "--index t --int", (["t"], "flow", "net_size", None, True, None)),
    ("int_missing_value", "t,flow,net_size\n1,in,5\n1,out,NA\n",
     "--index t --int", (["t"], "flow", "net_size", None, True, None)),
    ("int_text_value", "t,flow,net_size\n1,in,5\n1,out,x\n",
     "--index t --fill 0 --int", (["t"], "flow", "net_size", 0, True, None)),
    ("int_infinite_value", "t,flow,net_size\n1,in,5\n1,out,inf\n",
     "--index t --fill 0 --int", (["t"], "flow", "net_size", 0, True, None)),
    ("bool_keys", "t,flow,net_size\ntrue,in,5\nTrue,out,6\nFALSE,in,7\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("bool_columns", "t,flow,net_size\n1,true,5\n1,TRUE,6\n2,False,7\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("uint64_keys", "t,flow,net_size\n18446744073709551615,in,5\n1,in,6\n9223372036854775808,out,7\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
    ("key_names_an_index_column", "t,flow,net_size\n1,in,5\n1,t,6\n",
     "--index t", (["t"], "flow", "net_size", None, False, None)),
]


def pandas_widen(path, index, key, value, fill, astype, clip):
    """The validation notebook's pivot, generalised, then its clamp."""
    df = pd.read_csv(path)
    wide = df.pivot(index=index, columns=key, values=value).rename_axis(None, axis=1)
    columns = list(wide.columns)
    wide = wide.reset_index()
    if fill is not None:
        wide = wide.fillna(fill)
    if astype:
        wide = wide.astype({c: "int" for c in columns})
    if clip is not None:
        for c in columns:
            wide.loc[wide[c] < clip, c] = clip
    return wide


def odd_inputs():
    folder = os.path.join(HERE, "odd")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, text, args, spec in ODD:
        stem = os.path.join(folder, name)
        with open(stem + ".csv", "w", newline="") as f:
            f.write(text)
        with open(stem + ".args", "w") as f:
            f.write(args + "\n")
        try:
            wide = pandas_widen(stem + ".csv", *spec)
        except Exception as e:  # what pandas raises is the golden
            with open(stem + ".error", "w") as f:
                f.write(f"{type(e).__name__}: {e}\n")
            continue
        wide.to_csv(stem + ".wide.csv", index=False)


def main():
    if pd.__version__ != "2.2.3":
        sys.exit(f"need pandas 2.2.3, have {pd.__version__}")
    oracle = os.environ.get("ORACLE_DIR", os.path.join(ROOT, "..", "shared", "oracle"))
    if not os.path.isfile(os.path.join(oracle, "later", "validation.py")):
        sys.exit(f"make.py: no oracle in {oracle} (set ORACLE_DIR)")
    import warnings

    warnings.simplefilter("ignore")
    long_tables(oracle)
    odd_inputs()
    print(f"goldens written to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
