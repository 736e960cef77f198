#!/usr/bin/env bash
# Reproduce the notebook's four traffic tables from the tracepoint and systemd inputs.
set -euo pipefail

me=aggregate.sh
usage() {
    cat <<'USAGE'
usage: scripts/aggregate.sh [-q] [-o OUTDIR] [--jobs N [--sshlogin LOGIN]... [--slf FILE]]
                            [TRACEPOINTS... SYSTEMD | --monitor DIR]

Turns the notebook's two inputs (CSV, plain or compressed) into its four tables,
identical after bunzip2 to what the notebook writes:
  OUTDIR/data_est_hourly.csv.bz2  OUTDIR/data_est_daily.csv.bz2
  OUTDIR/data_emp_hourly.csv.bz2  OUTDIR/data_emp_daily.csv.bz2
With no inputs it runs on the bundled sample (scripts/sample/).

  TRACEPOINTS    timestamp,ipv6,flow,msg_type,size   (one row per P2P message);
                 several files (e.g. one a day) are read as one table
  SYSTEMD        timestamp,IPIngressBytes,IPEgressBytes (bytes per sample)
  --monitor DIR  read the monitor's result folder instead: its day files
                 DIR/tracepoints/net/*.csv and DIR/systemd/ip_accounting/*.csv,
                 CRLF or LF, each plain or compressed after rotation (.bz2, .gz,
                 .zst, .xz); anything else there is skipped with a warning. As the
                 study read them: rows with a missing field dropped, ipv6 when the
                 peer address holds '[', counters differenced across restarts
  -o OUTDIR      where the tables go (created if missing; default: here)
  -q             no summary line at the end
  --jobs N       with several tracepoint files (or days of --monitor): each
                 file is a shard, summed by hour in its own job under GNU
                 parallel; the partial tables are merged by re-bucketing. The
                 tables are identical to a single run. N = 1 needs no parallel.
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

outdir=.
monitor=
jobs=1
remote=()
args=()
QUIET=0
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
    -q) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; args+=("$@"); break ;;
    -?*) usage_error "unknown option $1" ;;
    *) args+=("$1"); shift ;;
    esac
done
use_filters estimate pivot bucket increase

# The tracepoint shards (files) and their layout; the systemd chain's first step.
if [[ -n $monitor ]]; then
    ((${#args[@]} == 0)) || usage_error "--monitor takes no input files"
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
    estimated() { estimate -q --keep-incomplete --ipv6-from peer_addr -- "$@"; }
    hourly_est=(bucket -qq --dropna --every 1h --by flow,msg_type --time-name freq)
    melted() {
        increase -q --dropna --cols IPIngressBytes,IPEgressBytes -- "${systemd_days[@]}" |
            pivot -q
    }
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
    inputs_named=${shards[*]}
    # The filters read the files themselves, compressed or not, and name them in messages.
    estimated() { estimate -q -- "$@"; }
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

# The hourly table KIND (est or emp), written plain as $work/KIND_hourly.csv, becomes the
# published hourly and daily tables at once: both re-bucket it (at its own step a table
# is unchanged, so that run only compresses it), and the tail after the last row is the
# slower of the two, not the sum of a compression, a decompression and the daily table.
publish() { # KIND KEYS
    local hourly=$work/$1_hourly.csv pid status=0
    bucket -q --every 1h --by "$2" -o "$work/data_$1_hourly.csv.bz2" -- "$hourly" &
    pid=$!
    bucket -q --every 1d --by "$2" -o "$work/data_$1_daily.csv.bz2" -- "$hourly" || status=$?
    wait "$pid" || status=$?
    return "$status"
}

# -q: the chains run at once; progress lines would only garble the terminal.
est_chain() {
    if ((jobs > 1 && ${#shards[@]} > 1)); then
        sharded_hourly_est
    else
        estimated "${shards[@]}" | "${hourly_est[@]}" -o "$work/est_hourly.csv"
    fi
    # Daily tables re-bucket the hourly ones: sums are associative, rows are not read twice.
    publish est flow,msg_type
}
# The systemd data is a few hundredths of the messages: one job, also because in the monitor's
# files its counters must be differenced across day boundaries.
emp_chain() {
    melted | bucket -qq --dropna --every 1h --by flow --time-name freq -o "$work/emp_hourly.csv"
    publish emp flow
}

say "estimating ${#shards[@]} tracepoint file(s) and differencing the systemd counters"
run_all tables "the estimate chain on $inputs_named" est_chain \
    "the systemd chain on ${monitor:-$system_file}" emp_chain
mv -f -- "$work"/data_*.csv.bz2 "$outdir/"
written=()
for table in data_est_hourly data_est_daily data_emp_hourly data_emp_daily; do
    written+=("${outdir%/}/$table.csv.bz2")
done
wrote "${written[@]}"
