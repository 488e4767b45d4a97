# Shared by the integration tests: the binary under test, a scratch folder removed on exit,
# and mpirun with the flags a single machine needs.
set -euo pipefail
repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bstrain="${BSTRAIN:-$repository/.build/release/bstrain}"
[[ -x "$bstrain" ]] || { echo "no bstrain binary at $bstrain; run Scripts/test or set BSTRAIN" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpirun_local() { "$repository/Scripts/mpirun-local" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# refused_train PATTERN OPTION...: `bstrain train OPTION...` stops with a non-zero exit and a
# message matching PATTERN.
refused_train() {
    local pattern=$1 output status=0
    shift
    output=$("$bstrain" train "$@" 2>&1) || status=$?
    ((status != 0)) || fail "$* was accepted"
    grep -q -- "$pattern" <<<"$output" || fail "$*: expected a message with '$pattern', got: $output"
}
