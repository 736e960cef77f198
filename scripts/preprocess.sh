#!/usr/bin/env bash
# The monitor's result folder to the notebook's two input files, as the upstream study made them.
set -euo pipefail

me=preprocess.sh
usage() {
    cat <<'USAGE'
usage: scripts/preprocess.sh [-q] MONITOR_DIR [-o OUTDIR]

Reads the monitor's day files, MONITOR_DIR/tracepoints/net/*.csv and
MONITOR_DIR/systemd/ip_accounting/*.csv (CRLF or LF, each plain or compressed
after rotation: .bz2, .gz, .zst, .xz; anything else is skipped with a warning),
in date order, and writes the notebook's inputs:
  OUTDIR/tracepoints_preprocessed.csv.bz2  timestamp,ipv6,flow,msg_type,size
  OUTDIR/systemd_preprocessed.csv.bz2      timestamp,IPIngressBytes,IPEgressBytes
Rows with a missing field (or cut short by a crash) are dropped, ipv6 is True
when the peer address holds a '[', and the cumulative byte counters become
per-row increments (increase: a counter restart is counted from zero, so no
bytes are lost). OUTDIR is created if missing; -q drops the summary line.
scripts/aggregate.sh --monitor does the same on the fly, without these files.
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

outdir=.
dir=
QUIET=0
while (($#)); do
    case $1 in
    -o) [[ $# -ge 2 ]] || usage_error "-o needs a value"
        outdir=$2; shift 2 ;;
    -q) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; (($# == 1)) || usage_error "give one monitor folder"; dir=$1; shift ;;
    -?*) usage_error "unknown option $1" ;;
    *) [[ -z $dir ]] || usage_error "give one monitor folder"
        dir=$1; shift ;;
    esac
done
[[ -n $dir ]] || usage_error "give the monitor folder"
use_filters estimate increase keep
dir=$(safe_path "$dir")
[[ -d $dir ]] || die "no such folder: $dir"
monitor_days "$dir" tracepoints/net
tracepoint_days=("${days[@]}")
monitor_days "$dir" systemd/ip_accounting
systemd_days=("${days[@]}")
mkdir -p -- "$outdir" || die "cannot create $outdir"
make_work "$outdir" preprocess

say "preprocessing ${#tracepoint_days[@]} days of tracepoints and ${#systemd_days[@]} of systemd counters"
tracepoints() {
    estimate -q --dropna --ipv6-from peer_addr --ipv6-out ipv6 -- "${tracepoint_days[@]}" |
        keep -q --cols timestamp,ipv6,flow,msg_type,size -o "$work/tracepoints_preprocessed.csv.bz2"
}
systemd() {
    increase -q --dropna --cols IPIngressBytes,IPEgressBytes -- "${systemd_days[@]}" |
        keep -q --cols timestamp,IPIngressBytes,IPEgressBytes -o "$work/systemd_preprocessed.csv.bz2"
}
run_all files "preprocessing the tracepoints of $dir" tracepoints \
    "preprocessing the systemd counters of $dir" systemd
mv -f -- "$work"/*_preprocessed.csv.bz2 "$outdir/"
wrote "${outdir%/}/tracepoints_preprocessed.csv.bz2" "${outdir%/}/systemd_preprocessed.csv.bz2"
