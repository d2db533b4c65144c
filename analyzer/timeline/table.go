package timeline

import (
	"io"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// ANSI styles for the table format. Only these escape sequences ever
// reach the terminal: log text goes through AppendSafe first.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// RenderTable writes r for a terminal: sections as headings, evidence,
// sources and errors as tables (tablewriter). Colour only when o.Color.
func RenderTable(w io.Writer, r *Report, o RenderOptions) error {
	ew := &errWriter{w: w}
	loc := o.loc()
	paint := func(style, s string) string {
		if !o.Color || style == "" {
			return s
		}
		return style + s + ansiReset
	}
	ew.printf("%s %s, %s; range: %s\n", paint(ansiBold, "logsleuth timeline:"),
		plural(len(r.Incidents), "incident", "incidents"), plural(len(r.Findings), "finding", "findings"),
		r.scopeText(loc))
	for i, inc := range r.Incidents {
		f := inc.Root
		ew.printf("\n%s %s %s\n", paint(ansiBold, "INCIDENT "+strconv.Itoa(i+1)),
			paint(severityStyle(f.Severity()), "["+f.Severity().String()+"]"), Safe(title(f)))
		if e := explanation(f); e != "" {
			ew.printf("  %s\n", Safe(e))
		}
		for _, x := range append([]*Finding{f}, inc.Symptoms...) {
			role := "root cause"
			if x != f {
				role = "symptom"
				ew.printf("\n  %s %s\n", paint(severityStyle(x.Severity()), "["+x.Severity().String()+"]"), Safe(title(x)))
				if e := explanation(x); e != "" {
					ew.printf("    %s\n", Safe(e))
				}
			}
			count := countText(x)
			if count != "" {
				count = ", " + count
			}
			ew.printf("  %s %s (%s): %s, host %s%s\n", x.ID, Safe(x.Signature.ID), role,
				outcomeText(x.Outcome, Safe(x.Reason)), Safe(orDash(x.Host)), count)
			if ew.err == nil {
				ew.err = evidenceTable(w, x.Evidence, loc)
			}
			writeRefetchList(ew, x.Evidence)
		}
		if len(f.Remediation) > 0 {
			ew.printf("  %s\n", paint(ansiBold, "Remediation:"))
			for _, s := range f.Remediation {
				ew.printf("    - %s\n", Safe(s))
			}
		}
		if refs := f.Signature.References; len(refs) > 0 {
			ew.printf("  %s\n", paint(ansiBold, "References:"))
			for _, ref := range refs {
				ew.printf("    - %s %s\n", Safe(ref.Title), paint(ansiDim, Safe(ref.URL)))
			}
		}
	}
	if len(r.Incidents) == 0 {
		ew.printf("\n%s\n", r.NoIncidents())
	}
	if o.NearMisses {
		ew.printf("\n%s\n", paint(ansiBold, "NEAR MISSES"))
		if len(r.NearMisses) == 0 {
			ew.printf("  none\n")
		}
		for _, n := range r.NearMisses {
			ew.printf("  %s in %s: %d step(s) matched: %s\n", Safe(n.Signature.ID), Safe(orDash(n.Group)), n.Steps, Safe(n.Reason))
			if ew.err == nil {
				ew.err = evidenceTable(w, n.Evidence, loc)
			}
			writeRefetchList(ew, n.Evidence)
		}
	}

	c := &r.Coverage
	ew.printf("\n%s\n", paint(ansiBold, "COVERAGE"))
	if ew.err == nil {
		t := newTable(w)
		t.Header("Source", "Format", "Events", "First", "Last", "Time quality")
		for _, s := range c.Sources {
			t.Append(Safe(s.Path), orDash(s.Format), strconv.FormatInt(s.Events, 10), stamp(s.First, loc), stamp(s.Last, loc), Safe(orDash(s.TimeQuality)))
		}
		ew.err = t.Render()
	}
	writeSeekText(ew, r)
	writeBootsAndGaps(ew, c, loc)
	if len(c.Warnings) > 0 {
		ew.printf("  %s\n", paint(ansiYellow, "Warnings:"))
		for _, wn := range c.Warnings {
			ew.printf("    %s\n", Safe(wn.String()))
		}
	}

	ew.printf("\n%s\n", paint(ansiBold, "UNEXPLAINED ERRORS"))
	if len(r.Unexplained) == 0 {
		ew.printf("  none\n")
	} else if ew.err == nil {
		t := newTable(w)
		t.Header("Count", "First", "Last", "Program", "Template", "Example")
		for _, g := range r.Unexplained {
			t.Append(strconv.Itoa(g.Count), stamp(g.First, loc), stamp(g.Last, loc), Safe(orDash(g.Program)),
				Safe(g.Template), Safe(g.Example.Source.String()))
		}
		ew.err = t.Render()
		if r.UnexplainedOverflow > 0 {
			ew.printf("  ... %d more error lines of other templates\n", r.UnexplainedOverflow)
		}
	}
	return ew.err
}

func severityStyle(s signature.Severity) string {
	switch {
	case s >= signature.High:
		return ansiRed
	case s == signature.Medium:
		return ansiYellow
	case s == signature.Low:
		return ansiCyan
	}
	return ""
}

// newTable is a bordered ASCII table whose long cells wrap at 72 columns.
func newTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithConfig(tablewriter.Config{
			Row: tw.CellConfig{
				Formatting:   tw.CellFormatting{AutoWrap: tw.WrapNormal},
				Alignment:    tw.CellAlignment{Global: tw.AlignLeft},
				ColMaxWidths: tw.CellWidth{Global: 72},
			},
		}),
	)
}

func evidenceTable(w io.Writer, ev []Evidence, loc *time.Location) error {
	t := newTable(w)
	t.Header("Time", "Δ", "Host", "Program", "Step", "Line", "Where")
	for _, l := range Lines(ev) {
		x := l.Event
		if l.Evidence == nil {
			t.Append(stamp(x.Time, loc), "", "", Safe(programOf(x)), "", "| "+string(AppendSafe(nil, x.Message, "\n")), Safe(x.Source.String()))
			continue
		}
		t.Append(stamp(x.Time, loc), deltaOf(l.Evidence), Safe(orDash(x.Host)), Safe(programOf(x)), Safe(l.Evidence.Step),
			string(AppendSafe(nil, x.Message, "\n"))+cutText(l.Evidence.Cut), Safe(x.Source.String()))
	}
	return t.Render()
}

// writeRefetchList lists, after an evidence table, the commands that
// fetch its lines again from their store (fleet mode): too long for a
// cell, and each names its line's time, host and program.
func writeRefetchList(ew *errWriter, ev []Evidence) {
	cmds := refetchCommands(ev)
	if len(cmds) == 0 {
		return
	}
	ew.printf("  Re-fetch from the store:\n")
	for _, c := range cmds {
		ew.printf("    - %s\n", Safe(c))
	}
}
