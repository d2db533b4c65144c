#!/usr/bin/env bash
# make bench: times logsleuth on a generated corpus, side by side with
# wc -l and rg, then runs the Go micro-benchmarks of the analyzer.
#
#   BENCH_SIZE  corpus size for bench/gen (default 1GiB)
#   BENCH_DIR   where corpora live, one directory per size (default /tmp/logsleuth-bench)
#   ROUNDS      interleaved rounds of timeline and rg (default 5)
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
# Build tags: the native journal reader, as make build has it.
TAGS=${TAGS-sdjournal}
BENCH_SIZE=${BENCH_SIZE:-1GiB}
BENCH_DIR=${BENCH_DIR:-/tmp/logsleuth-bench}
ROUNDS=${ROUNDS:-5}
CORPUS="$BENCH_DIR/$BENCH_SIZE"

if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >/dev/null
	else
		echo "bench: /usr/bin/time is missing (apt-get install time)" >&2
		exit 2
	fi
fi

echo "== build"
$GO build -tags "$TAGS" -o bin/logsleuth ./cmd/logsleuth
echo "== corpus $CORPUS"
$GO run ./bench/gen -size "$BENCH_SIZE" -dir "$CORPUS"
FILE="$CORPUS/syslog"
BYTES=$(stat -c %s "$FILE")
LINES=$(wc -l <"$FILE")
echo "syslog: $BYTES bytes, $LINES lines; $(wc -l <"$CORPUS/incidents.tsv") incidents listed in $CORPUS/incidents.tsv"
# Warm the page cache so the first tool is not charged for the disk.
cat "$FILE" "$CORPUS/syslog.rfc3339" "$CORPUS/syslog.gz" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed NAME OUT CMD...: runs CMD under /usr/bin/time with stdout to OUT
# ("keep": a temp file) and sets WALL (seconds), PEAK (RSS, KiB) and EV
# (for logsleuth --stats, the event count of its total line; else -).
timed() {
	local name=$1 out=$2
	shift 2
	[ "$out" = keep ] && out="$tmp/out"
	: >"$tmp/out"
	local rc=0
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/err" || rc=$?
	# GNU time puts "Command exited with non-zero status N" first.
	read -r WALL PEAK < <(tail -n 1 "$tmp/time")
	EV=$(sed -n 's/^total: [0-9]* sources, \([0-9]*\) events, .*/\1/p' "$tmp/out")
	if [ "$rc" -ne 0 ]; then
		EV="exit $rc"
		head -3 "$tmp/err" | awk -v p="$name" '{ print "  " p ": " $0 }' >&2
	fi
	EV=${EV:--}
}

# row NAME WALL RSS EVENTS: a row of the table.
declare -a NAMES WALLS RSS EVENTS
row() { NAMES+=("$1") WALLS+=("$2") RSS+=("$3") EVENTS+=("$4"); }

# measure NAME OUT CMD...: timed, then a row of its figures.
measure() {
	timed "$@"
	row "$1" "$WALL" "$PEAK" "$EV"
}

echo "== timing (each tool reads the same $BYTES bytes of text)"
measure "logsleuth events --stats syslog" keep bin/logsleuth events --stats --tz Asia/Seoul "$FILE"
measure "logsleuth events --stats syslog.rfc3339" keep bin/logsleuth events --stats "$CORPUS/syslog.rfc3339"
measure "logsleuth events --stats syslog.gz" keep bin/logsleuth events --stats --tz Asia/Seoul "$CORPUS/syslog.gz"
measure "logsleuth events syslog >/dev/null (jsonl)" /dev/null bin/logsleuth events --tz Asia/Seoul "$FILE"
measure "gzip -dc syslog.gz | wc -l" keep bash -c 'gzip -dc "$1" | wc -l' _ "$CORPUS/syslog.gz"
# The whole run with the built-in signatures, against rg counting lines
# that hold any of the same prefilter literals (issue 3's yardstick). On a
# shared machine one run of each says little: ROUNDS rounds, each running
# both, and the table shows each one's median round.
bin/logsleuth patterns literals --plain >"$tmp/literals.txt"
rg_name="rg -c -F -f literals ($(wc -l <"$tmp/literals.txt") literals)"
tl_name="logsleuth timeline --format json (built-in)"
declare -a TL_W TL_R RG_W RG_R
for ((r = 0; r < ROUNDS; r++)); do
	timed "$tl_name" /dev/null bin/logsleuth timeline --format json --tz Asia/Seoul "$FILE"
	TL_W+=("$WALL") TL_R+=("$PEAK")
	if command -v rg >/dev/null; then
		timed "$rg_name" keep rg -c -F -f "$tmp/literals.txt" "$FILE"
		RG_W+=("$WALL") RG_R+=("$PEAK")
	fi
done
# median WALLS... : the median of the numbers given (the lower one of the
# middle two for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row "$tl_name" "$(median "${TL_W[@]}")" "$(median "${TL_R[@]}")" -
if [ ${#RG_W[@]} -gt 0 ]; then
	row "$rg_name" "$(median "${RG_W[@]}")" "$(median "${RG_R[@]}")" -
	ratios=()
	for ((r = 0; r < ROUNDS; r++)); do
		ratios+=("$(awk -v a="${TL_W[$r]}" -v b="${RG_W[$r]}" 'BEGIN { printf "%.2f", a / b }')")
	done
	tl_vs_rg="timeline/rg wall, round by round: ${ratios[*]} (median $(median "${ratios[@]}"))"
fi
if command -v rg >/dev/null; then
	measure "rg -c '' syslog" keep rg -c '' "$FILE"
fi
measure "wc -l syslog" keep wc -l "$FILE"

# Reference walls: the last row is wc -l; rg is the one before it, if any.
n=${#NAMES[@]}
wc_wall=${WALLS[$((n - 1))]}
rg_wall=""
if [ "$n" -ge 2 ] && [[ ${NAMES[$((n - 2))]} == rg* ]]; then rg_wall=${WALLS[$((n - 2))]}; fi

printf '\n%-44s %8s %9s %12s %9s %8s %8s\n' TOOL WALL_S MB/S EVENTS/S RSS_MIB X_WC X_RG
for i in "${!NAMES[@]}"; do
	awk -v name="${NAMES[$i]}" -v wall="${WALLS[$i]}" -v rss="${RSS[$i]}" -v ev="${EVENTS[$i]}" \
		-v bytes="$BYTES" -v wc="$wc_wall" -v rg="$rg_wall" 'BEGIN {
		w = (wall > 0) ? wall : 0.01
		eps = (ev ~ /^[0-9]+$/) ? sprintf("%.0f", ev / w) : ev
		xrg = (rg != "" && rg > 0) ? sprintf("%.2f", w / rg) : "-"
		printf "%-44s %8.2f %9.1f %12s %9.1f %8.1f %8s\n", name, wall, bytes / 1e6 / w, eps, rss / 1024, w / (wc > 0 ? wc : 0.01), xrg
	}'
done
echo "(MB/s is of the uncompressed text; X_WC and X_RG are wall time over wc -l's and rg's;"
echo " the timeline and rg rows are medians of $ROUNDS interleaved rounds)"
[ -n "${tl_vs_rg:-}" ] && echo "$tl_vs_rg"

echo
# The journal case: logsleuth --journal-dir against journalctl -o export.
BENCH_DIR=$BENCH_DIR GO=$GO TAGS=$TAGS bench/journal.sh

echo
echo "== go micro-benchmarks"
$GO test -tags "$TAGS" -run='^$' -bench=. -benchmem ./analyzer/...
