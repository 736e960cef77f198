#!/usr/bin/env bash
# Regenerate every golden in tests/golden/ from the fixtures in tests/data/
# with the pandas oracle (../shared/oracle/notebook.py, pandas 2.2.3).
# Run from the repo root: tests/golden/make.sh
set -euo pipefail

ORACLE=../shared/oracle/notebook.py
DATA=tests/data
GOLDEN=tests/golden

[ -f "$ORACLE" ] || { echo "oracle not found: $ORACLE (run from the repo root)" >&2; exit 1; }
python3 -c 'import pandas, sys; sys.exit(0 if pandas.__version__ == "2.2.3" else "need pandas 2.2.3, have " + pandas.__version__)'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# oracle run: $1 = fixture stem, $2 = --tracepoints|--systemd, $3.. = output kinds
run_oracle() {
    local stem=$1 opt=$2
    shift 2
    mkdir -p "$tmp/$stem"
    python3 "$ORACLE" "$opt" "$DATA/$stem.csv" --outdir "$tmp/$stem"
    for kind in "$@"; do
        bunzip2 -c "$tmp/$stem/data_$kind.csv.bz2" > "$GOLDEN/$stem.$kind.csv"
    done
}

run_oracle tracepoints         --tracepoints est_hourly est_daily
run_oracle tracepoints_naive   --tracepoints est_hourly est_daily
run_oracle systemd             --systemd     emp_hourly emp_daily
run_oracle systemd_int         --systemd     emp_hourly emp_daily
run_oracle systemd_int_missing --systemd     emp_hourly emp_daily

# Row-level estimate: the fixture plus a net_size column, computed by the
# oracle's own estimate_network_traffic (extracted from the oracle source, since
# importing the script would run its argparse), applied as the oracle does
# (DataFrame.apply(axis=1); pandarallel gives the same values), written with to_csv.
python3 - "$ORACLE" "$DATA/tracepoints.csv" "$GOLDEN/tracepoints.estimate.csv" <<'PY'
import ast
import math
import sys

import pandas as pd

oracle, src, dst = sys.argv[1:]
tree = ast.parse(open(oracle).read())
fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "estimate_network_traffic")
ns = {"math": math}
exec(compile(ast.Module(body=[fn], type_ignores=[]), oracle, "exec"), ns)

df = pd.read_csv(src, compression="infer", index_col=0, parse_dates=True)
df["net_size"] = df.apply(ns["estimate_network_traffic"], axis=1)
df.to_csv(dst)
PY

# The bundled sample (scripts/sample, made by scripts/sample/make.sh): all four tables.
mkdir -p "$tmp/sample" "$GOLDEN/sample"
python3 "$ORACLE" --tracepoints scripts/sample/tracepoints.csv.bz2 \
    --systemd scripts/sample/systemd.csv.bz2 --outdir "$tmp/sample"
for kind in est_hourly est_daily emp_hourly emp_daily; do
    bunzip2 -c "$tmp/sample/data_$kind.csv.bz2" > "$GOLDEN/sample/data_$kind.csv"
done

echo "goldens written to $GOLDEN/"
