#!/usr/bin/env bash
# make bench, journal case: reads a generated journal of JOURNAL_ENTRIES
# entries (two hosts, real .journal files made by systemd-journal-remote)
# with `logsleuth events --stats --journal-dir` and with
# `journalctl --directory ... -o export > /dev/null`, side by side.
#
#   JOURNAL_ENTRIES  entries over all hosts (default 1000000)
#   BENCH_DIR        where corpora live (default /tmp/logsleuth-bench)
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
# Build tags: the native journal reader, as make build has it.
TAGS=${TAGS-sdjournal}
JOURNAL_ENTRIES=${JOURNAL_ENTRIES:-1000000}
BENCH_DIR=${BENCH_DIR:-/tmp/logsleuth-bench}
EXPORT="$BENCH_DIR/journal-export-$JOURNAL_ENTRIES"
JDIR="$BENCH_DIR/journal-$JOURNAL_ENTRIES"
REMOTE=""
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
	[ -x "$p" ] && REMOTE=$p && break
done
if [ -z "$REMOTE" ] || ! command -v journalctl >/dev/null; then
	echo "bench: journal case skipped: needs systemd-journal-remote and journalctl" >&2
	exit 0
fi

echo "== journal corpus $JDIR ($JOURNAL_ENTRIES entries)"
$GO build -tags "$TAGS" -o bin/logsleuth ./cmd/logsleuth
if [ ! -f "$JDIR/.done" ]; then
	$GO run ./bench/genjournal -entries "$JOURNAL_ENTRIES" -hosts 2 -dir "$EXPORT"
	rm -rf "$JDIR" && mkdir -p "$JDIR"
	for f in "$EXPORT"/*.export; do
		h=$(basename "$f" .export)
		# One run per host (journal-remote's host split is refused for
		# file input); big inputs rotate into remote-HOST@....journal.
		"$REMOTE" -o "$JDIR/remote-$h.journal" "$f" 2>&1 | grep -E 'Finishing after' || true
	done
	rm -rf "$EXPORT"
	touch "$JDIR/.done"
fi
ls "$JDIR"/*.journal | wc -l | awk '{ print $1 " journal files" }'
cat "$JDIR"/*.journal >/dev/null # warm the page cache

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
row() { # NAME ENTRIES WALL RSS_KB
	awk -v n="$1" -v e="$2" -v w="$3" -v r="$4" 'BEGIN {
		w = (w > 0) ? w : 0.01
		printf "%-52s %8.2f %12.0f %9.1f\n", n, w, e / w, r / 1024 }'
}
printf '\n%-52s %8s %12s %9s\n' TOOL WALL_S ENTRIES/S RSS_MIB

/usr/bin/time -f '%e %M' -o "$tmp/t1" bin/logsleuth events --stats --journal-dir "$JDIR" >"$tmp/out" 2>"$tmp/err"
read -r w1 r1 < <(tail -n 1 "$tmp/t1")
e1=$(sed -n 's/^total: [0-9]* sources, \([0-9]*\) events, .*/\1/p' "$tmp/out")
row "logsleuth events --stats --journal-dir" "$e1" "$w1" "$r1"

/usr/bin/time -f '%e %M' -o "$tmp/t2" journalctl --directory "$JDIR" -o export --no-pager >"$tmp/export"
read -r w2 r2 < <(tail -n 1 "$tmp/t2")
e2=$(grep -c '^__CURSOR=' "$tmp/export")
rm -f "$tmp/export"
row "journalctl --directory -o export > file" "$e2" "$w2" "$r2"

/usr/bin/time -f '%e %M' -o "$tmp/t3" journalctl --directory "$JDIR" -o export --no-pager >/dev/null
read -r w3 r3 < <(tail -n 1 "$tmp/t3")
row "journalctl --directory -o export > /dev/null" "$e2" "$w3" "$r3"

if [ "$e1" != "$e2" ]; then
	echo "bench: logsleuth read $e1 entries, journalctl $e2" >&2
	exit 1
fi
awk -v a="$w1" -v b="$w3" 'BEGIN { printf "logsleuth / journalctl wall time: %.2f\n", a / (b > 0 ? b : 0.01) }'
