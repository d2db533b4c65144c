package engine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"text/template"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Outcomes of a finding (DESIGN §5).
const (
	// Confirmed: every step happened, and for an absence, later events
	// of the same host prove the window passed with nothing matching.
	Confirmed = "confirmed"
	// Unresolved: an absence window was still open when the input ended.
	Unresolved = "unresolved"
	// Boundary: the host rebooted before an absence window closed.
	Boundary = "boundary"
)

// Reasons that go with Unresolved and Boundary.
const (
	ReasonEndOfLog = "end of log"
	ReasonReboot   = "reboot"
)

// Evidence is one event that bound a step of a finding.
type Evidence struct {
	Step  string
	Event *event.Event
	// Cut is the number of bytes of the line's message and fields left
	// out of Event (MaxEvidenceText).
	Cut int
}

// Absence is the window [Start, End] of an absent step of a finding; the
// finding's Outcome and Reason say how it ended. End is zero when the
// window had no end (its anchor's time was unknown).
type Absence struct {
	Step       string
	Start, End time.Time
	For        time.Duration
}

// MaxEvidenceText bounds the message, and each field value and capture,
// of an event a finding or near miss keeps (README "Limits"): 3000 lines
// of 1 MiB must not become 3 GB of findings.
const MaxEvidenceText = 8 << 10

// Finding is one signature hit, with everything the timeline shows.
type Finding struct {
	Signature *signature.Signature
	Outcome   string
	Reason    string
	Host      string
	Start     time.Time
	End       time.Time
	// Count is the number of events folded into the finding (threshold
	// hits, deduplicated event hits); 1 for a single hit or a sequence.
	Count int
	// Captures are "step.name" -> value, in step order.
	Captures []signature.Capture
	Evidence []Evidence
	// Absences are the windows of the sequence's absent steps, in step
	// order: what the HTML report draws beside the evidence.
	Absences []Absence
	// EvidenceOmitted counts the events folded into the finding but not
	// kept as evidence (past maxEvidence).
	EvidenceOmitted int
	// Summary is the rendered `explain`; Remediation the rendered steps.
	Summary     string
	Remediation []string
	// Warnings say what of the finding could not be rendered: a template
	// error or limit (the rest of the report is unaffected).
	Warnings []string

	// bound are the events bound to the signature's steps, with their
	// captures: a single's hit, a threshold's first event, a sequence's
	// bound steps. Templates read them as maps (stepData) made only
	// while the finding renders: kept for every finding, the maps were
	// a fifth of the live heap on the dense bench corpus.
	bound []boundStep
	// last is a threshold burst's latest event, .last in templates.
	last  boundStep
	group string // the `by` group it fired in, for near misses
}

// boundStep is an event bound to a step, with its captures. When
// the templates read nothing of the event but its time and captures
// (readsOnlyTime), ev is nil and at holds the time.
type boundStep struct {
	name string
	ev   *event.Event
	at   time.Time
	caps signature.Captures
	def  *signature.EventDef
}

func (b *boundStep) set() bool { return b.ev != nil || !b.at.IsZero() }

// data is what templates see of b.
func (b *boundStep) data() map[string]any {
	if b.ev == nil {
		m := map[string]any{"time": b.at}
		addCaptures(m, b.caps, b.def)
		return m
	}
	return stepData(b.ev, b.caps, b.def)
}

// NearMiss is the furthest a signature got in one group without firing.
type NearMiss struct {
	Signature *signature.Signature
	Group     string
	// Steps is how many steps were bound; Reason says why the next
	// failed, e.g. "step 3 `absent up` refuted by ... at syslog:412, 40s
	// after the stop".
	Steps    int
	Reason   string
	Time     time.Time
	Evidence []Evidence
}

// maxEvidence bounds the evidence kept for threshold and deduplicated
// findings: the first events, which tell the story, and the count.
const maxEvidence = 10

// stepData is what templates see of a bound event. Every capture the
// event's matcher declares is present, "" when this event's branch of an
// `any:` did not capture it, so templates can test it with `if`/`default`.
func stepData(ev *event.Event, caps signature.Captures, def *signature.EventDef) map[string]any {
	fields := make(map[string]string, len(ev.Fields))
	for _, f := range ev.Fields {
		fields[f.Key] = f.Value
	}
	m := map[string]any{
		"time": ev.Time, "message": ev.Message, "host": ev.Host, "program": ev.Program,
		"unit": ev.Unit, "pid": ev.PID, "line": ev.Source.Line, "source": ev.Source.Path,
		"lifecycle": ev.Lifecycle.String(), "priority": ev.Priority.String(), "boot_id": ev.BootID,
		"fields": fields,
	}
	addCaptures(m, caps, def)
	return m
}

// addCaptures sets every capture def declares in m: caps' value, else "".
func addCaptures(m map[string]any, caps signature.Captures, def *signature.EventDef) {
	for _, name := range def.Matcher.CaptureNames() {
		m[name] = ""
	}
	for _, c := range caps {
		m[c.Name] = c.Value
	}
}

// render fills Summary and Remediation from the signature's templates;
// times in them read in loc (nil: UTC). A template that fails leaves its
// text out (the summary falls back to the title) and returns its error;
// spent holds the templates that hit a limit, skipped from then on.
func (f *Finding) render(loc *time.Location, spent map[*template.Template]bool) []error {
	fields := &findingFields{f: f, loc: loc}
	var d map[string]any // made when a template needs text/template
	var errs []error
	// step is the remediation step t is, -1 for explain.
	run := func(t *template.Template, step int) (string, bool) {
		if t == nil {
			return "", true
		}
		if spent[t] {
			what := "explain" // (named only here: a Sprintf a step was a tenth of rendering)
			if step >= 0 {
				what = fmt.Sprintf("remediation[%d]", step)
			}
			errs = append(errs, fmt.Errorf("%s was not rendered: it hit a template limit on an earlier finding", what))
			return "", false
		}
		if s, ok := signature.RenderFields(t, fields); ok {
			return s, true
		}
		if d == nil {
			d = f.data(loc)
		}
		s, err := signature.Render(t, d)
		if err != nil {
			if errors.Is(err, signature.ErrTemplateLimit) {
				spent[t] = true
			}
			errs = append(errs, err)
			return "", false
		}
		return s, true
	}
	f.Summary, _ = run(f.Signature.Explain, -1)
	if f.Summary == "" {
		f.Summary = f.Signature.Title
	}
	f.Remediation = f.Remediation[:0]
	for i, t := range f.Signature.Remediation {
		if s, ok := run(t, i); ok {
			f.Remediation = append(f.Remediation, s)
		}
	}
	return errs
}

// data returns the map f's templates read through text/template; times
// in it read in loc (nil: UTC).
func (f *Finding) data(loc *time.Location) map[string]any {
	d := f.templateData()
	d["outcome"], d["reason"], d["host"], d["count"] = f.Outcome, f.Reason, f.Host, f.Count
	d["start"], d["end"], d["signature"], d["title"] = f.Start, f.End, f.Signature.ID, f.Signature.Title
	if loc != nil {
		inLocation(d, loc)
	}
	return d
}

// templateData returns the map f's templates read, but for the
// finding's own attributes (render adds them): the bound steps' data
// under the names the signature gives them.
func (f *Finding) templateData() map[string]any {
	d := map[string]any{}
	m := &f.Signature.Match
	switch m.Kind {
	case signature.MatchSequence:
		for _, st := range m.Steps {
			d[st.As] = map[string]any{}
			if st.Absent {
				for _, a := range f.Absences {
					if a.Step == st.As {
						d[st.As] = map[string]any{"start": a.Start, "end": a.End, "for": signature.HumanDuration(a.For)}
					}
				}
				continue
			}
			for i := range f.bound {
				if f.bound[i].name == st.As {
					d[st.As] = f.bound[i].data()
				}
			}
		}
	case signature.MatchThreshold:
		if len(f.bound) == 0 {
			break
		}
		head := &f.bound[0]
		first := head.data()
		d[head.name], d["first"] = first, first
		for i, name := range m.ByNames {
			if name != "" {
				d[name] = keyValue(m.By[i], head.ev, head.caps)
			}
		}
	default:
		for i := range f.bound {
			d[f.bound[i].name] = f.bound[i].data()
		}
	}
	if f.last.set() {
		d["last"] = f.last.data()
	}
	return d
}

// findingFields is the data of a finding's templates as
// signature.RenderFields reads it: what data puts in the map, looked up
// in place of making the map (and a map per bound step, and one of each
// event's fields), which took a third of the rendering of a dense log's
// findings (issue 20). Each lookup follows data: the finding's own
// attributes first, then .last, then the bound steps as templateData
// names them, the last binding of a name winning; times in loc.
type findingFields struct {
	f   *Finding
	loc *time.Location
}

// stepValue is a step's map in the data: a bound step's event (b), an
// absent step's window (a), or neither: a sequence step not bound (an
// empty map).
type stepValue struct {
	b *boundStep
	a *Absence
}

// Field implements signature.TemplateFields.
func (d *findingFields) Field(idents []string) (any, bool) {
	if len(idents) == 0 || len(idents) > 3 {
		return nil, false
	}
	v, st, isStep := d.top(idents[0])
	if !isStep {
		if len(idents) > 1 {
			return nil, false // text/template fails on .value.name
		}
		return v, true
	}
	if len(idents) == 1 {
		if st.b == nil && st.a == nil {
			return signature.MapValue(0), true
		}
		return signature.MapValue(1), true
	}
	name := idents[1]
	switch {
	case st.a != nil:
		if len(idents) > 2 {
			return nil, false
		}
		switch name {
		case "start":
			return d.time(st.a.Start), true
		case "end":
			return d.time(st.a.End), true
		case "for":
			return signature.HumanDuration(st.a.For), true
		}
		return nil, true
	case st.b == nil:
		return nil, len(idents) == 2
	}
	b := st.b
	v, isFields := d.attr(b, name)
	if len(idents) == 2 {
		if isFields {
			return signature.MapValue(len(b.ev.Fields)), true
		}
		return v, true
	}
	if !isFields {
		return nil, false // .step.value.name
	}
	key, value := idents[2], ""
	for _, fl := range b.ev.Fields {
		if fl.Key == key {
			value = fl.Value // (the map keeps the last)
		}
	}
	return value, true
}

// top is the value of the top-level name: a step's map (isStep) or a
// plain value, nil when there is none.
func (d *findingFields) top(name string) (v any, st stepValue, isStep bool) {
	f := d.f
	switch name {
	case "outcome":
		return f.Outcome, st, false
	case "reason":
		return f.Reason, st, false
	case "host":
		return f.Host, st, false
	case "count":
		return f.Count, st, false
	case "start":
		return d.time(f.Start), st, false
	case "end":
		return d.time(f.End), st, false
	case "signature":
		return f.Signature.ID, st, false
	case "title":
		return f.Signature.Title, st, false
	case "last":
		if f.last.set() {
			return nil, stepValue{b: &f.last}, true
		}
	}
	m := &f.Signature.Match
	switch m.Kind {
	case signature.MatchSequence:
		for _, s := range m.Steps {
			if s.As != name {
				continue
			}
			st, isStep = stepValue{}, true
			if s.Absent {
				for i := range f.Absences {
					if f.Absences[i].Step == s.As {
						st = stepValue{a: &f.Absences[i]}
					}
				}
				continue
			}
			for i := range f.bound {
				if f.bound[i].name == s.As {
					st = stepValue{b: &f.bound[i]}
				}
			}
		}
		return nil, st, isStep
	case signature.MatchThreshold:
		if len(f.bound) == 0 {
			return nil, st, false
		}
		head := &f.bound[0]
		for i := len(m.ByNames) - 1; i >= 0; i-- {
			if m.ByNames[i] == name {
				return keyValue(m.By[i], head.ev, head.caps), st, false
			}
		}
		if name == head.name || name == "first" {
			return nil, stepValue{b: head}, true
		}
	default:
		for i := len(f.bound) - 1; i >= 0; i-- {
			if f.bound[i].name == name {
				return nil, stepValue{b: &f.bound[i]}, true
			}
		}
	}
	return nil, st, false
}

// attr is b's value named name as boundStep.data has it: a capture, ""
// for a capture its matcher declares but did not take, then the event's
// attribute; isFields for its fields, a map of them.
func (d *findingFields) attr(b *boundStep, name string) (v any, isFields bool) {
	for i := len(b.caps) - 1; i >= 0; i-- {
		if b.caps[i].Name == name {
			return b.caps[i].Value, false
		}
	}
	if declaresCapture(b.def.Matcher, name) {
		return "", false
	}
	ev := b.ev
	if ev == nil {
		if name == "time" {
			return d.time(b.at), false
		}
		return nil, false
	}
	switch name {
	case "time":
		return d.time(ev.Time), false
	case "message":
		return ev.Message, false
	case "host":
		return ev.Host, false
	case "program":
		return ev.Program, false
	case "unit":
		return ev.Unit, false
	case "pid":
		return ev.PID, false
	case "line":
		return ev.Source.Line, false
	case "source":
		return ev.Source.Path, false
	case "lifecycle":
		return ev.Lifecycle.String(), false
	case "priority":
		return ev.Priority.String(), false
	case "boot_id":
		return ev.BootID, false
	case "fields":
		return nil, true
	}
	return nil, false
}

func (d *findingFields) time(t time.Time) time.Time {
	if d.loc != nil {
		return t.In(d.loc)
	}
	return t
}

// declaresCapture reports whether m names a capture name (CaptureNames,
// without making the list).
func declaresCapture(m *signature.Matcher, name string) bool {
	for _, c := range m.Conds {
		for _, re := range c.Res {
			if slices.Contains(re.SubexpNames(), name) {
				return true
			}
		}
	}
	for _, a := range m.Any {
		if declaresCapture(a, name) {
			return true
		}
	}
	return false
}

// inLocation converts the times in template data (top level and bound
// steps) to loc, so that `ts` prints them in the zone the user reads.
func inLocation(d map[string]any, loc *time.Location) {
	for k, v := range d {
		switch x := v.(type) {
		case time.Time:
			d[k] = x.In(loc)
		case map[string]any:
			inLocation(x, loc)
		}
	}
}

// sortFindings orders findings deterministically: by start, signature,
// host, then the first evidence's position.
func sortFindings(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Signature.ID != b.Signature.ID {
			return a.Signature.ID < b.Signature.ID
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return evidenceKey(a) < evidenceKey(b)
	})
}

func evidenceKey(f *Finding) string {
	if len(f.Evidence) == 0 {
		return ""
	}
	e := f.Evidence[0].Event
	return fmt.Sprintf("%s:%012d", e.Source.Path, e.Source.Line)
}
