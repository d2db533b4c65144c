package engine

import (
	"errors"
	"fmt"
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
	d := f.templateData()
	d["outcome"], d["reason"], d["host"], d["count"] = f.Outcome, f.Reason, f.Host, f.Count
	d["start"], d["end"], d["signature"], d["title"] = f.Start, f.End, f.Signature.ID, f.Signature.Title
	if loc != nil {
		inLocation(d, loc)
	}
	var errs []error
	run := func(t *template.Template, what string) (string, bool) {
		if t == nil {
			return "", true
		}
		if spent[t] {
			errs = append(errs, fmt.Errorf("%s was not rendered: it hit a template limit on an earlier finding", what))
			return "", false
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
	f.Summary, _ = run(f.Signature.Explain, "explain")
	if f.Summary == "" {
		f.Summary = f.Signature.Title
	}
	f.Remediation = f.Remediation[:0]
	for i, t := range f.Signature.Remediation {
		if s, ok := run(t, fmt.Sprintf("remediation[%d]", i)); ok {
			f.Remediation = append(f.Remediation, s)
		}
	}
	return errs
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
