package timeline

import (
	"io"
	"net/url"
	"strings"
	"time"
)

// RenderMarkdown writes r as GitHub-flavoured Markdown to paste into a
// ticket, readable raw too. Log lines are code spans (CodeSpanMarkdown),
// remediation keeps its commands' code spans (ProseMarkdown), and every
// other log-derived string goes through EscapeMarkdown, so a log line
// cannot add links, images, HTML or table cells; evidence lines sit in
// table cells.
func RenderMarkdown(w io.Writer, r *Report, o RenderOptions) error {
	ew := &errWriter{w: w}
	loc := o.loc()
	ew.printf("# logsleuth timeline\n\n%s, %s; range: %s\n",
		plural(len(r.Incidents), "incident", "incidents"), plural(len(r.Findings), "finding", "findings"),
		EscapeMarkdown(r.scopeText(loc)))
	for i, inc := range r.Incidents {
		f := inc.Root
		ew.printf("\n## Incident %d: \\[%s\\] %s\n", i+1, f.Severity(), EscapeMarkdown(title(f)))
		if e := explanation(f); e != "" {
			ew.printf("\n%s\n", EscapeMarkdown(e))
		}
		writeFindingMD(ew, f, "root cause", loc)
		for _, s := range inc.Symptoms {
			ew.printf("\n### Symptom: \\[%s\\] %s\n", s.Severity(), EscapeMarkdown(title(s)))
			if e := explanation(s); e != "" {
				ew.printf("\n%s\n", EscapeMarkdown(e))
			}
			writeFindingMD(ew, s, "symptom", loc)
		}
		if len(f.Remediation) > 0 {
			ew.printf("\n**Remediation**\n\n")
			for _, s := range f.Remediation {
				ew.printf("- %s\n", ProseMarkdown(s))
			}
		}
		if refs := f.Signature.References; len(refs) > 0 {
			ew.printf("\n**References**\n\n")
			for _, ref := range refs {
				ew.printf("- %s\n", mdLink(ref.Title, ref.URL))
			}
		}
	}
	if len(r.Incidents) == 0 {
		ew.printf("\n%s\n", r.NoIncidents())
	}
	if o.NearMisses {
		ew.printf("\n## Near misses\n")
		if len(r.NearMisses) == 0 {
			ew.printf("\nnone\n")
		}
		for _, n := range r.NearMisses {
			ew.printf("\n**%s** in %s: %d step(s) matched: %s\n\n", EscapeMarkdown(n.Signature.ID), EscapeMarkdown(orDash(n.Group)),
				n.Steps, EscapeMarkdown(n.Reason))
			writeEvidenceMD(ew, n.Evidence, loc)
		}
	}

	c := &r.Coverage
	ew.printf("\n## Coverage\n\n| Source | Format | Events | First | Last | Time quality |\n| --- | --- | --: | --- | --- | --- |\n")
	for _, s := range c.Sources {
		ew.printf("| %s | %s | %d | %s | %s | %s |\n", mdCell(s.Path), mdCell(orDash(s.Format)), s.Events,
			EscapeMarkdown(stamp(s.First, loc)), EscapeMarkdown(stamp(s.Last, loc)), EscapeMarkdown(orDash(s.TimeQuality)))
	}
	if note := r.lookbackNote(); note != "" {
		ew.printf("\nLookback: %s\n", EscapeMarkdown(note))
	}
	if note := c.skippedNote(); note != "" {
		ew.printf("\nSeek: %s\n", EscapeMarkdown(note))
	}
	if note := c.duplicatesNote(); note != "" {
		ew.printf("\n%s\n", EscapeMarkdown(note))
	}
	if len(c.Boots) > 0 {
		ew.printf("\n**Boots**\n\n")
		for _, b := range c.Boots {
			ew.printf("- %s %s boot %s (%s)\n", EscapeMarkdown(stamp(b.Time, loc)), EscapeMarkdown(orDash(b.Host)),
				EscapeMarkdown(b.BootID), EscapeMarkdown(b.Source.String()))
		}
		if c.BootsOverflow > 0 {
			ew.printf("- … %d more boots\n", c.BootsOverflow)
		}
	}
	if len(c.Gaps) > 0 {
		ew.printf("\n**Gaps**\n\n")
		for _, g := range c.Gaps {
			ew.printf("- %s: silent %s, %s .. %s (%s)\n", EscapeMarkdown(g.Source), gapText(g),
				EscapeMarkdown(stamp(g.From, loc)), EscapeMarkdown(stamp(g.To, loc)), usualText(g.Typical))
		}
	}
	if len(c.Warnings) > 0 {
		ew.printf("\n**Warnings**\n\n")
		for _, wn := range c.Warnings {
			ew.printf("- %s\n", EscapeMarkdown(wn.String()))
		}
	}

	ew.printf("\n## Unexplained errors\n\n")
	if len(r.Unexplained) == 0 {
		ew.printf("none\n")
	} else {
		ew.printf("| Count | First | Last | Program | Template | Example |\n| --: | --- | --- | --- | --- | --- |\n")
		for _, g := range r.Unexplained {
			ew.printf("| %d | %s | %s | %s | %s | %s: %s |\n", g.Count, mdCell(stamp(g.First, loc)), mdCell(stamp(g.Last, loc)),
				EscapeMarkdown(orDash(g.Program)), CodeSpanMarkdown(g.Template, true), EscapeMarkdown(g.Example.Source.String()), CodeSpanMarkdown(g.Example.Message, true))
		}
		if r.UnexplainedOverflow > 0 {
			ew.printf("\n… %d more error lines of other templates\n", r.UnexplainedOverflow)
		}
	}
	return ew.err
}

func writeFindingMD(ew *errWriter, f *Finding, role string, loc *time.Location) {
	ew.printf("\n**%s** %s (%s): **%s**, host %s, %s .. %s", f.ID, EscapeMarkdown(f.Signature.ID), role,
		EscapeMarkdown(outcomeText(f.Outcome, f.Reason)), EscapeMarkdown(orDash(f.Host)),
		EscapeMarkdown(stamp(f.Start, loc)), EscapeMarkdown(stamp(f.End, loc)))
	if c := countText(f); c != "" {
		ew.printf(", %s", c)
	}
	ew.printf("\n\n")
	writeEvidenceMD(ew, f.Evidence, loc)
}

func writeEvidenceMD(ew *errWriter, ev []Evidence, loc *time.Location) {
	ew.printf("| Time | Δ | Host | Program | Step | Line | Where |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, l := range Lines(ev) {
		x := l.Event
		d, step, host := "", "", ""
		// Evidence lines are bold, context lines plain.
		msg := CodeSpanMarkdown(x.Message, true)
		if l.Evidence != nil {
			d, step, host = deltaOf(l.Evidence), mdCell(l.Evidence.Step), mdCell(orDash(x.Host))
			if msg != "" {
				msg = "**" + msg + "**"
			}
			msg += mdCell(cutText(l.Evidence.Cut))
		}
		ew.printf("| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(stamp(x.Time, loc)), mdCell(d), host,
			mdCell(programOf(x)), step, msg, mdCell(x.Source.String()))
	}
	// Too long for a cell: the commands that fetch the lines again from
	// their store follow the table.
	if refetch := refetchCommands(ev); len(refetch) > 0 {
		ew.printf("\nRe-fetch from the store:\n\n")
		for _, c := range refetch {
			ew.printf("- %s\n", CodeSpanMarkdown(c, false))
		}
	}
}

// mdLink is a link for an http(s) reference URL, with the characters
// that would end the link destination percent-encoded; any other URL is
// shown as escaped text.
func mdLink(title, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return EscapeMarkdown(title + " " + raw)
	}
	dest := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	return "[" + EscapeMarkdown(title) + "](" + dest + ")"
}

// mdCell is EscapeMarkdown for a table cell, where no block can open: a
// leading '-', '+' or '#' stays as it is.
func mdCell(s string) string {
	var b strings.Builder
	escapeMarkdown(&b, AppendSafe(nil, s, " "), false)
	return b.String()
}
