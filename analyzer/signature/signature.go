// Package signature loads, validates and compiles logsleuth's YAML
// incident signatures (DESIGN §5). It knows the language, not the
// stream: package engine runs what this package compiles.
package signature

import (
	"fmt"
	"strings"
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
	// ByNames (threshold) are the top-level template names By's keys
	// are bound to, index by index: a capture or event field by its
	// name, fields.NAME as NAME; "" where the name is already taken
	// (.host, .count, the event's name, ...), which keeps its meaning.
	ByNames []string

	// sequence
	Steps   []*Step
	MaxSpan time.Duration
	// Until (sequence and threshold): an event of these drops the
	// pending instances, or the counted events, of its group.
	Until []*EventDef
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
	// capture (value "step.capture"), or compare with it as Op says.
	Join []Join
	Pos  Pos
}

// Join is one constraint between a step's capture and an earlier
// step's: `svc: down.svc` (equal), `peer|in: bridge.subnet`, `dir|ne:
// first.dir`, `to|version_gt: upgrade.from`.
type Join struct {
	Capture string // capture of this step's event
	Step    string // earlier step
	Other   string // capture of that step
	Op      JoinOp
}

// Holds reports whether this step's value a and the earlier step's
// value b satisfy the join.
func (j Join) Holds(a, b string) bool { return j.Op.Holds(a, b) }

// ClassTags are the incident classes of the built-in library: every
// built-in signature carries at least one in its tags, so findings can
// be grouped and filtered by class (`patterns lint` warns otherwise).
var ClassTags = []string{
	// container runtime and orchestration incidents
	"docker-api-version", "unattended-upgrade", "containerd-restart", "docker-data-root",
	"docker-bridge-subnet", "kubelet-runtime-down", "kubelet-eviction", "runtime-start-failure", "traefik",
	// common Linux families
	"oom", "restart-loop", "disk-full", "fs-error", "hung-task", "soft-lockup", "segfault", "nfs",
	"clock-jump", "ssh-bruteforce",
}

// Class returns the first of the signature's tags that is a class tag,
// "" when none is.
func (s *Signature) Class() string {
	for _, t := range s.Tags {
		for _, c := range ClassTags {
			if t == c {
				return c
			}
		}
	}
	return ""
}

// ClassWarnings returns a CodeNoClass warning for each signature
// without a class tag: for the built-in set, where every signature
// must have one; a user's own signatures need none.
func ClassWarnings(sigs []*Signature) ErrorList {
	var out ErrorList
	for _, s := range sigs {
		if s.Class() != "" {
			continue
		}
		out = append(out, &Error{Code: CodeNoClass, Warning: true, File: s.Pos.File, Line: s.Pos.Line, Col: s.Pos.Col,
			Msg:  fmt.Sprintf("built-in signature %q has none of the class tags", s.ID),
			Hint: "add one to tags: " + strings.Join(ClassTags, ", ")})
	}
	return out
}
