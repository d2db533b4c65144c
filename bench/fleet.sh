#!/usr/bin/env bash
# make bench, fleet case (README "Fleet mode: VictoriaLogs"): ships the
# corpus's syslog.rfc3339 into a VictoriaLogs single node by syslog TCP,
# as rsyslog would, then times `timeline --victorialogs` over the whole
# range, the last 6 hours and one host's last 6 hours against `timeline`
# on the file, with the rows each run fetched of those stored and the
# bytes it read (its own coverage warning says them).
#
#   CORPUS      the corpus directory (bench/gen's; required)
#   FLEET_PORT  the server's HTTP port (default 19438; syslog on +1)
#   FLEET_DATA  keep the server's data here (default: a temporary
#               directory removed at the end); a directory that already
#               holds the corpus is not shipped again
set -euo pipefail

cd "$(dirname "$0")/.."
CORPUS=${CORPUS:?bench/fleet.sh: CORPUS must name a bench/gen corpus}
PORT=${FLEET_PORT:-19438}
SPORT=$((PORT + 1))
FILE="$CORPUS/syslog.rfc3339"
BIN=bin/logsleuth

. scripts/victorialogs.sh
vl_binary
if [ ! -x "$VL" ]; then
	echo "bench: fleet case skipped: victoria-logs is not installed (scripts/deps.sh)" >&2
	exit 0
fi

data=$(mktemp -d)
store=${FLEET_DATA:-$data/vl}
vl_start "$PORT" "$store" "$data/vl.log"
trap 'kill -INT $vlpid 2>/dev/null; wait $vlpid 2>/dev/null; rm -rf "$data"' EXIT

count() { curl -fsS "$URL/select/logsql/query" -d 'query=* | count() rows' | sed 's/.*"rows":"\([0-9]*\)".*/\1/'; }

LINES=$(wc -l <"$FILE")
stored=$(count)
if [ "$stored" -ge "$LINES" ]; then
	echo "== fleet: $FILE ($LINES lines) already in $store ($stored rows)"
else
	echo "== fleet: $FILE ($LINES lines) into VictoriaLogs by syslog TCP"
	t0=$(date +%s.%N)
	# Each line gets a PRI: a line that starts with a digit is read as
	# octet-counted framing and ends the connection.
	sed 's/^/<13>/' "$FILE" >"/dev/tcp/127.0.0.1/$SPORT"
	for _ in $(seq 600); do
		curl -fs "$URL/internal/force_flush" >/dev/null
		stored=$(count)
		[ "$stored" -ge "$LINES" ] && break
		sleep 0.5
	done
	t1=$(date +%s.%N)
	echo "stored $stored rows in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; $(du -sh "$store" | cut -f1) on disk"
fi

first=$(head -1 "$FILE" | cut -d' ' -f1)
last=$(tail -1 "$FILE" | cut -d' ' -f1)
host=$(head -1 "$FILE" | cut -d' ' -f2)
six=$(date -u -d "$last - 6 hours" +%Y-%m-%dT%H:%M:%S%:z)

printf '\n%-46s %8s %9s %10s %9s %8s %10s %8s %8s\n' RUN WALL_S RSS_MIB FETCHED OF_ROWS CAND_% ERROR_ROWS MB_READ X_FILE
file_wall=""
run() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$data/time" "$BIN" timeline --format json "$@" >"$data/out" 2>"$data/err" || {
		echo "  $name: exit $?: $(head -3 "$data/err")" >&2
	}
	local wall rss fetched mb
	read -r wall rss < <(tail -n 1 "$data/time")
	# "fetched N of M rows (P%): C candidates (P%), E error-level rows; B bytes in Q queries"
	fetched=$(jq -r '.coverage.warnings[]? | select(contains("fetched "))' "$data/out" | head -1)
	[ -n "$file_wall" ] || file_wall=$wall
	awk -v name="$name" -v wall="$wall" -v rss="$rss" -v f="$fetched" -v fw="$file_wall" 'BEGIN {
		n = "-"; of = "-"; cand = "-"; errs = "-"; mb = "-"
		if (match(f, /fetched [0-9]+ of [0-9]+/)) { split(substr(f, RSTART, RLENGTH), a, " "); n = a[2]; of = a[4] }
		if (match(f, /\(([0-9.]+)%\), [0-9]+ error-level/)) { split(substr(f, RSTART + 1, RLENGTH - 1), c, "%"); cand = c[1] }
		if (match(f, /[0-9]+ error-level/)) { split(substr(f, RSTART, RLENGTH), e, " "); errs = e[1] }
		if (match(f, /; [0-9]+ bytes/)) { split(substr(f, RSTART + 2, RLENGTH - 2), b, " "); mb = sprintf("%.1f", b[1] / 1e6) }
		printf "%-46s %8.2f %9.1f %10s %9s %8s %10s %8s %8.3f\n", name, wall, rss / 1024, n, of, cand, errs, mb, wall / (fw > 0 ? fw : 0.01)
	}'
}
run "timeline syslog.rfc3339 (the file, whole)" "$FILE"
run "timeline --victorialogs, whole range" --victorialogs "$URL" --since "$first" --until "$last"
run "timeline --victorialogs, last 6 h" --victorialogs "$URL" --since "$six" --until "$last"
run "timeline --victorialogs, last 6 h, --host $host" --victorialogs "$URL" --since "$six" --until "$last" --host "$host"
run "timeline syslog.rfc3339 --since (last 6 h)" --since "$six" --until "$last" "$FILE"
echo "(FETCHED: rows the store sent, of OF_ROWS it holds in the range and its margins; CAND_%: the"
echo " candidates among them, in % of OF_ROWS; ERROR_ROWS: the rest, error-level rows of the range for"
echo " the unexplained section; MB_READ: reply bytes after decompression; X_FILE: wall time over reading"
echo " the whole file locally)"
