#!/usr/bin/env bash
# Regenerate the synthetic monitor folder under tests/data/monitor/: three days of the
# monitor's raw daily files (synth --format monitor, seed 3), thinned to the first two minutes
# of every hour to stay small, with a bitcoind restart on 2024-12-29 at 12:00 (the systemd
# counters start again from zero) and one empty field in each kind of file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
cargo build --release --quiet --example synth
out=tests/data/monitor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/examples/synth --format monitor --rows 150000 --rate 0.2 --seed 3 \
    --tracepoints "$tmp/tp.csv" --systemd "$tmp/sd.csv"
rm -rf "$out/tracepoints" "$out/systemd"
mkdir -p "$out/tracepoints/net" "$out/systemd/ip_accounting"

# Keep 2024-12-28..30, minutes 00-01 of each hour; write one file per UTC day.
split_days() { # input folder
    awk -F, -v dir="$2" '
        NR == 1 { header = $0; next }
        substr($1, 1, 10) > "2024-12-30" || substr($1, 15, 2) >= "02" { next }
        {
            file = dir "/" substr($1, 1, 10) ".csv"
            if (!(file in seen)) { seen[file] = 1; print header > file }
            print > file
        }' "$1"
}

# The restart: from 12:00 on the 29th, every counter counts from what it was just before.
awk -F, -v OFS=, '
    NR == 1 { print; next }
    $1 >= "2024-12-29T12:00:00Z" && !restarted { for (i = 2; i <= 5; i++) base[i] = prev[i]; restarted = 1 }
    { for (i = 2; i <= 5; i++) { prev[i] = $i; if (restarted) $i -= base[i] } print }
' "$tmp/sd.csv" >"$tmp/sd_restarted.csv"
split_days "$tmp/tp.csv" "$out/tracepoints/net"
split_days "$tmp/sd_restarted.csv" "$out/systemd/ip_accounting"

# One empty field each: a message without msg_type, a sample without its ingress bytes.
sed -i '5s/^\(\([^,]*,\)\{5\}\)[^,]*,/\1,/' "$out/tracepoints/net/2024-12-29.csv"
sed -i '7s/^\([^,]*,[^,]*,[^,]*\),[0-9]*,/\1,,/' "$out/systemd/ip_accounting/2024-12-29.csv"
