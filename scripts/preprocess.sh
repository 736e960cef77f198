#!/usr/bin/env bash
# The monitor's result folder to the notebook's two input files, as the upstream study made them.
set -euo pipefail

usage() {
    cat <<USAGE
usage: $me [-q] [-o OUTDIR] [--monitor] DIR

Reads the monitor's day files, DIR/tracepoints/net/*.csv and
DIR/systemd/ip_accounting/*.csv (CRLF or LF, each plain or compressed after
rotation: .bz2, .gz, .zst, .xz; anything else is skipped with a warning), in
date order, and writes the seed notebook's two inputs:
  OUTDIR/tracepoints_preprocessed.csv.bz2  timestamp,ipv6,flow,msg_type,size
  OUTDIR/systemd_preprocessed.csv.bz2      timestamp,IPIngressBytes,IPEgressBytes
Rows with a missing field (or cut short by a crash) are dropped, ipv6 is True
when the peer address holds a '[', and the cumulative byte counters become
per-row increments (increase: a counter restart is counted from zero, so no
bytes are lost).

  --monitor DIR  the monitor folder (DIR alone works too)
  -o OUTDIR      where the files go (created if missing; default: here)
  -q             no progress line, no summary line at the end
  -h             this help

aggregate.sh --monitor does the same on the fly, without these files.
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

args=()
while (($#)); do
    common_option "$@"
    if ((took)); then
        shift "$took"
        continue
    fi
    case $1 in
    --) shift; args+=("$@"); break ;;
    -?*) usage_error "unknown option $1" ;;
    *) args+=("$1"); shift ;;
    esac
done
if [[ -z $monitor ]]; then
    ((${#args[@]} == 1)) || usage_error "give one monitor folder (--monitor DIR)"
    monitor=${args[0]}
else
    ((${#args[@]} == 0)) || usage_error "--monitor takes no other argument"
fi
dir=$monitor
use_filters estimate increase keep
dir=$(safe_path "$dir")
[[ -d $dir ]] || die "no such folder: $dir"
monitor_days "$dir" tracepoints/net
tracepoint_days=("${days[@]}")
monitor_days "$dir" systemd/ip_accounting
systemd_days=("${days[@]}")
mkdir -p -- "$outdir" || die "cannot create $outdir"
make_work "$outdir" preprocess

progress
say "preprocessing ${#tracepoint_days[@]} days of tracepoints and ${#systemd_days[@]} of systemd counters"
tracepoints() {
    estimate "${progress_flags[@]}" --dropna --ipv6-from peer_addr --ipv6-out ipv6 \
        -- "${tracepoint_days[@]}" |
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
