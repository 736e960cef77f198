#!/usr/bin/env bash
# Draw every figure the study saved, from a folder of tables or a monitor folder, with chart.
set -euo pipefail

usage() {
    cat <<USAGE
usage: $me [-q] [-o OUTDIR] [--from DATE] [--to DATE] [--dpi N] [--svg|--pdf] DIR
       $me [-q] [-o OUTDIR] [...] --monitor DIR

Draws the figures of the upstream study's later notebooks, named as it named
them, into OUTDIR/ANALYSIS/ (see docs/figures.md):

  validation/validation-hourly+all+logscale.png, validation-non-listening.png
  validation/message-breakdown-{daily,hourly}-{vol,share}.png
  connection_type/total_traffic_by_connection_type.png,
      per_connection_traffic_by_connection_type.png
  overhead/breakdown-all-absolute.png, breakdown-TYPE-absolute.png (each type)
  peer_analysis/daily-peer-traffic.png, peer-message-analysis.png

The tables come from DIR, per analysis in any of these layouts (plain or
compressed .csv): DIR/ANALYSIS/FILE (as analysis.sh -o DIR/ANALYSIS writes),
DIR/ANALYSIS/data/FILE (the study's), or DIR/ANALYSIS_FILE without its 'data_'
(the published names: connection_type_daily, overhead_est_daily,
validation_est_hourly, peer_analysis_id-addr-mapping, ...); the validation
tables also as DIR/data_est_hourly... (aggregate.sh's). With --monitor DIR (or a
monitor folder as DIR) the four analyses run first, in one pass over the day
files (analysis.sh all --as-notebook), into a temp folder. A figure whose
tables (or filters) are missing is skipped with one line saying why.

  -o OUTDIR      where the figures go (default: the current folder)
  --monitor DIR  draw from a monitor folder instead of tables
  --from DATE    the non-listening figure's first day (default: the tables')
  --to DATE      its last day, included (default: the tables' last); the study
                 used --from 2025-01-24 --to 2025-02-11, its non-listening phase
  --dpi N        pixels per inch (default 300, as the study)
  --svg, --pdf   write .svg files (.pdf: vector PDF) instead of .png
  -q             no progress line, no summary line at the end
  -h             this help

Every argument is checked before anything is drawn; the figures appear only
when every one of them was drawn. The filters come from NETAGG_BIN if set, else
from PATH, else this checkout's release build (built first).
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

range=()
dpi=300
ext=png
dir=
while (($#)); do
    common_option "$@"
    if ((took)); then
        shift "$took"
        continue
    fi
    case $1 in
    --from | --to | --dpi)
        [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a value"
        if [[ $1 == --dpi ]]; then dpi=$2; else range+=("$1" "$2"); fi
        shift 2 ;;
    --svg) ext=svg; shift ;;
    --pdf) ext=pdf; shift ;;
    -?*) usage_error "unknown option $1" ;;
    *) [[ -z $dir ]] || usage_error "give one folder of tables"
        dir=$1; shift ;;
    esac
done
if [[ -z $monitor && -n $dir ]] && is_monitor "$dir"; then
    monitor=$dir
    dir=
fi
[[ -n $dir || -n $monitor ]] || usage_error "give the folder of tables, or --monitor DIR"
[[ -z $dir || -z $monitor ]] || usage_error "give either a folder of tables or --monitor DIR, not both"
[[ $dpi =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--dpi $dpi: not a number of pixels per inch"
for ((i = 1; i < ${#range[@]}; i += 2)); do
    [[ ${range[i]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}(:[0-9]{2}){0,2})?$ ]] ||
        usage_error "${range[i - 1]} ${range[i]}: not a date like 2025-01-24"
done
use_filters chart bucket pivot
# The study's figures that need the filters of a later step say so and are skipped.
has() { command -v "$1" >/dev/null; }
# Dates and sizes chart checks before reading any table: a bad one fails here, at once.
chart "${range[@]}" --dpi "$dpi" --help >/dev/null 2>&1 ||
    usage_error "$(chart "${range[@]}" --dpi "$dpi" --help 2>&1 | sed -n 's/^error: //p' | head -n 1)"
mkdir -p -- "$outdir" || die "cannot create $outdir"
make_work "$outdir" figures

if [[ -n $monitor ]]; then
    monitor=$(safe_path "$monitor")
    [[ -d $monitor ]] || die "no such folder: $monitor"
    # The four analyses, as the study's notebooks wrote their tables, in one pass over the
    # day files; their progress line is this run's.
    quiet=()
    ((QUIET)) && quiet=(-q)
    say "running the analyses on $monitor"
    NETAGG_SUMMARY=0 "$root/scripts/analysis.sh" "${quiet[@]}" all --as-notebook \
        --monitor "$monitor" -o "$work/tables" || die "the analyses failed; no figures drawn"
    dir=$work/tables
else
    dir=$(safe_path "$dir")
    [[ -d $dir ]] || die "no such folder: $dir"
fi

# The table FILE (data_est_hourly, id-addr-mapping, ...) of ANALYSIS in DIR, or nothing.
table() { # ANALYSIS FILE
    local a=$1 f=$2 base suffix
    local -a bases=("$dir/$a/$f" "$dir/$a/data/$f" "$dir/${a}_${f#data_}")
    [[ $a == validation ]] && bases+=("$dir/$f" "$dir/validation_${f#data_}")
    for base in "${bases[@]}"; do
        for suffix in .csv.bz2 .csv.gz .csv.zst .csv.xz .csv; do
            if [[ -f $base$suffix ]]; then
                echo "$base$suffix"
                return
            fi
        done
    done
}

drawn=()
skipped=0
# One line for a figure not drawn.
skip() { # FIGURE WHY
    warn "skipped $1: $2"
    skipped=$((skipped + 1))
}
# Draws FIGURE (ANALYSIS/NAME) with chart's ARGS into the temp folder.
draw() { # FIGURE CHART-ARGS...
    local figure=$1
    shift
    mkdir -p -- "$work/out/${figure%/*}"
    chart --dpi "$dpi" "$@" -o "$work/out/$figure.$ext" || die "drawing $figure failed"
    drawn+=("$figure.$ext")
}
# The study's look: its colour cycle, its legend placement, day ticks.
study=(--palette study --legend over)
days3=(--day-ticks 3 --minor-days)

# --- validation (01_validation_figures, 02_breakdown_by_message_type)
est_hourly=$(table validation data_est_hourly)
est_daily=$(table validation data_est_daily)
emp_hourly=$(table validation data_emp_hourly)
emp_daily=$(table validation data_emp_daily)
title='Traffic estimate validation'
if [[ -n $est_hourly && -n $emp_hourly ]]; then
    # All legend rows above the plot: the study's second row sat in the decade of room its
    # limit (999 GB) left above its data, which other data need not leave.
    draw validation/validation-hourly+all+logscale --log --day-ticks 3 --minor-days \
        --threshold 5MB --last block --line "$emp_hourly" \
        --line-label 'IP accounting' --title "$title" \
        --subtitle 'Hourly tracepoint-based traffic estimates vs. systemd IP accounting data' \
        --ylabel 'TCP/IP Traffic' "$est_hourly"
else
    skip validation/validation-hourly+all+logscale "no hourly validation tables (data_est_hourly, data_emp_hourly)"
fi
if [[ -n $est_hourly && -n $emp_hourly && -n $est_daily && -n $emp_daily ]]; then
    draw validation/validation-non-listening "${range[@]}" --day-ticks 4 --minor-days \
        --threshold 50MB --threshold 5MB --drop block \
        --line "$emp_daily" --line "$emp_hourly" --line-label 'IP accounting' \
        --legend-cols 4 --width 14.6 --height 5.4 --title "$title" \
        --subtitle 'Daily (left) and hourly (right) TCP/IP traffic estimates vs. measurements' \
        "$est_daily" "$est_hourly"
else
    skip validation/validation-non-listening "no daily and hourly validation tables"
fi
# In and out summed; types never above the threshold merged into `other`; lines in the
# reversed tab10; zeros dive to the bottom edge as matplotlib draws them.
by_type=(--kind lines --palette tab10r --log --log-zeros clip --day-ticks 2 --minor-days
    --legend-handle square --legend over --width 10.58 --height 5.64)
vol=(--title 'Traffic breakdown' --subtitle 'TCP/IP traffic breakdown by message type')
shares=(--share --title 'Message shares' --subtitle 'TCP/IP traffic share by message type')
if [[ -n $est_daily ]]; then
    # The study's rows [2:-1]: from the third day to the second-to-last.
    daily=("${by_type[@]}" --threshold 50MB --legend-cols 8 --skip-first 2 --skip-last 1)
    draw validation/message-breakdown-daily-vol "${daily[@]}" "${vol[@]}" "$est_daily"
    draw validation/message-breakdown-daily-share "${daily[@]}" "${shares[@]}" \
        --ylim 0.001:1.01 "$est_daily"
else
    skip "validation/message-breakdown-daily-*" "no daily validation table (data_est_daily)"
fi
if [[ -n $est_hourly ]]; then
    # The study's last eight days, from a date it wrote into its code.
    hourly=("${by_type[@]}" --threshold 5MB --from 2025-02-18)
    if probe=$(chart --dpi 10 "${hourly[@]}" -o "$work/probe.svg" "$est_hourly" 2>&1); then
        draw validation/message-breakdown-hourly-share "${hourly[@]}" --legend-cols 8 \
            "${shares[@]}" --ylim 0.001:1.90 "$est_hourly"
        draw validation/message-breakdown-hourly-vol "${hourly[@]}" --legend-cols 4 \
            "${vol[@]}" "$est_hourly"
    elif [[ $probe == *"no rows from"* ]]; then
        skip "validation/message-breakdown-hourly-*" "no hourly rows from 2025-02-18 on, the study's start"
    else
        die "$probe"
    fi
else
    skip "validation/message-breakdown-hourly-*" "no hourly validation table (data_est_hourly)"
fi

# --- connection_type (01_analysis): the four default types, in the study's order
ct_daily=$(table connection_type data_daily)
types=feeler,block-relay-only,outbound-full-relay,inbound
ct=("${study[@]}" --log "${days3[@]}" --legend-cols 4 --width 10.55 --height 5.63
    --key peer_conn_type --only "$types")
if [[ -n $ct_daily ]]; then
    draw connection_type/total_traffic_by_connection_type "${ct[@]}" \
        --title 'Total traffic by connection type' \
        --subtitle 'Breakdown of daily node P2P TCP/IP traffic by connection type' "$ct_daily"
    if has lookup && has derive; then
        # Each type's daily sum over its default number of connections (125 in all).
        printf 'peer_conn_type,num_conns\nfeeler,1\nblock-relay-only,2\noutbound-full-relay,8\ninbound,115\n' \
            >"$work/conns.csv"
        bucket -q --every 1d --by peer_conn_type --sum net_size "$ct_daily" |
            lookup -q --in "$work/conns.csv" --on peer_conn_type --how inner |
            derive -q --col per_conn=net_size/num_conns >"$work/per_conn.csv" ||
            die "the per-connection table failed"
        draw connection_type/per_connection_traffic_by_connection_type "${ct[@]}" \
            --kind lines --log-zeros clip --value per_conn \
            --title 'Per-connection traffic by connection type' \
            --subtitle 'Daily TCP/IP traffic for a single connection by connection type' \
            "$work/per_conn.csv"
    else
        skip connection_type/per_connection_traffic_by_connection_type "needs the filters lookup and derive"
    fi
else
    skip "connection_type/*" "no connection_type table (data_daily)"
fi

# --- overhead (01_validation): payload and the two overheads, stacked, per message type
oh_daily=$(table overhead data_est_daily)
# A message type as part of a file name: bytes other than letters, digits and . _ , + -
# as %XX, so that no type (peer-sent text) makes a path; `all` is the figure of all types.
escape() { # TYPE
    local s=$1 out= c i
    [[ $s == all ]] && { printf '%%61ll'; return; }
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ $c =~ ^[A-Za-z0-9._,+-]$ ]]; then out+=$c; else out+=$(printf '%%%02X' "'$c"); fi
    done
    printf '%s' "$out"
}
# The stack of a table of one type's (or all types') rows: the two overheads derived per
# row, as the study does before any sum, melted into three parts.
overhead_parts() {
    derive -q --col message_overhead=message_size-payload_size \
        --col tcpip_overhead=tcpip_size-message_size |
        bucket -q --every 1d --sum payload_size,message_overhead,tcpip_overhead |
        pivot -q --id timestamp --map payload_size=payload \
            --map 'message_overhead=P2P protocol overhead' --map 'tcpip_overhead=TCP/IP overhead' \
            --key part --value bytes
}
oh=("${study[@]}" --day-ticks 3 --legend-cols 3 --width 9.4 --height 6.1 --key part
    --value bytes --order 'payload,P2P protocol overhead,TCP/IP overhead'
    --subtitle 'Daily P2P traffic breakdown into payload and overhead')
if [[ -z $oh_daily ]]; then
    skip "overhead/*" "no overhead table (data_est_daily)"
elif ! has query || ! has derive; then
    skip "overhead/*" "needs the filters query and derive"
else
    # All types from a date the study wrote into its code.
    query -q --where 'timestamp >= 2025-01-24' "$oh_daily" | overhead_parts >"$work/all.csv" ||
        die "the overhead table of all types failed"
    if [[ -n $(tail -n +2 "$work/all.csv" | head -c 1) ]]; then
        draw overhead/breakdown-all-absolute "${oh[@]}" --title 'ALL messages' "$work/all.csv"
    else
        skip overhead/breakdown-all-absolute "no rows from 2025-01-24 on, the study's start"
    fi
    # The types, as CSV fields (a type may hold a comma or quotes).
    while IFS= read -r line; do
        t=${line%,*}
        if [[ $t == \"*\" ]]; then t=${t:1:${#t}-2}; t=${t//\"\"/\"}; fi
        [[ -n $t ]] || continue
        query -q --where "msg_type == $t" "$oh_daily" | overhead_parts >"$work/type.csv" ||
            die "the overhead table of $t failed"
        draw "overhead/breakdown-$(escape "$t")-absolute" "${oh[@]}" \
            --title "${t^^} messages" "$work/type.csv"
    done < <(bucket -q --by msg_type --count n "$oh_daily" | tail -n +2)
fi

# --- peer_analysis (01_analysis): peers connected over an hour, after the id-address map
peer_daily=$(table peer_analysis data_daily)
peer_map=$(table peer_analysis id-addr-mapping)
if [[ -z $peer_daily || -z $peer_map ]]; then
    skip "peer_analysis/*" "no peer_analysis tables (data_daily and id-addr-mapping)"
elif ! has lookup || ! has query; then
    skip "peer_analysis/*" "needs the filters lookup and query"
else
    lookup -q --in "$peer_map" --on peer_id,peer_addr --how left "$peer_daily" >"$work/peers.csv" ||
        die "joining the peer table with its id-address map failed"
    query -q --where 'connection_time > 1h' "$work/peers.csv" |
        bucket -q --every 1d --by peer_id,peer_addr,peer_conn_type --sum tcpip_size \
            >"$work/peer_days.csv" || die "the daily peer table failed"
    draw peer_analysis/daily-peer-traffic "${study[@]}" "${days3[@]}" --kind strip \
        --hue peer_conn_type --value tcpip_size --id peer_id,peer_addr --log \
        --ylim 10kB:400GB --legend-cols 4 --width 10.55 --height 5.63 \
        --title 'Daily peer traffic' \
        --subtitle 'Daily TCP/IP traffic broken down by individual peers and their connection type' \
        "$work/peer_days.csv"
    query -q --where 'peer_conn_type == inbound' --where 'flow == in' \
        --where 'connection_time >= 1h' "$work/peers.csv" |
        bucket -q --by peer_id,peer_addr,msg_type --sum tcpip_size >"$work/peer_types.csv" ||
        die "the inbound peer table failed"
    draw peer_analysis/peer-message-analysis --palette tab20 --legend over --rank peer_id,peer_addr \
        --key msg_type --value tcpip_size --share --sort-desc pong,ping --drop-below 0.01 \
        --label-suffix _share --ylim 0:1.09 --legend-cols 6 --legend-font 8.6 \
        --width 9.97 --height 5.66 --title 'Peer message analysis' \
        --subtitle 'Peer share of total traffic by message' "$work/peer_types.csv"
fi

((${#drawn[@]})) || die "no figure drawn: no tables found in $dir"
files=()
for figure in "${drawn[@]}"; do
    mkdir -p -- "$outdir/${figure%/*}" || die "cannot create $outdir/${figure%/*}"
    mv -f -- "$work/out/$figure" "$outdir/$figure"
    files+=("${outdir%/}/$figure")
done
if ((QUIET == 0)); then
    echo "$me: wrote ${#drawn[@]} figures in ${outdir%/}/ in $((SECONDS - started)) s" \
        "($skipped skipped)" >&2
fi
