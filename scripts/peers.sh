#!/usr/bin/env bash
# peers.sh BIN MIN DIR: re-checks what other parsers' test suites assert
# (plaso, lnav, dissect.target, rsyslog, super-speedy-syslog-searcher;
# DIR/EXPECTED.md) with DIR/check.py against BIN, and fails when fewer
# than MIN assertions pass. check.py itself exits 1 on any failure; the
# failures it still reports are the peer cases README "Inputs and formats"
# explains, so the floor is what guards against a regression.
#
# Without DIR (the shared data beside the repository) or python3, it
# skips with a note, except in CI (CI=true), where both must be present.
set -euo pipefail

bin=$1 min=$2 dir=$3

missing() {
	if [ "${CI:-}" = true ]; then
		echo "peers: $1 (CI=true: it must be present)" >&2
		exit 1
	fi
	echo "peers: $1; skipped" >&2
	exit 0
}

[ -f "$dir/check.py" ] || missing "$dir/check.py not found"
command -v python3 >/dev/null || missing "python3 is not installed"

out=$(python3 "$dir/check.py" "$bin" 2>&1) || true
summary=$(printf '%s\n' "$out" | tail -n 1)
if ! [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	printf '%s\n' "$out" | tail -n 20 >&2
	echo "peers: check.py ended without its summary line" >&2
	exit 1
fi
passed=${BASH_REMATCH[1]}
printf '%s\n' "$out" | grep '^FAIL' || true
echo "peers: $summary (at least $min must pass)"
if [ "$passed" -lt "$min" ]; then
	echo "peers: $passed passed, fewer than $min: a parser change lost agreement with a peer suite (run: python3 $dir/check.py $bin)" >&2
	exit 1
fi
