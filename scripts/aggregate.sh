#!/usr/bin/env bash
# Reproduce the notebook's four traffic tables from the tracepoint and systemd inputs.
set -euo pipefail

me=aggregate.sh
usage() {
    cat <<'USAGE'
usage: scripts/aggregate.sh [-o OUTDIR] [TRACEPOINTS SYSTEMD]

Turns the notebook's two inputs (plain or .bz2 CSV) into its four tables,
identical after bunzip2 to what the notebook writes:
  OUTDIR/data_est_hourly.csv.bz2  OUTDIR/data_est_daily.csv.bz2
  OUTDIR/data_emp_hourly.csv.bz2  OUTDIR/data_emp_daily.csv.bz2
With no inputs it runs on the bundled sample (scripts/sample/).

  TRACEPOINTS  timestamp,ipv6,flow,msg_type,size   (one row per P2P message)
  SYSTEMD      timestamp,IPIngressBytes,IPEgressBytes (bytes per sample)
  -o OUTDIR    where the tables go (default: the current folder)
  -h           this help

The tables appear only when every step succeeded. The release binaries are
built first when missing or stale (set NETAGG_BIN to a folder holding
estimate, pivot and bucket to use those instead).
USAGE
}
die() {
    echo "$me: $*" >&2
    exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
outdir=.
while getopts ':o:h' opt; do
    case $opt in
    o) outdir=$OPTARG ;;
    h) usage; exit 0 ;;
    :) echo "$me: -$OPTARG needs a value" >&2; usage >&2; exit 2 ;;
    *) echo "$me: unknown option -$OPTARG" >&2; usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
case $# in
0) tracepoints=$root/scripts/sample/tracepoints.csv.bz2 systemd=$root/scripts/sample/systemd.csv.bz2 ;;
2) tracepoints=$1 systemd=$2 ;;
*) usage >&2; exit 2 ;;
esac
for input in "$tracepoints" "$systemd"; do
    [[ -f $input && -r $input ]] || die "cannot read $input"
done
[[ -d $outdir ]] || die "no such folder: $outdir"

# The filters, built (a no-op when up to date) and put first on PATH.
if [[ -n ${NETAGG_BIN:-} ]]; then
    bin=$NETAGG_BIN
else
    bin=${CARGO_TARGET_DIR:-$root/target}/release
    if command -v cargo >/dev/null; then
        cargo build --release --quiet --bins --manifest-path "$root/Cargo.toml" || die "cargo build failed"
    fi
fi
for tool in estimate pivot bucket; do
    [[ -x $bin/$tool ]] || die "$bin/$tool is missing: install Rust and run cargo build --release"
done
PATH=$bin:$PATH

# The fastest bzip2 decoder installed; all write the same bytes.
if command -v lbzip2 >/dev/null; then
    unbzip2=(lbzip2 -dc)
elif command -v pbzip2 >/dev/null; then
    unbzip2=(pbzip2 -dc)
else
    unbzip2=(bzip2 -dc)
fi
# Plain inputs are read as they are; bzip2 ones (by their magic bytes) decoded.
read_input() {
    if [[ $(head -c 3 "$1") == BZh ]]; then "${unbzip2[@]}" <"$1"; else cat "$1"; fi
}

# Everything is written to a private folder and moved into place only at the end.
work=$(mktemp -d "$outdir/.aggregate.XXXXXX")
trap 'rm -rf "$work"' EXIT

# -q: four filters run at once; progress lines would only garble the terminal.
est_chain() {
    read_input "$tracepoints" |
        estimate -q |
        bucket -q --every 1h --by flow,msg_type --time-name freq -o "$work/data_est_hourly.csv.bz2"
    # Daily tables re-bucket the hourly ones: sums are associative, rows are not read twice.
    bucket -q --every 1d --by flow,msg_type -o "$work/data_est_daily.csv.bz2" "$work/data_est_hourly.csv.bz2"
}
emp_chain() {
    read_input "$systemd" |
        pivot -q |
        bucket -q --every 1h --by flow --time-name freq -o "$work/data_emp_hourly.csv.bz2"
    bucket -q --every 1d --by flow -o "$work/data_emp_daily.csv.bz2" "$work/data_emp_hourly.csv.bz2"
}

est_chain &
est=$!
emp_chain &
emp=$!
failed=()
wait "$est" || failed+=("the estimate chain on $tracepoints")
wait "$emp" || failed+=("the systemd chain on $systemd")
if ((${#failed[@]})); then
    for what in "${failed[@]}"; do echo "$me: $what failed; no tables written" >&2; done
    exit 1
fi
mv -f "$work"/data_*.csv.bz2 "$outdir"/
