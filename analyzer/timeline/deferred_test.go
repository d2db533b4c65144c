package timeline

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// TestIsErrorUnchangedByDeferral ties the parser's deferral rule to
// IsError itself: for every line of the fixtures and some made for the
// purpose, an event whose payload the parser deferred (ingest does so
// for events no signature may match) is error-level exactly when the
// completed event is. The Collector sees deferred events as they are.
func TestIsErrorUnchangedByDeferral(t *testing.T) {
	lines := []string{
		`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=info msg="ignoring event"`,
		`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=error msg="x"`,
		`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=Warning msg="error: in msg"`,
		`Oct  7 06:20:21 web-1 app[9]: lvl=2 msg=x`,
		`Oct  7 06:20:21 web-1 kubelet[1234]: I1007 06:20:21.433183    1234 kubelet.go:2000] "SyncLoop ADD" level=fatal`,
		`Oct  7 06:20:21 web-1 kubelet[1234]: E1007 06:20:21.433183    1234 kubelet.go:2000] "Error syncing pod"`,
	}
	err := filepath.WalkDir("../../fixtures", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "expect.yaml" || filepath.Ext(p) == ".go" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	o := &parse.Options{Location: time.UTC, Year: 2021}
	p := parse.Parser{DeferPayload: true}
	deferred := 0
	for _, line := range lines {
		var ev event.Event
		ev.Reset()
		p.ParseLine([]byte(line), o, &ev)
		if !p.Deferred() {
			continue
		}
		deferred++
		lazy := IsError(&ev)
		parse.CompletePayload(&ev)
		if full := IsError(&ev); lazy != full {
			t.Errorf("%q: IsError %v deferred, %v completed", line, lazy, full)
		}
	}
	if deferred < 20 {
		t.Errorf("only %d lines deferred: the test proves little", deferred)
	}
}

// TestIsErrorTrustsVerdict requires IsError to answer from a verdict a
// parse worker left in the event, and to judge the event itself without
// one.
func TestIsErrorTrustsVerdict(t *testing.T) {
	ev := event.Event{Priority: 3, Message: "disk on fire"}
	for _, c := range []struct {
		v    event.Verdict
		want bool
	}{{event.VerdictNone, true}, {event.VerdictNo, false}, {event.VerdictYes, true}} {
		ev.ErrorLevel = c.v
		if got := IsError(&ev); got != c.want {
			t.Errorf("verdict %v: IsError = %v, want %v", c.v, got, c.want)
		}
	}
	ev.Priority, ev.ErrorLevel = 6, event.VerdictYes
	if !IsError(&ev) {
		t.Error("a Yes verdict was overruled")
	}
}
