package timeline

import (
	"fmt"
	"maps"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestExplainedKeysInParallel: the group keys of evidence lines taken on
// several goroutines are those of the lines one after another, only of
// the programs asked for.
func TestExplainedKeysInParallel(t *testing.T) {
	var evidence []*event.Event
	for i := range 3*minParallelKeys + 17 {
		program := []string{"kernel", "sshd", "dockerd", "containerd"}[i%4]
		msg := fmt.Sprintf("INFO: task kworker/%d:%d blocked for more than %d seconds.", i%7, i%3, 120*(i%5+1))
		switch i % 4 {
		case 1:
			msg = fmt.Sprintf("Failed password for root from 203.0.113.%d port %d ssh2", i%250, 40000+i)
		case 2:
			msg = fmt.Sprintf(`level=error msg="error reading layer %x" layer=sha256:%064x`, i, i)
		case 3:
			msg = fmt.Sprintf("shim disconnected id=%d namespace=moby\nsecond line %d", i%11, i)
		}
		evidence = append(evidence, &event.Event{Program: program, Message: msg})
	}
	programs := map[string]bool{"kernel": true, "dockerd": true, "containerd": true}
	want := map[string]bool{}
	for _, ev := range evidence {
		if programs[ev.Program] {
			want[string(appendGroupKey(nil, ev.Program, ErrorText(ev.Message)))] = true
		}
	}
	if len(want) < 20 {
		t.Fatalf("%d keys: the lines should make more templates", len(want))
	}
	for _, n := range []int{0, 1, minParallelKeys, 2*minParallelKeys + 1, len(evidence)} {
		wantN := map[string]bool{}
		for _, ev := range evidence[:n] {
			if programs[ev.Program] {
				wantN[string(appendGroupKey(nil, ev.Program, ErrorText(ev.Message)))] = true
			}
		}
		for _, workers := range []int{1, 2, 3, 8} {
			if got := explainedKeys(programs, evidence[:n], workers); !maps.Equal(got, wantN) {
				t.Errorf("%d lines, %d workers: %d keys, want %d", n, workers, len(got), len(wantN))
			}
		}
	}
}
