# Shared by the scripts: sourced, not run. Sets $root, $me, PATH to the filters, and
# $unbzip2/$bzip2 to the fastest bzip2 tools installed; defines die and read_input.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
me=${me:-$(basename "$0")}

die() {
    echo "$me: $*" >&2
    exit 1
}

# The filters, built (a no-op when up to date) and put first on PATH; NETAGG_BIN names a
# folder of ready binaries instead.
if [[ -n ${NETAGG_BIN:-} ]]; then
    bin=$NETAGG_BIN
else
    bin=${CARGO_TARGET_DIR:-$root/target}/release
    if command -v cargo >/dev/null; then
        cargo build --release --quiet --bins --manifest-path "$root/Cargo.toml" || die "cargo build failed"
    fi
fi
for tool in estimate pivot bucket increase chart; do
    [[ -x $bin/$tool ]] || die "$bin/$tool is missing: install Rust and run cargo build --release"
done
PATH=$bin:$PATH

# The fastest bzip2 tools installed; all read and write the same format.
if command -v lbzip2 >/dev/null; then
    unbzip2=(lbzip2 -dc) bzip2=(lbzip2 -9c)
elif command -v pbzip2 >/dev/null; then
    unbzip2=(pbzip2 -dc) bzip2=(pbzip2 -9c)
else
    unbzip2=(bzip2 -dc) bzip2=(bzip2 -9c)
fi

# Writes a file's data to stdout: plain as it is, bzip2 (told by its magic bytes) decoded.
read_input() {
    if [[ $(head -c 3 "$1") == BZh ]]; then "${unbzip2[@]}" <"$1"; else cat "$1"; fi
}

# The monitor's daily files of one kind (tracepoints or systemd) in the notebook's layout.
monitor_files() { # DIR KIND
    local sub=tracepoints/net
    [[ $2 == systemd ]] && sub=systemd/ip_accounting
    local files=("$1/$sub"/*.csv)
    [[ -e ${files[0]} ]] || die "no daily files in $1/$sub"
    awk -v kind="$2" -f "$root/scripts/monitor.awk" "${files[@]}"
}
