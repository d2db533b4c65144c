package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// A sosreport of a host whose docker daemon failed to start: the same
// journal lines in var/log/syslog, in two overlapping journalctl texts
// and under the unit in systemctl status; docker info and systemctl
// status as state.
const (
	sosRoot1  = "sosreport-web-3-2023-11-14-xkqzjbd/"
	sosSyslog = `Nov 14 06:20:20 web-3 systemd[1]: Starting Docker Application Container Engine...
Nov 14 06:20:21 web-3 dockerd[1187]: failed to start daemon: error initializing graphdriver: driver not supported
Nov 14 06:20:21 web-3 systemd[1]: docker.service: Main process exited, code=exited, status=1/FAILURE
Nov 14 06:20:21 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.
Nov 14 06:20:21 web-3 systemd[1]: Failed to start Docker Application Container Engine.
Nov 14 06:25:00 web-3 CRON[2201]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)
`
	// journalctl --no-pager: microseconds are not shown; the same
	// seconds.
	sosJournal = `-- Logs begin at Tue 2023-11-14 06:00:01 UTC, end at Tue 2023-11-14 08:23:01 UTC. --
Nov 14 06:20:20 web-3 systemd[1]: Starting Docker Application Container Engine...
Nov 14 06:20:21 web-3 dockerd[1187]: failed to start daemon: error initializing graphdriver: driver not supported
Nov 14 06:20:21 web-3 systemd[1]: docker.service: Main process exited, code=exited, status=1/FAILURE
Nov 14 06:20:21 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.
Nov 14 06:20:21 web-3 systemd[1]: Failed to start Docker Application Container Engine.
Nov 14 07:00:00 web-3 systemd[1]: Starting Daily apt download activities...
`
	sosStatus = `● ssh.service - OpenBSD Secure Shell server
     Loaded: loaded (/lib/systemd/system/ssh.service; enabled; vendor preset: enabled)
     Active: active (running) since Tue 2023-11-14 06:00:05 UTC; 2h 23min ago
   Main PID: 811 (sshd)

Nov 14 06:00:05 web-3 sshd[811]: Server listening on 0.0.0.0 port 22.

× docker.service - Docker Application Container Engine
     Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)
     Active: failed (Result: exit-code) since Tue 2023-11-14 06:20:21 UTC; 2h 2min ago
TriggeredBy: ● docker.socket
   Main PID: 1187 (code=exited, status=1/FAILURE)

Nov 14 06:20:21 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.
Nov 14 06:20:21 web-3 systemd[1]: Failed to start Docker Application Container Engine.
`
	sosDockerInfo = `Client: Docker Engine - Community
 Version:    24.0.7
 Context:    default
 Debug Mode: false

Server:
 Containers: 4
  Running: 0
  Paused: 0
  Stopped: 4
 Images: 9
 Server Version: 24.0.7
 Storage Driver: overlay2
 Docker Root Dir: /srv/docker
 Debug Mode: false
`
)

func sosMembers(mod time.Time) []member {
	return []member{
		{name: sosRoot1 + "hostname", data: []byte("web-3\n"), mod: mod},
		{name: sosRoot1 + "sos_commands/docker/docker_info", data: []byte(sosDockerInfo), mod: mod},
		{name: sosRoot1 + "sos_commands/date/date", data: []byte("Tue Nov 14 08:23:10 UTC 2023\n"), mod: mod},
		{name: sosRoot1 + "sos_commands/date/date_--utc", data: []byte("Tue Nov 14 08:23:10 UTC 2023\n"), mod: mod},
		{name: sosRoot1 + "sos_commands/logs/journalctl_--no-pager", data: []byte(sosJournal), mod: mod},
		{name: sosRoot1 + "sos_commands/logs/journalctl_--no-pager_--boot", data: []byte(sosJournal), mod: mod},
		{name: sosRoot1 + "sos_commands/networking/ip_route_show_table_all", data: []byte("default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100\n172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown\n"), mod: mod},
		{name: sosRoot1 + "sos_commands/systemd/systemctl_status_--all", data: []byte(sosStatus), mod: mod},
		{name: sosRoot1 + "sos_commands/systemd/systemctl_list-units", data: []byte("UNIT LOAD ACTIVE SUB DESCRIPTION\n"), mod: mod},
		{name: sosRoot1 + "var/log/syslog", data: []byte(sosSyslog), mod: mod},
	}
}

func TestSosreport(t *testing.T) {
	// The files' own time is two days after the bundle's date: the date
	// file wins.
	mod := time.Date(2023, 11, 16, 0, 0, 0, 0, time.UTC)
	snapshot := time.Date(2023, 11, 14, 8, 23, 10, 0, time.UTC)
	archive := filepath.Join(t.TempDir(), "sosreport-web-3.tar")
	if err := os.WriteFile(archive, tarBytes(t, sosMembers(mod)...), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, m := range sosMembers(mod) {
		p := writeFile(t, dir, m.name, m.data)
		os.Chtimes(p, mod, mod)
	}
	for name, path := range map[string]string{"archive": archive, "directory": filepath.Join(dir, sosRoot1)} {
		t.Run(name, func(t *testing.T) {
			r := run(t, Options{Paths: []string{path}, Location: time.UTC})
			for _, w := range r.warnings {
				t.Errorf("warning: %s", w)
			}
			var state []event.Event
			lines := map[string]int{}
			for _, ev := range r.events {
				if ev.Kind == event.KindState {
					state = append(state, ev)
					continue
				}
				lines[ev.Time.Format(time.TimeOnly)+" "+ev.Program+" "+ev.Message]++
			}
			// Each journal line once, from whichever source had it first.
			for l, n := range lines {
				if n != 1 {
					t.Errorf("%dx %s", n, l)
				}
			}
			for _, want := range []string{
				"06:20:21 dockerd failed to start daemon: error initializing graphdriver: driver not supported",
				"06:20:21 systemd Failed to start Docker Application Container Engine.",
				"06:00:05 sshd Server listening on 0.0.0.0 port 22.",
				"07:00:00 systemd Starting Daily apt download activities...",
				"06:25:00 CRON (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
			} {
				if lines[want] != 1 {
					t.Errorf("missing %q", want)
				}
			}
			if len(lines) != 8 {
				t.Errorf("%d distinct log lines, want 8: %v", len(lines), lines)
			}
			var dups int64
			for _, s := range r.sources {
				dups += s.Duplicates
			}
			// syslog 6 + journalctl 2x6 + status 3 = 21 lines of 8 kinds
			// (the ssh line only under its unit, the cron line only in
			// syslog, the apt line only in the journal).
			if dups != 13 {
				t.Errorf("%d duplicates dropped, want 13", dups)
			}
			var got []string
			for _, ev := range state {
				if ev.Host != "web-3" || !ev.Time.Equal(snapshot) || ev.TimeQuality != event.TimeExact {
					t.Errorf("%s: host %q time %v (%v), want web-3 at the bundle's date", ev.Message, ev.Host, ev.Time, ev.TimeQuality)
				}
				got = append(got, ev.Source.Format+" "+ev.Message)
			}
			want := []string{
				"docker-info docker info: server 24.0.7, root /srv/docker, storage overlay2",
				"ip-route default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100",
				"ip-route 172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown",
				"systemctl-status ssh.service: active (running) since Tue 2023-11-14 06:00:05 UTC",
				"systemctl-status docker.service: failed (Result: exit-code) since Tue 2023-11-14 06:20:21 UTC; main PID 1187 exited, status=1/FAILURE",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("state events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// The merged stream is in time order: the state comes last.
			for i := 1; i < len(r.events); i++ {
				if r.events[i].Time.Before(r.events[i-1].Time) {
					t.Errorf("event %d (%s) goes back in time", i, r.events[i].Message)
				}
			}
		})
	}
}

// Rotated syslog files alone never pay for duplicate detection, and a
// line repeated within one source is kept.
func TestDedupeClasses(t *testing.T) {
	if needDedupe([]dedupeClass{dedupeSyslog, dedupeSyslog, dedupeNone}) {
		t.Error("two syslog files need no dedupe")
	}
	if !needDedupe([]dedupeClass{dedupeSyslog, dedupeJournalText}) || !needDedupe([]dedupeClass{dedupeJournalText, dedupeJournalText}) ||
		!needDedupe([]dedupeClass{dedupeJournal, dedupeSyslog}) {
		t.Error("syslog with journal text, two journalctl texts, syslog with a journal need dedupe")
	}
	for _, tc := range []struct {
		name, format, command string
		want                  dedupeClass
	}{
		{"b.tar:sosreport-x/sos_commands/logs/journalctl_--no-pager", "rfc3164", "", dedupeJournalText},
		{"b.tar:sosreport-x/sos_commands/systemd/systemctl_status_--all", "text", "systemctl status", dedupeJournalText},
		{"b.tar:sosreport-x/sos_commands/docker/docker_info", "text", "docker info", dedupeNone},
		{"/var/log/syslog.1", "rfc3164", "", dedupeSyslog},
		{"journal.txt", "journal-short-iso", "", dedupeJournalText},
		{"traefik.log", "json", "", dedupeNone},
	} {
		if got := dedupeClassOf(tc.name, tc.format, tc.command); got != tc.want {
			t.Errorf("dedupeClassOf(%s) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSosCommand(t *testing.T) {
	for rel, want := range map[string]string{
		"sos_commands/systemd/systemctl_status_--all":             "systemctl status",
		"sos_commands/docker/docker_info":                         "docker info",
		"sos_commands/docker/docker_version":                      "docker version",
		"sos_commands/networking/ip_route_show_table_all":         "ip route",
		"sos_commands/networking/ip_-6_route_show_table_all":      "ip route",
		"sos_commands/networking/ip_-d_route_show_cache":          "",
		"sos_commands/networking/ip_-o_addr":                      "ip addr",
		"sos_commands/networking/route_-n":                        "route -n",
		"sos_commands/dpkg/dpkg_-l":                               "dpkg -l",
		"sos_commands/snap/snap_list_--all":                       "snap list",
		"sos_commands/snap/snap_changes":                          "snap changes",
		"sos_commands/systemd/timedatectl":                        "timedatectl",
		"sos_commands/logs/journalctl_--no-pager":                 "",
		"sosreport-x/sos_commands/docker/docker_info":             "docker info",
		"var/log/docker_info":                                     "",
		"sos_commands/docker/containers/docker_inspect_abc":       "",
		"sos_commands/systemd/systemctl_list-units":               "",
		"sosreport-x/sos_commands/systemd/systemctl_status_--all": "systemctl status",
	} {
		if got := sosCommand(rel); got != want {
			t.Errorf("sosCommand(%s) = %q, want %q", rel, got, want)
		}
	}
}
