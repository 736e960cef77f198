#!/usr/bin/env bash
# The upstream study's later analyses (validation, connection_type, overhead, peer_analysis)
# from a monitor folder, as pipelines of the filters.
set -euo pipefail

me=analysis.sh
usage() {
    cat <<'USAGE'
usage: scripts/analysis.sh [-q] NAME --monitor DIR [-o OUTDIR] [--as-notebook]

Runs one of the study's later ETL notebooks (virtu/bitcoind-p2p-traffic,
analysis/NAME/00_ETL.ipynb) on a monitor folder (day files, CRLF or LF, plain
or compressed after rotation) and writes its files under their names:

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
  (each OUTDIR/FILE.csv.bz2)

  --as-notebook  byte for byte what the notebook writes, its two numerical
                 choices included: counter restarts differenced with a plain
                 diff() and negative sums set to 0 (validation: the bytes counted
                 after a restart are lost), and tcpip_size counted on the payload
                 without the 24-byte P2P header (overhead, peer_analysis).
                 Without it the numbers are right: restarts are counted from
                 zero (increase), tcpip_size includes the header.
  -o OUTDIR      where the files go (created if missing; default: here)
  -q             no summary line at the end

As the study read the folder: rows with a missing field are dropped (and, as in
pandas, a size missing anywhere makes the size sums floats), ipv6 when the
peer address holds '[', ACKs at one per two segments. The files appear only
when every step succeeded.
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

name=
monitor=
outdir=.
notebook=0
QUIET=0
while (($#)); do
    case $1 in
    -o | --monitor)
        [[ $# -ge 2 ]] || usage_error "$1 needs a value"
        if [[ $1 == -o ]]; then outdir=$2; else monitor=$2; fi
        shift 2 ;;
    --as-notebook) notebook=1; shift ;;
    -q) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -?*) usage_error "unknown option $1" ;;
    *) [[ -z $name ]] || usage_error "give one analysis"
        name=$1; shift ;;
    esac
done
case $name in
validation | connection_type | overhead | peer_analysis) ;;
"") usage_error "give the analysis: validation, connection_type, overhead or peer_analysis" ;;
*) usage_error "no analysis named $name: validation, connection_type, overhead or peer_analysis" ;;
esac
[[ -n $monitor ]] || usage_error "give the monitor folder with --monitor DIR"
tools=(estimate bucket)
[[ $name == validation ]] && tools+=(increase pivot widen)
use_filters "${tools[@]}"
monitor=$(safe_path "$monitor")
[[ -d $monitor ]] || die "no such folder: $monitor"
monitor_days "$monitor" tracepoints/net
tracepoints=("${days[@]}")
if [[ $name == validation ]]; then
    monitor_days "$monitor" systemd/ip_accounting
    systemd=("${days[@]}")
fi
mkdir -p -- "$outdir" || die "cannot create $outdir"
make_work "$outdir" analysis

# The notebooks' estimate: every row, as read (bucket --dropna drops the incomplete ones,
# and learns from them that a missing size makes the size sums floats, as pandas would).
estimated() { # ESTIMATE-FLAGS...
    estimate -q --keep-incomplete --ipv6-from peer_addr --ack-ratio 2 "$@" -- "${tracepoints[@]}"
}
# The notebooks' sizes: payload (the renamed size), P2P message, TCP/IP.
sized() {
    local tcpip=()
    ((notebook)) && tcpip=(--tcpip-from-payload)
    estimated --message-col message_size --out-col tcpip_size "${tcpip[@]}"
}
sizes=(--sum payload_size=size,message_size,tcpip_size)

case $name in
validation)
    # Long tables first (the notebook's agg_sum), then turned wide as its pivot() does.
    est() {
        estimated | bucket -qq --dropna --every 1h --by flow,msg_type -o "$work/est_hourly.csv"
        bucket -q --every 1d --by flow,msg_type -o "$work/est_daily.csv" "$work/est_hourly.csv"
        for step in hourly daily; do
            widen -q --key flow --value net_size --index timestamp,msg_type --fill 0 --int \
                -o "$work/data_est_$step.csv.bz2" "$work/est_$step.csv"
        done
    }
    emp() {
        local diff=() clip=()
        ((notebook)) && diff=(--signed) clip=(--clip-lower 0)
        increase -q --dropna "${diff[@]}" --cols IPIngressBytes,IPEgressBytes -- "${systemd[@]}" |
            pivot -q |
            bucket -q --every 1h --by flow -o "$work/emp_hourly.csv"
        bucket -q --every 1d --by flow -o "$work/emp_daily.csv" "$work/emp_hourly.csv"
        # The study set negative hourly and daily sums to 0, each table on its own.
        for step in hourly daily; do
            widen -q --key flow --value net_size --index timestamp --fill 0 --int "${clip[@]}" \
                -o "$work/data_emp_$step.csv.bz2" "$work/emp_$step.csv"
        done
    }
    jobs_run=("the estimate tables" est "the systemd tables" emp)
    written=(data_est_hourly data_est_daily data_emp_hourly data_emp_daily)
    ;;
connection_type)
    chain() {
        estimated | bucket -qq --dropna --every 1h --by peer_conn_type,msg_type \
            -o "$work/data_hourly.csv.bz2"
        bucket -q --every 1d --by peer_conn_type,msg_type -o "$work/data_daily.csv.bz2" \
            "$work/data_hourly.csv.bz2"
    }
    jobs_run=("the tables" chain)
    written=(data_hourly data_daily)
    ;;
overhead)
    chain() {
        sized | bucket -qq --dropna --every 1h --by msg_type "${sizes[@]}" \
            -o "$work/data_est_hourly.csv.bz2"
        bucket -q --every 1d --by msg_type --sum payload_size,message_size,tcpip_size \
            -o "$work/data_est_daily.csv.bz2" "$work/data_est_hourly.csv.bz2"
    }
    jobs_run=("the tables" chain)
    written=(data_est_hourly data_est_daily)
    ;;
peer_analysis)
    keys=(--by msg_type,peer_id,peer_addr,flow)
    chain() {
        sized | bucket -qq --dropna --every 1h "${keys[@]}" "${sizes[@]}" \
            -o "$work/data_hourly.csv.bz2"
        bucket -q --every 1d "${keys[@]}" --sum payload_size,message_size,tcpip_size \
            -o "$work/data_daily.csv.bz2" "$work/data_hourly.csv.bz2"
    }
    # Per peer id and address over every row, incomplete ones too (the notebook maps them
    # before its dropna; groupby drops only rows whose keys are missing).
    mapping() {
        bucket -qq --keep-incomplete --dropna=peer_id,peer_addr --by peer_id,peer_addr \
            --agg duration:timestamp=connection_time --agg first:peer_conn_type \
            --row-numbers -o "$work/id-addr-mapping.csv.bz2" -- "${tracepoints[@]}"
    }
    jobs_run=("the tables" chain "the id-addr mapping" mapping)
    written=(data_hourly data_daily id-addr-mapping)
    ;;
esac

say "running $name on ${#tracepoints[@]} days of $monitor"
pairs=()
for ((i = 0; i < ${#jobs_run[@]}; i += 2)); do
    pairs+=("$name: ${jobs_run[i]} from $monitor" "${jobs_run[i + 1]}")
done
run_all files "${pairs[@]}"
files=()
for file in "${written[@]}"; do
    mv -f -- "$work/$file.csv.bz2" "$outdir/"
    files+=("${outdir%/}/$file.csv.bz2")
done
wrote "${files[@]}"
