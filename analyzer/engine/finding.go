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

	data map[string]any // template data, rendered at the end
	// last is a threshold burst's latest event, data["last"] once
	// rendered: a burst of thousands of events builds it once.
	last  *lastStep
	group string // the `by` group it fired in, for near misses
}

// lastStep is an event bound to a step, with its captures.
type lastStep struct {
	ev   *event.Event
	caps signature.Captures
	def  *signature.EventDef
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
	for _, name := range def.Matcher.CaptureNames() {
		m[name] = ""
	}
	for _, c := range caps {
		m[c.Name] = c.Value
	}
	return m
}

// render fills Summary and Remediation from the signature's templates;
// times in them read in loc (nil: UTC). A template that fails leaves its
// text out (the summary falls back to the title) and returns its error;
// spent holds the templates that hit a limit, skipped from then on.
func (f *Finding) render(loc *time.Location, spent map[*template.Template]bool) []error {
	d := f.data
	if d == nil {
		d = map[string]any{}
	}
	if l := f.last; l != nil {
		d["last"] = stepData(l.ev, l.caps, l.def)
	}
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
