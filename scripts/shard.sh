#!/usr/bin/env bash
# One shard job of aggregate.sh --jobs: a tracepoint file's hourly estimate table on stdout.
# usage: shard.sh notebook|monitor FILE   (the filters on PATH, or in $NETAGG_BIN)
set -euo pipefail
[[ -n ${NETAGG_BIN:-} ]] && PATH=$NETAGG_BIN:$PATH
case $1 in
notebook)
    estimate -q -- "$2" | bucket -q --every 1h --by flow,msg_type --time-name freq ;;
monitor)
    # As aggregate.sh --monitor: incomplete rows dropped by bucket, which so learns that a
    # missing size makes the sums floats, as in pandas.
    estimate -q --keep-incomplete --ipv6-from peer_addr -- "$2" |
        bucket -qq --dropna --every 1h --by flow,msg_type --time-name freq ;;
*) echo "shard.sh: unknown layout $1" >&2; exit 2 ;;
esac
