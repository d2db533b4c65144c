package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

const journalTestdata = "testdata/journal"

// journalDir builds a directory holding one .journal file per export
// fixture, the way a systemd-journal-remote directory holds one file per
// host.
func journalDir(t testing.TB, fixtures ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range fixtures {
		makeJournal(t, filepath.Join(journalTestdata, f+".export"), filepath.Join(dir, "remote-"+f+".journal"))
	}
	return dir
}

// model is what the journal tests compare of an event: the Event model
// without its source reference.
func model(ev *event.Event) string {
	return fmt.Sprintf("%s %s boot=%s %s[%d] unit=%s lc=%s prio=%d %q", ev.Time.Format(time.RFC3339Nano), ev.Host,
		ev.BootID, ev.Program, ev.PID, ev.Unit, ev.Lifecycle, ev.Priority, ev.Message)
}

func models(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = model(&evs[i])
	}
	return out
}

func TestJournalDirTwoHosts(t *testing.T) {
	dir := journalDir(t, "web-1", "web-2")
	r := run(t, Options{JournalDirs: []string{dir}})
	if len(r.warnings) > 0 {
		t.Errorf("warnings: %v", r.warnings)
	}
	if !r.readable {
		t.Error("not readable")
	}
	want := 0
	for _, f := range []string{"web-1", "web-2"} {
		data, _ := os.ReadFile(filepath.Join(journalTestdata, f+".export"))
		want += exportEntries(data)
	}
	if len(r.events) != want {
		t.Fatalf("%d events, want %d", len(r.events), want)
	}
	hosts, boots := map[string]int{}, map[string]bool{}
	for i := range r.events {
		ev := &r.events[i]
		hosts[ev.Host]++
		boots[ev.BootID] = true
		if i > 0 && ev.Time.Before(r.events[i-1].Time) {
			t.Errorf("event %d at %s before the one before it (%s)", i, ev.Time, r.events[i-1].Time)
		}
		if ev.Source.Path != "journal:"+dir || ev.Source.Format != parse.FormatJournal || ev.Source.Line != 0 {
			t.Errorf("event %d source %+v", i, ev.Source)
		}
		if !strings.HasPrefix(ev.Source.Cursor, "s=") || !strings.Contains(ev.Source.Cursor, ";b="+ev.BootID+";") {
			t.Errorf("event %d cursor %q does not name boot %s", i, ev.Source.Cursor, ev.BootID)
		}
		if ev.TimeQuality != event.TimeExact {
			t.Errorf("event %d time quality %s", i, ev.TimeQuality)
		}
	}
	if hosts["web-1"] == 0 || hosts["web-2"] == 0 || len(hosts) != 2 {
		t.Errorf("hosts %v", hosts)
	}
	if len(boots) != 4 {
		t.Errorf("%d boots, want 4 (two per host): %v", len(boots), boots)
	}
	if len(r.sources) != 1 || r.sources[0].Path != "journal:"+dir || r.sources[0].Events != int64(want) ||
		r.sources[0].Format != parse.FormatJournal || r.sources[0].TimeQuality != "exact" {
		t.Errorf("sources %+v", r.sources)
	}

	// One event in full: a systemd unit message with its catalog id.
	i := slices.IndexFunc(r.events, func(ev event.Event) bool {
		return ev.Host == "web-1" && strings.HasPrefix(ev.Message, "Stopping containerd.service")
	})
	if i < 0 {
		t.Fatal("web-1's stop of containerd not read")
	}
	ev := r.events[i]
	if got, want := model(&ev), `2021-10-07T06:20:21.433Z web-1 boot=0f1e2d3c4b5a69780000000000000002 systemd[1] unit=containerd.service lc=stopping prio=6 "Stopping containerd.service - containerd container runtime..."`; got != want {
		t.Errorf("event\n got %s\nwant %s", got, want)
	}
	for k, v := range map[string]string{"_TRANSPORT": "journal", "_SYSTEMD_UNIT": "init.scope", "UNIT": "containerd.service",
		"MESSAGE_ID": "de5b426a63be47a7b6ac3eaac82e2f6f"} {
		if got, _ := ev.Field(k); got != v {
			t.Errorf("field %s = %q, want %q (fields %v)", k, got, v, ev.Fields)
		}
	}
	// A kernel entry: no pid, program from SYSLOG_IDENTIFIER.
	k := slices.IndexFunc(r.events, func(ev event.Event) bool { return ev.Host == "web-2" && ev.Program == "kernel" })
	if k < 0 || r.events[k].PID != 0 || !strings.HasPrefix(r.events[k].Message, "Linux version 5.15.0-86-generic") {
		t.Errorf("web-2 kernel entry: %+v", r.events[k])
	}
	if tr, _ := r.events[k].Field("_TRANSPORT"); tr != "kernel" {
		t.Errorf("kernel _TRANSPORT %q", tr)
	}
}

// The native reader and the export reader must make the same events of
// the same entries.
func TestJournalMatchesExport(t *testing.T) {
	exp := filepath.Join(journalTestdata, "seed002.export")
	j := makeJournal(t, exp, "")
	native := run(t, Options{JournalFiles: []string{j}})
	text := run(t, Options{Paths: []string{exp}})
	if len(native.warnings)+len(text.warnings) > 0 {
		t.Errorf("warnings: %v %v", native.warnings, text.warnings)
	}
	got, want := models(native.events), models(text.events)
	if !slices.Equal(got, want) {
		t.Errorf("native journal events differ from the export's:\n got %q\nwant %q", got, want)
	}
	if len(got) != 23 {
		t.Errorf("%d events, want 23", len(got))
	}
	// The incident's lines, with lifecycle and unit from the journal.
	for _, w := range []string{
		`2020-12-01T21:55:52.1203Z test-server boot=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c systemd[1] unit=apt-daily-upgrade.service lc=starting prio=6 "Starting Daily apt upgrade and clean activities..."`,
		`2020-12-01T21:56:02.3001Z test-server boot=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c systemd[1] unit=docker.service lc=stopping prio=6 "Stopping Docker Application Container Engine..."`,
		`2020-12-01T21:56:02.3576Z test-server boot=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c dockerd[16376] unit=docker.service lc= prio=6 "time=\"2020-12-02T06:56:02.357507251+09:00\" level=info msg=\"Processing signal 'terminated'\""`,
		`2020-12-01T21:56:04.011Z test-server boot=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c systemd[1] unit=docker.service lc=stopped prio=6 "Stopped Docker Application Container Engine."`,
	} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s", w)
		}
	}
	// dockerd's logfmt payload is parsed as for text lines.
	i := slices.IndexFunc(native.events, func(ev event.Event) bool {
		return ev.Program == "dockerd" && strings.Contains(ev.Message, "Processing signal")
	})
	if v, _ := native.events[i].Field("msg"); v != "Processing signal 'terminated'" {
		t.Errorf("dockerd msg field %q (fields %v)", v, native.events[i].Fields)
	}
}

// libsystemd orders one boot's entries by monotonic time across files,
// which is not realtime order (research §4.6): the source must not.
func TestJournalRealtimeOrder(t *testing.T) {
	dir := t.TempDir()
	entry := func(rt, mono int64, boot, msg string) string {
		base := int64(1633600800000000) // 2021-10-07 10:00:00 UTC
		return fmt.Sprintf("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=userver\nPRIORITY=6\nSYSLOG_IDENTIFIER=app\n_PID=42\n_TRANSPORT=journal\nMESSAGE=%s\n\n",
			base+rt*1e6, mono*1e6, boot, msg)
	}
	const x, y = "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c", "6f3c2d1b0e9f5a7c9b8d7e6f5a4b3c2d"
	a := writeExport(t, dir, "a.export", entry(5, 5, x, "A1")+entry(20, 20, x, "A2"))
	b := writeExport(t, dir, "b.export", entry(1, 10, x, "B1")+entry(30, 2, y, "B2"))
	jd := filepath.Join(dir, "j")
	os.Mkdir(jd, 0o755)
	makeJournal(t, a, filepath.Join(jd, "a.journal"))
	makeJournal(t, b, filepath.Join(jd, "b.journal"))
	r := run(t, Options{JournalDirs: []string{jd}})
	if got, want := messages(r.events), []string{"B1", "A1", "A2", "B2"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// countingReader counts the entries a journal reader returned.
type countReader struct {
	journalReader
	n *int
}

func (c countReader) Next(ev *event.Event) error {
	err := c.journalReader.Next(ev)
	if err == nil {
		*c.n++
	}
	return err
}

func countEntries(t *testing.T, n *int, inner func(*Stream, string) (journalReader, error)) {
	old := openJournalFile
	t.Cleanup(func() { openJournalFile = old })
	openJournalFile = func(s *Stream, p string) (journalReader, error) {
		r, err := inner(s, p)
		if err != nil {
			return nil, err
		}
		return countReader{r, n}, nil
	}
}

// --since is a seek, not a filter over the whole file; --until stops
// the file a minute past it.
func TestJournalSincePushdown(t *testing.T) {
	j := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	for _, tc := range []struct {
		name string
		open func(*Stream, string) (journalReader, error)
	}{
		{"native", openJournalFile},
		{"journalctl", func(s *Stream, p string) (journalReader, error) {
			return openJournalctl(s.ctx, p, s.opts.Since, s.opts.Until)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "journalctl" {
				needJournalctl(t)
			}
			read := 0
			countEntries(t, &read, tc.open)
			seoul, _ := time.LoadLocation("Asia/Seoul")
			since := time.Date(2020, 12, 2, 6, 55, 0, 0, seoul)
			until := time.Date(2020, 12, 2, 6, 57, 0, 0, seoul)
			r := run(t, Options{JournalFiles: []string{j}, Since: since, Until: until})
			var got []string
			for _, ev := range r.events {
				got = append(got, ev.Time.In(seoul).Format("15:04:05 ")+ev.Message[:min(len(ev.Message), 24)])
			}
			want := []string{
				"06:55:52 Starting Daily apt upgra",
				"06:56:02 Stopping Docker Applicat",
				`06:56:02 time="2020-12-02T06:56:0`,
				`06:56:03 time="2020-12-02T06:56:0`,
				"06:56:04 docker.service: Succeede",
				"06:56:04 Stopped Docker Applicati",
				"06:56:04 docker0: port 1(veth3a1b",
				"06:56:25 Started Daily apt upgrad",
			}
			if !slices.Equal(got, want) {
				t.Errorf("events\n got %q\nwant %q", got, want)
			}
			// The 15 entries before --since are never read; reading
			// stops at the first entry past --until plus a minute.
			if read > len(want)+2 {
				t.Errorf("the reader returned %d entries for %d in range: --since was not pushed down", read, len(want))
			}
		})
	}
}

func needJournalctl(t *testing.T) {
	testenv.FirstFile(t, "journalctl", "/usr/bin/journalctl", "/bin/journalctl")
}

// The fallback of builds without the native reader: journalctl -o export per file, the
// same events as the native reader.
func TestJournalctlFallback(t *testing.T) {
	needJournalctl(t)
	dir := journalDir(t, "web-1", "web-2", "seed002")
	native := run(t, Options{JournalDirs: []string{dir}})

	old := openJournalFile
	t.Cleanup(func() { openJournalFile = old })
	openJournalFile = func(s *Stream, p string) (journalReader, error) {
		return openJournalctl(s.ctx, p, s.opts.Since, s.opts.Until)
	}
	fb := run(t, Options{JournalDirs: []string{dir}})
	if len(fb.warnings) > 0 {
		t.Errorf("warnings: %v", fb.warnings)
	}
	if got, want := models(fb.events), models(native.events); !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("journalctl fallback events differ from the native reader's:\n got %q\nwant %q", got, want)
	}
	for i := range fb.events {
		if fb.events[i].Source != native.events[i].Source {
			t.Errorf("event %d source %+v, native %+v", i, fb.events[i].Source, native.events[i].Source)
			break
		}
	}

	// No journalctl: a clear warning naming the way out, nothing read.
	old2 := journalctlPath
	t.Cleanup(func() { journalctlPath = old2 })
	journalctlPath = filepath.Join(t.TempDir(), "journalctl")
	r := run(t, Options{JournalFiles: []string{filepath.Join(dir, "remote-web-1.journal")}})
	if r.readable || len(r.events) != 0 || len(r.warnings) != 1 ||
		!strings.Contains(r.warnings[0].Msg, "journalctl is not installed") {
		t.Errorf("readable=%v events=%d warnings %v", r.readable, len(r.events), r.warnings)
	}
	// Said once for a directory, not once per file.
	r = run(t, Options{JournalDirs: []string{dir}})
	checkWarnings(t, r.warnings, []string{"journal:" + dir + ": cannot read journal files: this logsleuth has no native journal reader"}, nil)
	if r.readable || len(r.events) != 0 {
		t.Errorf("readable=%v events=%d", r.readable, len(r.events))
	}
}

// headerSizes reads header_size + arena_size of a journal file.
func journalFullSize(t *testing.T, p string) int64 {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h [journalHeaderMin]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		t.Fatal(err)
	}
	return int64(binary.LittleEndian.Uint64(h[offHeaderSize:]) + binary.LittleEndian.Uint64(h[offArenaSize:]))
}

// A partial copy: libsystemd refuses it whole. The warning names the file
// and the salvage, the other files are read, and the salvage works.
func TestJournalTruncated(t *testing.T) {
	dir := journalDir(t, "web-1")
	good := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	full := journalFullSize(t, good)
	// Cut after the data: well past the header, far short of the arena.
	cut := int64(len(data))
	for cut > 0 && data[cut-1] == 0 {
		cut--
	}
	cut += 4096
	trunc := filepath.Join(dir, "system@0005cdbd419eeda7-trunc.journal")
	if err := os.WriteFile(trunc, data[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{JournalDirs: []string{dir}})
	want := fmt.Sprintf("journal:%s: %s: truncated journal file (%d of %d bytes): libsystemd refuses it whole", dir, trunc, cut, full)
	checkWarnings(t, r.warnings, []string{want}, nil)
	if len(r.warnings) == 1 && !strings.Contains(r.warnings[0].Msg, fmt.Sprintf("truncate -s %d", full)) {
		t.Errorf("warning does not give the salvage: %s", r.warnings[0])
	}
	if !r.readable || len(r.events) != 13 || r.events[0].Host != "web-1" {
		t.Errorf("readable=%v, %d events, want web-1's 13", r.readable, len(r.events))
	}

	// Follow the advice: the entries come back.
	if err := os.Truncate(trunc, full); err != nil {
		t.Fatal(err)
	}
	r = run(t, Options{JournalFiles: []string{trunc}})
	if len(r.warnings) > 0 || len(r.events) != 23 {
		t.Errorf("salvaged: %d events (want 23), warnings %v", len(r.events), r.warnings)
	}
}

// Bad journal inputs: each warned about, the rest read, no panic.
func TestJournalBadInputs(t *testing.T) {
	good := makeJournal(t, filepath.Join(journalTestdata, "web-2.export"), "")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	zero := writeFile(t, dir, "zero.journal", nil)
	notJournal := writeFile(t, dir, "text.journal", []byte("Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime...\n"))
	missing := filepath.Join(dir, "missing")
	r := run(t, Options{
		Paths:        []string{writeFile(t, dir, "syslog", []byte("Oct  7 06:20:21 userver sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2\n"))},
		JournalDirs:  []string{empty, missing},
		JournalFiles: []string{zero, notJournal, good},
		Year:         2021, Location: time.UTC,
	})
	// Sources run concurrently: their warnings come in any order.
	slices.SortFunc(r.warnings, func(a, b event.Warning) int { return strings.Compare(a.String(), b.String()) })
	checkWarnings(t, r.warnings, []string{
		"journal:" + empty + ": no journal files (*.journal) found",
		"journal:" + missing + ": cannot read: no such file or directory",
		"journal:" + notJournal + ": " + notJournal + ": not a journal file",
		"journal:" + zero + ": " + zero + ": truncated journal file: only 0 bytes, not even a header",
	}, nil)
	if !r.readable || len(r.events) != 15 {
		t.Errorf("readable=%v, %d events, want 14 + 1", r.readable, len(r.events))
	}
	if len(r.sources) != 6 {
		t.Errorf("%d sources, want 6", len(r.sources))
	}

	// Only bad journals: nothing readable.
	r = run(t, Options{JournalDirs: []string{empty}})
	if r.readable || len(r.events) > 0 {
		t.Errorf("empty dir: readable=%v events=%d", r.readable, len(r.events))
	}
}

// A corrupt region in the middle of a file: no panic, the other file
// is read whole, whatever libsystemd makes of the damaged one is warned
// about.
func TestJournalCorruptMiddle(t *testing.T) {
	dir := journalDir(t, "web-1", "seed002")
	p := filepath.Join(dir, "remote-seed002.journal")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	end := len(data)
	for end > 0 && data[end-1] == 0 {
		end--
	}
	// Overwrite the middle of the written part, keeping the header.
	for i := 272 + (end-272)/3; i < 272+2*(end-272)/3; i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{JournalDirs: []string{dir}})
	web1 := 0
	for _, ev := range r.events {
		if ev.Host == "web-1" {
			web1++
		}
	}
	if web1 != 13 {
		t.Errorf("%d web-1 events, want all 13 (warnings %v)", web1, r.warnings)
	}
	t.Logf("%d events, warnings %v", len(r.events), r.warnings)
}

// The same lines from rsyslog and from journald count once.
func TestJournalDedupe(t *testing.T) {
	j := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	syslog := filepath.Join(journalTestdata, "seed002.syslog")
	seoul, _ := time.LoadLocation("Asia/Seoul")
	both := run(t, Options{Paths: []string{syslog}, JournalFiles: []string{j}, Location: seoul, Year: 2020})
	journal := run(t, Options{JournalFiles: []string{j}})
	text := run(t, Options{Paths: []string{syslog}, Location: seoul, Year: 2020})
	if len(both.warnings) > 0 {
		t.Errorf("warnings %v", both.warnings)
	}
	var dups int64
	for _, s := range both.sources {
		dups += s.Duplicates
	}
	// Every syslog line is in the journal; the kernel line differs by its
	// uptime stamp only if the parser keeps it in the message.
	kernelSame := 0
	ti := slices.IndexFunc(text.events, func(ev event.Event) bool { return ev.Program == "kernel" })
	if slices.ContainsFunc(journal.events, func(ev event.Event) bool {
		return ev.Program == "kernel" && ev.Message == text.events[ti].Message
	}) {
		kernelSame = 1
	}
	want := len(text.events) - 1 + kernelSame
	if dups != int64(want) {
		t.Errorf("%d duplicates dropped, want %d", dups, want)
	}
	if len(both.events) != len(journal.events)+len(text.events)-want {
		t.Errorf("%d events, want %d + %d - %d", len(both.events), len(journal.events), len(text.events), want)
	}
	// The first copy in time order is the one kept: here the syslog
	// line, stamped on the whole second.
	for _, ev := range both.events {
		if ev.Message == "Stopping Docker Application Container Engine..." && ev.Time.Day() == 1 && ev.Time.Hour() == 21 &&
			ev.Source.Format != parse.FormatRFC3164 {
			t.Errorf("kept the %s copy", ev.Source.Format)
		}
	}
	// Text alone and journal alone are never deduplicated, even when a
	// source repeats a line.
	for _, r := range []result{journal, text} {
		for _, s := range r.sources {
			if s.Duplicates != 0 {
				t.Errorf("%s: %d duplicates", s.Path, s.Duplicates)
			}
		}
	}
}

func TestDedupeWindow(t *testing.T) {
	t0 := time.Date(2020, 12, 1, 21, 56, 2, 0, time.UTC)
	ev := func(d time.Duration, host, prog string, pid int, msg string) *event.Event {
		return &event.Event{Time: t0.Add(d), Host: host, Program: prog, PID: pid, Message: msg}
	}
	const stop = "Stopping Docker Application Container Engine..."
	w := newDedupeWindow()
	steps := []struct {
		ev      *event.Event
		journal bool
		dup     bool
	}{
		{ev(0, "test-server", "systemd", 1, stop), false, false},
		{ev(300*time.Millisecond, "test-server", "systemd", 1, stop), false, false},    // same kind: a real repeat
		{ev(357*time.Millisecond, "test-server", "systemd", 1, stop), true, true},      // the journal's copy
		{ev(400*time.Millisecond, "other-host", "systemd", 1, stop), true, false},      // another host
		{ev(400*time.Millisecond, "test-server", "systemd", 2, stop), true, false},     // another pid
		{ev(400*time.Millisecond, "test-server", "init", 1, stop), true, false},        // another program
		{ev(400*time.Millisecond, "test-server", "systemd", 1, stop+" "), true, false}, // another message
		{ev(1400*time.Millisecond, "test-server", "systemd", 1, stop), true, false},    // 1.1s after the last text copy
		{ev(2300*time.Millisecond, "test-server", "systemd", 1, stop), false, true},    // within 1s of the journal one before
		{&event.Event{Host: "test-server", Program: "systemd", PID: 1, Message: stop}, true, false},
	}
	for i, s := range steps {
		rank := 0 // the text source
		if s.journal {
			rank = 1
		}
		if got := w.seen(s.ev, rank); got != s.dup {
			t.Errorf("step %d: duplicate %v, want %v", i, got, s.dup)
		}
	}
	// The window forgets: memory stays bounded.
	for i := range 3 * maxDedupe {
		w.seen(ev(time.Hour+time.Duration(i), "h", "p", i, "m"), i%2)
	}
	if len(w.m) > maxDedupe || len(w.q)-w.head > maxDedupe {
		t.Errorf("window holds %d keys, %d queued", len(w.m), len(w.q)-w.head)
	}
}

func TestCheckJournalFileQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/var/log/journal/x/system@a-b.journal": "/var/log/journal/x/system@a-b.journal",
		"/tmp/my logs/it's.journal":             `'/tmp/my logs/it'\''s.journal'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// unreadableDirs makes walkDir fail on the directories in bad as on
// ones the user may not list (which root, running the tests in CI,
// always may): the directory itself is visited, then its listing fails.
func unreadableDirs(t *testing.T, bad ...string) {
	old := walkDir
	t.Cleanup(func() { walkDir = old })
	walkDir = func(root string, fn fs.WalkDirFunc) error {
		return old(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || !slices.Contains(bad, p) {
				return fn(p, d, err)
			}
			if err := fn(p, d, nil); err != nil {
				return err
			}
			if err := fn(p, d, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}); err != nil {
				return err
			}
			return filepath.SkipDir
		})
	}
}

// An unreadable directory: one warning naming it, the rest of the
// journal directory and the other inputs still read.
func TestJournalUnreadableDir(t *testing.T) {
	dir := journalDir(t, "web-1")
	sub := filepath.Join(dir, "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
	os.Mkdir(sub, 0o755)
	makeJournal(t, filepath.Join(journalTestdata, "web-2.export"), filepath.Join(sub, "system.journal"))
	locked := journalDir(t, "seed002")
	unreadableDirs(t, sub, locked)

	r := run(t, Options{JournalDirs: []string{dir, locked}})
	slices.SortFunc(r.warnings, func(a, b event.Warning) int { return strings.Compare(a.String(), b.String()) })
	want := []string{
		"journal:" + dir + ": cannot read " + sub + ": permission denied",
		"journal:" + locked + ": cannot read " + locked + ": permission denied",
	}
	slices.Sort(want)
	// Only the reason: not also "no journal files found" for the locked one.
	checkWarnings(t, r.warnings, want, nil)
	if !r.readable || len(r.events) != 13 || r.events[0].Host != "web-1" {
		t.Errorf("readable=%v, %d events, want web-1's 13", r.readable, len(r.events))
	}

	r = run(t, Options{JournalDirs: []string{locked}})
	if r.readable || len(r.events) != 0 || len(r.warnings) != 1 {
		t.Errorf("only an unreadable directory: readable=%v, %d events, warnings %v", r.readable, len(r.events), r.warnings)
	}
}

// A journal file the user may not read (journald's are 0640 root:
// systemd-journal): a warning, the other files read. Root reads it
// anyway, so this runs only as another user.
func TestJournalUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	dir := journalDir(t, "web-1", "web-2")
	p := filepath.Join(dir, "remote-web-2.journal")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{JournalDirs: []string{dir}})
	checkWarnings(t, r.warnings, []string{"journal:" + dir + ": " + p + ": cannot read: permission denied (journald's files are readable by root and the groups systemd-journal and adm)"}, nil)
	if !r.readable || len(r.events) != 13 {
		t.Errorf("readable=%v, %d events, want web-1's 13", r.readable, len(r.events))
	}
}

// A journal file with no entries (journald's state right after
// rotation): a warning, and it still counts as read.
func TestJournalEmpty(t *testing.T) {
	dir := t.TempDir()
	empty := makeJournal(t, writeExport(t, dir, "empty.export", "\n\n"), "")
	r := run(t, Options{JournalFiles: []string{empty}})
	checkWarnings(t, r.warnings, []string{"journal:" + empty + ": journal has no entries"}, nil)
	if !r.readable || len(r.events) != 0 {
		t.Errorf("readable=%v, %d events", r.readable, len(r.events))
	}
	// A --since that leaves nothing is no reason to warn.
	r = run(t, Options{JournalFiles: []string{empty}, Since: time.Unix(1e9, 0)})
	if len(r.warnings) != 0 {
		t.Errorf("warnings with --since: %v", r.warnings)
	}
}

// --journal reads this machine's journal: the directory of its
// machine-id in /var/log/journal (persistent) and /run/log/journal
// (volatile), not other machines' journals kept beside it.
func TestJournalLocal(t *testing.T) {
	const mid = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	root := t.TempDir()
	persistent, volatile := filepath.Join(root, "var"), filepath.Join(root, "run")
	for _, d := range []string{filepath.Join(persistent, mid), filepath.Join(volatile, mid), filepath.Join(persistent, "other")} {
		os.MkdirAll(d, 0o755)
	}
	makeJournal(t, filepath.Join(journalTestdata, "web-1.export"), filepath.Join(persistent, mid, "system@0005cdbd419eeda7-0000000000000001.journal"))
	makeJournal(t, filepath.Join(journalTestdata, "web-2.export"), filepath.Join(persistent, "other", "system.journal"))
	makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), filepath.Join(volatile, mid, "system.journal"))
	oldDirs, oldID := localJournalDirs, machineIDPath
	t.Cleanup(func() { localJournalDirs, machineIDPath = oldDirs, oldID })
	localJournalDirs = []string{persistent, volatile}
	machineIDPath = writeFile(t, root, "machine-id", []byte(mid+"\n"))

	r := run(t, Options{Journal: true})
	hosts := map[string]int{}
	for _, ev := range r.events {
		hosts[ev.Host]++
	}
	if len(r.warnings) > 0 || !r.readable || hosts["web-1"] != 13 || hosts["test-server"] != 23 || len(hosts) != 2 {
		t.Errorf("hosts %v, warnings %v", hosts, r.warnings)
	}
	if len(r.sources) != 1 || r.sources[0].Path != "journal:local" {
		t.Errorf("sources %+v", r.sources)
	}

	// No journal here: a warning naming where it looked.
	localJournalDirs = []string{filepath.Join(root, "none")}
	r = run(t, Options{Journal: true})
	checkWarnings(t, r.warnings, []string{"journal:local: no journal files found in " + filepath.Join(root, "none")}, nil)
	if r.readable {
		t.Error("readable without a journal")
	}
}

// The native reader reads fields by name: JournalFields adds fields a
// signature matches on (fields._EXE) beyond the event model's own.
func TestJournalExtraFields(t *testing.T) {
	dir := t.TempDir()
	exp := writeExport(t, dir, "app.export", "__REALTIME_TIMESTAMP=1633587623250900\n__MONOTONIC_TIMESTAMP=33432250900\n"+
		"_BOOT_ID=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c\n_HOSTNAME=web-1\nSYSLOG_IDENTIFIER=billing\n_PID=4242\nPRIORITY=3\n"+
		"_EXE=/usr/local/bin/billing\nREQUEST_ID=7f3a\nMESSAGE=payment backend timed out\n\n")
	j := makeJournal(t, exp, "")
	if r, err := openNative(j, time.Time{}, time.Time{}, nil); errors.Is(err, errNoNative) {
		testenv.Missing(t, "no native journal reader (%s): the journalctl fallback carries every field", JournalReaderInfo)
	} else if err == nil {
		r.Close()
	}
	for _, c := range []struct {
		extra []string
		want  map[string]string
	}{
		{nil, map[string]string{"_EXE": "", "REQUEST_ID": ""}},
		{[]string{"_EXE", "REQUEST_ID", "MESSAGE", "NOT_THERE"}, map[string]string{"_EXE": "/usr/local/bin/billing", "REQUEST_ID": "7f3a"}},
	} {
		r := run(t, Options{JournalFiles: []string{j}, JournalFields: c.extra})
		if len(r.events) != 1 {
			t.Fatalf("%d events", len(r.events))
		}
		ev := r.events[0]
		if ev.Message != "payment backend timed out" || ev.Program != "billing" {
			t.Errorf("event %+v", ev)
		}
		for k, want := range c.want {
			if got, _ := ev.Field(k); got != want {
				t.Errorf("extra %v: field %s = %q, want %q", c.extra, k, got, want)
			}
		}
		if _, ok := ev.Field("NOT_THERE"); ok {
			t.Errorf("a field the entry lacks was invented")
		}
	}
}

// JournalReaderInfo (logsleuth --version) names the reader the build
// really has.
func TestJournalReaderInfo(t *testing.T) {
	r, err := openNative(filepath.Join(t.TempDir(), "none.journal"), time.Time{}, time.Time{}, nil)
	if r != nil {
		r.Close()
	}
	native := !errors.Is(err, errNoNative)
	if got := strings.HasPrefix(JournalReaderInfo, "libsystemd through sdjournal"); got != native {
		t.Errorf("JournalReaderInfo %q, but the native reader is available: %v (%v)", JournalReaderInfo, native, err)
	}
	if !native && !strings.HasPrefix(JournalReaderInfo, "journalctl -o export") {
		t.Errorf("JournalReaderInfo %q without the native reader", JournalReaderInfo)
	}
}
