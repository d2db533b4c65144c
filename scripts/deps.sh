#!/usr/bin/env bash
# Installs the Debian packages logsleuth's build, tests and demo need, if
# any is missing. The one list of system packages:
#   libsystemd-dev          headers for the native journal reader (make build's -tags sdjournal, cgo)
#   systemd-journal-remote  builds real .journal fixtures from export text
#   ripgrep                 the bench comparison
#   make gcc libc6-dev      make, and a C toolchain for cgo
#   ca-certificates         go mod download over HTTPS
#   chromium                renders the timeline HTML report headless (browser test)
#   python3                 runs the peer suites' checks (make peers)
# and one Go program, built from source into $(go env GOPATH)/bin:
#   victoria-logs           the log store fleet mode's tests run against
set -euo pipefail

# VictoriaLogs for the fleet-mode tests (internal/testenv finds it in
# GOPATH/bin). About 30 s to build once; nothing to do when present.
VICTORIALOGS_PKG=github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2
if command -v go >/dev/null; then
	gobin=$(go env GOBIN)
	[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
	if [ ! -x "$gobin/victoria-logs" ] && ! command -v victoria-logs >/dev/null; then
		echo "deps: go install $VICTORIALOGS_PKG" >&2
		(cd / && go install "$VICTORIALOGS_PKG") || echo "deps: victoria-logs not installed: fleet-mode tests will fail in CI" >&2
	fi
fi

APT_PACKAGES=(libsystemd-dev systemd-journal-remote ripgrep make gcc libc6-dev ca-certificates chromium python3)

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	echo "deps: (without libsystemd-dev, make build TAGS= or go install: journals are then read through journalctl)" >&2
	exit 0
fi
echo "deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
