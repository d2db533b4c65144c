#!/usr/bin/env bash
# make bench: times logsleuth on a generated corpus, side by side with
# wc -l and rg, then runs the Go micro-benchmarks of the analyzer.
#
#   BENCH_SIZE  corpus size for bench/gen (default 1GiB)
#   BENCH_DIR   where corpora live, one directory per size (default /tmp/logsleuth-bench)
#   ROUNDS      interleaved rounds of timeline and rg (default 5)
#   DENSE_SIZE  size of the dense corpus, bench/gen -dense (default 256MiB)
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
# Build tags: the native journal reader, as make build has it.
TAGS=${TAGS-sdjournal}
BENCH_SIZE=${BENCH_SIZE:-1GiB}
BENCH_DIR=${BENCH_DIR:-/tmp/logsleuth-bench}
ROUNDS=${ROUNDS:-5}
DENSE_SIZE=${DENSE_SIZE:-256MiB}
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

# row NAME WALL RSS EVENTS [BYTES]: a row of the table; BYTES read
# (default: the corpus's syslog).
declare -a NAMES WALLS RSS EVENTS SIZES
row() { NAMES+=("$1") WALLS+=("$2") RSS+=("$3") EVENTS+=("$4") SIZES+=("${5:-$BYTES}"); }

# measure NAME OUT CMD...: timed, then a row of its figures.
measure() {
	timed "$@"
	row "$1" "$WALL" "$PEAK" "$EV"
}

echo "== timing (each tool reads the same $BYTES bytes of text, but the dense rows)"
measure "logsleuth events --stats syslog" keep bin/logsleuth events --stats --tz Asia/Seoul "$FILE"
measure "logsleuth events --stats syslog.rfc3339" keep bin/logsleuth events --stats "$CORPUS/syslog.rfc3339"
measure "logsleuth events --stats syslog.gz" keep bin/logsleuth events --stats --tz Asia/Seoul "$CORPUS/syslog.gz"
measure "logsleuth events syslog >/dev/null (jsonl)" /dev/null bin/logsleuth events --tz Asia/Seoul "$FILE"
measure "gzip -dc syslog.gz | wc -l" keep bash -c 'gzip -dc "$1" | wc -l' _ "$CORPUS/syslog.gz"
# The whole run with the built-in signatures, against rg counting the
# lines that hold any of the same prefilter literals (issue 3's
# yardstick), and rg running the incident regexes themselves (issue 20's,
# bench/regexes). On a shared machine one run of each says little: ROUNDS
# rounds, each running all three, and the table shows each one's median
# round; the ratios are round by round, then their median.
bin/logsleuth patterns literals --plain >"$tmp/literals.txt"
$GO run ./bench/regexes >"$tmp/regexes.txt"
nlit=$(wc -l <"$tmp/literals.txt") nre=$(wc -l <"$tmp/regexes.txt")
# median NUMBERS... : the median of the numbers given (the lower one of
# the middle two for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -a VERSUS
# versus LABEL FILE: ROUNDS interleaved rounds of timeline, rg -F -f
# literals and rg -f regexes over FILE; rows of their medians, and the
# round-by-round ratios in VERSUS.
versus() {
	local label=$1 file=$2 r
	local -a tw tr fw fr xw xr
	local tl="logsleuth timeline --format json ($label)"
	local rf="rg -c -F -f literals ($label, $nlit literals)"
	local rx="rg -c -f regexes ($label, $nre regexes)"
	for ((r = 0; r < ROUNDS; r++)); do
		timed "$tl" /dev/null bin/logsleuth timeline --format json --tz Asia/Seoul "$file"
		tw+=("$WALL") tr+=("$PEAK")
		if command -v rg >/dev/null; then
			timed "$rf" keep rg -c -F -f "$tmp/literals.txt" "$file"
			fw+=("$WALL") fr+=("$PEAK")
			timed "$rx" keep rg -c -f "$tmp/regexes.txt" "$file"
			xw+=("$WALL") xr+=("$PEAK")
		fi
	done
	local bytes
	bytes=$(stat -c %s "$file")
	row "$tl" "$(median "${tw[@]}")" "$(median "${tr[@]}")" - "$bytes"
	[ ${#fw[@]} -gt 0 ] || return 0
	row "$rf" "$(median "${fw[@]}")" "$(median "${fr[@]}")" - "$bytes"
	row "$rx" "$(median "${xw[@]}")" "$(median "${xr[@]}")" - "$bytes"
	local -a vf vx
	for ((r = 0; r < ROUNDS; r++)); do
		vf+=("$(awk -v a="${tw[$r]}" -v b="${fw[$r]}" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 0.01) }')")
		vx+=("$(awk -v a="${tw[$r]}" -v b="${xw[$r]}" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 0.01) }')")
	done
	VERSUS+=("$label: timeline/rg -F literals ${vf[*]} (median $(median "${vf[@]}")); timeline/rg regexes ${vx[*]} (median $(median "${vx[@]}"))")
}
versus "syslog" "$FILE"
# The dense corpus: a bad day's log, where some 30% of lines are
# candidates (bench/gen -dense), smaller so the run stays short.
DENSE="$BENCH_DIR/dense-$DENSE_SIZE"
$GO run ./bench/gen -dense -size "$DENSE_SIZE" -dir "$DENSE"
cat "$DENSE/syslog" >/dev/null
if command -v rg >/dev/null; then
	echo "dense syslog: $(stat -c %s "$DENSE/syslog") bytes, $(wc -l <"$DENSE/syslog") lines, $(rg -c -F -f "$tmp/literals.txt" "$DENSE/syslog") holding a literal"
fi
versus "dense" "$DENSE/syslog"
if command -v rg >/dev/null; then
	measure "rg -c '' syslog" keep rg -c '' "$FILE"
fi
measure "wc -l syslog" keep wc -l "$FILE"

# Reference walls: the last row is wc -l; rg is the one before it, if any.
n=${#NAMES[@]}
wc_wall=${WALLS[$((n - 1))]}
rg_wall=""
if [ "$n" -ge 2 ] && [[ ${NAMES[$((n - 2))]} == rg* ]]; then rg_wall=${WALLS[$((n - 2))]}; fi

printf '\n%-50s %8s %9s %12s %9s %8s %8s\n' TOOL WALL_S MB/S EVENTS/S RSS_MIB X_WC X_RG
for i in "${!NAMES[@]}"; do
	awk -v name="${NAMES[$i]}" -v wall="${WALLS[$i]}" -v rss="${RSS[$i]}" -v ev="${EVENTS[$i]}" \
		-v bytes="${SIZES[$i]}" -v main="$BYTES" -v wc="$wc_wall" -v rg="$rg_wall" 'BEGIN {
		w = (wall > 0) ? wall : 0.01
		eps = (ev ~ /^[0-9]+$/) ? sprintf("%.0f", ev / w) : ev
		# (wc and rg read the main corpus: no ratio for the dense rows)
		xwc = (bytes == main) ? sprintf("%.1f", w / (wc > 0 ? wc : 0.01)) : "-"
		xrg = (rg != "" && rg > 0 && bytes == main) ? sprintf("%.2f", w / rg) : "-"
		printf "%-50s %8.2f %9.1f %12s %9.1f %8s %8s\n", name, wall, bytes / 1e6 / w, eps, rss / 1024, xwc, xrg
	}'
done
echo "(MB/s is of the uncompressed text; X_WC and X_RG are wall time over wc -l's and rg -c ''s"
echo " on syslog; the timeline and rg rows are medians of $ROUNDS interleaved rounds; the ratios"
echo " to rg below are round by round, each tool on the same file)"
printf '%s\n' "${VERSUS[@]}"

echo
# --since on rotated sets (issue 20): syslog, syslog.1 and gzipped older
# days cut from the corpus (bench/rotate; the live file holds 12 hours
# either way), 1 GiB and 4 GiB. timeline --since for the last hour reads
# the lookback before it (the built-ins' longest window, capped at 24h)
# and seeks past the rest: its rows should not grow with the set, unlike
# reading the whole set. Medians of $ROUNDS rounds; the whole set once.
echo "== --since on rotated sets"
printf '%-8s %-44s %8s %9s\n' SET RUN WALL_S RSS_MIB
for size in 1GiB 4GiB; do
	ROT="$BENCH_DIR/rotated-$size"
	$GO run ./bench/rotate -from "$FILE" -size "$size" -dir "$ROT"
	last=$(cat "$ROT/last.txt")
	cat "$ROT"/syslog* >/dev/null
	for run in "--since -1h" "--since -1h --lookback 0" "whole set"; do
		args=()
		case $run in
		"--since -1h") args=(--since "@$((last - 3600))") ;;
		"--since -1h --lookback 0") args=(--since "@$((last - 3600))" --lookback 0) ;;
		esac
		n=$ROUNDS
		[ "$run" = "whole set" ] && n=1
		W=() R=()
		for ((r = 0; r < n; r++)); do
			timed "timeline $run" /dev/null bin/logsleuth timeline --format json --tz Asia/Seoul "${args[@]}" "$ROT"/syslog*
			W+=("$WALL") R+=("$PEAK")
		done
		awk -v set="$size" -v run="timeline $run" -v w="$(median "${W[@]}")" -v r="$(median "${R[@]}")" \
			'BEGIN { printf "%-8s %-44s %8.2f %9.1f\n", set, run, w, r / 1024 }'
	done
done

echo
# The journal case: logsleuth --journal-dir against journalctl -o export.
BENCH_DIR=$BENCH_DIR GO=$GO TAGS=$TAGS bench/journal.sh

echo
# The fleet case: the corpus in VictoriaLogs, timeline --victorialogs
# against timeline on the file.
CORPUS=$CORPUS bench/fleet.sh

echo
echo "== go micro-benchmarks"
$GO test -tags "$TAGS" -run='^$' -bench=. -benchmem ./analyzer/...
