#!/usr/bin/env bash
# Regenerate the bundled sample: 300,000 synthetic messages over 3.3 days (seed 7) and
# the matching systemd rows. After a change here, regenerate the goldens (tests/golden/make.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo build --release --quiet --example synth
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
target/release/examples/synth --rows 300000 --rate 3 --seed 7 --tracepoints - --systemd "$tmp" |
    bzip2 -9 >scripts/sample/tracepoints.csv.bz2
bzip2 -9 <"$tmp" >scripts/sample/systemd.csv.bz2
