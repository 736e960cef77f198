#!/usr/bin/env bash
# The monitor's result folder to the notebook's two input files, as the upstream study made them.
set -euo pipefail

me=preprocess.sh
usage() {
    cat <<'USAGE'
usage: scripts/preprocess.sh MONITOR_DIR [-o OUTDIR]

Reads the monitor's daily files, MONITOR_DIR/tracepoints/net/*.csv and
MONITOR_DIR/systemd/ip_accounting/*.csv, in date order, and writes the
notebook's inputs:
  OUTDIR/tracepoints_preprocessed.csv.bz2  timestamp,ipv6,flow,msg_type,size
  OUTDIR/systemd_preprocessed.csv.bz2      timestamp,IPIngressBytes,IPEgressBytes
Rows with an empty field are dropped, ipv6 is true when the peer address
holds a '[', and the cumulative byte counters become per-row increments
(increase: a counter restart is counted from zero, so no bytes are lost).
scripts/aggregate.sh --monitor does the same on the fly, without these files.
USAGE
}

outdir=.
dir=
while (($#)); do
    case $1 in
    -o) [[ $# -ge 2 ]] || { echo "$me: -o needs a value" >&2; usage >&2; exit 2; }
        outdir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -?*) echo "$me: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -z $dir ]] || { usage >&2; exit 2; }
        dir=$1; shift ;;
    esac
done
[[ -n $dir ]] || { usage >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -d $dir ]] || die "no such folder: $dir"
[[ -d $outdir ]] || die "no such folder: $outdir"

work=$(mktemp -d "$outdir/.preprocess.XXXXXX")
trap 'rm -rf "$work"' EXIT
monitor_files "$dir" tracepoints | "${bzip2[@]}" >"$work/tracepoints_preprocessed.csv.bz2"
monitor_files "$dir" systemd | increase -q --cols IPIngressBytes,IPEgressBytes |
    "${bzip2[@]}" >"$work/systemd_preprocessed.csv.bz2"
mv -f "$work"/*_preprocessed.csv.bz2 "$outdir"/
