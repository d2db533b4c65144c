#!/usr/bin/env bash
# make fleet-demo: starts VictoriaLogs on 127.0.0.1 (data in a temporary
# directory, removed at the end), ships the bundled example into it as
# JSON lines (logsleuth's own events, one row each) and runs
# `logsleuth timeline --victorialogs` on it.
# Usage: scripts/fleet-demo.sh BIN
set -euo pipefail
BIN=${1:?usage: fleet-demo.sh path/to/logsleuth}
PORT=${FLEET_PORT:-19428}
EXAMPLE=examples/seed-001/var/log
VLPKG=github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2

gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
VL=$(command -v victoria-logs || true)
[ -n "$VL" ] || VL="$gobin/victoria-logs"
if [ ! -x "$VL" ]; then
	echo "\$ go install $VLPKG"
	(cd / && go install "$VLPKG")
fi

data=$(mktemp -d)
"$VL" -httpListenAddr="127.0.0.1:$PORT" -storageDataPath="$data" -retentionPeriod=100y >"$data.log" 2>&1 &
vlpid=$!
trap 'kill -INT $vlpid 2>/dev/null; wait $vlpid 2>/dev/null; rm -rf "$data" "$data.log"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do
	curl -fs "$URL/health" >/dev/null 2>&1 && break
	sleep 0.1
done

echo "\$ logsleuth events --tz Asia/Seoul --year 2021 $EXAMPLE | curl --data-binary @- '$URL/insert/jsonline?_time_field=time&_msg_field=message&_stream_fields=host,program'"
"$BIN" events --tz Asia/Seoul --year 2021 "$EXAMPLE" |
	curl -fsS -H 'Content-Type: application/stream+json' --data-binary @- \
		"$URL/insert/jsonline?_time_field=time&_msg_field=message&_stream_fields=host,program"
curl -fsS "$URL/internal/force_flush" >/dev/null
echo
echo "\$ logsleuth timeline --victorialogs $URL --tz Asia/Seoul --since '2021-09-01' --until '2021-10-31'"
"$BIN" timeline --victorialogs "$URL" --tz Asia/Seoul --since 2021-09-01 --until 2021-10-31
