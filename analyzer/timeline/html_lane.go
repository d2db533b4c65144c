package timeline

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// An incident's lane in the HTML report spans the incident's own time,
// not the report's: over a week of logs a 30-minute incident would be a
// sliver on the overview. Its SVG has one row per finding (the root
// first), the evidence as points labelled by step, each absence window as
// a span labelled with its outcome, and a time axis below.

// Lane geometry, in SVG user units of a viewBox axisWidth wide (the SVG
// scales uniformly, so text keeps its shape).
const (
	laneLeft    = 84.0             // the plot starts here; finding ids left of it
	laneRight   = 986.0            // and ends here
	laneRowH    = 62               // one finding's row
	laneAxisH   = 22               // the time axis under the rows
	lanePointR  = 5                // an evidence point's radius
	laneCharW   = 6.2              // a label character's width, roughly, at font-size 11
	laneLevels  = 2                // label lines above the points, used alternately
	laneMinSpan = 10 * time.Second // a lane shows at least this much time
)

// htmlZoom is one incident's lane.
type htmlZoom struct {
	Height int
	// From and To are the lane's range, for people and, as Unix
	// milliseconds, for the overview's zoom (FromMS, ToMS).
	From, To     string
	FromMS, ToMS string
	Target       string // the root finding, which the overview zooms to
	Rows         []htmlZoomRow
	Ticks        []htmlTick
	// AxisY is the y of the time axis, TickY of its labels.
	AxisY, TickY string
}

type htmlZoomRow struct {
	Label, LabelY string // the finding's id, at the left
	Target        string // its article
	Line          string // y of the row's base line
	Points        []htmlPoint
	Windows       []htmlWindow
}

// htmlPoint is an evidence event; Label is its step, "" when the same
// step's label was just shown beside it.
type htmlPoint struct {
	X, Y           string
	Label, LabelY  string
	Target, Title  string
	LabelX, Anchor string
}

// htmlWindow is an absent step's window. When the log ended or the host
// rebooted inside it, CutX is where, and the rest of the window (CutX,
// CutW) is drawn as not seen.
type htmlWindow struct {
	X, W, Y, H     string
	Class          string // window confirmed|unresolved|boundary
	Label          string
	LabelX, LabelY string
	Anchor         string
	Title          string
	CutX, CutW     string
	CutY1, CutY2   string
}

type htmlTick struct {
	X, Label string
}

// zoomLane lays out the lane of inc; nil when none of its findings has a
// known time.
func (p *htmlPage) zoomLane(inc *Incident, findings []*Finding) *htmlZoom {
	var seen timeSpan
	see := seen.see
	for _, f := range findings {
		for _, e := range f.Evidence {
			see(e.Event.Time)
		}
		for _, a := range f.Absences {
			see(a.Start)
			see(a.End)
		}
		see(f.Start)
		see(f.End)
	}
	lo, hi := seen.lo, seen.hi
	if lo.IsZero() {
		return nil
	}
	if span := hi.Sub(lo); span < laneMinSpan {
		lo = lo.Add(-(laneMinSpan - span) / 2)
		hi = lo.Add(laneMinSpan)
	}
	pad := hi.Sub(lo) / 40
	lo, hi = lo.Add(-pad), hi.Add(pad)
	span := float64(hi.Sub(lo))
	x := func(t time.Time) float64 {
		return laneLeft + float64(t.Sub(lo))/span*(laneRight-laneLeft)
	}
	z := &htmlZoom{From: stamp(lo, p.Loc), To: stamp(hi, p.Loc), Target: inc.Root.ID,
		FromMS: ms(lo), ToMS: ms(hi),
		Height: len(findings)*laneRowH + laneAxisH,
		AxisY:  num(float64(len(findings) * laneRowH)), TickY: num(float64(len(findings)*laneRowH) + 15)}
	for i, f := range findings {
		top := float64(i * laneRowH)
		base := top + 40 // the points' centre line
		row := htmlZoomRow{Label: f.ID, LabelY: num(base + 4), Target: f.ID, Line: num(base)}
		for _, a := range f.Absences {
			// A window anchored at an unknown time is nowhere on the axis.
			if !a.Start.IsZero() {
				row.Windows = append(row.Windows, p.absenceWindow(f, a, x, hi, base))
			}
		}
		// Labels go on laneLevels lines above the points, each on the
		// lowest line where it does not run into the one before.
		var ends [laneLevels]float64
		for k := range ends {
			ends[k] = -1
		}
		prevStep, prevX := "", -1e9
		for j := range f.Evidence {
			e := &f.Evidence[j]
			if e.Event.Time.IsZero() {
				continue
			}
			px := x(e.Event.Time)
			pt := htmlPoint{X: num(px), Y: num(base), Target: p.EvidenceID(f, e),
				Title: e.Step + " " + stamp(e.Event.Time, p.Loc) + " " + Safe(programOf(e.Event)) + ": " + Safe(e.Event.Message)}
			w := float64(utf8.RuneCountInString(e.Step))*laneCharW + 4
			if e.Step != prevStep || px-prevX > w {
				level := freeLevel(ends[:], px-w/2)
				// Near the edges the label grows inwards.
				lx, anchor, left := px, "middle", px-w/2
				switch {
				case px-w/2 < laneLeft:
					lx, anchor, left = px-lanePointR, "start", px-lanePointR
				case px+w/2 > laneRight:
					lx, anchor, left = px+lanePointR, "end", px+lanePointR-w
				}
				ends[level] = left + w
				pt.Label, pt.LabelX, pt.Anchor = Safe(e.Step), num(lx), anchor
				pt.LabelY = num(base - 12 - float64(level)*12)
				prevStep, prevX = e.Step, px
			}
			row.Points = append(row.Points, pt)
		}
		z.Rows = append(z.Rows, row)
	}
	z.Ticks = laneTicks(lo, hi, p.Loc, x)
	return z
}

// freeLevel returns the first label line whose last label ends before
// left, else the one whose last label ends first.
func freeLevel(ends []float64, left float64) int {
	best := 0
	for k, end := range ends {
		if end < left {
			return k
		}
		if end < ends[best] {
			best = k
		}
	}
	return best
}

// absenceWindow draws absence a of f: from its start to its end (to the
// lane's end when it has none), with the finding's outcome.
func (p *htmlPage) absenceWindow(f *Finding, a engine.Absence, x func(time.Time) float64, hi time.Time, base float64) htmlWindow {
	end, length := a.End, " "+signature.HumanDuration(a.For)
	if end.IsZero() {
		end, length = hi, ", no end"
	}
	x0, x1 := x(a.Start), x(end)
	label := Safe(a.Step) + ": absent" + length + ", " + Safe(outcomeText(f.Outcome, f.Reason))
	// How much of the window the log showed: all of it when confirmed;
	// up to the reboot (the finding's end) or the end of the log.
	var cut time.Time
	switch {
	case f.Outcome == engine.Boundary:
		cut = f.End
	case f.Outcome == engine.Unresolved && f.Reason == engine.ReasonEndOfLog:
		cut = p.logEnd()
	}
	var cx, cw string
	if !cut.IsZero() && cut.After(a.Start) && cut.Before(end) {
		label += "; seen " + fmtDuration(cut.Sub(a.Start)) + " of it"
		cx, cw = num(x(cut)), num(x1-x(cut))
	}
	w := max(x1-x0, 2)
	// The label starts at the window, or ends at the lane's end when it
	// would run past it.
	lx, anchor := x0+3, "start"
	if lw := float64(utf8.RuneCountInString(label)) * laneCharW; x0+3+lw > laneRight {
		lx, anchor = laneRight, "end"
	}
	return htmlWindow{
		X: num(x0), W: num(w), Y: num(base - 9), H: "18", Class: "window " + f.Outcome,
		Label: label, LabelX: num(lx), LabelY: num(base + 21), Anchor: anchor,
		CutX: cx, CutW: cw, CutY1: num(base - 13), CutY2: num(base + 13),
		Title: label + ": " + stamp(a.Start, p.Loc) + " .. " + stamp(a.End, p.Loc),
	}
}

// logEnd is the latest time read from any source: where an absence
// window left unresolved by the end of the log stopped being seen.
func (p *htmlPage) logEnd() time.Time {
	var end time.Time
	for _, s := range p.R.Coverage.Sources {
		if s.Last.After(end) {
			end = s.Last
		}
	}
	return end
}

// tickSteps are the axis steps a lane may use, finest first.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// laneTicks returns at most 8 ticks at round times of loc between lo and
// hi, labelled with the clock (and the date when the lane spans days).
func laneTicks(lo, hi time.Time, loc *time.Location, x func(time.Time) float64) []htmlTick {
	span := hi.Sub(lo)
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= 8 {
			step = s
			break
		}
	}
	for span/step > 8 {
		step *= 2
	}
	layout := "15:04:05"
	switch {
	case span > 24*time.Hour:
		layout = "01-02 15:04"
	case step >= time.Minute:
		layout = "15:04"
	}
	// Round in the zone's wall clock, so ticks fall on 06:10, not on a
	// multiple of the step since the epoch in UTC.
	_, off := lo.In(loc).Zone()
	shift := time.Duration(off) * time.Second
	t := lo.Add(shift).Truncate(step).Add(-shift)
	var ticks []htmlTick
	for ; !t.After(hi); t = t.Add(step) {
		if t.Before(lo) {
			continue
		}
		ticks = append(ticks, htmlTick{X: num(x(t)), Label: t.In(loc).Format(layout)})
	}
	return ticks
}

// num formats an SVG coordinate.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
