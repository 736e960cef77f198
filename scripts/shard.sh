#!/usr/bin/env bash
# One shard job of aggregate.sh --jobs: a tracepoint file's hourly estimate table on stdout.
# usage: shard.sh notebook|monitor FILE   (the filters on PATH, or in $NETAGG_BIN)
set -euo pipefail
[[ -n ${NETAGG_BIN:-} ]] && PATH=$NETAGG_BIN:$PATH
case $1 in
notebook) estimate -q "$2" ;;
monitor) awk -v kind=tracepoints -f "$(dirname "${BASH_SOURCE[0]}")/monitor.awk" "$2" | estimate -q ;;
*) echo "shard.sh: unknown layout $1" >&2; exit 2 ;;
esac | bucket -q --every 1h --by flow,msg_type --time-name freq
