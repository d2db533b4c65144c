#!/usr/bin/env bash
# bench/compare.sh REV: the reading code of the working tree against
# REV's, both with REV's signatures (README "Speed"): REV is built as it
# was, and a copy of the working tree is built with REV's patterns/ in
# place of its own, so that only the code differs. Then, over the bench
# corpus, ROUNDS interleaved rounds of `timeline --format json` and
# `events --stats` print each one's medians (wall and user CPU seconds),
# the ratios new/old of the medians and the median of each round's
# ratio; with CG=1, cachegrind's instruction counts over the corpus'
# first 20 MB follow (GOGC=off, GOMAXPROCS=1: the program's own work, not
# the collector's, which the noise of a shared machine does not move).
#
#   ROUNDS      interleaved rounds (default 7)
#   BENCH_SIZE  corpus size for bench/gen (default 1GiB)
#   BENCH_DIR   where corpora live (default /tmp/logsleuth-bench)
#   DENSE       1: over the dense corpus instead (bench/gen -dense, of
#               DENSE_SIZE, default 256MiB)
#   CG          1: also count instructions (needs valgrind)
set -euo pipefail

REV=${1:?usage: bench/compare.sh REV}
cd "$(dirname "$0")/.."
GO=${GO:-go}
ROUNDS=${ROUNDS:-7}
BENCH_SIZE=${BENCH_SIZE:-1GiB}
BENCH_DIR=${BENCH_DIR:-/tmp/logsleuth-bench}
DENSE_SIZE=${DENSE_SIZE:-256MiB}
if [ "${DENSE:-}" = 1 ]; then
	DIR="$BENCH_DIR/dense-$DENSE_SIZE"
	GEN=(-dense -size "$DENSE_SIZE" -dir "$DIR")
else
	DIR="$BENCH_DIR/$BENCH_SIZE"
	GEN=(-size "$BENCH_SIZE" -dir "$DIR")
fi
FILE="$DIR/syslog"
[ -x /usr/bin/time ] || { echo "compare: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d)
cleanup() {
	git worktree remove --force "$tmp/old-tree" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "== build $REV and the working tree, both with $REV's signatures"
git worktree add --quiet --detach "$tmp/old-tree" "$REV"
(cd "$tmp/old-tree" && $GO build -o "$tmp/old" ./cmd/logsleuth)
mkdir "$tmp/new-tree"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tmp/new-tree"
rm -f "$tmp/new-tree"/patterns/*.yaml
cp "$tmp/old-tree"/patterns/*.yaml "$tmp/new-tree/patterns/"
(cd "$tmp/new-tree" && $GO build -o "$tmp/new" ./cmd/logsleuth)

$GO run ./bench/gen "${GEN[@]}"
cat "$FILE" >/dev/null

# median NUMBERS...: the lower middle one.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A W U
echo "== $ROUNDS interleaved rounds over $FILE"
for ((r = 0; r < ROUNDS; r++)); do
	for run in timeline stats; do
		for bin in old new; do
			case $run in
			timeline) args=(timeline --format json --tz Asia/Seoul "$FILE") ;;
			stats) args=(events --stats --tz Asia/Seoul "$FILE") ;;
			esac
			/usr/bin/time -f '%e %U' -o "$tmp/time" "$tmp/$bin" "${args[@]}" >/dev/null
			read -r wall user <"$tmp/time"
			W[$run.$bin]+="$wall " U[$run.$bin]+="$user "
		done
	done
done
for run in timeline stats; do
	[ "$ROUNDS" -gt 0 ] || break
	# shellcheck disable=SC2086 # word splitting wanted
	ow=$(median ${W[$run.old]}) nw=$(median ${W[$run.new]}) ou=$(median ${U[$run.old]}) nu=$(median ${U[$run.new]})
	awk -v r="$run" -v ow="$ow" -v nw="$nw" -v ou="$ou" -v nu="$nu" 'BEGIN {
		printf "%-8s wall %s -> %s s (%.3fx), user %s -> %s s (%.3fx)\n", r, ow, nw, nw / ow, ou, nu, nu / ou }'
	# Round by round: the rounds of a loaded machine differ more than
	# the builds do.
	read -r -a wo <<<"${W[$run.old]}"
	read -r -a wn <<<"${W[$run.new]}"
	read -r -a uo <<<"${U[$run.old]}"
	read -r -a un <<<"${U[$run.new]}"
	rw=() ru=()
	for ((r = 0; r < ROUNDS; r++)); do
		rw+=("$(awk -v a="${wn[$r]}" -v b="${wo[$r]}" 'BEGIN { printf "%.3f", a / b }')")
		ru+=("$(awk -v a="${un[$r]}" -v b="${uo[$r]}" 'BEGIN { printf "%.3f", a / b }')")
	done
	echo "         ratios by round, wall: ${rw[*]} (median $(median "${rw[@]}"))"
	echo "         ratios by round, user: ${ru[*]} (median $(median "${ru[@]}"))"
done

[ "${CG:-}" = 1 ] || exit 0
echo "== instructions over the first 20 MB (cachegrind)"
head -c 20000000 "$FILE" >"$tmp/slice"
declare -A I
for run in timeline stats; do
	case $run in
	timeline) args=(timeline --format json --tz Asia/Seoul "$tmp/slice") ;;
	stats) args=(events --stats --tz Asia/Seoul "$tmp/slice") ;;
	esac
	for bin in old new; do
		GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no \
			--cachegrind-out-file=/dev/null "$tmp/$bin" "${args[@]}" 2>"$tmp/cg" >/dev/null
		I[$bin]=$(sed -n 's/.*I *refs: *//p' "$tmp/cg" | tr -d ,)
	done
	awk -v r="$run" -v o="${I[old]}" -v n="${I[new]}" 'BEGIN { printf "%-8s %d -> %d instructions (%.3fx)\n", r, o, n, n / o }'
done
