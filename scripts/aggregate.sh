#!/usr/bin/env bash
# Reproduce the notebook's four traffic tables from the tracepoint and systemd inputs.
set -euo pipefail

me=aggregate.sh
usage() {
    cat <<'USAGE'
usage: scripts/aggregate.sh [-o OUTDIR] [--jobs N [--sshlogin LOGIN]... [--slf FILE]]
                            [TRACEPOINTS... SYSTEMD | --monitor DIR]

Turns the notebook's two inputs (plain or .bz2 CSV) into its four tables,
identical after bunzip2 to what the notebook writes:
  OUTDIR/data_est_hourly.csv.bz2  OUTDIR/data_est_daily.csv.bz2
  OUTDIR/data_emp_hourly.csv.bz2  OUTDIR/data_emp_daily.csv.bz2
With no inputs it runs on the bundled sample (scripts/sample/).

  TRACEPOINTS    timestamp,ipv6,flow,msg_type,size   (one row per P2P message);
                 several files (e.g. one a day) are read as one table
  SYSTEMD        timestamp,IPIngressBytes,IPEgressBytes (bytes per sample)
  --monitor DIR  read the monitor's result folder instead: the daily files
                 DIR/tracepoints/net/*.csv and DIR/systemd/ip_accounting/*.csv,
                 preprocessed on the fly as scripts/preprocess.sh does
  -o OUTDIR      where the tables go (default: the current folder)
  --jobs N       with several tracepoint files (or days of --monitor): each
                 file is a shard, summed by hour in its own job under GNU
                 parallel; the partial tables are merged by re-bucketing. The
                 tables are identical to a single run. N = 1 needs no parallel.
  --sshlogin L, --slf FILE, --ssh CMD
                 passed to parallel: run shard jobs on other machines (each
                 needs the filters at the same path, or NETAGG_REMOTE_BIN;
                 the shard files and scripts are copied over)
  -h             this help

The tables appear only when every step succeeded. The release binaries are
built first when missing or stale (set NETAGG_BIN to a folder holding the
filters to use those instead).
USAGE
}
usage_error() {
    echo "$me: $*" >&2
    usage >&2
    exit 2
}

outdir=.
monitor=
jobs=1
remote=()
args=()
while (($#)); do
    case $1 in
    -o | --monitor | --jobs | --sshlogin | --slf | --ssh)
        [[ $# -ge 2 ]] || usage_error "$1 needs a value"
        case $1 in
        -o) outdir=$2 ;;
        --monitor) monitor=$2 ;;
        --jobs) [[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs wants a positive number, not $2"
            jobs=$2 ;;
        *) remote+=("$1" "$2") ;;
        esac
        shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -?*) usage_error "unknown option $1" ;;
    *) args+=("$1"); shift ;;
    esac
done
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The tracepoint shards (files), how one becomes rows in the notebook's layout, and the
# estimate of them all as one stream.
if [[ -n $monitor ]]; then
    ((${#args[@]} == 0)) || usage_error "--monitor takes no input files"
    [[ -d $monitor ]] || die "no such folder: $monitor"
    shards=("$monitor"/tracepoints/net/*.csv)
    [[ -e ${shards[0]} ]] || die "no daily files in $monitor/tracepoints/net"
    layout=monitor
    estimated() { monitor_files "$monitor" tracepoints | estimate -q; }
    systemd() { monitor_files "$monitor" systemd | increase -q --cols IPIngressBytes,IPEgressBytes; }
else
    case ${#args[@]} in
    0) args=("$root/scripts/sample/tracepoints.csv.bz2" "$root/scripts/sample/systemd.csv.bz2") ;;
    1) usage_error "give the tracepoint file(s) and the systemd file" ;;
    esac
    for input in "${args[@]}"; do
        [[ -f $input && -r $input ]] || die "cannot read $input"
    done
    shards=("${args[@]:0:${#args[@]}-1}")
    system_file=${args[-1]}
    layout=notebook
    if ((${#shards[@]} == 1)); then
        # One file: the fastest decoder installed feeds the filters.
        estimated() { read_input "${shards[0]}" | estimate -q; }
    else
        # Several: estimate reads them as one table (and checks that the headers agree).
        estimated() { estimate -q "${shards[@]}"; }
    fi
    systemd() { read_input "$system_file"; }
fi
[[ -d $outdir ]] || die "no such folder: $outdir"
if ((jobs > 1)); then
    command -v parallel >/dev/null || die "--jobs $jobs needs GNU parallel (or use --jobs 1)"
fi

# Everything is written to a private folder and moved into place only at the end.
work=$(mktemp -d "$outdir/.aggregate.XXXXXX")
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd)

hourly_est=(bucket -q --every 1h --by flow,msg_type --time-name freq)
# Each shard's hourly sums in a job of its own (scripts/shard.sh); parallel keeps each job's
# stdout in $work/shards/N and its stderr in N.err.
sharded_hourly_est() {
    mkdir "$work/shards"
    local script=$root/scripts/shard.sh inputs=("${shards[@]}") ship=()
    if ((${#remote[@]})); then
        # Remote jobs get copies of the shard and the scripts in a private work folder (--wd
        # ...) that --cleanup removes. Everything is named by a relative path, so even a
        # "remote" on this machine or a shared file system never touches the originals.
        mkdir "$work/ship"
        cp "$root/scripts/shard.sh" "$root/scripts/monitor.awk" "$work/ship/"
        inputs=()
        for ((i = 0; i < ${#shards[@]}; i++)); do
            mkdir "$work/ship/$i"
            ln -s "$(realpath "${shards[i]}")" "$work/ship/$i/$(basename "${shards[i]}")"
            inputs+=("$i/$(basename "${shards[i]}")")
        done
        script=shard.sh
        ship=(--wd ... --transferfile {} --transferfile shard.sh --transferfile monitor.awk --cleanup)
        # -L: rsync copies what the links point to.
        export PARALLEL_RSYNC_OPTS=-rLDzR
    fi
    local status=0
    (
        [[ -d $work/ship ]] && cd "$work/ship"
        parallel --will-cite --halt soon,fail=1 --jobs "$jobs" --results "$work/shards/{#}" \
            "${remote[@]}" "${ship[@]}" \
            env "NETAGG_BIN=${NETAGG_REMOTE_BIN:-$bin}" bash "$script" "$layout" {} ::: "${inputs[@]}" >/dev/null
    ) || status=$?
    cat "$work"/shards/*.err >&2 2>/dev/null || true
    ((status == 0)) || return "$status"
    local partials=()
    for ((i = 1; i <= ${#shards[@]}; i++)); do partials+=("$work/shards/$i"); done
    # Hourly sums are associative: re-bucketing the partial tables merges them exactly.
    "${hourly_est[@]}" -o "$work/data_est_hourly.csv.bz2" "${partials[@]}"
}

# -q: four filters run at once; progress lines would only garble the terminal.
est_chain() {
    if ((jobs > 1 && ${#shards[@]} > 1)); then
        sharded_hourly_est
    else
        estimated | "${hourly_est[@]}" -o "$work/data_est_hourly.csv.bz2"
    fi
    # Daily tables re-bucket the hourly ones: sums are associative, rows are not read twice.
    bucket -q --every 1d --by flow,msg_type -o "$work/data_est_daily.csv.bz2" "$work/data_est_hourly.csv.bz2"
}
# The systemd data is a few hundredths of the messages: one job, also because in the monitor's
# files its counters must be differenced across day boundaries.
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
wait "$est" || failed+=("the estimate chain on ${monitor:-${shards[*]}}")
wait "$emp" || failed+=("the systemd chain on ${monitor:-$system_file}")
if ((${#failed[@]})); then
    for what in "${failed[@]}"; do echo "$me: $what failed; no tables written" >&2; done
    exit 1
fi
mv -f "$work"/data_*.csv.bz2 "$outdir"/
