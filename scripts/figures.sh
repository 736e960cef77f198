#!/usr/bin/env bash
# Draw the study's two validation figures from a folder of tables, with chart.
set -euo pipefail

me=figures.sh
usage() {
    cat <<'USAGE'
usage: scripts/figures.sh [-q] [-o OUTDIR] [--from DATE] [--to DATE] [--dpi N] [--svg] DIR

Draws the upstream study's two validation figures (its 01_validation notebook) from
the four tables in DIR, named data_{est,emp}_{hourly,daily}.csv.bz2 as
scripts/aggregate.sh writes them (long: freq,flow,msg_type,net_size) or
validation_{est,emp}_{hourly,daily}.csv.bz2 as the study published them (wide:
timestamp,msg_type,in,out); plain .csv works too. In and out are summed.

  OUTDIR/validation-hourly+all+logscale.png
      the hourly estimate stacked by message type (types that never reach 5 MB
      in an hour merged into "other", block on top) under the hourly systemd
      measurement, log scale
  OUTDIR/validation-non-listening.png
      daily (left; "other" below 50 MB a day) and hourly (right) panels without
      block, linear scale, over --from/--to

  -o OUTDIR      where the figures go (default: the current folder)
  --from DATE    the two-panel figure's first day (default: the tables' first)
  --to DATE      its last day, included (default: the tables' last); the study
                 used --from 2025-01-24 --to 2025-02-11, its non-listening phase
  --dpi N        pixels per inch (default 300, as the study)
  --svg          write .svg files instead of .png
  -q             no summary line at the end
  -h             this help

The filters come from NETAGG_BIN if set, else from PATH, else this checkout's
release build (built first). OUTDIR is created if missing.
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

outdir=.
QUIET=0
range=()
dpi=300
ext=png
dir=
while (($#)); do
    case $1 in
    -o | --from | --to | --dpi)
        [[ $# -ge 2 ]] || usage_error "$1 needs a value"
        case $1 in
        -o) outdir=$2 ;;
        --dpi) dpi=$2 ;;
        *) range+=("$1" "$2") ;;
        esac
        shift 2 ;;
    --svg) ext=svg; shift ;;
    -q) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -?*) usage_error "unknown option $1" ;;
    *) [[ -z $dir ]] || usage_error "give one folder of tables"
        dir=$1; shift ;;
    esac
done
[[ -n $dir ]] || usage_error "give the folder of tables"
use_filters chart
dir=$(safe_path "$dir")
[[ -d $dir ]] || die "no such folder: $dir"
mkdir -p -- "$outdir" || die "cannot create $outdir"

# The table of one kind (est_hourly, ...) in DIR, under either name and any compression.
table() {
    local name suffix
    for name in data validation; do
        for suffix in .csv.bz2 .csv.gz .csv.zst .csv.xz .csv; do
            if [[ -e $dir/${name}_$1$suffix ]]; then
                echo "$dir/${name}_$1$suffix"
                return
            fi
        done
    done
    die "no $1 table in $dir: data_$1.csv.bz2 or validation_$1.csv.bz2"
}
est_hourly=$(table est_hourly)
est_daily=$(table est_daily)
emp_hourly=$(table emp_hourly)
emp_daily=$(table emp_daily)

title='Traffic estimate validation'
chart -o "$outdir/validation-hourly+all+logscale.$ext" --dpi "$dpi" --log \
    --threshold 5MB --last block --line "$emp_hourly" --line-label 'IP accounting' \
    --title "$title" \
    --subtitle 'Hourly tracepoint-based traffic estimates vs. systemd IP accounting data' \
    --ylabel 'TCP/IP Traffic' "$est_hourly"
chart -o "$outdir/validation-non-listening.$ext" --dpi "$dpi" "${range[@]}" \
    --threshold 50MB --threshold 5MB --drop block \
    --line "$emp_daily" --line "$emp_hourly" --line-label 'IP accounting' \
    --legend-cols 4 --width 14.6 --height 5.4 --title "$title" \
    --subtitle 'Daily (left) and hourly (right) TCP/IP traffic estimates vs. measurements' \
    "$est_daily" "$est_hourly"
wrote "${outdir%/}/validation-hourly+all+logscale.$ext" "${outdir%/}/validation-non-listening.$ext"
