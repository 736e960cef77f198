#!/usr/bin/env bash
# Reproduce the notebook's four traffic tables from the tracepoint and systemd inputs.
set -euo pipefail

me=aggregate.sh
usage() {
    cat <<'USAGE'
usage: scripts/aggregate.sh [-o OUTDIR] [TRACEPOINTS SYSTEMD | --monitor DIR]

Turns the notebook's two inputs (plain or .bz2 CSV) into its four tables,
identical after bunzip2 to what the notebook writes:
  OUTDIR/data_est_hourly.csv.bz2  OUTDIR/data_est_daily.csv.bz2
  OUTDIR/data_emp_hourly.csv.bz2  OUTDIR/data_emp_daily.csv.bz2
With no inputs it runs on the bundled sample (scripts/sample/).

  TRACEPOINTS    timestamp,ipv6,flow,msg_type,size   (one row per P2P message)
  SYSTEMD        timestamp,IPIngressBytes,IPEgressBytes (bytes per sample)
  --monitor DIR  read the monitor's result folder instead: the daily files
                 DIR/tracepoints/net/*.csv and DIR/systemd/ip_accounting/*.csv,
                 preprocessed on the fly as scripts/preprocess.sh does
  -o OUTDIR      where the tables go (default: the current folder)
  -h             this help

The tables appear only when every step succeeded. The release binaries are
built first when missing or stale (set NETAGG_BIN to a folder holding the
filters to use those instead).
USAGE
}

outdir=.
monitor=
args=()
while (($#)); do
    case $1 in
    -o) [[ $# -ge 2 ]] || { echo "$me: -o needs a value" >&2; usage >&2; exit 2; }
        outdir=$2; shift 2 ;;
    --monitor) [[ $# -ge 2 ]] || { echo "$me: --monitor needs a folder" >&2; usage >&2; exit 2; }
        monitor=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -?*) echo "$me: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -n $monitor ]]; then
    ((${#args[@]} == 0)) || { usage >&2; exit 2; }
    [[ -d $monitor ]] || die "no such folder: $monitor"
    tracepoints() { monitor_files "$monitor" tracepoints; }
    systemd() { monitor_files "$monitor" systemd | delta -q --cols IPIngressBytes,IPEgressBytes; }
else
    case ${#args[@]} in
    0) args=("$root/scripts/sample/tracepoints.csv.bz2" "$root/scripts/sample/systemd.csv.bz2") ;;
    2) ;;
    *) usage >&2; exit 2 ;;
    esac
    for input in "${args[@]}"; do
        [[ -f $input && -r $input ]] || die "cannot read $input"
    done
    tracepoints() { read_input "${args[0]}"; }
    systemd() { read_input "${args[1]}"; }
fi
[[ -d $outdir ]] || die "no such folder: $outdir"

# Everything is written to a private folder and moved into place only at the end.
work=$(mktemp -d "$outdir/.aggregate.XXXXXX")
trap 'rm -rf "$work"' EXIT

# -q: four filters run at once; progress lines would only garble the terminal.
est_chain() {
    tracepoints |
        estimate -q |
        bucket -q --every 1h --by flow,msg_type --time-name freq -o "$work/data_est_hourly.csv.bz2"
    # Daily tables re-bucket the hourly ones: sums are associative, rows are not read twice.
    bucket -q --every 1d --by flow,msg_type -o "$work/data_est_daily.csv.bz2" "$work/data_est_hourly.csv.bz2"
}
emp_chain() {
    systemd |
        pivot -q |
        bucket -q --every 1h --by flow --time-name freq -o "$work/data_emp_hourly.csv.bz2"
    bucket -q --every 1d --by flow -o "$work/data_emp_daily.csv.bz2" "$work/data_emp_hourly.csv.bz2"
}

est_chain &
est=$!
emp_chain &
emp=$!
failed=()
wait "$est" || failed+=("the estimate chain on ${monitor:-${args[0]}}")
wait "$emp" || failed+=("the systemd chain on ${monitor:-${args[1]}}")
if ((${#failed[@]})); then
    for what in "${failed[@]}"; do echo "$me: $what failed; no tables written" >&2; done
    exit 1
fi
mv -f "$work"/data_*.csv.bz2 "$outdir"/
