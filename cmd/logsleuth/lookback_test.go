package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// The lookback before --since is skimmed (ingest.Skim): its lines that no
// signature can match are read for their time only and dropped. These
// tests read the same inputs with the lookback parsed whole and skimmed:
// every finding and near miss must be the same.

// logLine is one line of a generated log: its time, and its text after
// the stamp ("web-3 sshd[812]: ...", continuation lines after "\n").
type logLine struct {
	t    time.Time
	text string
}

// lineStamp formats t as a log format's header stamp.
type lineStamp func(t time.Time) string

var (
	stampRFC3164 lineStamp = func(t time.Time) string { return t.Format("Jan _2 15:04:05") }
	stampPrecise lineStamp = func(t time.Time) string { return t.Format("Jan 02 15:04:05.000000") }
	stampISO     lineStamp = func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000000-07:00") }
)

// quietLines are lines no built-in signature matches, as a busy host
// writes them: some hold words of the signatures' literals around them.
var quietLines = []string{
	"web-3 CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
	"web-3 systemd-resolved[603]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.",
	`web-3 dockerd[1201]: time="2021-01-02T09:00:00.000000000Z" level=info msg="ignoring event" container=3f1c module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"`,
	"web-3 kernel: [2118300.014289] br-4f0a7c2e9d11: port 8(veth370365f) entered forwarding state",
	"web-3 sshd[%d]: Accepted publickey for deploy from 10.0.4.7 port %d ssh2: ED25519 SHA256:Jx0q",
	"web-3 postfix/qmgr[2020]: 91BD789FBB: from=<noreply@web-3.example.com>, size=11809, nrcpt=1 (queue active)",
	"web-3 systemd[1]: Started Session %d of User deploy.",
	"web-3 containerd[880]: time=\"2021-01-02T09:00:00.000000000Z\" level=info msg=\"shim disconnected\" id=2434e9de namespace=moby",
	"web-3 kubelet[2047]: I0102 09:00:00.984369    2047 kubelet.go:2000] \"SyncLoop ADD\" source=\"api\" pods=[default/worker-6b7c8d9e0-m3n4b]",
	"web-3 apt-helper[%d]: E: Sub-process nm-online returned an error code (1)",
}

// quiet returns lines every gap from from to to, cycling quietLines.
func quiet(from, to time.Time, gap time.Duration) []logLine {
	var out []logLine
	n := 0
	for t := from; t.Before(to); t = t.Add(gap) {
		text := quietLines[n%len(quietLines)]
		switch strings.Count(text, "%d") {
		case 1:
			text = fmt.Sprintf(text, 1000+n%30000)
		case 2:
			text = fmt.Sprintf(text, 1000+n%30000, 40000+n%20000)
		}
		out = append(out, logLine{t, text})
		n++
	}
	return out
}

// at is a line at a clock time of day 2021-01-02 UTC.
func at(clock, text string) logLine {
	t, err := time.Parse("2006-01-02 15:04:05", "2021-01-02 "+clock)
	if err != nil {
		panic(err)
	}
	return logLine{t, text}
}

// writeStampedLog writes lines in time order (stable) with st's stamps to
// path, gzipped when it ends in .gz (header time: its last line).
func writeStampedLog(t *testing.T, path string, st lineStamp, lines []logLine) {
	t.Helper()
	slices.SortStableFunc(lines, func(a, b logLine) int { return a.t.Compare(b.t) })
	var b strings.Builder
	for _, l := range lines {
		head, rest, _ := strings.Cut(l.text, "\n")
		b.WriteString(st(l.t) + " " + head + "\n")
		if rest != "" {
			b.WriteString(rest + "\n")
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".gz") {
		zw := gzip.NewWriter(f)
		zw.ModTime = lines[len(lines)-1].t
		if _, err := zw.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	} else if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, lines[len(lines)-1].t, lines[len(lines)-1].t); err != nil {
		t.Fatal(err)
	}
}

// between returns the lines of ls in [from, to).
func between(ls []logLine, from, to time.Time) []logLine {
	var out []logLine
	for _, l := range ls {
		if !l.t.Before(from) && l.t.Before(to) {
			out = append(out, l)
		}
	}
	return out
}

// chains are incidents whose first steps lie before 10:00 (the cases'
// --since) and whose ends lie after it, and near misses.
func chains() []logLine {
	ls := []logLine{
		// unattended-upgrade: the upgrade starts 2h10m before --since,
		// docker stops 10m before it and is not started again.
		at("07:50:00", "web-3 systemd[1]: Starting Daily apt upgrade and clean activities..."),
		at("09:50:00", "web-3 systemd[1]: Stopping Docker Application Container Engine..."),
		at("09:50:02", "web-3 systemd[1]: docker.service: Deactivated successfully."),
		at("09:50:02", "web-3 systemd[1]: Stopped Docker Application Container Engine."),
		// near miss: containerd stopped and started again, all before
		at("08:20:00", "web-3 systemd[1]: Stopping containerd container runtime..."),
		at("08:20:01", "web-3 systemd[1]: Stopped containerd container runtime."),
		at("08:21:00", "web-3 systemd[1]: Starting containerd container runtime..."),
		at("08:21:01", "web-3 systemd[1]: Started containerd container runtime."),
		// restart-loop: the crashes begin before --since, the limit is
		// hit after it
		at("09:40:00", "web-3 systemd[1]: acme-agent.service: Main process exited, code=exited, status=1/FAILURE"),
		at("09:40:00", "web-3 systemd[1]: acme-agent.service: Failed with result 'exit-code'."),
		at("09:40:05", "web-3 systemd[1]: acme-agent.service: Scheduled restart job, restart counter is at 5."),
		at("10:05:00", "web-3 systemd[1]: acme-agent.service: Start request repeated too quickly."),
		at("10:05:00", "web-3 systemd[1]: acme-agent.service: Failed with result 'start-limit-hit'."),
		// disk-full: deduplicated by host within 1h, the first hit
		// before --since
		at("09:30:00", "web-3 dockerd[1201]: time=\"2021-01-02T09:30:00Z\" level=error msg=\"write /var/lib/docker/tmp/x: no space left on device\""),
		at("10:10:00", "web-3 kernel: EXT4-fs warning (device sda1): ext4_dx_add_entry: Directory index full! No space left on device"),
	}
	// ssh-bruteforce: a burst from one address across --since (a
	// threshold of 10 in 5m)
	base := at("09:57:00", "").t
	for i := range 12 {
		ls = append(ls, logLine{base.Add(time.Duration(i) * 25 * time.Second),
			fmt.Sprintf("web-3 sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2", 30000+i, 50000+i)})
	}
	// a burst of the same address well before --since, too short
	for i := range 4 {
		ls = append(ls, logLine{base.Add(-3*time.Hour + time.Duration(i)*time.Minute),
			fmt.Sprintf("web-3 sshd[%d]: Failed password for admin from 203.0.113.9 port %d ssh2", 31000+i, 51000+i)})
	}
	return ls
}

// multiLine are records with continuation lines before --since (as
// journalctl prints a multi-line message): one holds the disk-full
// signature's text in its second line only, and one a stack trace.
func multiLine() []logLine {
	return []logLine{
		at("09:31:00", "web-3 backup.sh[4242]: tar: writing archive failed\n                                            tar: /srv/backup/db.tar: Cannot write: No space left on device"),
		at("09:32:00", "web-3 java[5151]: Exception in thread \"main\" java.lang.IllegalStateException: pool closed\n                                            \tat com.example.Pool.get(Pool.java:88)\n                                            \tat com.example.Main.main(Main.java:12)"),
		at("06:30:00", "web-3 kernel: Linux version 5.15.0-91-generic (buildd@lcy02-amd64-045) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0) #101-Ubuntu SMP"),
	}
}

// TestLookbackSkimmed reads each case with --since 10:00 twice, the
// lookback parsed whole and skimmed: the findings and near misses must
// be the same, the wanted findings among them, and lines skimmed.
func TestLookbackSkimmed(t *testing.T) {
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	day := at("00:00:00", "").t
	all := func(gap time.Duration, extra ...[]logLine) []logLine {
		ls := append(quiet(day.Add(2*time.Hour), day.Add(12*time.Hour), gap), chains()...)
		for _, e := range extra {
			ls = append(ls, e...)
		}
		return ls
	}
	want := []string{"disk-full", "restart-loop", "ssh-bruteforce", "unattended-upgrade"}
	for _, c := range []struct {
		name  string
		write func(t *testing.T, dir string) []string
	}{
		{"rfc3164 plain", func(t *testing.T, dir string) []string {
			writeStampedLog(t, filepath.Join(dir, "syslog"), stampRFC3164, all(200*time.Millisecond))
			return []string{filepath.Join(dir, "syslog")}
		}},
		{"rfc3164 rotated and gzipped", func(t *testing.T, dir string) []string {
			ls := all(200 * time.Millisecond)
			writeStampedLog(t, filepath.Join(dir, "syslog.2.gz"), stampRFC3164, between(ls, day, day.Add(6*time.Hour)))
			writeStampedLog(t, filepath.Join(dir, "syslog.1"), stampRFC3164, between(ls, day.Add(6*time.Hour), day.Add(9*time.Hour+45*time.Minute)))
			writeStampedLog(t, filepath.Join(dir, "syslog"), stampRFC3164, between(ls, day.Add(9*time.Hour+45*time.Minute), day.Add(24*time.Hour)))
			return []string{filepath.Join(dir, "syslog.2.gz"), filepath.Join(dir, "syslog.1"), filepath.Join(dir, "syslog")}
		}},
		{"journalctl short-precise with multi-line records", func(t *testing.T, dir string) []string {
			writeStampedLog(t, filepath.Join(dir, "journal.txt"), stampPrecise, all(300*time.Millisecond, multiLine()))
			return []string{filepath.Join(dir, "journal.txt")}
		}},
		{"RSYSLOG_FileFormat gzipped", func(t *testing.T, dir string) []string {
			writeStampedLog(t, filepath.Join(dir, "syslog.1.gz"), stampISO, all(300*time.Millisecond, multiLine()))
			return []string{filepath.Join(dir, "syslog.1.gz")}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			paths := c.write(t, t.TempDir())
			since := at("10:00:00", "").t
			whole, wholeSkimmed := lookbackRun(t, sigs, paths, 2021, since, true)
			skimmed, n := lookbackRun(t, sigs, paths, 2021, since, false)
			if wholeSkimmed != 0 {
				t.Errorf("%d lines skimmed with the lookback read whole", wholeSkimmed)
			}
			if n == 0 {
				t.Error("no line skimmed")
			}
			if whole != skimmed {
				t.Errorf("skimmed lookback: findings and near misses differ\nwhole:\n%s\nskimmed:\n%s", whole, skimmed)
			}
			for _, id := range want {
				if !strings.Contains(whole, "finding "+id+" ") {
					t.Errorf("no %s finding:\n%s", id, whole)
				}
			}
		})
	}
}

// TestLookbackSkimmedNewYear: a year-less log read from --year 2020
// crosses New Year; its stamps after it are read a year later than the
// year lines are parsed with, so lines after --since look a year before
// it until assembled: they must still be read whole.
func TestLookbackSkimmedNewYear(t *testing.T) {
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	newYear := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	ls := quiet(newYear.Add(-2*time.Hour), newYear.Add(2*time.Hour), 250*time.Millisecond)
	ls = append(ls, logLine{newYear.Add(-10 * time.Minute), "web-3 systemd[1]: Starting Daily apt upgrade and clean activities..."},
		logLine{newYear.Add(40 * time.Minute), "web-3 systemd[1]: Stopping Docker Application Container Engine..."})
	for i := range 12 {
		ls = append(ls, logLine{newYear.Add(55*time.Minute + time.Duration(i)*20*time.Second),
			fmt.Sprintf("web-3 sshd[%d]: Failed password for root from 198.51.100.4 port %d ssh2", 30000+i, 50000+i)})
	}
	path := filepath.Join(t.TempDir(), "syslog")
	writeStampedLog(t, path, stampRFC3164, ls)
	since := newYear.Add(30 * time.Minute)
	whole, _ := lookbackRun(t, sigs, []string{path}, 2020, since, true)
	skimmed, n := lookbackRun(t, sigs, []string{path}, 2020, since, false)
	if n == 0 {
		t.Error("no line skimmed")
	}
	if whole != skimmed {
		t.Errorf("skimmed lookback: findings and near misses differ\nwhole:\n%s\nskimmed:\n%s", whole, skimmed)
	}
	for _, f := range []string{"finding ssh-bruteforce confirmed \"\" web-3 2021-01-01T00:55:00Z", "finding unattended-upgrade confirmed"} {
		if !strings.Contains(whole, f) {
			t.Errorf("no %q after New Year:\n%s", f, whole)
		}
	}
}

// lookbackRun reads paths with --since since, the lookback parsed whole
// or skimmed, and returns its findings and near misses, one per line
// (and every event from --since on), and how many lines were skimmed.
func lookbackRun(t *testing.T, sigs []*signature.Signature, paths []string, year int, since time.Time, whole bool) (string, int64) {
	t.Helper()
	out, sources := lookbackSources(t, sigs, paths, year, since, whole)
	var skimmed int64
	for _, s := range sources {
		skimmed += s.Skimmed
	}
	return out, skimmed
}

// dumpFindings writes what a report shows of findings and near misses.
func dumpFindings(a *analysis) string {
	var b strings.Builder
	ev := func(e engine.Evidence) {
		fmt.Fprintf(&b, "  %s %s %s:%d %s %s %q\n", e.Step, e.Event.Time.Format(time.RFC3339Nano), e.Event.Source.Path,
			e.Event.Source.Line, e.Event.Host, e.Event.Program, e.Event.Message)
	}
	for _, f := range a.Findings {
		fmt.Fprintf(&b, "finding %s %s %q %s %s..%s count %d %q %v\n", f.Signature.ID, f.Outcome, f.Reason, f.Host,
			f.Start.Format(time.RFC3339Nano), f.End.Format(time.RFC3339Nano), f.Count, f.Summary, f.Captures)
		for _, e := range f.Evidence {
			ev(e)
		}
	}
	for _, n := range a.NearMisses {
		fmt.Fprintf(&b, "near miss %s %q %d %q %s\n", n.Signature.ID, n.Group, n.Steps, n.Reason, n.Time.Format(time.RFC3339Nano))
		for _, e := range n.Evidence {
			ev(e)
		}
	}
	return b.String()
}

// TestFixturesSkimmedLookback reads every fixture case with --since in
// the middle of each of its findings (at most two), so that their first
// steps lie in the lookback: skimmed, the lookback must give the
// findings and near misses that reading it whole gives.
func TestFixturesSkimmedLookback(t *testing.T) {
	sigs, cases := builtinCases(t)
	compared, skimmed := 0, int64(0)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			a, _, err := analyzeCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var sinces []time.Time
			for _, f := range a.Findings {
				if f.End.After(f.Start) && len(sinces) < 2 {
					sinces = append(sinces, f.Start.Add(f.End.Sub(f.Start)/2))
				}
			}
			for _, since := range sinces {
				run := func(whole bool) string {
					a, _, err := analyzeCaseWith(context.Background(), c, sigs, engine.Options{}, func(in *InputFlags) {
						in.SinceT, in.wholeLookback = since, whole
					})
					if err != nil {
						t.Fatal(err)
					}
					for _, src := range a.Sources {
						skimmed += src.Skimmed
					}
					return dumpFindings(a)
				}
				whole, skim := run(true), run(false)
				if whole != skim {
					t.Errorf("--since %s: skimmed lookback: findings and near misses differ\nwhole:\n%s\nskimmed:\n%s", since.Format(time.RFC3339Nano), whole, skim)
				}
				compared++
			}
		})
	}
	t.Logf("%d runs with --since compared, %d lines skimmed", compared, skimmed)
	if compared < 50 || skimmed < 100 {
		t.Errorf("only %d runs with --since compared, %d lines skimmed", compared, skimmed)
	}
}

// TestLookbackSkimmedRuns: lines of one stamp that are skimmed one after
// another are folded into one event (parse.Parsed.SkimRun). Ten lines a
// second, so that runs are long: with a multi-line record inside a run,
// and across New Year from a year-less log read with --year 2020 (the
// runs after it are placed a year later, into the range, and read whole
// again). The findings, near misses, events from --since on and every
// source's statistics must be those of the lookback read whole.
func TestLookbackSkimmedRuns(t *testing.T) {
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	newYear := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		year  int
		since time.Time
		lines []logLine
	}{
		{"multi-line records", 2021, at("10:00:00", "").t,
			append(append(quiet(at("07:00:00", "").t, at("11:00:00", "").t, 100*time.Millisecond), chains()...), multiLine()...)},
		{"New Year", 2020, newYear.Add(30 * time.Minute),
			append(quiet(newYear.Add(-90*time.Minute), newYear.Add(90*time.Minute), 100*time.Millisecond),
				logLine{newYear.Add(-10 * time.Minute), "web-3 systemd[1]: Starting Daily apt upgrade and clean activities..."},
				logLine{newYear.Add(40 * time.Minute), "web-3 systemd[1]: Stopping Docker Application Container Engine..."},
				logLine{newYear.Add(-5 * time.Second), "web-3 backup.sh[4242]: tar: writing archive failed\n    tar: /srv/backup/db.tar: Cannot write: No space left on device"})},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "syslog")
			writeStampedLog(t, path, stampRFC3164, c.lines)
			whole, wholeStats := lookbackSources(t, sigs, []string{path}, c.year, c.since, true)
			skimmed, skimStats := lookbackSources(t, sigs, []string{path}, c.year, c.since, false)
			if whole != skimmed {
				t.Errorf("skimmed lookback: findings and near misses differ\nwhole:\n%s\nskimmed:\n%s", whole, skimmed)
			}
			if len(wholeStats) != 1 || len(skimStats) != 1 {
				t.Fatalf("sources: %d and %d, want 1", len(wholeStats), len(skimStats))
			}
			w, s := wholeStats[0], skimStats[0]
			if s.Skimmed == 0 {
				t.Error("no line skimmed")
			}
			if before := int64(len(between(c.lines, time.Time{}, c.since))); s.Skimmed >= before {
				t.Errorf("%d lines skimmed, of %d before --since", s.Skimmed, before)
			}
			w.Skimmed = s.Skimmed
			if w != s {
				t.Errorf("source statistics differ\nwhole:   %+v\nskimmed: %+v", w, s)
			}
		})
	}
}

// lookbackSources is lookbackRun with its sources' statistics.
func lookbackSources(t *testing.T, sigs []*signature.Signature, paths []string, year int, since time.Time, whole bool) (string, []ingest.SourceStats) {
	t.Helper()
	in := InputFlags{Paths: paths, Location: time.UTC, Year: year, SinceT: since, Lookback: defaultLookback, wholeLookback: whole}
	ios, _, _, _ := Test()
	// What the timeline counts (error lines, gaps, boots): every event
	// from --since on, as without skimming.
	var after strings.Builder
	a, err := analyze(context.Background(), ios, &in, sigs, &event.Warnings{}, engine.Options{}, func(ev *event.Event) {
		if !ev.Time.Before(since) {
			fmt.Fprintf(&after, "%s %s:%d %s %s %s %q\n", ev.Time.Format(time.RFC3339Nano), ev.Source.Path, ev.Source.Line,
				ev.Host, ev.Program, ev.Unit, ev.Message)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return dumpFindings(a) + after.String(), a.Sources
}
