#!/usr/bin/env bash
# Benchmark the filters, the pipelines and the whole script against the decompressors and peers.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench.sh [-r RUNS] [ROWS]

Generates ROWS (default 16000000) synthetic tracepoint rows with matching
systemd rows (seed 1, scripts/synth.rs), in plain and bzip2 form, and the same
tracepoint rows as one bzip2 file a day, under $BENCH_DIR (default:
$TMPDIR/netagg-bench), then times, RUNS times each (default 5; medians) in
interleaved rounds (BENCH_HYPERFINE=1: hyperfine):
  decompressors alone, each filter alone, estimate | bucket on plain and
  bzip2 input, estimate reading .bz2 FILEs itself (one file, the daily files;
  its own decoder, and libbz2 with NETAGG_BZIP2=libbz2)
  against lbzip2 piped into it, -o .bz2 against piping into lbzip2,
  scripts/aggregate.sh on the one file and on the daily files, and the peers that are installed: DuckDB (python3 -m duckdb), and
  with BENCH_PANDAS=1 the pandas oracle (minutes, gigabytes).
It also measures peak memory (/usr/bin/time) and the cost of 4x the rows.
Prints one table: command, median wall seconds, ratio to a reference.
USAGE
}

runs=5
while getopts ':r:h' opt; do
    case $opt in
    r) runs=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
rows=${1:-16000000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/netagg-bench}
mkdir -p "$dir"

cargo build --release --quiet --bins --example synth --manifest-path "$root/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$root/target}/release
PATH=$bin:$PATH
have() { command -v "$1" >/dev/null; }
if have lbzip2; then
    compress=(lbzip2 -9 -n2)
    unbzip2="lbzip2 -dc -n2"
else
    compress=(bzip2 -9)
    unbzip2="bzip2 -dc"
fi

# Data, made once per row count and reused.
make_data() { # rows prefix
    local n=$1 p=$2
    [[ -s $p.tp.csv.bz2 && -s $p.sd.csv.bz2 ]] && return
    echo "generating $n rows in $p.*" >&2
    "$bin/examples/synth" --rows "$n" --seed 1 --tracepoints "$p.tp.csv" --systemd "$p.sd.csv"
    "${compress[@]}" -c "$p.tp.csv" >"$p.tp.csv.bz2"
    "${compress[@]}" -c "$p.sd.csv" >"$p.sd.csv.bz2"
    estimate -q "$p.tp.csv" >"$p.est.csv"
}
# The same tracepoint rows as the monitor's archive holds them: one bzip2 file a day.
make_days() { # prefix
    local p=$1
    [[ -d $p.days ]] && return
    mkdir "$p.days.tmp"
    awk -F, -v dir="$p.days.tmp" 'NR == 1 { header = $0; next }
        { day = substr($1, 1, 10) }
        day != open { if (open != "") close(file); open = day; file = dir "/" day ".csv"; print header > file }
        { print > file }' "$p.tp.csv"
    for f in "$p.days.tmp"/*.csv; do "${compress[@]}" "$f"; done
    mv "$p.days.tmp" "$p.days"
}
# A long table for widen: 10 M rows of hour x peer x type x flow (5,000 x 40 x 25 x 2).
make_long() { # file
    [[ -s $1 ]] && return
    awk 'BEGIN { print "hour,peer,type,flow,net_size"
        for (h = 0; h < 5000; h++) for (p = 0; p < 40; p++) for (t = 0; t < 25; t++) {
            print h "," p ",t" t ",in," h + p + t ".5"; print h "," p ",t" t ",out," h * t } }' >"$1"
}
# The same rows tab-separated, for the delimiter's cost.
make_tsv() { # csv tsv
    [[ -s $2 ]] || tr , '\t' <"$1" >"$2"
}
full=$dir/r$rows
quarter=$dir/r$((rows / 4))
make_data "$rows" "$full"
make_data $((rows / 4)) "$quarter"
make_days "$full"
days=("$full.days"/*.csv.bz2)
make_long "$dir/long.csv"
make_tsv "$full.tp.csv" "$full.tp.tsv"
tp=$full.tp.csv
sd=$full.sd.csv
hourly="bucket -q --every 1h --by flow,msg_type"

# name<TAB>command, timed in this order; ratios are against the first (lbzip2 alone).
benches=()
add() { benches+=("$1"$'\t'"$2"); }
add "lbzip2 -dc -n2 (reference)" "$unbzip2 $tp.bz2 >/dev/null"
add "bzcat" "bzcat $tp.bz2 >/dev/null"
add "estimate tp.csv.bz2 (its own decoder)" "estimate -q $tp.bz2 >/dev/null"
add "$unbzip2 | estimate" "$unbzip2 $tp.bz2 | estimate -q >/dev/null"
add "estimate on the ${#days[@]} daily .bz2 files" "estimate -q ${days[*]} >/dev/null"
add "estimate tp.csv.bz2, libbz2 (NETAGG_BZIP2=libbz2)" "NETAGG_BZIP2=libbz2 estimate -q $tp.bz2 >/dev/null"
add "estimate -o .bz2, plain in, 1/4 of the rows" "estimate -q -o $dir/out.csv.bz2 $quarter.tp.csv"
add "estimate | ${compress[*]}, plain in, 1/4 of the rows" "estimate -q $quarter.tp.csv | ${compress[*]} -c >$dir/out.csv.bz2"
add "estimate, plain" "estimate -q $tp >/dev/null"
add "pivot, plain (2 columns of every row melted)" \
    "pivot -q --id timestamp --map size=payload --map net_size=wire $full.est.csv >/dev/null"
add "bucket 1h, plain" "$hourly $full.est.csv >/dev/null"
add "estimate | bucket 1h, plain" "estimate -q $tp | $hourly >/dev/null"
add "estimate | bucket 1h, plain, 1/4 of the rows" "estimate -q $quarter.tp.csv | $hourly >/dev/null"
add "$unbzip2 | estimate | bucket 1h" "$unbzip2 $tp.bz2 | estimate -q | $hourly >/dev/null"
add "estimate, TSV (tabs inferred from the name)" "estimate -q $full.tp.tsv >/dev/null"
add "estimate --ipv6-out --message-col (3 computed columns)" \
    "estimate -q --ipv6-out v6 --message-col message_size $tp >/dev/null"
add "keep 4 of 6 columns, plain" "keep -q --cols timestamp,flow,msg_type,size $tp >/dev/null"
add "bucket 1h --dropna, plain" "bucket -q --dropna --every 1h --by flow,msg_type $full.est.csv >/dev/null"
add "bucket 1h, 4 aggregates (sum, mean, max, last)" \
    "bucket -q --every 1h --by flow,msg_type --sum net_size --agg mean:net_size=mean --agg max:size=max --agg last:size=last $full.est.csv >/dev/null"
add "bucket, the whole input by msg_type (no --every)" "bucket -q --by msg_type $full.est.csv >/dev/null"
add "widen, 10 M long rows to 5 M wide" "widen -q --index hour,peer,type $dir/long.csv >/dev/null"
add "scripts/aggregate.sh, all four tables" "NETAGG_BIN=$bin $root/scripts/aggregate.sh -q -o $dir $tp.bz2 $sd.bz2"
add "scripts/aggregate.sh, the ${#days[@]} daily files" "NETAGG_BIN=$bin $root/scripts/aggregate.sh -q -o $dir ${days[*]} $sd.bz2"
if python3 -c 'import duckdb' 2>/dev/null; then
    duck="python3 $root/scripts/duckdb_hourly.py"
    add "DuckDB 2 threads, plain" "$duck $tp >/dev/null"
    add "$unbzip2 | DuckDB 2 threads" "$unbzip2 $tp.bz2 | $duck /dev/stdin >/dev/null"
fi
if [[ ${BENCH_PANDAS:-0} == 1 ]] && python3 -c 'import pandas' 2>/dev/null; then
    add "pandas (the notebook), all four tables" \
        "python3 $root/../shared/oracle/notebook.py --tracepoints $tp.bz2 --systemd $sd.bz2 --outdir $dir"
fi

# Wall seconds of one run of a command.
once() {
    local t0 t1
    t0=$(date +%s%N)
    bash -c "$1" || { echo NaN; return; }
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

# Median wall seconds of a command run back to back by hyperfine (BENCH_HYPERFINE=1).
hyperfine_median() {
    hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$dir/h.json" \
        "bash -c '$1'" >/dev/null 2>&1 || { echo NaN; return; }
    python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$dir/h.json"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# Peak resident memory in MiB.
peak() {
    /usr/bin/time -f '%M' bash -c "$1 >/dev/null" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\nnetagg benchmark: %s rows (%s MB plain, %s MB bzip2), %s cores, %s runs each, medians\n\n' \
    "$rows" "$(($(stat -c %s "$tp") / 1000000))" "$(($(stat -c %s "$tp.bz2") / 1000000))" "$(nproc)" "$runs"
printf '| %-48s | %8s | %8s |\n' "command" "wall s" "ratio"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..50})" "----------" "----------"
# Rounds: every command once per round, so that a machine whose speed drifts (a shared
# host) slows all of them alike and the ratios stay fair. hyperfine runs each command's
# repetitions back to back instead; BENCH_HYPERFINE=1 uses it all the same.
declare -A times wall
if [[ ${BENCH_HYPERFINE:-0} == 1 ]] && have hyperfine; then
    for entry in "${benches[@]}"; do
        wall[${entry%%$'\t'*}]=$(hyperfine_median "${entry#*$'\t'}")
    done
else
    bash -c "${benches[0]#*$'\t'}" # warm the page cache
    for ((round = 1; round <= runs; round++)); do
        for entry in "${benches[@]}"; do
            times[${entry%%$'\t'*}]+="$(once "${entry#*$'\t'}") "
        done
    done
    for entry in "${benches[@]}"; do
        name=${entry%%$'\t'*}
        wall[$name]=$(tr ' ' '\n' <<<"${times[$name]}" | grep . | median)
    done
fi
ref=""
for entry in "${benches[@]}"; do
    name=${entry%%$'\t'*}
    t=${wall[$name]}
    [[ -z $ref ]] && ref=$t
    printf '| %-48s | %8.2f | %8.2f |\n' "$name" "$t" "$(ratio "$t" "$ref")"
done

printf '\nPeak memory (MiB): estimate %s, pivot %s, bucket 1h %s (16 MiB / 16 MiB / 64 MiB allowed)\n' \
    "$(peak "estimate -q $tp")" "$(peak "pivot -q --id timestamp --map size=payload $full.est.csv")" \
    "$(peak "$hourly $full.est.csv")"
small=${wall["estimate | bucket 1h, plain, 1/4 of the rows"]}
big=${wall["estimate | bucket 1h, plain"]}
printf 'Linear cost: estimate | bucket on %s rows %s s, on %s rows %s s: 4x rows cost %sx\n' \
    $((rows / 4)) "$small" "$rows" "$big" "$(ratio "$big" "$small")"
if [[ -n ${wall["DuckDB 2 threads, plain"]:-} ]]; then
    printf 'estimate | bucket vs DuckDB on the plain file: %sx DuckDB'"'"'s time\n' \
        "$(ratio "$big" "${wall["DuckDB 2 threads, plain"]}")"
fi
one_file=${wall["scripts/aggregate.sh, all four tables"]}
printf 'aggregate.sh vs %s alone: %sx\n' "$unbzip2" "$(ratio "$one_file" "$ref")"
printf 'aggregate.sh on the daily files vs the one file: %sx\n' \
    "$(ratio "${wall["scripts/aggregate.sh, the ${#days[@]} daily files"]}" "$one_file")"
printf 'estimate tp.csv.bz2 vs %s | estimate: %sx\n' "$unbzip2" \
    "$(ratio "${wall["estimate tp.csv.bz2 (its own decoder)"]}" "${wall["$unbzip2 | estimate"]}")"
printf 'estimate -o .bz2 vs estimate | lbzip2: %sx\n' \
    "$(ratio "${wall["estimate -o .bz2, plain in, 1/4 of the rows"]}" \
        "${wall["estimate | ${compress[*]}, plain in, 1/4 of the rows"]}")"
printf 'Peak memory (MiB) of estimate tp.csv.bz2: %s (its decoding threads included); with libbz2: %s\n' \
    "$(peak "estimate -q $tp.bz2")" "$(peak "NETAGG_BZIP2=libbz2 estimate -q $tp.bz2")"
printf 'Load average before and after: %s / %s\n' "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
