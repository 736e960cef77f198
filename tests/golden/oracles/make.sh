#!/usr/bin/env bash
# Regenerate the goldens in tests/golden/oracles/ from the monitor folder tests/data/monitor
# with the pandas oracles: the four later analyses (ORACLE_DIR/later/NAME.py) and the seed
# notebook (ORACLE_DIR/notebook.py). Needs python3 with pandas 2.2.3; CI never runs this.
#
#   tests/golden/oracles/make.sh                         # ORACLE_DIR defaults to ../shared/oracle
#   ORACLE_DIR=/work/shared/oracle tests/golden/oracles/make.sh
#
# The default ORACLE_DIR is taken from the repo root (a sibling shared/ folder); a given one
# from the current directory. See README.md here for what each file is.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=${ORACLE_DIR:-$root/../shared/oracle}
[[ -f $oracle/notebook.py && -d $oracle/later ]] ||
    { echo "make.sh: no oracle in $oracle (set ORACLE_DIR)" >&2; exit 1; }
oracle=$(cd "$oracle" && pwd)
cd "$root"
python3 -c 'import pandas, sys; sys.exit(0 if pandas.__version__ == "2.2.3" else "need pandas 2.2.3, have " + pandas.__version__)'

DATA=tests/data/monitor
GOLDEN=tests/golden/oracles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. A copy of the monitor folder with the rotated days decompressed: the study's
#    read_csvs globs only *.csv.
mkdir "$tmp/monitor"
cp -R "$DATA/tracepoints" "$DATA/systemd" "$DATA/rpc" "$tmp/monitor/"
find "$tmp/monitor" -name '*.csv.bz2' -exec bunzip2 {} +
find "$tmp/monitor" -name '*.csv.gz' -exec gzip -d {} +

# 2. The later analyses: python NAME.py MONITOR_DIR OUT_DIR, every output bunzip2-ed.
for name in validation connection_type overhead peer_analysis; do
    rm -rf "${GOLDEN:?}/$name"
    mkdir -p "$GOLDEN/$name"
    TIMEFORMAT="$name: %R s"
    time python3 "$oracle/later/$name.py" "$tmp/monitor" "$tmp/$name"
    for f in "$tmp/$name"/*.csv.bz2; do
        bunzip2 -c "$f" >"$GOLDEN/$name/$(basename "$f" .bz2)"
    done
done

# 3. The seed notebook on the folder as the study reads it (monitor-format.md): each day
#    file read_csv(index_col=0, parse_dates=True), concat, sort_index, dropna, ipv6 =
#    '[' in peer_addr, the columns timestamp,ipv6,flow,msg_type,size, written with to_csv
#    and given to notebook.py --tracepoints.
python3 - "$tmp/monitor/tracepoints/net" "$tmp/tracepoints_preprocessed.csv" <<'PY'
import glob
import os
import sys

import pandas as pd

src, dst = sys.argv[1:]
files = sorted(glob.glob(os.path.join(src, "*.csv")))
df = pd.concat([pd.read_csv(f, index_col=0, parse_dates=True) for f in files]).sort_index()
df = df.dropna()
df["ipv6"] = df["peer_addr"].apply(lambda x: True if "[" in x else False)
df = df[["ipv6", "flow", "msg_type", "size"]]
df.to_csv(dst)
PY
mkdir -p "$tmp/seed" "$GOLDEN/seed"
TIMEFORMAT="notebook: %R s"
time python3 "$oracle/notebook.py" --tracepoints "$tmp/tracepoints_preprocessed.csv" --outdir "$tmp/seed"
for kind in est_hourly est_daily; do
    bunzip2 -c "$tmp/seed/data_$kind.csv.bz2" >"$GOLDEN/seed/data_$kind.csv"
done

echo "goldens written to $GOLDEN/" >&2
