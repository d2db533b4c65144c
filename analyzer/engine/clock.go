package engine

import (
	"runtime"
	"slices"
	"sync"
	"text/template"
	"time"
	"weak"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// The clock of a live run (`logsleuth watch`, DESIGN §9). In a batch run
// time is event time only: an absence window passes when a later event
// of the same host shows it did. A live source may fall silent, and
// "docker was not started again within 30m" must still be said 30
// minutes after the stop: when every source has been read to its end,
// the caller tells the engine the wall-clock time (AdvanceClock), and windows
// that ended before it pass as they would on a later event. Nothing else
// changes: a batch run never calls AdvanceClock and gets the same findings.

// AdvanceClock says that every source has been read to its end at wall-clock
// time now: whatever the logs will still say is logged after now. Each
// absence window that ended more than Options.Tolerance before now
// passes (a confirmed finding, or the next step of its sequence), and a
// pending match whose `within` or `maxspan` has run out by then ends as
// a near miss, as a later event would end it. Call it only while the
// sources are idle: events already written but not yet processed could
// still refute a window. (Advance is the same for one host's event
// time, in fleet mode.)
func (e *Engine) AdvanceClock(now time.Time) {
	at := now.Add(-e.opts.Tolerance)
	for _, s := range e.observers {
		s.advance(e, at)
	}
}

// advance passes the absence windows that ended before at and ends the
// instances that can no longer advance at at.
func (s *sequence) advance(e *Engine, at time.Time) {
	if len(s.groups) == 0 {
		return
	}
	s.quiet.valid = false
	clock := clockEvent(at)
	for _, key := range s.sortedGroups() {
		list := s.groups[key]
		kept := list[:0]
		for _, in := range list {
			// A window that passes may open the next one (two absent
			// steps in a row), which may have passed too.
			for in != nil && !in.winEnd.IsZero() && !in.winEnd.Equal(openEnd) && at.After(in.winEnd) {
				s.adjustOpen(e, -1)
				in = s.passAbsent(e, in, s.steps[in.next])
			}
			if in == nil {
				continue
			}
			if reason := s.expired(in, clock); reason != "" {
				if !in.winEnd.IsZero() {
					s.adjustOpen(e, -1)
				}
				s.nearMiss(e, in, reason, nil)
				continue
			}
			kept = append(kept, in)
		}
		s.setGroup(key, kept)
	}
}

// clockEvent stands for the wall clock where a rule compares an event's
// time (expired): an event at t that matched nothing.
func clockEvent(t time.Time) *event.Event {
	return &event.Event{Time: t}
}

// Drain returns the findings made since the last Drain (or since New),
// sorted and rendered as Finish renders them, and forgets them: a live
// run hands each finding on once and keeps no more of them than the
// findings a threshold or dedupe window may still extend. Near misses
// are forgotten too (a live run does not report them). A later Finish
// returns only the findings made after the last Drain.
func (e *Engine) Drain() []*Finding {
	out := e.findings
	e.findings = nil
	clear(e.nearMisses)
	if len(out) == 0 {
		return nil
	}
	sortFindings(out)
	for _, f := range out {
		for i := range f.Evidence {
			if len(e.cut) > 0 { // (few lines are cut: skip making a weak pointer to each)
				f.Evidence[i].Cut = e.cut[weak.Make(f.Evidence[i].Event)]
			}
		}
	}
	e.renderFindings(out)
	return out
}

// renderFindings renders the explanation and remediation of fs; see
// Finish. A template that hit a limit is not run again for later
// findings, in this call or a later one.
func (e *Engine) renderFindings(fs []*Finding) {
	if e.spent == nil {
		e.spent = map[*template.Template]bool{}
	}
	errs, ok := e.renderParallel(fs)
	if !ok {
		// A template hit a limit: later findings must not run it again,
		// in order. Rendering again replaces what the parallel pass made.
		errs = make([][]error, len(fs))
		for i, f := range fs {
			errs[i] = f.render(e.opts.Location, e.spent)
		}
	}
	for i, f := range fs {
		for _, err := range errs[i] {
			msg := "signature " + f.Signature.ID + ": " + err.Error() + "; shown without it"
			f.Warnings = append(f.Warnings, msg)
			if e.opts.Warnings != nil {
				e.opts.Warnings.Addf("", 0, "%s (finding at %s)", msg, f.Start.UTC().Format(time.RFC3339))
			}
		}
	}
}

// minParallelRender is the number of findings from which renderFindings
// splits the work: below it a goroutine costs more than it saves.
const minParallelRender = 64

// renderParallel renders fs on every core: the templates of a dense
// log's 2,709 findings took a tenth of a second in the run's serial tail
// (issue 20), the other core idle. Each part gets its own copy of the
// spent templates; false when a template hit a limit in this pass, for
// then which later findings skip it depends on the order (the caller
// renders again, in order).
func (e *Engine) renderParallel(fs []*Finding) ([][]error, bool) {
	errs := make([][]error, len(fs))
	parts := min(runtime.GOMAXPROCS(0), len(fs)/minParallelRender)
	if parts < 2 || len(e.spent) > 0 {
		for i, f := range fs {
			errs[i] = f.render(e.opts.Location, e.spent)
		}
		return errs, true
	}
	var wg sync.WaitGroup
	hit := make([]bool, parts)
	for p := range parts {
		wg.Go(func() {
			spent := map[*template.Template]bool{}
			for i := p * len(fs) / parts; i < (p+1)*len(fs)/parts; i++ {
				errs[i] = fs[i].render(e.opts.Location, spent)
			}
			hit[p] = len(spent) > 0
		})
	}
	wg.Wait()
	return errs, !slices.Contains(hit, true)
}
