package timeline

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Schema names the JSON report's version.
const Schema = "logsleuth/timeline/v1"

// The JSON report (contract, DESIGN §6; README "Timeline JSON"). One
// object, indented, keys in the order below, arrays in report order, so
// two runs over the same input diff clean. Times are RFC 3339 in UTC with
// fractional seconds when the input had them; "" when unknown or
// unbounded. Fields may be added; none is removed or renamed.
//
//	schema        "logsleuth/timeline/v1"
//	range         {since, until}
//	selection     the selections (-u, -t, -p, -g, --host, -b) as typed, when any
//	hidden_incidents  incidents the selections left out (when > 0)
//	incidents     [{root: "f1", symptoms: ["f2"]}], most severe first
//	findings      [{id, signature, title, severity, tags, outcome, reason,
//	               host, start, end, count, summary, captures {"step.name": value},
//	               evidence [{step, time, delta_seconds, source, line, cursor,
//	                          host, program, pid, message, context {before, after}}],
//	               remediation [..], references [{title, url}],
//	               evidence_omitted (when > 0), warnings [..] (when any)}]
//	              evidence[].message_cut_bytes: bytes of the line not kept (when > 0)
//	              ids f1, f2, ... in report order (each incident's root, then its symptoms)
//	near_misses   [{signature, group, steps, reason, time, evidence [..]}] (only with --near-misses)
//	unexplained   [{template, program, count, first, last, example, source}], most frequent first
//	unexplained_overflow  error lines of templates past the cap
//	coverage      {sources [{path, format, events, first, last, time_quality, zone, zone_from,
//	                         skipped {whole, bytes, lines, by}}],
//	               (zone, zone_from only for sources with zone-less times; skipped only
//	                for what a --since seek left unread: lines 0 when not counted)
//	               lookback {seconds, longest_seconds, cap_seconds} (only with --since),
//	               boots [{host, boot_id, time, source}],
//	               gaps [{source, host, from, to, seconds, typical_seconds}],
//	               warnings ["file:line: message"]}
//
// line is left out when the event has no line (journal), cursor when it
// has none; context only with --context.
type jsonReport struct {
	Schema              string         `json:"schema"`
	Range               jsonRange      `json:"range"`
	Selection           string         `json:"selection,omitempty"`
	HiddenIncidents     int            `json:"hidden_incidents,omitempty"`
	Incidents           []jsonIncident `json:"incidents"`
	Findings            []jsonFinding  `json:"findings"`
	NearMisses          []jsonNearMiss `json:"near_misses,omitempty"`
	Unexplained         []jsonError    `json:"unexplained"`
	UnexplainedOverflow int            `json:"unexplained_overflow"`
	Coverage            jsonCoverage   `json:"coverage"`
}

type jsonRange struct {
	Since string `json:"since"`
	Until string `json:"until"`
}

type jsonIncident struct {
	Root     string   `json:"root"`
	Symptoms []string `json:"symptoms"`
}

type jsonFinding struct {
	ID          string                `json:"id"`
	Signature   string                `json:"signature"`
	Title       string                `json:"title"`
	Severity    string                `json:"severity"`
	Tags        []string              `json:"tags"`
	Outcome     string                `json:"outcome"`
	Reason      string                `json:"reason"`
	Host        string                `json:"host"`
	Start       string                `json:"start"`
	End         string                `json:"end"`
	Count       int                   `json:"count"`
	Summary     string                `json:"summary"`
	Captures    map[string]string     `json:"captures"`
	Evidence    []jsonEvidence        `json:"evidence"`
	Remediation []string              `json:"remediation"`
	References  []signature.Reference `json:"references"`
	// EvidenceOmitted counts the events of the finding past the evidence
	// kept (count - len(evidence) for a threshold); left out when 0.
	EvidenceOmitted int `json:"evidence_omitted,omitempty"`
	// Warnings say what of the finding could not be rendered.
	Warnings []string `json:"warnings,omitempty"`
}

type jsonEvidence struct {
	Step    string  `json:"step"`
	Time    string  `json:"time"`
	Delta   float64 `json:"delta_seconds"`
	Source  string  `json:"source"`
	Line    int64   `json:"line,omitempty"`
	Cursor  string  `json:"cursor,omitempty"`
	Host    string  `json:"host"`
	Program string  `json:"program"`
	PID     int     `json:"pid,omitempty"`
	Message string  `json:"message"`
	// MessageCut is the number of bytes of the line not kept; left out
	// when 0.
	MessageCut int          `json:"message_cut_bytes,omitempty"`
	Context    *jsonContext `json:"context,omitempty"`
}

type jsonContext struct {
	Before []jsonLine `json:"before"`
	After  []jsonLine `json:"after"`
}

type jsonLine struct {
	Time    string `json:"time"`
	Source  string `json:"source"`
	Line    int64  `json:"line,omitempty"`
	Cursor  string `json:"cursor,omitempty"`
	Program string `json:"program"`
	Message string `json:"message"`
}

type jsonNearMiss struct {
	Signature string         `json:"signature"`
	Group     string         `json:"group"`
	Steps     int            `json:"steps"`
	Reason    string         `json:"reason"`
	Time      string         `json:"time"`
	Evidence  []jsonEvidence `json:"evidence"`
}

type jsonError struct {
	Template string `json:"template"`
	Program  string `json:"program"`
	Count    int    `json:"count"`
	First    string `json:"first"`
	Last     string `json:"last"`
	Example  string `json:"example"`
	Source   string `json:"source"`
}

type jsonCoverage struct {
	Sources []jsonSource `json:"sources"`
	// Lookback: what was read before --since; absent without it.
	Lookback *jsonLookback `json:"lookback,omitempty"`
	Boots    []jsonBoot    `json:"boots"`
	Gaps     []jsonGap     `json:"gaps"`
	Warnings []string      `json:"warnings"`
}

type jsonSource struct {
	Path        string `json:"path"`
	Format      string `json:"format"`
	Events      int64  `json:"events"`
	First       string `json:"first"`
	Last        string `json:"last"`
	TimeQuality string `json:"time_quality"`
	// Zone and ZoneFrom: the zone of its zone-less times and where it
	// came from (ingest.SourceStats); absent when every time had a zone.
	Zone     string `json:"zone,omitempty"`
	ZoneFrom string `json:"zone_from,omitempty"`
	// Duplicates: its lines dropped because another source had given
	// them first; absent when none.
	Duplicates int64 `json:"duplicates,omitempty"`
	// Skipped: what a --since seek left unread; absent when nothing.
	Skipped *jsonSkipped `json:"skipped,omitempty"`
}

// jsonLookback is Lookback: the span read before --since, the longest
// correlation window of the signatures and the --lookback cap.
type jsonLookback struct {
	Seconds        float64 `json:"seconds"`
	LongestSeconds float64 `json:"longest_seconds"`
	CapSeconds     float64 `json:"cap_seconds"`
}

// jsonSkipped is ingest.Skip.
type jsonSkipped struct {
	Whole bool   `json:"whole"`
	Bytes int64  `json:"bytes"`
	Lines int64  `json:"lines"`
	By    string `json:"by"`
}

type jsonBoot struct {
	Host   string `json:"host"`
	BootID string `json:"boot_id"`
	Time   string `json:"time"`
	Source string `json:"source"`
}

type jsonGap struct {
	Source         string  `json:"source"`
	Host           string  `json:"host"`
	From           string  `json:"from"`
	To             string  `json:"to"`
	Seconds        float64 `json:"seconds"`
	TypicalSeconds float64 `json:"typical_seconds"`
}

// jsonTime is t in UTC, RFC 3339 with the fraction the input had.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// RenderJSON writes r as the timeline JSON (schema above).
func RenderJSON(w io.Writer, r *Report, o RenderOptions) error {
	out := jsonReport{
		Schema:    Schema,
		Range:     jsonRange{Since: jsonTime(r.Since), Until: jsonTime(r.Until)},
		Selection: r.Selection, HiddenIncidents: r.Hidden,
		Incidents:   []jsonIncident{},
		Findings:    []jsonFinding{},
		Unexplained: []jsonError{},
		Coverage: jsonCoverage{Sources: []jsonSource{}, Boots: []jsonBoot{}, Gaps: []jsonGap{},
			Warnings: []string{}},
		UnexplainedOverflow: r.UnexplainedOverflow,
	}
	for _, inc := range r.Incidents {
		ji := jsonIncident{Root: inc.Root.ID, Symptoms: []string{}}
		for _, s := range inc.Symptoms {
			ji.Symptoms = append(ji.Symptoms, s.ID)
		}
		out.Incidents = append(out.Incidents, ji)
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, newJSONFinding(f))
	}
	if o.NearMisses {
		out.NearMisses = []jsonNearMiss{}
		for _, n := range r.NearMisses {
			out.NearMisses = append(out.NearMisses, jsonNearMiss{Signature: n.Signature.ID, Group: n.Group,
				Steps: n.Steps, Reason: n.Reason, Time: jsonTime(n.Time), Evidence: jsonChain(n.Evidence)})
		}
	}
	for _, g := range r.Unexplained {
		out.Unexplained = append(out.Unexplained, jsonError{Template: g.Template, Program: g.Program, Count: g.Count,
			First: jsonTime(g.First), Last: jsonTime(g.Last), Example: g.Example.Message, Source: g.Example.Source.String()})
	}
	c := &r.Coverage
	for _, s := range c.Sources {
		js := jsonSource{Path: s.Path, Format: s.Format, Events: s.Events,
			First: jsonTime(s.First), Last: jsonTime(s.Last), TimeQuality: s.TimeQuality, Zone: s.Zone, ZoneFrom: s.ZoneFrom,
			Duplicates: s.Duplicates}
		if sk := s.Skipped; sk.By != "" {
			js.Skipped = &jsonSkipped{Whole: sk.Whole, Bytes: sk.Bytes, Lines: sk.Lines, By: sk.By}
		}
		out.Coverage.Sources = append(out.Coverage.Sources, js)
	}
	if !r.Since.IsZero() {
		lb := c.Lookback
		out.Coverage.Lookback = &jsonLookback{Seconds: lb.Span.Seconds(), LongestSeconds: lb.Longest.Seconds(), CapSeconds: lb.Cap.Seconds()}
	}
	for _, b := range c.Boots {
		out.Coverage.Boots = append(out.Coverage.Boots, jsonBoot{Host: b.Host, BootID: b.BootID, Time: jsonTime(b.Time), Source: b.Source.String()})
	}
	for _, g := range c.Gaps {
		out.Coverage.Gaps = append(out.Coverage.Gaps, jsonGap{Source: g.Source, Host: g.Host, From: jsonTime(g.From), To: jsonTime(g.To),
			Seconds: g.To.Sub(g.From).Seconds(), TypicalSeconds: g.Typical.Seconds()})
	}
	for _, w := range c.Warnings {
		out.Coverage.Warnings = append(out.Coverage.Warnings, w.String())
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func newJSONFinding(f *Finding) jsonFinding {
	jf := jsonFinding{
		ID: f.ID, Signature: f.Signature.ID, Title: f.Signature.Title, Severity: f.Severity().String(),
		Tags: nonNil(f.Signature.Tags), Outcome: f.Outcome, Reason: f.Reason, Host: f.Host,
		Start: jsonTime(f.Start), End: jsonTime(f.End), Count: f.Count, Summary: f.Summary,
		Captures: map[string]string{}, Evidence: jsonChain(f.Evidence),
		Remediation: nonNil(f.Remediation), References: f.Signature.References,
		EvidenceOmitted: f.EvidenceOmitted, Warnings: f.Finding.Warnings,
	}
	if jf.References == nil {
		jf.References = []signature.Reference{}
	}
	for _, c := range f.Captures {
		jf.Captures[c.Name] = c.Value
	}
	return jf
}

// liveAlert is one line of `watch --format jsonl` (README "watch"): the
// timeline JSON's finding object, same keys, with id the alert's, and
// how it links to the alerts sent before it: update_of names the alert
// whose incident it is a symptom of, explains the alerts sent earlier
// that it turns out to cause.
type liveAlert struct {
	jsonFinding
	UpdateOf string   `json:"update_of,omitempty"`
	Explains []string `json:"explains,omitempty"`
}

// MarshalAlert returns f as one line of `watch --format jsonl`, without
// the newline.
func MarshalAlert(f *engine.Finding, id, updateOf string, explains []string) ([]byte, error) {
	tf := &Finding{ID: id, Finding: f, Evidence: chain(f.Evidence, nil)}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(liveAlert{jsonFinding: newJSONFinding(tf), UpdateOf: updateOf, Explains: explains}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func jsonChain(ev []Evidence) []jsonEvidence {
	out := make([]jsonEvidence, 0, len(ev))
	for _, e := range ev {
		x := e.Event
		je := jsonEvidence{Step: e.Step, Time: jsonTime(x.Time), Delta: e.Delta.Seconds(), Source: x.Source.Path,
			Line: x.Source.Line, Cursor: x.Source.Cursor, Host: x.Host, Program: x.Program, PID: x.PID, Message: x.Message,
			MessageCut: e.Cut}
		if e.Context != nil {
			je.Context = &jsonContext{Before: jsonLines(e.Context.Before), After: jsonLines(e.Context.After)}
		}
		out = append(out, je)
	}
	return out
}

func jsonLines(evs []*event.Event) []jsonLine {
	out := make([]jsonLine, 0, len(evs))
	for _, x := range evs {
		out = append(out, jsonLine{Time: jsonTime(x.Time), Source: x.Source.Path, Line: x.Source.Line,
			Cursor: x.Source.Cursor, Program: x.Program, Message: x.Message})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
