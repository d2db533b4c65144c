// Package signature loads, validates and compiles logsleuth's YAML
// incident signatures (DESIGN §5). It knows the language, not the
// stream: package engine runs what this package compiles.
package signature

import (
	"text/template"
	"time"
)

// Severity orders findings: Info < Low < Medium < High < Critical.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity maps "high" to High.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return 0, false
}

// Reference is a link shown with every finding.
type Reference struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Pos is a place in a signature file.
type Pos struct {
	File      string
	Line, Col int
}

// Signature is one compiled signature.
type Signature struct {
	ID          string
	Title       string
	Severity    Severity
	Tags        []string
	Description string
	References  []Reference
	// Events are the named single-event matchers, in file order.
	Events []*EventDef
	Match  Match
	// Explain renders the headline; Remediation renders each step. Data:
	// see TemplateData.
	Explain     *template.Template
	Remediation []*template.Template
	// Explains lists signature ids whose findings become symptoms of this
	// one's.
	Explains []string
	Pos      Pos
	// Units maps unit descriptions to unit names ("Acme Widget Server":
	// acme-widget.service), for old-style systemd lines that name only
	// the description (DESIGN §3: a signature pack extends the table).
	Units map[string]string
	// Warnings are lint warnings about the signature (Error.Warning):
	// risky but legal, such as a capture pasted into a command unquoted.
	Warnings ErrorList
	// Source is the YAML document the signature was read from, comments
	// included, for `patterns show`.
	Source string
}

// Event returns the named event matcher.
func (s *Signature) Event(name string) *EventDef {
	for _, e := range s.Events {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// EventDef is a named single-event matcher.
type EventDef struct {
	Name    string
	Matcher *Matcher
	Pos     Pos
}

// MatchKind says which of the three correlation kinds a signature uses.
type MatchKind int

const (
	MatchEvent MatchKind = iota
	MatchThreshold
	MatchSequence
)

func (k MatchKind) String() string {
	return [...]string{"event", "threshold", "sequence"}[k]
}

// Match is a signature's `match:` block; Kind says which part is set.
type Match struct {
	Kind MatchKind

	// event and threshold
	Event *EventDef
	// Dedupe (event): findings with equal By keys within Window collapse
	// into the first. Window 0: no dedupe.
	DedupeBy     []string
	DedupeWindow time.Duration

	// threshold: Count events with equal By keys within Window.
	Count  int
	Window time.Duration

	// threshold and sequence: group keys (event fields or captures).
	By []string

	// sequence
	Steps   []*Step
	MaxSpan time.Duration
	Until   []*EventDef
}

// Step is one step of a sequence.
type Step struct {
	Index  int
	Event  *EventDef
	Absent bool
	// As names the step in templates, joins and `after`; defaults to the
	// event name.
	As string
	// Within bounds the time from the step named After (default: the
	// previous positive step) to this one. 0: unbounded (maxspan only).
	Within time.Duration
	After  string
	// For is an absent step's window length.
	For      time.Duration
	Optional bool
	// Join: this step's capture (key) must equal an earlier step's
	// capture (value "step.capture").
	Join []Join
	Pos  Pos
}

// Join is one equality constraint of a step.
type Join struct {
	Capture string // capture of this step's event
	Step    string // earlier step
	Other   string // capture of that step
}
