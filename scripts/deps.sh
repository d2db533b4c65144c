#!/usr/bin/env bash
# Installs the Debian packages logsleuth's build, tests and demo need, if
# any is missing. The one list of system packages:
#   libsystemd-dev          headers for sdjournal (cgo)
#   systemd-journal-remote  builds real .journal fixtures from export text
#   ripgrep                 the bench comparison
#   make gcc libc6-dev      make, and a C toolchain for cgo
#   ca-certificates         go mod download over HTTPS
#   chromium                renders the timeline HTML report headless (browser test)
#   python3                 runs the peer suites' checks (make peers)
set -euo pipefail

APT_PACKAGES=(libsystemd-dev systemd-journal-remote ripgrep make gcc libc6-dev ca-certificates chromium python3)

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	echo "deps: (without libsystemd-dev, build with CGO_ENABLED=0: journals are then read through journalctl)" >&2
	exit 0
fi
echo "deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
