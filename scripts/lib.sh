# Shared by the scripts: sourced, not run, before they read their options. Sets $root and
# $me; reads the options every script shares (common_option); finds the filters
# (use_filters); reads a monitor folder's day files (monitor_days) and tells inputs apart by
# their headers (header_of); runs background jobs that a signal stops together (start,
# stop_all); says what is going on, on a terminal (say, progress).

# The repository, also when the script is run through a symlink (~/bin/netagg-aggregate).
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
me=$(basename "$0")
started=$SECONDS

die() {
    echo "$me: $*" >&2
    exit 1
}

warn() {
    echo "$me: warning: $*" >&2
}

# A bad command line: say why in one line, and where the help is, as coreutils do; status 2.
usage_error() {
    printf "%s: %s\nTry '%s -h' for more information.\n" "$me" "$*" "$me" >&2
    exit 2
}

# The options every script takes alike: -o OUTDIR, --monitor DIR, -q, -h. Sets $outdir,
# $monitor, $QUIET (or shows the help and exits); $took is how many arguments it used, 0
# for an option that is not one of them.
outdir=.
monitor=
QUIET=0
common_option() { # ARG...
    took=1
    case $1 in
    -o | --monitor)
        [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a value"
        if [[ $1 == -o ]]; then outdir=$2; else monitor=$2; fi
        took=2 ;;
    -q) QUIET=1 ;;
    -h | --help) usage; exit 0 ;;
    *) took=0 ;;
    esac
}

# The flags that let the filter reading the files draw its progress line: on a terminal,
# without -q, for one step of a run at a time (two lines would garble each other).
progress() {
    if [[ -t 2 ]] && ((!QUIET)); then
        progress_flags=()
    else
        progress_flags=(-q)
    fi
}

# Whether DIR is a monitor's result folder (it holds tracepoints/net or systemd/ip_accounting).
is_monitor() { # DIR
    [[ -d $1/tracepoints/net || -d $1/systemd/ip_accounting ]]
}

# The header of a table (plain or compressed), as CSV, in $header.
header_of() { # FILE
    [[ -f $1 && -r $1 ]] || die "cannot read $1"
    # On failure the output is keep's reason, said as this script's: `tp.csv: the input is
    # empty: no header line`.
    header=$(keep -q --header -- "$1" 2>&1) || die "${header#keep: }"
    header=${header%$'\r'}
}

# What the script is doing, with the seconds since it started: on a terminal only.
say() {
    if [[ -t 2 ]]; then
        printf '%s: [%3d s] %s\n' "$me" $((SECONDS - started)) "$*" >&2
    fi
}

# A path that no command takes for an option: `-x` becomes `./-x`.
safe_path() {
    case $1 in
    -*) printf './%s' "$1" ;;
    *) printf '%s' "$1" ;;
    esac
}

# Puts the filters named on PATH: from NETAGG_BIN when set; else those on PATH (cargo
# install); else this checkout's release build, built first (a no-op when up to date).
use_filters() { # TOOL...
    local tool missing=()
    if [[ -n ${NETAGG_BIN:-} ]]; then
        PATH=$NETAGG_BIN:$PATH
    else
        for tool in "$@"; do
            command -v "$tool" >/dev/null || missing+=("$tool")
        done
        if ((${#missing[@]})); then
            [[ -f $root/Cargo.toml ]] && command -v cargo >/dev/null ||
                die "${missing[*]} not found: install the filters (cargo install --locked --path .) or Rust"
            say "building the filters (cargo build --release: a few minutes the first time)"
            # On a terminal cargo draws its own progress; elsewhere it is quiet.
            local quiet=(--quiet)
            [[ -t 2 ]] && ((!QUIET)) && quiet=()
            cargo build --release "${quiet[@]}" --bins --manifest-path "$root/Cargo.toml" ||
                die "cargo build failed"
            PATH=${CARGO_TARGET_DIR:-$root/target}/release:$PATH
        fi
    fi
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is missing from ${NETAGG_BIN:-PATH}"
    done
}

# The day files of one source of a monitor folder, in date order, into the array `days`:
# NAME.csv, or NAME.csv compressed after rotation (.bz2, .gz, .zst, .xz). Anything else is
# skipped with a warning that names it; one day in two files is an error.
monitor_days() { # DIR SUBFOLDER
    local dir=$1/$2 entry base stem
    local -A seen=()
    days=()
    [[ -d $dir ]] || die "no folder $dir"
    for entry in "$dir"/*; do
        [[ -e $entry ]] || continue
        base=${entry##*/}
        if [[ -f $entry && $base =~ ^(.+\.csv)(\.(bz2|gz|zst|xz))?$ ]]; then
            stem=${BASH_REMATCH[1]}
            [[ -z ${seen[$stem]:-} ]] ||
                die "$dir holds $stem twice: ${seen[$stem]##*/} and $base (one of them is left over from a rotation?)"
            seen[$stem]=$entry
            days+=("$entry")
        else
            warn "skipped $entry: not a day file (NAME.csv, or .csv.bz2, .csv.gz, .csv.zst, .csv.xz)"
        fi
    done
    ((${#days[@]})) || die "no day files in $dir"
}

# Background jobs, each in a process group of its own (set -m), so that a signal to the
# script stops every process of every pipeline it started, not only the subshells.
jobs_started=()
start() { # COMMAND...
    set -m
    "$@" &
    jobs_started+=($!)
    set +m
}

# Runs each STEP (a function, and words to pass it) as a job (start) and waits for them all;
# when any failed, says which ("$me: WHAT failed; no NOUN written") and exits 1, leaving the
# temp folder to the EXIT trap.
run_all() { # NOUN WHAT STEP [WHAT STEP]...
    local noun=$1 pids=() whats=() i failed=0 step
    shift
    while (($# >= 2)); do
        whats+=("$1")
        read -ra step <<<"$2"
        start "${step[@]}"
        pids+=($!)
        shift 2
    done
    for i in "${!pids[@]}"; do
        if ! wait "${pids[i]}"; then
            echo "$me: ${whats[i]} failed; no $noun written" >&2
            failed=1
        fi
    done
    ((failed == 0)) || exit 1
}

# On SIGTERM, SIGINT or SIGHUP: stop every job, wait for them (the filters remove their
# own temp files), run the EXIT trap (the temp folder), and die of the same signal.
stop_all() { # SIGNAL
    local pid
    trap - "$1"
    for pid in "${jobs_started[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    exit_status=$((128 + $(kill -l "$1")))
    exit "$exit_status"
}
for signal in TERM INT HUP; do
    # shellcheck disable=SC2064 # the signal's name is meant to be fixed now
    trap "stop_all $signal" "$signal"
done

# A private temp folder in DIR (so the final mv is a rename), removed however the script
# ends; its path is in $work.
make_work() { # DIR NAME
    work=$(mktemp -d "$(safe_path "$1")/.$2.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    work=$(cd "$work" && pwd)
}

# The hourly table KIND (est or emp), written plain as HOURLY, becomes the published hourly
# and daily tables DIR/data_KIND_{hourly,daily}.csv.bz2 at once: both re-bucket it (at its
# own step a table is unchanged, so that run only compresses it), and the tail after the
# last row is the slower of the two, not the sum of a compression, a decompression and the
# daily table.
publish_tables() { # DIR KIND KEYS HOURLY
    local pid status=0
    bucket -q --every 1h --by "$3" -o "$1/data_$2_hourly.csv.bz2" -- "$4" &
    pid=$!
    bucket -q --every 1d --by "$3" -o "$1/data_$2_daily.csv.bz2" -- "$4" || status=$?
    wait "$pid" || status=$?
    return "$status"
}

# Names the files written, as the last line of a successful run (not when a script runs
# another as a step of its own: NETAGG_SUMMARY=0).
wrote() { # FILE...
    ((${QUIET:-0})) || ((${NETAGG_SUMMARY:-1} == 0)) ||
        echo "$me: wrote $* in $((SECONDS - started)) s" >&2
}
