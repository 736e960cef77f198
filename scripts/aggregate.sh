#!/usr/bin/env bash
# The seed notebook's four traffic tables: from its two inputs, from a monitor folder, or
# from the hourly tables the study published.
set -euo pipefail

usage() {
    cat <<USAGE
usage: $me [-q] [-o OUTDIR] [--jobs N [--sshlogin LOGIN]... [--slf FILE]] [FILE...]
       $me [-q] [-o OUTDIR] [--jobs N ...] [--monitor] DIR

Writes the seed notebook's four tables (data/01_aggregate.ipynb of
github.com/virtu/bitcoind-p2p-traffic), identical after bunzip2 to what it writes:
  OUTDIR/data_est_hourly.csv.bz2  OUTDIR/data_est_daily.csv.bz2
  OUTDIR/data_emp_hourly.csv.bz2  OUTDIR/data_emp_daily.csv.bz2
from a monitor folder, or from files (CSV, plain or compressed) told apart by
their headers; only the tables the files make are written:
  timestamp,ipv6,flow,msg_type,size       tracepoints, the notebook's input: one row
                                          per P2P message; several files (one a day)
                                          are one table
  timestamp,IPIngressBytes,IPEgressBytes  systemd's bytes per sample, its other input
                                          (the study published it: the emp tables)
  freq,flow,msg_type,net_size             an hourly estimate table (as the study
                                          published it): summed by day
  freq,flow,net_size                      an hourly systemd table: the same
With no input it runs on the bundled sample (scripts/sample/).

  --monitor DIR  the monitor's result folder (DIR alone works too): its day files
                 DIR/tracepoints/net/*.csv and DIR/systemd/ip_accounting/*.csv,
                 CRLF or LF, each plain or compressed after rotation (.bz2, .gz,
                 .zst, .xz); anything else there is skipped with a warning. As the
                 study read them: rows with a missing field dropped, ipv6 when the
                 peer address holds '[', counters differenced across restarts
  -o OUTDIR      where the tables go (created if missing; default: here)
  -q             no progress line, no summary line at the end
  --jobs N       with several tracepoint files (or days of --monitor): each
                 file is a shard, summed by hour in its own job under GNU
                 parallel; the partial tables are merged by re-bucketing. The
                 tables are identical to a single run. It pays with other machines
                 (--sshlogin) or many small files; N = 1 needs no parallel.
  --sshlogin L, --slf FILE, --ssh CMD
                 passed to parallel: run shard jobs on other machines (each
                 needs the filters at the same path, or NETAGG_REMOTE_BIN;
                 the shard files and scripts are copied over)
  -h             this help

The tables appear only when every step succeeded; SIGTERM, SIGINT or SIGHUP
stop every step and leave nothing behind. The filters come from NETAGG_BIN if
set, else from PATH, else this checkout's release build (built first).
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

jobs=1
remote=()
args=()
while (($#)); do
    common_option "$@"
    if ((took)); then
        shift "$took"
        continue
    fi
    case $1 in
    --jobs | --sshlogin | --slf | --ssh)
        [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a value"
        if [[ $1 == --jobs ]]; then
            [[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs wants a positive number, not $2"
            jobs=$2
        else
            remote+=("$1" "$2")
        fi
        shift 2 ;;
    --) shift; args+=("$@"); break ;;
    -?*) usage_error "unknown option $1" ;;
    *) args+=("$1"); shift ;;
    esac
done
if [[ -z $monitor && ${#args[@]} -eq 1 && -d ${args[0]} ]]; then
    monitor=${args[0]}
    args=()
fi
[[ -z $monitor || ${#args[@]} -eq 0 ]] || usage_error "--monitor takes no input files"
use_filters estimate pivot bucket increase keep

# The tracepoint shards (files) and their layout; how the systemd chain starts; or the
# published hourly tables.
shards=()
est_hourly=()
emp_hourly=()
system_file=
if [[ -n $monitor ]]; then
    monitor=$(safe_path "$monitor")
    [[ -d $monitor ]] || die "no such folder: $monitor"
    monitor_days "$monitor" tracepoints/net
    shards=("${days[@]}")
    monitor_days "$monitor" systemd/ip_accounting
    systemd_days=("${days[@]}")
    layout=monitor
    inputs_named=$monitor
    # Incomplete rows travel on to bucket --dropna, so that a missing size still makes the
    # sums floats, as pandas' column types do; estimate, which reads the day files, names
    # the first of them (bucket -qq says nothing more of them).
    estimated() { estimate "${progress_flags[@]}" --keep-incomplete --ipv6-from peer_addr -- "$@"; }
    hourly_est=(bucket -qq --dropna --every 1h --by flow,msg_type --time-name freq)
    melted() {
        increase -q --dropna --cols IPIngressBytes,IPEgressBytes -- "${systemd_days[@]}" |
            pivot -q
    }
else
    ((${#args[@]})) ||
        args=("$root/scripts/sample/tracepoints.csv.bz2" "$root/scripts/sample/systemd.csv.bz2")
    for input in "${args[@]}"; do
        header_of "$input"
        # By the columns that tell the tables apart; the filters check the rest.
        case ,$header, in
        *,IPIngressBytes,* | *,IPEgressBytes,*)
            [[ -z $system_file ]] || die "two systemd files: $system_file and $input"
            system_file=$input ;;
        ,freq,*,msg_type,*) est_hourly+=("$input") ;;
        ,freq,*) emp_hourly+=("$input") ;;
        *) shards+=("$input") ;;
        esac
    done
    ((${#shards[@]} == 0 || ${#est_hourly[@]} == 0)) ||
        die "give the tracepoints or an hourly estimate table, not both"
    [[ -z $system_file || ${#emp_hourly[@]} -eq 0 ]] ||
        die "give the systemd file or an hourly systemd table, not both"
    layout=notebook
    inputs_named=${shards[*]}
    # The filters read the files themselves, compressed or not, and name them in messages.
    estimated() { estimate "${progress_flags[@]}" -- "$@"; }
    hourly_est=(bucket -q --every 1h --by flow,msg_type --time-name freq)
    # A missing counter travels on too, for bucket --dropna: pandas' stack() of a column
    # with a missing value makes the sums floats. (pandas says nothing of them: -qq.)
    melted() { pivot -qq --keep-incomplete -- "$system_file"; }
fi
mkdir -p -- "$outdir" || die "cannot create $outdir"
if ((jobs > 1)); then
    command -v parallel >/dev/null || die "--jobs $jobs needs GNU parallel (or use --jobs 1)"
fi

# Everything is written to a private folder and moved into place only at the end.
make_work "$outdir" aggregate

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
        cp "$root/scripts/shard.sh" "$work/ship/"
        inputs=()
        for ((i = 0; i < ${#shards[@]}; i++)); do
            mkdir "$work/ship/$i"
            ln -s "$(realpath -- "${shards[i]}")" "$work/ship/$i/$(basename -- "${shards[i]}")"
            inputs+=("$i/$(basename -- "${shards[i]}")")
        done
        script=shard.sh
        ship=(--wd ... --transferfile {} --transferfile shard.sh --cleanup)
        # -L: rsync copies what the links point to.
        export PARALLEL_RSYNC_OPTS=-rLDzR
    fi
    local status=0
    (
        [[ -d $work/ship ]] && cd "$work/ship"
        parallel --will-cite --halt soon,fail=1 --jobs "$jobs" --results "$work/shards/{#}" \
            "${remote[@]}" "${ship[@]}" \
            env "NETAGG_BIN=${NETAGG_REMOTE_BIN:-$(dirname "$(command -v estimate)")}" \
            bash "$script" "$layout" {} ::: "${inputs[@]}" >/dev/null
    ) || status=$?
    cat "$work"/shards/*.err >&2 2>/dev/null || true
    ((status == 0)) || return "$status"
    local partials=()
    for ((i = 1; i <= ${#shards[@]}; i++)); do partials+=("$work/shards/$i"); done
    # Hourly sums are associative: re-bucketing the partial tables merges them exactly.
    bucket -q --every 1h --by flow,msg_type --time-name freq -o "$work/est_hourly.csv" -- "${partials[@]}"
}

est_chain() {
    if ((${#est_hourly[@]})); then
        # Published hourly tables: summed again by hour (several merge), then by day.
        bucket "${progress_flags[@]}" --every 1h --by flow,msg_type -o "$work/est_hourly.csv" \
            -- "${est_hourly[@]}"
    elif ((jobs > 1 && ${#shards[@]} > 1)); then
        sharded_hourly_est
    else
        estimated "${shards[@]}" | "${hourly_est[@]}" -o "$work/est_hourly.csv"
    fi
    # Daily tables re-bucket the hourly ones: sums are associative, rows are not read twice.
    publish_tables "$work" est flow,msg_type "$work/est_hourly.csv"
}
# The systemd data is a few hundredths of the messages: one job, also because in the monitor's
# files its counters must be differenced across day boundaries.
emp_chain() {
    if ((${#emp_hourly[@]})); then
        bucket -q --every 1h --by flow -o "$work/emp_hourly.csv" -- "${emp_hourly[@]}"
    else
        melted | bucket -qq --dropna --every 1h --by flow --time-name freq -o "$work/emp_hourly.csv"
    fi
    publish_tables "$work" emp flow "$work/emp_hourly.csv"
}

# One progress line: the estimate chain's (the systemd chain reads a few hundredths as much).
progress
steps=()
kinds=()
if ((${#shards[@]} + ${#est_hourly[@]})); then
    steps+=("the estimate chain on ${inputs_named:-${est_hourly[*]}}" est_chain)
    kinds+=(est)
fi
if [[ -n $monitor || -n $system_file || ${#emp_hourly[@]} -gt 0 ]]; then
    steps+=("the systemd chain on ${monitor:-${system_file:-${emp_hourly[*]}}}" emp_chain)
    kinds+=(emp)
fi
say "making the ${kinds[*]} tables"
run_all tables "${steps[@]}"
written=()
for kind in "${kinds[@]}"; do
    for step in hourly daily; do
        mv -f -- "$work/data_${kind}_$step.csv.bz2" "$outdir/"
        written+=("${outdir%/}/data_${kind}_$step.csv.bz2")
    done
done
wrote "${written[@]}"
