package timeline

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; html/template escapes every value for the
// context it lands in (text, attribute, URL), so log text stays text.
var htmlTemplate = template.Must(template.New("report").Parse(withScriptHash(htmlSource)))

// withScriptHash puts the SHA-256 of the page's one script, which is
// static text, into its Content-Security-Policy: the browser then runs
// that script and no other, so a line that slipped past escaping could
// still not run as script. The script has no comments: html/template
// drops them, and the page's script would no longer match the hash
// (TestHTMLScriptHash). What it does: a click on a mark shows its line
// and scrolls to its row; the overview zooms on a drag across a lane, a
// click on an incident span or #zoom=ID (each incident's lane links
// there), laying every mark out again from its time (data-t0, data-t1);
// a double-click or "whole range" zooms out.
func withScriptHash(src string) string {
	_, rest, ok := strings.Cut(src, "<script>")
	body, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 || strings.Contains(body, "{{") {
		panic("report.html.tmpl: one static <script> expected")
	}
	sum := sha256.Sum256([]byte(body))
	return strings.Replace(src, "'sha256-SCRIPTHASH'", "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", 1)
}

// axisWidth is the SVG user-space width of a timeline lane.
const axisWidth = 1000.0

type htmlPage struct {
	R        *Report
	Loc      *time.Location
	Opts     RenderOptions
	Summary  string
	Lanes    []*htmlLane
	AxisFrom string
	AxisTo   string
	// The axis in Unix milliseconds, and the zone's offset in seconds
	// and as RFC 3339 writes it, for the script that zooms the lanes
	// and relabels the axis (with the zone's offset at the axis start).
	AxisFromMS, AxisToMS string
	ZoneOffset, ZoneName string
	Incidents            []htmlIncident
}

type htmlIncident struct {
	N        int
	Inc      *Incident
	Findings []*Finding
	Zoom     *htmlZoom // the incident's own lane; nil without times
}

type htmlLane struct {
	Name  string
	Spans []htmlMark
	Marks []htmlMark
}

// htmlMark is one mark or span on a lane; X and W are in axis units,
// T0 (and, for a span, T1) its time in Unix milliseconds, from which the
// script lays it out again when the overview is zoomed.
type htmlMark struct {
	Class  string
	X, W   string
	T0, T1 string
	Target string // element id the mark links to
	Title  string // shown on hover
}

// RenderHTML writes r as one self-contained HTML page: inline CSS, a small
// inline script, and an SVG time axis per host with marks for evidence,
// unexplained errors and boots, and incident spans highlighted. Nothing is
// loaded from the network; the only URLs are the references' links.
func RenderHTML(w io.Writer, r *Report, o RenderOptions) error {
	loc := o.loc()
	p := &htmlPage{R: r, Loc: loc, Opts: o,
		Summary: plural(len(r.Incidents), "incident", "incidents") + ", " + plural(len(r.Findings), "finding", "findings") +
			"; range: " + r.scopeText(loc)}
	for i, inc := range r.Incidents {
		fs := append([]*Finding{inc.Root}, inc.Symptoms...)
		p.Incidents = append(p.Incidents, htmlIncident{N: i + 1, Inc: inc, Findings: fs, Zoom: p.zoomLane(inc, fs)})
	}
	p.axis()
	return htmlTemplate.Execute(w, p)
}

// timeSpan is the earliest and the latest of the known times it saw.
type timeSpan struct{ lo, hi time.Time }

func (s *timeSpan) see(t time.Time) {
	if t.IsZero() {
		return
	}
	if s.lo.IsZero() || t.Before(s.lo) {
		s.lo = t
	}
	if s.hi.IsZero() || t.After(s.hi) {
		s.hi = t
	}
}

// axis lays out the lanes: one per host (or source when the host is
// unknown), across the span of every known time in the report.
func (p *htmlPage) axis() {
	r := p.R
	var seen timeSpan
	see := seen.see
	for _, s := range r.Coverage.Sources {
		see(s.First)
		see(s.Last)
	}
	for _, f := range r.Findings {
		see(f.Start)
		see(f.End)
	}
	lo, hi := seen.lo, seen.hi
	if lo.IsZero() {
		return
	}
	if !hi.After(lo) {
		hi = lo.Add(time.Minute)
	}
	p.AxisFrom, p.AxisTo = stamp(lo, p.Loc), stamp(hi, p.Loc)
	p.AxisFromMS, p.AxisToMS = ms(lo), ms(hi)
	_, off := lo.In(p.Loc).Zone()
	p.ZoneOffset = strconv.Itoa(off)
	p.ZoneName = lo.In(p.Loc).Format("Z07:00")
	span := float64(hi.Sub(lo))
	x := func(t time.Time) float64 {
		v := float64(t.Sub(lo)) / span * axisWidth
		return min(max(v, 0), axisWidth)
	}
	lanes := map[string]*htmlLane{}
	lane := func(host, path string) *htmlLane {
		name := host
		if name == "" {
			name = path
		}
		l := lanes[name]
		if l == nil {
			l = &htmlLane{Name: Safe(name)}
			lanes[name] = l
		}
		return l
	}
	mark := func(ev *event.Event, class, target, title string) {
		if ev.Time.IsZero() {
			return
		}
		l := lane(ev.Host, ev.Source.Path)
		l.Marks = append(l.Marks, htmlMark{Class: class, X: num(x(ev.Time) - 2), W: "4", T0: ms(ev.Time), Target: target,
			Title: stamp(ev.Time, p.Loc) + " " + Safe(programOf(ev)) + ": " + Safe(ev.Message) + " (" + Safe(ev.Source.String()) + ")"})
	}
	for _, f := range r.Findings {
		if !f.Start.IsZero() {
			l := lane(f.Host, "")
			if len(f.Evidence) > 0 && f.Host == "" {
				l = lane(f.Evidence[0].Event.Host, f.Evidence[0].Event.Source.Path)
			}
			end := f.End
			if end.IsZero() {
				end = f.Start
			}
			l.Spans = append(l.Spans, htmlMark{Class: "span sev-" + f.Severity().String(), X: num(x(f.Start)),
				W: num(max(x(end)-x(f.Start), 2)), T0: ms(f.Start), T1: ms(end), Target: f.ID, Title: f.ID + " " + Safe(f.Signature.ID) + ": " + Safe(headline(f))})
		}
		for i, e := range f.Evidence {
			mark(e.Event, "mark evidence", f.ID+"-e"+strconv.Itoa(i), f.ID+" "+e.Step)
		}
	}
	for i, g := range r.Unexplained {
		mark(g.Example, "mark error", "u"+strconv.Itoa(i+1), "")
	}
	for _, b := range r.Coverage.Boots {
		if b.Time.IsZero() {
			continue
		}
		l := lane(b.Host, b.Source.Path)
		l.Marks = append(l.Marks, htmlMark{Class: "mark boot", X: num(x(b.Time) - 1), W: "2", T0: ms(b.Time), Title: "boot " + Safe(b.BootID) + " " + stamp(b.Time, p.Loc)})
	}
	for _, g := range r.Coverage.Gaps {
		l := lane(g.Host, g.Source)
		l.Spans = append(l.Spans, htmlMark{Class: "gap", X: num(x(g.From)), W: num(x(g.To) - x(g.From)), T0: ms(g.From), T1: ms(g.To),
			Title: "no events for " + gapText(g) + " in " + Safe(g.Source)})
	}
	for _, l := range lanes {
		p.Lanes = append(p.Lanes, l)
	}
	sort.Slice(p.Lanes, func(i, j int) bool { return p.Lanes[i].Name < p.Lanes[j].Name })
}

// ms is t in Unix milliseconds, as the page's script reads times.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// The template's helpers; they make no markup, html/template escapes what
// they return.
func (p *htmlPage) Stamp(t time.Time) string { return stamp(t, p.Loc) }
func (p *htmlPage) Delta(e *Evidence) string { return deltaOf(e) }
func (p *htmlPage) Program(ev *event.Event) string {
	return Safe(programOf(ev))
}
func (p *htmlPage) Where(ev *event.Event) string      { return Safe(ev.Source.String()) }
func (p *htmlPage) WhereRef(s event.SourceRef) string { return Safe(s.String()) }
func (p *htmlPage) Outcome(f *Finding) string         { return Safe(outcomeText(f.Outcome, f.Reason)) }
func (p *htmlPage) Headline(f *Finding) string        { return Safe(headline(f)) }
func (p *htmlPage) Title(f *Finding) string           { return Safe(title(f)) }
func (p *htmlPage) Explanation(f *Finding) string     { return Safe(explanation(f)) }
func (p *htmlPage) Lines(ev []Evidence) []Line        { return Lines(ev) }
func (p *htmlPage) GapText(g Gap) string              { return gapText(g) }
func (p *htmlPage) Usual(d time.Duration) string      { return usualText(d) }
func (p *htmlPage) Count(f *Finding) string           { return countText(f) }
func (p *htmlPage) Cut(n int) string                  { return cutText(n) }
func (p *htmlPage) OrDash(s string) string            { return Safe(orDash(s)) }
func (p *htmlPage) Text(s string) string              { return string(AppendSafe(nil, s, "\n")) }
func (p *htmlPage) DuplicatesNote() string            { return p.R.Coverage.duplicatesNote() }
func (p *htmlPage) LookbackNote() string              { return p.R.lookbackNote() }
func (p *htmlPage) SkippedNote() string               { return p.R.Coverage.skippedNote() }
func (p *htmlPage) UID(i int) string                  { return "u" + strconv.Itoa(i+1) }
func (p *htmlPage) EvidenceID(f *Finding, e *Evidence) string {
	for i := range f.Evidence {
		if &f.Evidence[i] == e {
			return f.ID + "-e" + strconv.Itoa(i)
		}
	}
	return ""
}
