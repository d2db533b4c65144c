package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// assembleText runs text through the workers' path (a Parser per line,
// Raw kept) and an Assembler, as ingest does.
func assembleText(t *testing.T, text string, cfg AssemblerConfig) []event.Event {
	t.Helper()
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Path == "" {
		cfg.Path = "paste.txt"
	}
	a := NewAssembler(cfg)
	o := Options{Location: cfg.Location, Year: 2023}
	var p Parser
	var ps []Parsed
	for i, line := range strings.Split(text, "\n") {
		var pp Parsed
		pp.Event = event.Event{Priority: event.NoPriority}
		pp.Line, pp.Raw = int64(i+1), line
		pp.Kind = p.ParseLine([]byte(line), &o, &pp.Event)
		if pp.Kind == KindSkip {
			continue
		}
		ps = append(ps, pp)
	}
	// Two calls, so that blocks cross the boundary of a worker's chunk.
	half := len(ps) / 2
	out := a.AddAll(nil, ps[:half])
	out = a.AddAll(out, ps[half:])
	return a.Flush(out)
}

// stateEvents picks the state events of evs.
func stateEvents(evs []event.Event) []event.Event {
	var out []event.Event
	for _, e := range evs {
		if e.Kind == event.KindState {
			out = append(out, e)
		}
	}
	return out
}

// checkFields fails unless ev has each field of want with its value; a
// value "-" means the field must be absent.
func checkFields(t *testing.T, ev event.Event, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := ev.Field(k)
		switch {
		case v == "-" && ok:
			t.Errorf("%s: field %s = %q, want none", ev.Message, k, got)
		case v != "-" && got != v:
			t.Errorf("%s: field %s = %q (present %v), want %q", ev.Message, k, got, ok, v)
		}
	}
}
