# Sourced by scripts/fleet-demo.sh and bench/fleet.sh: how both find and
# start a VictoriaLogs single node on loopback.

# vl_binary sets VL to victoria-logs on PATH, else where go install puts
# it (it may not exist yet).
vl_binary() {
	VL=$(command -v victoria-logs || true)
	if [ -z "$VL" ]; then
		local gobin
		gobin=$(go env GOBIN)
		[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
		VL="$gobin/victoria-logs"
	fi
}

# vl_start PORT DATADIR LOGFILE starts it with HTTP on PORT and syslog
# TCP on PORT+1 (stream fields hostname and app_name, as the README's
# fleet section recommends), sets vlpid and URL, and waits until it
# answers /health (10 s at most).
vl_start() {
	"$VL" -httpListenAddr="127.0.0.1:$1" -storageDataPath="$2" -retentionPeriod=100y -futureRetention=100y \
		-syslog.listenAddr.tcp="127.0.0.1:$(($1 + 1))" -syslog.streamFields.tcp='["hostname","app_name"]' >"$3" 2>&1 &
	vlpid=$!
	URL="http://127.0.0.1:$1"
	for _ in $(seq 100); do
		curl -fs "$URL/health" >/dev/null 2>&1 && break
		sleep 0.1
	done
}
