#!/usr/bin/env bash
# make fleet-demo: starts VictoriaLogs on 127.0.0.1 (data in a temporary
# directory, removed at the end), ships the bundled example into it as
# JSON lines (logsleuth's own events, one row each) and a generated
# six-host corpus by syslog TCP (as rsyslog's omfwd would), and runs
# `logsleuth timeline --victorialogs` on each.
# Usage: scripts/fleet-demo.sh BIN
set -euo pipefail
BIN=${1:?usage: fleet-demo.sh path/to/logsleuth}
PORT=${FLEET_PORT:-19428}
EXAMPLE=examples/seed-001/var/log
VLPKG=github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2

. "$(dirname "$0")/victorialogs.sh"
vl_binary
if [ ! -x "$VL" ]; then
	echo "\$ go install $VLPKG"
	(cd / && go install "$VLPKG")
fi

data=$(mktemp -d)
SYSLOG_PORT=$((PORT + 1))
vl_start "$PORT" "$data" "$data.log"
trap 'kill -INT $vlpid 2>/dev/null; wait $vlpid 2>/dev/null; rm -rf "$data" "$data.log" "$data.corpus"' EXIT

echo "\$ logsleuth events --tz Asia/Seoul --year 2021 $EXAMPLE | curl --data-binary @- '$URL/insert/jsonline?_time_field=time&_msg_field=message&_stream_fields=host,program'"
"$BIN" events --tz Asia/Seoul --year 2021 "$EXAMPLE" |
	curl -fsS -H 'Content-Type: application/stream+json' --data-binary @- \
		"$URL/insert/jsonline?_time_field=time&_msg_field=message&_stream_fields=host,program"
curl -fsS "$URL/internal/force_flush" >/dev/null
echo
echo "\$ logsleuth timeline --victorialogs $URL --tz Asia/Seoul --since '2021-09-01' --until '2021-10-31'"
"$BIN" timeline --victorialogs "$URL" --tz Asia/Seoul --since 2021-09-01 --until 2021-10-31

# A fleet: six hosts, 20 MiB of syslog with incidents injected
# (bench/gen), sent over syslog TCP, each line with a PRI (a line that
# starts with a digit is taken for octet-counted framing).
echo
echo "\$ go run ./bench/gen -size 20MiB   # six hosts, about 2 hours"
go run ./bench/gen -size 20MiB -dir "$data.corpus" >/dev/null
lines=$(wc -l <"$data.corpus/syslog.rfc3339")
echo "\$ sed 's/^/<13>/' syslog.rfc3339 > /dev/tcp/127.0.0.1/$SYSLOG_PORT   # $lines lines"
sed 's/^/<13>/' "$data.corpus/syslog.rfc3339" >"/dev/tcp/127.0.0.1/$SYSLOG_PORT"
for _ in $(seq 100); do
	curl -fsS "$URL/internal/force_flush" >/dev/null
	n=$(curl -fsS "$URL/select/logsql/query" -d 'query={hostname=~"k8s-.*|web-.*|db-.*"} | count() rows' | sed 's/.*"rows":"\([0-9]*\)".*/\1/')
	[ "${n:-0}" -ge "$lines" ] && break
	sleep 0.3
done
first=$(head -1 "$data.corpus/syslog.rfc3339" | cut -d' ' -f1)
last=$(tail -1 "$data.corpus/syslog.rfc3339" | cut -d' ' -f1)
echo "\$ logsleuth timeline --victorialogs $URL --since $first --until $last"
"$BIN" timeline --victorialogs "$URL" --since "$first" --until "$last"
