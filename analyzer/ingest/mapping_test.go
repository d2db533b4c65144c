package ingest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// numberedLog is n lines the test parser reads as exact times, each
// naming its number.
func numberedLog(n int) []byte {
	var b strings.Builder
	t0 := time.Date(2021, 10, 7, 6, 20, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s line %d of the numbered log, padded to look like a real message\n", t0.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), i)
	}
	return []byte(b.String())
}

// TestMappedAgrees reads one file mapped, in small blocks whose pages
// are dropped as they go, and read through stdin: same events, same
// line numbers.
func TestMappedAgrees(t *testing.T) {
	useTestParser(t)
	data := numberedLog(5000)
	path := writeFile(t, t.TempDir(), "syslog", data)
	want := run(t, Options{Paths: []string{"-"}, Stdin: strings.NewReader(string(data)), Location: time.UTC})
	for _, block := range []int{4 << 10, 64 << 10, blockSize} {
		t.Run(fmt.Sprint(block), func(t *testing.T) {
			setLimits(t, block, maxLineLen, maxChunkLines)
			old := dropStride
			dropStride = 2 * block
			t.Cleanup(func() { dropStride = old })
			maps := 0
			setMapped(t, func(string) { maps++ })
			got := run(t, Options{Paths: []string{path}, Location: time.UTC})
			if maps != 1 {
				t.Fatalf("file mapped %d times, want once", maps)
			}
			if len(got.warnings) > 0 {
				t.Errorf("warnings: %v", got.warnings)
			}
			if g, w := eventLines(got.events), eventLines(want.events); g != w {
				t.Errorf("mapped read differs from stdin:\n%.300s\nwant\n%.300s", g, w)
			}
			if got.sources[0].Bytes != int64(len(data)) {
				t.Errorf("read %d bytes, want %d", got.sources[0].Bytes, len(data))
			}
		})
	}
}

// TestMappedFileShrinks truncates a file right after it was mapped, as
// logrotate's copytruncate may: the lines still in the file are read,
// the rest is warned about, and nothing crashes.
func TestMappedFileShrinks(t *testing.T) {
	useTestParser(t)
	setLimits(t, 16<<10, maxLineLen, maxChunkLines)
	data := numberedLog(20000) // about 2 MiB: many pages and blocks
	dir := t.TempDir()
	path := writeFile(t, dir, "syslog", data)
	keep := len(data) / 3
	setMapped(t, func(p string) {
		if err := os.Truncate(p, int64(keep)); err != nil {
			t.Error(err)
		}
	})
	ws := &event.Warnings{}
	got := run(t, Options{Paths: []string{path}, Location: time.UTC, Warnings: ws})
	ev := got.events
	// The pages still backed by the file read as they were (the rest of
	// the last one as zeros); past them, a page faults. The block that
	// faults is lost: up to one block before the cut.
	kept := strings.Count(string(data[:keep]), "\n")
	if lost := kept - len(ev); lost < -1 || lost > 16<<10/60 {
		t.Errorf("%d events from a file cut after %d lines", len(ev), kept)
	}
	for i := range ev {
		if !strings.HasPrefix(ev[i].Message, fmt.Sprintf("line %d of", i+1)) && i < len(ev)-1 {
			t.Fatalf("event %d is %q", i+1, ev[i].Message)
		}
	}
	var shrank []event.Warning
	for _, w := range ws.List() {
		if strings.Contains(w.Msg, "shrank") {
			shrank = append(shrank, w)
		}
	}
	if len(shrank) != 1 || shrank[0].Path != path {
		t.Errorf("shrink warnings %v, want one for %s", shrank, path)
	}
}

func setMapped(t *testing.T, f func(string)) {
	old := mapped
	mapped = f
	t.Cleanup(func() { mapped = old })
}

// eventLines is each event's line number and message, one a line.
func eventLines(evs []event.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "%d %s\n", ev.Source.Line, ev.Message)
	}
	return b.String()
}

// TestWorkerBlockGone hands a worker a block of a mapped file that shrank
// after the block was cut (the reader runs ahead of the workers): the
// worker parses nothing of it and the source warns, instead of the
// process dying of SIGBUS.
func TestWorkerBlockGone(t *testing.T) {
	data := numberedLog(200)
	f, err := os.Open(writeFile(t, t.TempDir(), "syslog", data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mapFile(f, int64(len(data)))
	if err != nil {
		t.Skipf("cannot map here: %v", err)
	}
	defer unmapFile(m)
	if err := os.Truncate(f.Name(), 0); err != nil {
		t.Fatal(err)
	}
	ws := &event.Warnings{}
	st := &Stream{ws: ws}
	run := &srcRun{st: st, src: &source{stats: SourceStats{Path: "syslog"}},
		asm: parse.NewAssembler(parse.AssemblerConfig{Path: "syslog", Location: time.UTC, Warnings: ws})}
	c := getChunk()
	c.buf, c.first, c.run, c.seq = m, 1, run, 0 // the first of its source
	c.mapped, c.end = &mapping{data: m}, len(m)
	c.opts = &parse.Options{Location: time.UTC, Year: 2021}
	jobs := make(chan *chunk, 1)
	jobs <- c
	close(jobs)
	worker(jobs, nil, nil, nil) // in this goroutine: SetPanicOnFault is the worker's own
	<-c.done
	if !c.faulted || len(c.batch.events) != 0 {
		t.Errorf("faulted %v, %d events", c.faulted, len(c.batch.events))
	}
	if w := ws.List(); len(w) != 1 || !strings.Contains(w[0].Msg, "shrank") || w[0].Line != 0 {
		t.Errorf("warnings %v, want one that the file shrank before line 1", w)
	}
}
