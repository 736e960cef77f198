#!/usr/bin/env bash
# The upstream study's later analyses (and the seed notebook's tables) from a monitor folder
# in one pass over its day files, or the daily tables from the hourly ones it published.
set -euo pipefail

usage() {
    cat <<USAGE
usage: $me [-q] [-o OUTDIR] [--as-notebook] NAME... [--monitor] DIR
       $me [-q] [-o OUTDIR] NAME... FILE...

Runs the study's later ETL notebooks (github.com/virtu/bitcoind-p2p-traffic,
analysis/NAME/00_ETL.ipynb) on a monitor folder (day files, CRLF or LF, plain or
compressed after rotation) and writes their files under their names:

  validation       data_est_{hourly,daily}  timestamp,msg_type,in,out
                   data_emp_{hourly,daily}  timestamp,in,out
                   (the estimate with ACKs and systemd's measurement, wide)
  connection_type  data_{hourly,daily}      timestamp,peer_conn_type,msg_type,net_size
  overhead         data_est_{hourly,daily}  timestamp,msg_type,payload_size,
                                            message_size,tcpip_size
  peer_analysis    data_{hourly,daily}      timestamp,msg_type,peer_id,peer_addr,flow,
                                            payload_size,message_size,tcpip_size
                   id-addr-mapping          ,peer_id,peer_addr,connection_time,
                                            peer_conn_type
  aggregate        data_{est,emp}_{hourly,daily}, the seed notebook's four tables
                   (as aggregate.sh --monitor writes them)
  all              the four later analyses
  (each OUTDIR/FILE.csv.bz2; with several analyses, OUTDIR/NAME/FILE.csv.bz2)

Every day file is read and decoded once, whatever the analyses: one estimate
feeds every table.

Given tables instead of a monitor folder (FILE..., or a folder of them, whose
files named *daily* it leaves out), it writes the daily tables of the hourly ones
the study published, told apart by their headers:
validation's data_est_hourly and data_emp_hourly, connection_type's data_hourly,
overhead's data_est_hourly (and peer_analysis' data_hourly, as written here).

  --monitor DIR  the monitor folder (DIR alone works too)
  --as-notebook  byte for byte what the notebooks write, their two numerical
                 choices included: counter restarts differenced with a plain
                 diff() and negative sums set to 0 (validation: the bytes counted
                 after a restart are lost), and tcpip_size counted on the payload
                 without the 24-byte P2P header (overhead, peer_analysis).
                 Without it the numbers are right: restarts are counted from
                 zero (increase), tcpip_size includes the header.
  -o OUTDIR      where the files go (created if missing; default: here)
  -q             no progress line, no summary line at the end
  -h             this help

As the study read the folder: rows with a missing field are dropped (and, as in
pandas, a size missing anywhere makes the size sums floats), ipv6 when the peer
address holds '[', ACKs at one per two segments. The files appear only when
every step succeeded. The filters come from NETAGG_BIN if set, else from PATH,
else this checkout's release build (built first).
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

ANALYSES=(validation connection_type overhead peer_analysis aggregate)
names=()
inputs=()
notebook=0
while (($#)); do
    common_option "$@"
    if ((took)); then
        shift "$took"
        continue
    fi
    case $1 in
    --as-notebook) notebook=1; shift ;;
    --) shift; inputs+=("$@"); break ;;
    -?*) usage_error "unknown option $1" ;;
    all) names+=(validation connection_type overhead peer_analysis); shift ;;
    validation | connection_type | overhead | peer_analysis | aggregate)
        names+=("$1"); shift ;;
    *) if ((${#names[@]})); then
           inputs+=("$1")
       elif [[ -e $1 ]]; then
           usage_error "give the analysis before $1: ${ANALYSES[*]} or all"
       else
           usage_error "no analysis named $1: ${ANALYSES[*]} or all"
       fi
       shift ;;
    esac
done
((${#names[@]})) || usage_error "give the analysis: ${ANALYSES[*]} or all"
# Each analysis once, in the order above.
wanted=()
for name in "${ANALYSES[@]}"; do
    [[ " ${names[*]} " == *" $name "* ]] && wanted+=("$name")
done
want() { [[ " ${wanted[*]} " == *" $1 "* ]]; }
if [[ -z $monitor && ${#inputs[@]} -eq 1 && -d ${inputs[0]} ]] && is_monitor "${inputs[0]}"; then
    monitor=${inputs[0]}
    inputs=()
fi
[[ -n $monitor || ${#inputs[@]} -gt 0 ]] ||
    usage_error "give the monitor folder (--monitor DIR) or the study's hourly tables"
[[ -z $monitor || ${#inputs[@]} -eq 0 ]] || usage_error "--monitor takes no input files"
use_filters estimate bucket increase pivot widen keep
mkdir -p -- "$outdir" || die "cannot create $outdir"

# Where an analysis' files go: OUTDIR itself for one analysis, OUTDIR/NAME for several.
dest() { # NAME
    if ((${#wanted[@]} == 1)); then echo "$work/out"; else echo "$work/out/$1"; fi
}

# From the study's hourly tables: their daily tables (bucket sums by day; each hourly table
# is written again, as read).
from_tables() {
    local files=() input kind
    for input in "${inputs[@]}"; do
        if [[ -d $input ]]; then
            # The hourly tables of a folder (daily ones are what this makes).
            for file in "$input"/*.csv "$input"/*.csv.*; do
                [[ -f $file && ${file##*/} != *daily* ]] && files+=("$file")
            done
        else
            files+=("$input")
        fi
    done
    ((${#files[@]})) || die "no tables in ${inputs[*]}"
    local -A tables=()
    for input in "${files[@]}"; do
        header_of "$input"
        case $header in
        timestamp,msg_type,in,out) kind=validation/est ;;
        timestamp,in,out) kind=validation/emp ;;
        timestamp,peer_conn_type,msg_type,net_size) kind=connection_type/ ;;
        timestamp,msg_type,payload_size,message_size,tcpip_size) kind=overhead/est ;;
        timestamp,msg_type,peer_id,peer_addr,flow,payload_size,message_size,tcpip_size)
            kind=peer_analysis/ ;;
        *) warn "skipped $input: not one of the analyses' hourly tables (its header: $header)"
            continue ;;
        esac
        want "${kind%/*}" || continue
        [[ -z ${tables[$kind]:-} ]] || die "two ${kind%/*} tables of one kind: ${tables[$kind]} and $input"
        tables[$kind]=$input
    done
    ((${#tables[@]})) || die "none of the tables given is an hourly table of ${wanted[*]}"
    say "re-bucketing ${#tables[@]} hourly table(s) by day"
    local steps=()
    for kind in "${!tables[@]}"; do
        steps+=("the daily table of ${tables[$kind]}" "rebucket_table $kind")
    done
    run_all files "${steps[@]}"
    if [[ -n ${tables[validation/emp]:-} ]]; then
        warn "validation's daily systemd table is the sum of its clamped hourly one: the study \
clamped each table on its own, so a day holding a counter restart can differ (its restarts \
are in the monitor folder: run with --monitor)"
    fi
}

# One hourly table KIND (NAME/est, NAME/emp or NAME/) written again and summed by day.
rebucket_table() { # KIND
    local name=${1%/*} part=${1#*/} keys=() sums=() dir
    dir=$(dest "$name")
    mkdir -p "$dir"
    case $1 in
    validation/est) keys=(--by msg_type) sums=(--sum in,out) ;;
    validation/emp) sums=(--sum in,out) ;;
    connection_type/) keys=(--by peer_conn_type,msg_type) sums=(--sum net_size) ;;
    overhead/est) keys=(--by msg_type) sums=(--sum payload_size,message_size,tcpip_size) ;;
    peer_analysis/)
        keys=(--by msg_type,peer_id,peer_addr,flow)
        sums=(--sum payload_size,message_size,tcpip_size) ;;
    esac
    local stem=data${part:+_$part}
    bucket "${progress_flags[@]}" --every 1h "${keys[@]}" "${sums[@]}" \
        -o "$dir/${stem}_hourly.csv.bz2" -- "${tables[$1]}"
    bucket -q --every 1d "${keys[@]}" "${sums[@]}" -o "$dir/${stem}_daily.csv.bz2" \
        -- "$dir/${stem}_hourly.csv.bz2"
}

# From a monitor folder: one estimate over the tracepoint days, with the columns every
# analysis asked for, fed through tee to each analysis' hourly bucket (FIFOs in the work
# folder); the systemd days through increase once for every analysis that needs them.
from_monitor() {
    monitor=$(safe_path "$monitor")
    [[ -d $monitor ]] || die "no such folder: $monitor"
    monitor_days "$monitor" tracepoints/net
    tracepoint_days=("${days[@]}")
    if want validation || want aggregate; then
        monitor_days "$monitor" systemd/ip_accounting
        systemd_days=("${days[@]}")
    fi
    # The estimate's columns: net_size without ACKs (the seed notebook), net_size_ack with
    # one ACK per two segments (validation, connection_type), message_size and tcpip_size
    # (overhead, peer_analysis).
    local columns=() also=()
    want aggregate && columns+=(--out-col net_size)
    if want validation || want connection_type; then also+=(net_size_ack,acks=2); fi
    if want overhead || want peer_analysis; then
        columns+=(--message-col message_size)
        if ((notebook)); then also+=(tcpip_size,acks=2,payload); else also+=(tcpip_size,acks=2); fi
    fi
    if ! want aggregate; then
        # The first extra estimate is the main one.
        local first=${also[0]}
        also=("${also[@]:1}")
        columns+=(--out-col "${first%%,*}" --ack-ratio 2)
        [[ $first == *,payload ]] && columns+=(--tcpip-from-payload)
    fi
    for spec in "${also[@]}"; do columns+=(--also "$spec"); done
    feeds=()
    consumers=()
    want aggregate && consumer "the seed notebook's estimate tables" aggregate_est
    want validation && consumer "validation's estimate tables" validation_est
    want connection_type && consumer "connection_type's tables" connection_type_tables
    want overhead && consumer "overhead's tables" overhead_tables
    if want peer_analysis; then
        consumer "peer_analysis' tables" peer_tables
        consumer "peer_analysis' id-addr mapping" peer_mapping
    fi
    local steps=("estimating the messages of $monitor" estimated "${consumers[@]}")
    if want aggregate || want validation; then
        steps+=("the systemd tables of $monitor" systemd_tables)
    fi
    say "running ${wanted[*]} on ${#tracepoint_days[@]} days of $monitor"
    run_all files "${steps[@]}"
}

# A step that reads the estimated rows: its FIFO, made now, is the next of tee's outputs.
consumer() { # WHAT FUNCTION
    local fifo=$work/feed.${#feeds[@]}
    mkfifo "$fifo"
    feeds+=("$fifo")
    consumers+=("$1" "feed_${#feeds[@]}")
    # feed_N: FUNCTION reading the Nth FIFO (named from the array, so any path is safe).
    eval "feed_${#feeds[@]}() { $2 < \"\${feeds[$((${#feeds[@]} - 1))]}\"; }"
}

# The one reading of the tracepoint days, copied to every consumer.
estimated() {
    estimate "${progress_flags[@]}" --keep-incomplete --ipv6-from peer_addr "${columns[@]}" \
        -- "${tracepoint_days[@]}" | tee -- "${feeds[@]}" >/dev/null
}

hourly_by() { # KEYS SUMS OUT: the rows on stdin summed by hour; incomplete ones dropped
    bucket -qq --dropna --every 1h --by "$1" --sum "$2" -o "$3"
}

aggregate_est() {
    local dir
    dir=$(dest aggregate)
    mkdir -p "$dir"
    bucket -qq --dropna --every 1h --by flow,msg_type --sum net_size --time-name freq \
        -o "$work/agg_est_hourly.csv"
    publish_tables "$dir" est flow,msg_type "$work/agg_est_hourly.csv"
}

validation_est() {
    local dir
    dir=$(dest validation)
    mkdir -p "$dir"
    # Long tables first (the notebook's agg_sum), then turned wide as its pivot() does.
    hourly_by flow,msg_type net_size=net_size_ack "$work/val_est_hourly.csv"
    bucket -q --every 1d --by flow,msg_type -o "$work/val_est_daily.csv" "$work/val_est_hourly.csv"
    for step in hourly daily; do
        widen -q --key flow --value net_size --index timestamp,msg_type --fill 0 --int \
            -o "$dir/data_est_$step.csv.bz2" "$work/val_est_$step.csv"
    done
}

connection_type_tables() {
    local dir
    dir=$(dest connection_type)
    mkdir -p "$dir"
    hourly_by peer_conn_type,msg_type net_size=net_size_ack "$dir/data_hourly.csv.bz2"
    bucket -q --every 1d --by peer_conn_type,msg_type -o "$dir/data_daily.csv.bz2" \
        "$dir/data_hourly.csv.bz2"
}

sizes=payload_size=size,message_size,tcpip_size
overhead_tables() {
    local dir
    dir=$(dest overhead)
    mkdir -p "$dir"
    hourly_by msg_type "$sizes" "$dir/data_est_hourly.csv.bz2"
    bucket -q --every 1d --by msg_type --sum payload_size,message_size,tcpip_size \
        -o "$dir/data_est_daily.csv.bz2" "$dir/data_est_hourly.csv.bz2"
}

peer_tables() {
    local dir keys=msg_type,peer_id,peer_addr,flow
    dir=$(dest peer_analysis)
    mkdir -p "$dir"
    hourly_by "$keys" "$sizes" "$dir/data_hourly.csv.bz2"
    bucket -q --every 1d --by "$keys" --sum payload_size,message_size,tcpip_size \
        -o "$dir/data_daily.csv.bz2" "$dir/data_hourly.csv.bz2"
}

# Per peer id and address over every row, incomplete ones too (the notebook maps them
# before its dropna; groupby drops only rows whose keys are missing).
peer_mapping() {
    local dir
    dir=$(dest peer_analysis)
    mkdir -p "$dir"
    bucket -qq --keep-incomplete --dropna=peer_id,peer_addr --by peer_id,peer_addr \
        --agg duration:timestamp=connection_time --agg first:peer_conn_type \
        --row-numbers -o "$dir/id-addr-mapping.csv.bz2"
}

# The systemd counters, differenced and summed by hour once for every analysis that needs
# them; the seed notebook's tables as published, validation's turned wide. (With
# --as-notebook the two difference them differently, so then the days are read twice.)
systemd_tables() {
    local dir diff=() clip=()
    if want validation; then
        # The study's validation differenced with a plain diff() and clamped negative sums.
        ((notebook)) && diff=(--signed) clip=(--clip-lower 0)
        melted "${diff[@]}" | bucket -qq --dropna --every 1h --by flow -o "$work/emp_hourly.csv"
        bucket -q --every 1d --by flow -o "$work/emp_daily.csv" "$work/emp_hourly.csv"
        dir=$(dest validation)
        mkdir -p "$dir"
        # The study set negative hourly and daily sums to 0, each table on its own.
        for step in hourly daily; do
            widen -q --key flow --value net_size --index timestamp --fill 0 --int "${clip[@]}" \
                -o "$dir/data_emp_$step.csv.bz2" "$work/emp_$step.csv"
        done
    fi
    if want aggregate; then
        if want validation && ((!notebook)); then
            # The same sums under the seed notebook's name for the time column.
            bucket -q --every 1h --by flow --time-name freq -o "$work/agg_emp_hourly.csv" \
                "$work/emp_hourly.csv"
        else
            melted | bucket -qq --dropna --every 1h --by flow --time-name freq \
                -o "$work/agg_emp_hourly.csv"
        fi
        dir=$(dest aggregate)
        mkdir -p "$dir"
        publish_tables "$dir" emp flow "$work/agg_emp_hourly.csv"
    fi
}

# The systemd days differenced (INCREASE-FLAGS: --signed is pandas' plain diff()) and
# melted into flow rows.
melted() { # INCREASE-FLAGS...
    increase -q --dropna "$@" --cols IPIngressBytes,IPEgressBytes -- "${systemd_days[@]}" |
        pivot -q
}

make_work "$outdir" analysis
progress
if [[ -n $monitor ]]; then
    from_monitor
else
    from_tables
fi
files=()
for file in "$work"/out/*.csv.bz2 "$work"/out/*/*.csv.bz2; do
    [[ -f $file ]] && files+=("${file#"$work/out/"}")
done
for file in "${files[@]}"; do
    mkdir -p -- "$outdir/$(dirname "$file")"
    mv -f -- "$work/out/$file" "$outdir/$file"
done
wrote "${files[@]/#/${outdir%/}/}"
