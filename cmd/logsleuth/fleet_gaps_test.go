package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// TestFleetGaps: a timeline read from a store reports a host that fell
// silent for hours in the middle of the range as a gap, with the times
// of its rows either side, and none for a host that logged throughout,
// although the candidates (an ssh brute force an hour apart) are far
// apart on both: the gaps come from the store's rows per host, not from
// what was fetched.
func TestFleetGaps(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	t0 := time.Date(2023, 9, 14, 0, 0, 0, 0, time.UTC)
	var rows []map[string]string
	add := func(host, app, msg string, ts time.Time) {
		rows = append(rows, map[string]string{"_time": ts.Format(time.RFC3339Nano), "hostname": host, "app_name": app,
			"_msg": msg, "seq": fmt.Sprint(len(rows))})
	}
	lastBefore, firstAfter := t0.Add(5*time.Hour+17*time.Minute+3*time.Second), t0.Add(10*time.Hour+2*time.Minute+41*time.Second)
	for ts := t0.Add(90 * time.Second); ts.Before(t0.Add(16 * time.Hour)); ts = ts.Add(3 * time.Minute) {
		for _, host := range []string{"app-1", "app-2"} {
			if host == "app-2" && ts.After(lastBefore) && ts.Before(firstAfter) {
				continue
			}
			add(host, "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", ts)
		}
	}
	add("app-2", "systemd", "Stopping User Login Management...", lastBefore)
	add("app-2", "kernel", "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)", firstAfter)
	for _, at := range []time.Duration{2 * time.Hour, 13 * time.Hour} {
		for i := range 12 {
			for _, host := range []string{"app-1", "app-2"} {
				add(host, "sshd", fmt.Sprintf("Invalid user admin from 203.0.113.40 port %d", 50000+i), t0.Add(at+time.Duration(i)*5*time.Second))
			}
		}
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	timelineOf := func(format string) string {
		t.Helper()
		ios, _, out, stderr := Test()
		argv := []string{"timeline", "--victorialogs", base, "--format", format, "--tz", "UTC",
			"--since", "2023-09-14 00:00", "--until", "2023-09-14 16:00"}
		if code := run(context.Background(), ios, argv); code != exitOK {
			t.Fatalf("%q: exit %d: %s", argv, code, stderr)
		}
		return out.String()
	}
	var rep struct {
		Findings []struct{ Signature, Host string }
		Coverage struct {
			Gaps []struct {
				Source, Host string
				From, To     time.Time
			}
		}
	}
	if err := json.Unmarshal([]byte(timelineOf("json")), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 4 {
		t.Errorf("%d findings, want the two brute forces on each host: %+v", len(rep.Findings), rep.Findings)
	}
	gaps := rep.Coverage.Gaps
	if len(gaps) != 1 || gaps[0].Host != "app-2" || !strings.HasSuffix(gaps[0].Source, ":app-2") ||
		!gaps[0].From.Equal(lastBefore) || !gaps[0].To.Equal(firstAfter) {
		t.Fatalf("gaps %+v, want app-2's from %v to %v", gaps, lastBefore, firstAfter)
	}
	text := timelineOf("text")
	if !strings.Contains(text, ":app-2: silent 4h46m, 2023-09-14T05:17:03Z .. 2023-09-14T10:02:41Z (usually every 3m)") {
		t.Errorf("the text report does not show the gap:\n%s", text)
	}
}
