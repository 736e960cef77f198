#!/usr/bin/env bash
# Redraw docs/gallery.md: every figure figures.sh draws from the published tables, beside the study's.
set -euo pipefail

me=gallery.sh
usage() {
    cat <<'USAGE'
usage: scripts/gallery.sh [-q] [TABLES]

Draws every figure of scripts/figures.sh from the study's published tables
(TABLES, default ../shared/upstream/later beside the repository) at 60 dpi
into docs/gallery/, and writes docs/gallery.md: each figure beside the study's
PNG (linked from ../shared, never copied), and what still differs. Run it after
a change to chart or figures.sh, look at the page, commit both.
USAGE
}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

QUIET=0
tables=
while (($#)); do
    case $1 in
    -q) QUIET=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -?*) usage_error "unknown option $1" ;;
    *) [[ -z $tables ]] || usage_error "give one folder of tables"
        tables=$1; shift ;;
    esac
done
tables=${tables:-$root/../shared/upstream/later}
[[ -d $tables ]] || die "no such folder: $tables"
study=$(cd "$tables" && pwd)
use_filters chart
make_work "$root/docs" gallery

# The study's non-listening phase, as its validation figure shows it.
"$root/scripts/figures.sh" -q --dpi 60 --from 2025-01-24 --to 2025-02-11 -o "$work/gallery" "$tables" 2>"$work/log" ||
    die "figures.sh failed: $(cat "$work/log")"

# The study's PNG of figure ANALYSIS/NAME, as a link from docs/, or nothing.
study_png() { # ANALYSIS NAME
    local rel
    for rel in "figures/$1__$2.png" "$2.png"; do
        if [[ -f $study/$rel ]]; then
            printf '../../shared/upstream/later/%s' "$rel"
            return
        fi
    done
}

{
    cat <<'HEAD'
# Gallery: the study's figures, redrawn

Each figure as `scripts/figures.sh` draws it from the study's published tables (left; 60 dpi,
`scripts/gallery.sh` redraws this page), beside the PNG the study committed (right; linked from
`../shared/upstream/later`, which sits beside the repository in development and CI, never
copied here). The same series, order, colours, scales, tick days and legend layout, except
what the list below says.

## What still differs

- **Font**: DejaVu Sans, built in (the study's figures used an Inter-like sans from its author's
  setup). Text is a little wider, so the plots' left edges move with the width of the value
  labels; titles are 20/15 pt and labels 12 pt on a figure of about the study's pixel size
  (the study: about 22/18/14 pt on 11 x 6.2 in, cropped).
- **Right edge**: chart keeps room for half a date label right of the plot; the study's crop
  (`bbox_inches="tight"`) ends at the axes.
- **Lines** are 2 pt wide at chart's scale (the study: 1.5 pt at its larger one); points 3 pt.
- **Legend of the two validation figures**: every row above the plot. The study's second row sits
  over the plot, in the room its fixed limits (999 GB; 799 MB and 79 MB) leave there; chart's
  `--legend over` does the same where a figure has that room (the message-type figures).
  Their value limits are chart's own (the data's, with matplotlib's margins), not the study's.
- **Percentages on a log axis** read `0.1%` where matplotlib's `PercentFormatter` writes `0%`.
- **The daily peer traffic** (not published: drawn from a monitor folder only) labels its day
  categories with their dates; the study's figure reads the category numbers as days since 1970
  (`Jan 01`, ...: `chart --category-labels epoch` draws that). The jitter is fixed per point
  (seaborn draws it at random).
- **Names**: the study saved the hourly message-type figures under the daily names, overwriting
  them; here they are `message-breakdown-hourly-{vol,share}.png`. None of the four was ever
  committed by the study, so they have no PNG to sit beside.

HEAD
    shopt -s nullglob
    for folder in validation connection_type overhead peer_analysis; do
        drawn=("$work/gallery/$folder"/*.png)
        ((${#drawn[@]})) || continue
        echo "## $folder"
        echo
        echo '| drawn here | the study |'
        echo '|---|---|'
        for file in "${drawn[@]}"; do
            name=${file##*/}
            name=${name%.png}
            theirs=$(study_png "$folder" "$name")
            if [[ -n $theirs ]]; then theirs="![$name]($theirs)"; else theirs="not committed by the study"; fi
            printf '| ![%s](gallery/%s/%s.png) | %s |\n' "$name" "$folder" "$name" "$theirs"
        done
        echo
    done
    echo '## Not drawn from the published tables'
    echo
    sed -n 's/^figures.sh: warning: skipped \(.*\)/- \1/p' "$work/log"
} >"$work/gallery.md"

rm -rf -- "$root/docs/gallery"
mv -- "$work/gallery" "$root/docs/gallery"
mv -f -- "$work/gallery.md" "$root/docs/gallery.md"
wrote "$root/docs/gallery.md" "$root/docs/gallery/"
