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
