package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// seekLimits makes small files searchable, with a search that narrows to
// a few lines before it reads line by line.
func seekLimits(t *testing.T) {
	ms, sw, vw := minSeekSize, seekWindow, verifyWindow
	minSeekSize, seekWindow, verifyWindow = 4<<10, 512, 1<<10
	t.Cleanup(func() { minSeekSize, seekWindow, verifyWindow = ms, sw, vw })
}

// logLine writes one line of a busy host's syslog at t: RFC 3164 with
// year-less stamps (rfc3164), or RSYSLOG_FileFormat (rfc3339).
func logLine(b *strings.Builder, format string, t time.Time, i int) {
	msgs := []string{
		"sshd[%d]: Failed password for invalid user admin from 203.0.113.%d port 52214 ssh2",
		"CRON[%d]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1 # %d)",
		"kernel: [%d.118201] IPv4: martian source 10.0.0.%d from 10.0.0.1, on dev eth0",
		"systemd[1]: Started Session %d of user ubuntu (slot %d).",
		"containerd[%d]: time=\"2022-01-01T00:00:00Z\" level=info msg=\"shim disconnected\" id=%x",
	}
	var stamp string
	if format == "rfc3164" {
		stamp = t.Format("Jan _2 15:04:05")
	} else {
		stamp = t.Format("2006-01-02T15:04:05.000000Z07:00")
	}
	fmt.Fprintf(b, "%s web-3 "+msgs[i%len(msgs)]+"\n", stamp, 1000+i%5000, i%250)
}

// ticks returns n times from start, step apart.
func ticks(start time.Time, step time.Duration, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * step)
	}
	return out
}

func logText(format string, times ...[]time.Time) []byte {
	var b strings.Builder
	i := 0
	for _, ts := range times {
		for _, t := range ts {
			logLine(&b, format, t, i)
			i++
		}
	}
	return []byte(b.String())
}

// inSince is what --since keeps of a whole read: the reference a seek
// must agree with.
func inSince(evs []event.Event, since time.Time) []event.Event {
	var out []event.Event
	for _, ev := range evs {
		if ev.Time.IsZero() || !ev.Time.Before(since) {
			out = append(out, ev)
		}
	}
	return out
}

// checkSeek reads opts with and without Since and requires the seek to
// change nothing but what it skipped.
func checkSeek(t *testing.T, opts Options, since time.Time) result {
	t.Helper()
	whole := run(t, opts)
	opts.Since = since
	opts.Warnings = nil
	got := run(t, opts)
	if g, w := view(got.events), view(inSince(whole.events, since)); !slices.Equal(g, w) {
		t.Errorf("with the seek, %d events; read whole and filtered, %d", len(g), len(w))
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Errorf("first difference at %d:\n got  %s\n want %s", i, g[i], w[i])
				break
			}
		}
	}
	return got
}

func TestSeekPlainFile(t *testing.T) {
	seekLimits(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start := utc("2022-03-14T00:00:00Z")
	tests := []struct {
		name   string
		format string
		data   []byte
		mtime  time.Time // for year-less stamps
		since  time.Time
		// wantLines: lines the search skipped (-1: any number > 0); 0
		// means the file was read whole.
		wantLines int64
		wantWhole bool
	}{
		{"ordered", "rfc3339", logText("rfc3339", ticks(start, 10*time.Second, 3000)),
			time.Time{}, start.Add(5 * time.Hour), 1440, false},
		{"ordered, since before the first line", "rfc3339", logText("rfc3339", ticks(start, 10*time.Second, 3000)),
			time.Time{}, start.Add(-time.Minute), 0, false},
		{"ordered, every line before since", "rfc3339", logText("rfc3339", ticks(start, 10*time.Second, 3000)),
			time.Time{}, start.Add(10 * time.Hour), 0, true},
		// A burst of 400 lines in the same second an hour before since
		// (where the search lands) and another at since: it lands on the
		// first of the first burst, and keeps all of the second.
		{"burst of equal stamps at the landing point", "rfc3339", logText("rfc3339",
			ticks(start, 10*time.Second, 1080), ticks(start.Add(3*time.Hour), 0, 400),
			ticks(start.Add(3*time.Hour+time.Second), 10*time.Second, 360), ticks(start.Add(4*time.Hour), 0, 400),
			ticks(start.Add(4*time.Hour+time.Second), 10*time.Second, 500)),
			time.Time{}, start.Add(4 * time.Hour), 1080, false},
		// The clock stepped back three hours halfway: a search would
		// land in either half; the file is read whole.
		{"unordered: the clock steps back", "rfc3339", logText("rfc3339",
			ticks(start.Add(2*time.Hour), 10*time.Second, 1500), ticks(start, 10*time.Second, 1500)),
			time.Time{}, start.Add(4 * time.Hour), 0, false},
		// In order where the search probes, but a line just before
		// where it lands is stamped after since: read whole.
		{"unordered: a line from the future before the landing point", "rfc3339", logText("rfc3339",
			ticks(start, 10*time.Second, 1435), ticks(start.Add(6*time.Hour), 0, 1), ticks(start.Add(1436*10*time.Second), 10*time.Second, 1564)),
			time.Time{}, start.Add(5 * time.Hour), 0, false},
		{"newest first", "rfc3339", logText("rfc3339", reversed(ticks(start, 10*time.Second, 3000))),
			time.Time{}, start.Add(4 * time.Hour), 0, false},
		{"a timeless first line is kept: read whole", "rfc3339",
			append([]byte("$ tail -n 3000 /var/log/syslog\n"), logText("rfc3339", ticks(start, 10*time.Second, 3000))...),
			time.Time{}, start.Add(5 * time.Hour), 0, false},
		// Year-less stamps across New Year, anchored by the file's mtime:
		// the lines after Jan 1 are of the next year.
		{"year rollover, since after New Year", "rfc3164",
			logText("rfc3164", ticks(utc("2021-12-31T16:00:00Z"), 10*time.Second, 3600)),
			utc("2022-01-01T06:00:00Z"), utc("2022-01-01T01:00:00Z"), 2880, false},
		{"year rollover, since before New Year", "rfc3164",
			logText("rfc3164", ticks(utc("2021-12-31T16:00:00Z"), 10*time.Second, 3600)),
			utc("2022-01-01T06:00:00Z"), utc("2021-12-31T22:00:00Z"), 1800, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "syslog", tt.data)
			if !tt.mtime.IsZero() {
				if err := os.Chtimes(p, tt.mtime, tt.mtime); err != nil {
					t.Fatal(err)
				}
			}
			r := checkSeek(t, Options{Paths: []string{p}, Location: time.UTC}, tt.since)
			sk := r.sources[0].Skipped
			switch {
			case tt.wantWhole:
				if !sk.Whole || sk.By != skipByLastLine || sk.Bytes != int64(len(tt.data)) {
					t.Errorf("Skipped %+v, want the whole file, by its last line", sk)
				}
			case tt.wantLines == 0:
				if sk != (Skip{}) {
					t.Errorf("Skipped %+v, want the file read whole", sk)
				}
			default:
				if sk.Whole || sk.By != skipBySearch || sk.Lines != tt.wantLines {
					t.Errorf("Skipped %+v, want %d lines by binary search", sk, tt.wantLines)
				}
				if n := int64(strings.Count(string(tt.data), "\n")); r.sources[0].Events != n-sk.Lines {
					t.Errorf("%d events read, want the %d lines from the landing point", r.sources[0].Events, n-sk.Lines)
				}
			}
		})
	}
}

func reversed(ts []time.Time) []time.Time {
	out := slices.Clone(ts)
	slices.Reverse(out)
	return out
}

// A rotated set read with --since: old members are skipped whole by what
// bounds their end (the gzip header, the mtime, the next newer file's
// first line), the file that holds since is searched, and whatever may
// reach since is read.
func TestSeekRotatedSet(t *testing.T) {
	seekLimits(t)
	day := func(d int) time.Time { return time.Date(2022, 3, 10+d, 6, 25, 0, 0, time.UTC) }
	dayLog := func(d int) []byte { return logText("rfc3164", ticks(day(d-1), 30*time.Second, 2880)) }
	copied := day(9) // a copy's mtime: when it was copied
	files := []struct {
		name  string
		data  []byte
		mtime time.Time
	}{
		{"syslog.4.gz", gzipBytes(t, dayLog(1), day(1)), day(1)},
		// cat | gzip stores no header time: the file's mtime bounds it.
		{"syslog.3.gz", gzipBytes(t, dayLog(2), time.Unix(0, 0)), day(2)},
		// Copies: syslog.1's first line bounds syslog.2.gz, the live
		// file's syslog.1.
		{"syslog.2.gz", gzipBytes(t, dayLog(3), time.Unix(0, 0)), copied},
		{"syslog.1", dayLog(4), copied},
		{"syslog", logText("rfc3164", ticks(day(4), 30*time.Second, 2700)), day(5)},
	}
	tests := []struct {
		name  string
		since time.Time
		want  []string // Skipped.By of each file
	}{
		{"since hours into the live file", day(4).Add(3 * time.Hour),
			[]string{skipByGzip, skipByMtime, skipByNewer, skipByNewer, skipBySearch}},
		// Less than an hour after the rotation: syslog.1 may hold lines
		// at since (written late); it is searched, the live file read
		// from its start.
		{"since just after the rotation", day(4).Add(30 * time.Minute),
			[]string{skipByGzip, skipByMtime, skipByNewer, skipBySearch, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range files {
				p := writeFile(t, dir, f.name, f.data)
				if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
					t.Fatal(err)
				}
			}
			r := checkSeek(t, Options{Paths: []string{dir}, Location: time.UTC}, tt.since)
			if len(r.sources) != len(files) {
				t.Fatalf("%d sources, want %d", len(r.sources), len(files))
			}
			for i, f := range files {
				got := r.sources[i]
				if filepath.Base(got.Path) != f.name {
					t.Fatalf("source %d is %s, want %s", i, got.Path, f.name)
				}
				whole := tt.want[i] != "" && tt.want[i] != skipBySearch
				if got.Skipped.By != tt.want[i] || got.Skipped.Whole != whole {
					t.Errorf("%s: Skipped %+v, want by %q", f.name, got.Skipped, tt.want[i])
				}
				if whole && (got.Events != 0 || got.Skipped.Bytes != int64(len(f.data))) {
					t.Errorf("%s: skipped whole but %d events read, %d of %d bytes counted", f.name, got.Events, got.Skipped.Bytes, len(f.data))
				}
			}
		})
	}
}

// Archive members: a member whose tar time (or gzip header) ends before
// since is not read; one with no usable time is.
func TestSeekArchiveMembers(t *testing.T) {
	old := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2022, 3, 9, 12, 0, 0, 0, time.UTC)
	since := time.Date(2022, 3, 9, 11, 0, 0, 0, time.UTC)
	oldLog := logText("rfc3339", ticks(old.Add(-24*time.Hour), time.Minute, 1440))
	newLog := logText("rfc3339", ticks(since.Add(-3*time.Hour), time.Minute, 200))
	arch := tarBytes(t,
		member{name: "var/log/syslog.2.gz", data: gzipBytes(t, oldLog, time.Unix(0, 0)), mod: old},
		member{name: "var/log/syslog.1.gz", data: gzipBytes(t, oldLog, old), mod: recent},
		member{name: "var/log/kern.log", data: oldLog, mod: time.Unix(0, 0)},
		member{name: "var/log/syslog", data: newLog, mod: recent},
	)
	p := writeFile(t, t.TempDir(), "sosreport-web-3.tar", arch)
	r := checkSeek(t, Options{Paths: []string{p}, Location: time.UTC}, since)
	want := map[string]string{
		p + ":var/log/syslog.2.gz": skipByMember,
		p + ":var/log/syslog.1.gz": skipByGzip,
		p + ":var/log/kern.log":    "",
		p + ":var/log/syslog":      "",
	}
	for _, s := range r.sources {
		by, ok := want[s.Path]
		if !ok {
			t.Errorf("unexpected source %s", s.Path)
			continue
		}
		if s.Skipped.By != by || s.Skipped.Whole != (by != "") {
			t.Errorf("%s: Skipped %+v, want by %q", s.Path, s.Skipped, by)
		}
	}
}

// A year-less file whose zone no evidence names: its reading may lie a
// zone's offset after the instant its mtime records, so the bound gets a
// day more before it skips the file.
func TestSeekAssumedZone(t *testing.T) {
	since := time.Date(2022, 3, 9, 12, 0, 0, 0, time.UTC)
	data := logText("rfc3164", ticks(since.Add(-8*time.Hour), time.Minute, 240))
	end := since.Add(-3 * time.Hour)
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"--tz names the zone", time.UTC, skipByGzip},
		{"zone assumed", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "syslog.2.gz", gzipBytes(t, data, end))
			r := run(t, Options{Paths: []string{p}, Location: tt.loc, Since: since})
			if got := r.sources[0].Skipped.By; got != tt.want {
				t.Errorf("skipped by %q, want %q", got, tt.want)
			}
		})
	}
}

// Year-less files whose zone was assumed (no --tz, no evidence): their
// mtimes bound nothing near since, but the next newer file of the set,
// read in the same zone, starts where the older one ended.
func TestSeekNewerBound(t *testing.T) {
	rot := time.Date(2022, 3, 12, 6, 25, 0, 0, time.Local)
	older := logText("rfc3164", ticks(rot.Add(-24*time.Hour), time.Minute, 1440))
	newer := logText("rfc3164", ticks(rot, time.Minute, 600))
	tests := []struct {
		name  string
		since time.Time
		want  string
	}{
		{"since hours into the newer file", rot.Add(5 * time.Hour), skipByNewer},
		// Within an hour of the newer file's start: lines of the older
		// one may still be at since (written late): read.
		{"since just after the rotation", rot.Add(30 * time.Minute), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p2 := writeFile(t, dir, "syslog.2.gz", gzipBytes(t, older, rot))
			p1 := writeFile(t, dir, "syslog.1", newer)
			for _, p := range []string{p2, p1} {
				if err := os.Chtimes(p, rot.Add(10*time.Hour), rot); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chtimes(p2, rot, rot); err != nil {
				t.Fatal(err)
			}
			r := checkSeek(t, Options{Paths: []string{p2, p1}}, tt.since)
			if got := r.sources[0].Skipped.By; got != tt.want {
				t.Errorf("syslog.2.gz skipped by %q, want %q", got, tt.want)
			}
			if r.sources[1].Skipped.By != "" {
				t.Errorf("syslog.1 skipped: %+v", r.sources[1].Skipped)
			}
		})
	}
}
