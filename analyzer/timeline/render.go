package timeline

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Output formats.
const (
	FormatTable = "table"
	FormatText  = "text"
	FormatJSON  = "json"
	FormatMD    = "md"
	FormatHTML  = "html"
)

// Formats lists the output formats, in the order --help shows them.
var Formats = []string{FormatTable, FormatText, FormatJSON, FormatMD, FormatHTML}

// RenderOptions say how to show a report.
type RenderOptions struct {
	// Location is the zone times are shown in (text, table, md, html);
	// nil: UTC. JSON is always UTC.
	Location *time.Location
	// Color allows ANSI colour in the table format; set it only when the
	// output is a terminal.
	Color bool
	// NearMisses adds the near misses (--near-misses).
	NearMisses bool
	// Version is the logsleuth version named in html and md footers.
	Version string
}

func (o *RenderOptions) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Render writes r to w in format.
func Render(w io.Writer, r *Report, format string, o RenderOptions) error {
	switch format {
	case FormatText:
		return RenderText(w, r, o)
	case FormatTable:
		return RenderTable(w, r, o)
	case FormatJSON:
		return RenderJSON(w, r, o)
	case FormatMD:
		return RenderMarkdown(w, r, o)
	case FormatHTML:
		return RenderHTML(w, r, o)
	}
	return fmt.Errorf("timeline: unknown format %q", format)
}

// errWriter remembers the first write error so renderers can write
// without checking every call.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// stamp shows t in loc as RFC 3339, "time unknown" when the input had
// none (a pasted line whose stamp was cut, a command): such events keep
// their input order and are never given an invented time.
func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return timeUnknown
	}
	return t.In(loc).Format(time.RFC3339)
}

// timeUnknown is what every format shows for a time the input did not
// have.
const timeUnknown = "time unknown"

// deltaOf shows an evidence line's Δ, "-" when its time is unknown.
func deltaOf(e *Evidence) string {
	if e.Event.Time.IsZero() {
		return "-"
	}
	return delta(e.Delta)
}

// delta shows a Δ from the chain's first event: "+0s", "+4s", "+1h2m3s".
func delta(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d < 0 {
		return "-" + d.Abs().String()
	}
	return "+" + d.String()
}

// programOf shows "systemd[1]" or "systemd" or "-".
func programOf(ev *event.Event) string {
	if ev.Program == "" {
		return "-"
	}
	if ev.PID != 0 {
		return ev.Program + "[" + strconv.Itoa(ev.PID) + "]"
	}
	return ev.Program
}

// outcomeText is "confirmed" or "unresolved (end of log)".
func outcomeText(outcome, reason string) string {
	if reason == "" {
		return outcome
	}
	return outcome + " (" + reason + ")"
}

// rangeText shows the reported range.
func rangeText(since, until time.Time, loc *time.Location) string {
	if since.IsZero() && until.IsZero() {
		return "everything read"
	}
	end := func(t time.Time) string {
		if t.IsZero() {
			return "-" // an open end, not an unknown time
		}
		return stamp(t, loc)
	}
	return end(since) + " .. " + end(until)
}

// headline is what an incident is called: the root's rendered explain.
func headline(f *Finding) string {
	if f.Summary != "" {
		return f.Summary
	}
	return f.Signature.Title
}

// title is the signature's title, the first line of a finding's header;
// without one the header is the headline alone.
func title(f *Finding) string {
	if f.Signature.Title != "" {
		return f.Signature.Title
	}
	return f.Summary
}

// explanation is the rendered explain under the title in a finding's
// header, or "" when there is nothing more to say than the title.
func explanation(f *Finding) string {
	if f.Summary == "" || f.Signature.Title == "" || f.Summary == f.Signature.Title {
		return ""
	}
	return f.Summary
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func gapText(g Gap) string {
	return fmtDuration(g.To.Sub(g.From))
}

// fmtDuration rounds a long duration for people: "3h12m0s" -> "3h12m".
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// cutText notes the bytes of an evidence line the report did not keep:
// " [... 1040384 more bytes not kept]", or "".
func cutText(n int) string {
	if n <= 0 {
		return ""
	}
	return " [... " + strconv.Itoa(n) + " more bytes not kept]"
}

// countText says how many events a finding folded in, and how many of
// them the evidence shows when the engine kept only the first ones: ""
// for one, "4 events", "14 events, the first 10 shown".
func countText(f *Finding) string {
	if f.Count <= 1 {
		return ""
	}
	s := strconv.Itoa(f.Count) + " events"
	if n := len(f.Evidence); n < f.Count {
		s += ", the first " + strconv.Itoa(n) + " shown"
	}
	return s
}

// usualText describes a source's typical spacing for a gap:
// "usually every 25.8s"; lines that mostly share their second (median 0)
// read "usually under a second apart", not "every 0s".
func usualText(d time.Duration) string {
	if d < time.Second {
		return "usually under a second apart"
	}
	return "usually every " + fmtDuration(d)
}

// textWidth is where the text format wraps prose (headlines,
// remediation). Log lines are never wrapped: they stay greppable.
const textWidth = 100

// wrap breaks prose s into lines of at most width columns at spaces, the
// first line starting at column used, the others after indent. A word
// longer than a line stays whole.
func wrap(s string, used int, indent string) string {
	var b strings.Builder
	col := used
	for i, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case col+1+n > textWidth:
			b.WriteByte('\n')
			b.WriteString(indent)
			col = len(indent)
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}
