package main

import (
	"context"
	"fmt"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// analysis is what one run of ingest and engine over the inputs produced.
type analysis struct {
	Findings   []*engine.Finding
	NearMisses []*engine.NearMiss
	Sources    []ingest.SourceStats
	// Lookback: what was read before --since.
	Lookback timeline.Lookback
}

// analyze reads the inputs through the engine. observe, when set, sees
// every event after the engine (the timeline's coverage and context).
// Findings are limited to those overlapping --since/--until, but the
// inputs are read with a margin (the lookback) so that sequences that
// began before --since still complete.
func analyze(ctx context.Context, ios *IOStreams, in *InputFlags, sigs []*signature.Signature, ws *event.Warnings,
	eopts engine.Options, observe func(*event.Event)) (*analysis, error) {
	eopts.Warnings = ws
	if eopts.Location == nil {
		eopts.Location = in.display()
	}
	eng := engine.New(sigs, eopts)
	addUnitDescriptions(sigs)
	if in.Fleet.VictoriaLogs != "" {
		return analyzeStore(ctx, in, eng, sigs, ws, observe)
	}
	lookback := in.lookback(sigs)
	opts := in.ingestOptions(ios, ws, lookback.Span)
	// The native journal reader fetches fields by name: add the ones the
	// signatures match on.
	opts.JournalFields = append(opts.JournalFields, signature.FieldRefs(sigs)...)
	if !eopts.Naive {
		opts.Screen = func() ingest.Screen { return eng.NewScreen() }
		opts.JudgeError = timeline.JudgeError
		if !in.SinceT.IsZero() && !in.wholeLookback {
			// The lookback's lines that no signature can match are
			// skimmed: only chains' earlier steps are read there. (Only
			// then is the line screen built: its literal automaton took
			// 29M instructions of every run.)
			if ls, ok := eng.LineScreen(parse.UnitTexts, parse.BootTexts...); ok {
				opts.Skim = ingest.Skim{Before: in.SinceT, Lines: ls.Lines, Programs: ls.Programs}
			}
		}
	}
	stream, err := ingest.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open inputs: %w", err)
	}
	defer stream.Close()
	for stream.Next() {
		ev := stream.Event()
		eng.Process(ev)
		if observe != nil {
			observe(ev)
		}
	}
	if err := stream.Err(); err != nil {
		return nil, fmt.Errorf("read inputs: %w", err)
	}
	if !stream.Readable() {
		return nil, errNothingReadable
	}
	findings, err := eng.Finish()
	if err != nil {
		return nil, err
	}
	a := &analysis{NearMisses: eng.NearMisses(), Sources: stream.Sources(), Lookback: lookback}
	for _, f := range findings {
		if inRange(f.Start, f.End, in.SinceT, in.UntilT) {
			a.Findings = append(a.Findings, f)
		}
	}
	return a, nil
}

// addUnitDescriptions lets the signatures' `units:` tables name the
// units of old-style systemd lines ("Stopping Acme Widget Server...").
// It changes the parser's global table, so it runs before any parsing
// starts.
func addUnitDescriptions(sigs []*signature.Signature) {
	for _, s := range sigs {
		if len(s.Units) > 0 {
			parse.AddUnitDescriptions(s.Units)
		}
	}
}

// inRange reports whether [start, end] overlaps [since, until]; zero
// bounds are open.
func inRange(start, end, since, until time.Time) bool {
	if !since.IsZero() && end.Before(since) {
		return false
	}
	if !until.IsZero() && start.After(until) {
		return false
	}
	return true
}

// correlationSpan is the longest time a signature may look back: the
// margin read outside --since/--until.
func correlationSpan(sigs []*signature.Signature) time.Duration {
	var longest time.Duration
	for _, s := range sigs {
		longest = max(longest, timeline.Window(s))
	}
	return longest
}
