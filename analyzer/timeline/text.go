package timeline

import (
	"fmt"
	"io"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// RenderText writes r as plain text for pipes and files: no colour, no
// table borders, every log-derived string made terminal-safe (Safe).
func RenderText(w io.Writer, r *Report, o RenderOptions) error {
	ew := &errWriter{w: w}
	loc := o.loc()
	ew.printf("logsleuth timeline: %s, %s; range: %s\n",
		plural(len(r.Incidents), "incident", "incidents"), plural(len(r.Findings), "finding", "findings"),
		r.scopeText(loc))
	for i, inc := range r.Incidents {
		f := inc.Root
		head := fmt.Sprintf("INCIDENT %d: [%s] ", i+1, f.Severity())
		ew.printf("\n%s%s\n", head, wrap(Safe(title(f)), len(head), "  "))
		if e := explanation(f); e != "" {
			ew.printf("  %s\n", wrap(Safe(e), 2, "  "))
		}
		writeFindingText(ew, f, "  ", loc)
		if len(inc.Symptoms) > 0 {
			ew.printf("  Symptoms it explains:\n")
			for _, s := range inc.Symptoms {
				head := "    [" + s.Severity().String() + "] "
				ew.printf("%s%s\n", head, wrap(Safe(title(s)), len(head), "      "))
				if e := explanation(s); e != "" {
					ew.printf("      %s\n", wrap(Safe(e), 6, "      "))
				}
				writeFindingText(ew, s, "      ", loc)
			}
		}
		writeActionsText(ew, f, "  ")
	}
	if len(r.Incidents) == 0 {
		ew.printf("\n%s\n", r.NoIncidents())
	}
	if o.NearMisses {
		writeNearMissesText(ew, r, loc)
	}
	writeCoverageText(ew, r, loc)
	writeUnexplainedText(ew, r, loc)
	return ew.err
}

func writeFindingText(ew *errWriter, f *Finding, ind string, loc *time.Location) {
	ew.printf("%s%s %s, %s, host %s, %s .. %s\n", ind, f.ID, Safe(f.Signature.ID), outcomeText(f.Outcome, Safe(f.Reason)),
		Safe(orDash(f.Host)), stamp(f.Start, loc), stamp(f.End, loc))
	if c := countText(f); c != "" {
		ew.printf("%s%s\n", ind, c)
	}
	ew.printf("%sEvidence:\n", ind)
	writeEvidenceText(ew, f.Evidence, ind+"  ", loc)
}

func writeEvidenceText(ew *errWriter, ev []Evidence, ind string, loc *time.Location) {
	var buf []byte
	for _, l := range Lines(ev) {
		x := l.Event
		if l.Evidence == nil {
			ew.write(contextLine(buf[:0], ind, x, loc))
			continue
		}
		buf = append(buf[:0], ind...)
		buf = append(buf, stamp(x.Time, loc)...)
		buf = append(buf, "  "...)
		buf = append(buf, deltaOf(l.Evidence)...)
		buf = append(buf, "  "...)
		buf = AppendSafe(buf, orDash(x.Host), `\n`)
		buf = append(buf, "  "...)
		buf = AppendSafe(buf, programOf(x), `\n`)
		buf = append(buf, "  "...)
		buf = AppendSafe(buf, l.Evidence.Step, `\n`)
		buf = append(buf, "  "...)
		buf = AppendSafe(buf, x.Source.String(), `\n`)
		buf = append(buf, '\n')
		buf = append(buf, ind...)
		buf = append(buf, "  > "...)
		buf = AppendSafe(buf, x.Message, "\n"+ind+"    ")
		buf = append(buf, cutText(l.Evidence.Cut)...)
		buf = append(buf, '\n')
		if l.Evidence.Refetch != "" {
			buf = append(buf, ind...)
			buf = append(buf, "    re-fetch: "...)
			buf = AppendSafe(buf, l.Evidence.Refetch, `\n`)
			buf = append(buf, '\n')
		}
		ew.write(buf)
	}
}

// contextLine is one surrounding line: "    | time program: message".
func contextLine(buf []byte, ind string, c *event.Event, loc *time.Location) []byte {
	buf = append(buf, ind...)
	buf = append(buf, "  | "...)
	buf = append(buf, stamp(c.Time, loc)...)
	buf = append(buf, ' ')
	buf = AppendSafe(buf, programOf(c), `\n`)
	buf = append(buf, ": "...)
	buf = AppendSafe(buf, c.Message, `\n`)
	buf = append(buf, "  ("...)
	buf = AppendSafe(buf, c.Source.String(), `\n`)
	return append(buf, ")\n"...)
}

func writeActionsText(ew *errWriter, f *Finding, ind string) {
	if len(f.Remediation) > 0 {
		ew.printf("%sRemediation:\n", ind)
		for _, s := range f.Remediation {
			ew.printf("%s  - %s\n", ind, wrap(Safe(s), len(ind)+4, ind+"    "))
		}
	}
	if refs := f.Signature.References; len(refs) > 0 {
		ew.printf("%sReferences:\n", ind)
		for _, ref := range refs {
			ew.printf("%s  - %s <%s>\n", ind, Safe(ref.Title), Safe(ref.URL))
		}
	}
}

func writeNearMissesText(ew *errWriter, r *Report, loc *time.Location) {
	ew.printf("\nNEAR MISSES\n")
	if len(r.NearMisses) == 0 {
		ew.printf("  none\n")
	}
	for _, n := range r.NearMisses {
		ew.printf("  %s in %s: %d step(s) matched\n    %s\n", Safe(n.Signature.ID), Safe(orDash(n.Group)), n.Steps, Safe(n.Reason))
		writeEvidenceText(ew, n.Evidence, "    ", loc)
	}
}

func writeCoverageText(ew *errWriter, r *Report, loc *time.Location) {
	c := &r.Coverage
	ew.printf("\nCOVERAGE\n  Sources:\n")
	for _, s := range c.Sources {
		if s.Skipped.Whole {
			ew.printf("    %s: %s, %s\n", Safe(s.Path), orDash(s.Format), skipNote(s))
			continue
		}
		skip := ""
		if note := skipNote(s); note != "" {
			skip = "; " + note
		}
		ew.printf("    %s: %s, %s, %s .. %s, time %s%s\n", Safe(s.Path), orDash(s.Format), plural(int(s.Events), "event", "events"),
			stamp(s.First, loc), stamp(s.Last, loc), Safe(orDash(s.TimeQuality)), skip)
	}
	writeSeekText(ew, r)
	writeBootsAndGaps(ew, c, loc)
	if len(c.Warnings) > 0 {
		ew.printf("  Warnings:\n")
		for _, w := range c.Warnings {
			ew.printf("    %s\n", Safe(w.String()))
		}
	}
}

func writeUnexplainedText(ew *errWriter, r *Report, loc *time.Location) {
	ew.printf("\nUNEXPLAINED ERRORS\n")
	if len(r.Unexplained) == 0 {
		ew.printf("  none\n")
		return
	}
	for _, g := range r.Unexplained {
		when := stamp(g.First, loc)
		if !g.Last.Equal(g.First) {
			when += " .. " + stamp(g.Last, loc)
		}
		ew.printf("  %dx %s: %s\n    %s, e.g. %s: %s\n", g.Count, Safe(orDash(g.Program)), Safe(g.Template),
			when, Safe(g.Example.Source.String()), Safe(g.Example.Message))
	}
	if r.UnexplainedOverflow > 0 {
		ew.printf("  ... %d more error lines of other templates\n", r.UnexplainedOverflow)
	}
}

// writeSeekText prints what was read before --since and what a seek
// skipped, in the text and table reports alike.
func writeSeekText(ew *errWriter, r *Report) {
	if note := r.lookbackNote(); note != "" {
		ew.printf("  Lookback: %s\n", note)
	}
	if note := r.Coverage.skippedNote(); note != "" {
		ew.printf("  Seek: %s\n", note)
	}
}

// writeBootsAndGaps prints the boots and gaps of the coverage, in the
// text and table reports alike.
func writeBootsAndGaps(ew *errWriter, c *Coverage, loc *time.Location) {
	if note := c.duplicatesNote(); note != "" {
		ew.printf("  Duplicates: %s\n", note)
	}
	if len(c.Boots) > 0 {
		ew.printf("  Boots:\n")
		for _, b := range c.Boots {
			ew.printf("    %s  %s  boot %s  (%s)\n", stamp(b.Time, loc), Safe(orDash(b.Host)), Safe(b.BootID), Safe(b.Source.String()))
		}
		if c.BootsOverflow > 0 {
			ew.printf("    ... %d more boots\n", c.BootsOverflow)
		}
	}
	if len(c.Gaps) > 0 {
		ew.printf("  Gaps:\n")
		for _, g := range c.Gaps {
			ew.printf("    %s: silent %s, %s .. %s (%s)\n", Safe(g.Source), gapText(g), stamp(g.From, loc), stamp(g.To, loc), usualText(g.Typical))
		}
	}
}
