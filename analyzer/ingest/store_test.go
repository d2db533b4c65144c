package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// TestRowEvent: a stored row becomes the event its ingestion path would
// have given from a file: a syslog row through the syslog parser (unit
// and lifecycle from systemd's text), a journald row through the journal
// field mapping, any other row as it is, its extra fields kept; the
// source names the store, host and program.
func TestRowEvent(t *testing.T) {
	tm := time.Date(2021, 10, 7, 6, 20, 21, 123000000, time.UTC)
	tests := []struct {
		name string
		row  map[string]string
		want string // host|program|pid|unit|lifecycle|priority|boot|message|fields|source
	}{
		{"syslog", map[string]string{"_time": "x", "_msg": "Stopping Docker Application Container Engine...",
			"hostname": "web-3", "app_name": "systemd", "proc_id": "1", "seq": "4"},
			"web-3|systemd|1|docker.service|stopping|-|-|Stopping Docker Application Container Engine...|[{description Docker Application Container Engine}]|victorialogs:vl:web-3/systemd"},
		{"journal", map[string]string{"_time": "x", "_msg": "Started Daily apt upgrade and clean activities.", "_HOSTNAME": "web-3",
			"SYSLOG_IDENTIFIER": "systemd", "_PID": "1", "UNIT": "apt-daily-upgrade.service", "PRIORITY": "6", "_BOOT_ID": "b1", "_stream_id": "s"},
			"web-3|systemd|1|apt-daily-upgrade.service|started|info|b1|Started Daily apt upgrade and clean activities.|[{UNIT apt-daily-upgrade.service} {description Daily apt upgrade and clean activities}]|victorialogs:vl:web-3/systemd"},
		// VictoriaLogs adds level (from PRIORITY) to journald rows: not a
		// journal field, and the payload's own level=error must win.
		{"journal level", map[string]string{"_time": "x", "_msg": `time="2021-10-07T06:20:21Z" level=error msg="Failed to get event"`, "_HOSTNAME": "web-3",
			"SYSLOG_IDENTIFIER": "dockerd", "_PID": "1067", "PRIORITY": "6", "level": "info", "_TRANSPORT": "stdout"},
			`web-3|dockerd|1067|-|-|err|-|time="2021-10-07T06:20:21Z" level=error msg="Failed to get event"|[{_TRANSPORT stdout} {time 2021-10-07T06:20:21Z} {level error} {msg Failed to get event}]|victorialogs:vl:web-3/dockerd`},
		{"json lines", map[string]string{"_time": "x", "_msg": "request failed", "host": "api 1", "program": "api",
			"level": "error", "trace_id": "abc", "pid": "77"},
			"api 1|api|77|-|-|err|-|request failed|[{level error} {trace_id abc}]|victorialogs:vl:api 1/api"},
		// The kernel's printk stamp leaves the message for a field, as
		// in the file (bug: the row was read as not syslog, and oom's
		// ^Out of memory missed every kill of the 1 GiB bench corpus).
		{"kernel stamp", map[string]string{"_time": "x", "_msg": "[2438765.389589] Out of memory: Killed process 2723377 (java) total-vm:8123456kB",
			"hostname": "k8s-node-2", "app_name": "kernel", "severity": "5"},
			"k8s-node-2|kernel|0|-|-|notice|-|Out of memory: Killed process 2723377 (java) total-vm:8123456kB|[{kernel_time 2438765.389589}]|victorialogs:vl:k8s-node-2/kernel"},
		{"subsystem", map[string]string{"_time": "x", "_msg": "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9",
			"hostname": "web-1", "app_name": "sshd(pam_unix)", "proc_id": "19939"},
			"web-1|sshd|19939|-|-|-|-|authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9|[{subsystem pam_unix}]|victorialogs:vl:web-1/sshd"},
		{"no host", map[string]string{"_time": "x", "_msg": "no host here", "severity": "3"},
			"-|-|0|-|-|err|-|no host here|[]|victorialogs:vl:-"},
	}
	var p parse.Parser
	ev := &event.Event{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// As the server sends it: one line of JSON.
			line, err := json.Marshal(tt.row)
			if err != nil {
				t.Fatal(err)
			}
			var row vlRow
			if err := newVLScanner(bytes.NewReader(append(line, '\n'))).next(&row); err != nil {
				t.Fatal(err)
			}
			rowEvent(&row, tm, "victorialogs:vl", &p, ev)
			dash := func(s string) string {
				if s == "" {
					return "-"
				}
				return s
			}
			pr := "-"
			if ev.Priority != event.NoPriority {
				pr = ev.Priority.String()
			}
			got := fmt.Sprintf("%s|%s|%d|%s|%s|%s|%s|%s|%v|%s", dash(ev.Host), dash(ev.Program), ev.PID, dash(ev.Unit),
				dash(ev.Lifecycle.String()), pr, dash(ev.BootID), ev.Message, ev.Fields, ev.Source.Path)
			if got != tt.want {
				t.Errorf("event\n got %s\nwant %s", got, tt.want)
			}
			if !ev.Time.Equal(tm) || ev.TimeQuality != event.TimeExact || ev.Source.Cursor != "2021-10-07T06:20:21.123Z" {
				t.Errorf("time %v (%v), cursor %q", ev.Time, ev.TimeQuality, ev.Source.Cursor)
			}
		})
	}
}

// TestMergeWindows: windows of one condition and host that overlap or
// touch become one; other hosts and conditions stay apart; a condition
// with more windows than the limit gets one spanning them, on any host.
func TestMergeWindows(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2025, 3, 10, 6, m, 0, 0, time.UTC) }
	shim := event.Filter{Op: event.FilterContains, Values: []string{"shim disconnected"}}
	eof := event.Filter{Op: event.FilterContains, Values: []string{"unexpected EOF"}}
	w := func(c event.Filter, host string, from, to int) WindowedFilter {
		return WindowedFilter{Cond: c, Host: host, Since: at(from), Until: at(to)}
	}
	str := func(ws []WindowedFilter) string {
		s := ""
		for _, w := range ws {
			s += fmt.Sprintf("%s %s %d-%d; ", w.Cond.Values[0], w.Host, w.Since.Minute(), w.Until.Minute())
		}
		return s
	}
	tests := []struct {
		name string
		in   []WindowedFilter
		max  int
		want string
	}{
		{"overlapping, touching and apart", []WindowedFilter{w(shim, "a", 10, 12), w(shim, "a", 0, 2), w(shim, "a", 11, 14), w(shim, "a", 14, 15), w(shim, "a", 3, 4)}, 10,
			"shim disconnected a 0-2; shim disconnected a 3-4; shim disconnected a 10-15; "},
		{"hosts and conditions apart", []WindowedFilter{w(shim, "b", 1, 3), w(eof, "a", 1, 3), w(shim, "a", 2, 4)}, 10,
			"shim disconnected a 2-4; shim disconnected b 1-3; unexpected EOF a 1-3; "},
		{"over the limit: one window", []WindowedFilter{w(shim, "a", 1, 2), w(shim, "b", 5, 6), w(shim, "a", 20, 21), w(eof, "a", 1, 2)}, 2,
			"shim disconnected  1-21; unexpected EOF a 1-2; "},
	}
	for _, tt := range tests {
		if got := str(MergeWindows(tt.in, tt.max)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestFetchWindows: a fetch is cut into as many equal windows as keep
// each under vlRowsPerWindow of the rows coverage says the range holds
// (in proportion to the part of each stream's span it overlaps): one
// for a small range; Window, when set, wins; 6 hours when the rows are
// not known.
func TestFetchWindows(t *testing.T) {
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	cov := []StreamCoverage{
		{Host: "a", Program: "kubelet", Rows: 3_000_000, First: t0, Last: t0.Add(30 * time.Hour)},
		{Host: "b", Program: "cron", Rows: 10, First: t0.Add(time.Hour), Last: t0.Add(time.Hour)},
		{Host: "c", Program: "app", Rows: 600_000, First: t0.Add(24 * time.Hour), Last: t0.Add(30 * time.Hour)},
	}
	tests := []struct {
		name         string
		since, until time.Duration
		rows         int64
		window       time.Duration
	}{
		{"whole", 0, 30 * time.Hour, 3_600_010, 10*time.Hour + time.Nanosecond},
		{"six hours of a", 0, 6 * time.Hour, 600_010, 6*time.Hour + time.Nanosecond},
		{"last six hours", 24 * time.Hour, 30 * time.Hour, 1_200_000, 6*time.Hour + time.Nanosecond},
		{"after every row", 31 * time.Hour, 32 * time.Hour, 0, 6 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := StoreQuery{Since: t0.Add(tt.since), Until: t0.Add(tt.until)}
			if q.Rows = EstimateRows(cov, q.Since, q.Until); q.Rows != tt.rows {
				t.Errorf("rows %d, want %d", q.Rows, tt.rows)
			}
			if w := (&VictoriaLogs{}).window(q); w != tt.window {
				t.Errorf("window %v, want %v", w, tt.window)
			}
			if w := (&VictoriaLogs{Window: time.Minute}).window(q); w != time.Minute {
				t.Errorf("with Window set: %v", w)
			}
		})
	}
}
