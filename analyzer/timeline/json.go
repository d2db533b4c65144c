package timeline

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
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
//	              evidence[].refetch: a command printing the line again from its log
//	              store (read with --victorialogs; findings' and near misses' evidence)
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
//
// RenderJSON writes the keys in this order; jsonReport in json_test.go is
// the whole-report struct it must match byte for byte.

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
	// Refetch is the command that prints the line again from its log
	// store (fleet mode).
	Refetch string `json:"refetch,omitempty"`
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
	// PerSignature: a store's margin, each signature's events within
	// its own window (Lookback.PerSignature).
	PerSignature bool `json:"per_signature,omitempty"`
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

// RenderJSON writes r as the timeline JSON (schema above). It streams:
// each incident, finding, near miss, group, source, boot, gap and warning
// is encoded and written on its own, so memory holds one of them at a
// time (findings and near misses: a few batches of them, written on every
// core) rather than the whole report and its indented copy (a dense log's
// 2,700 findings made a 14 MB report held twice; issue 20). The bytes are
// those json.Encoder with SetIndent("", "  ") writes for jsonReport.
func RenderJSON(w io.Writer, r *Report, o RenderOptions) error {
	s := &jsonStream{w: w}
	s.raw("{")
	s.field(1, "schema", Schema)
	s.field(1, "range", jsonRange{Since: jsonTime(r.Since), Until: jsonTime(r.Until)})
	if r.Selection != "" {
		s.field(1, "selection", r.Selection)
	}
	if r.Hidden != 0 {
		s.field(1, "hidden_incidents", r.Hidden)
	}
	s.key(1, "incidents")
	directArray(s, 1, r.Incidents, (*jsonIndented).incident)
	s.key(1, "findings")
	parallelDirectArray(s, 1, r.Findings, (*jsonIndented).finding, runtime.GOMAXPROCS(0))
	// omitempty dropped an empty near_misses from the whole-report struct.
	if o.NearMisses && len(r.NearMisses) > 0 {
		s.key(1, "near_misses")
		parallelDirectArray(s, 1, r.NearMisses, (*jsonIndented).nearMiss, runtime.GOMAXPROCS(0))
	}
	s.key(1, "unexplained")
	jsonArray(s, 1, r.Unexplained, func(g *ErrorGroup) jsonError {
		return jsonError{Template: g.Template, Program: g.Program, Count: g.Count,
			First: jsonTime(g.First), Last: jsonTime(g.Last), Example: g.Example.Message, Source: g.Example.Source.String()}
	})
	s.field(1, "unexplained_overflow", r.UnexplainedOverflow)
	c := &r.Coverage
	s.key(1, "coverage")
	s.raw("{")
	s.key(2, "sources")
	jsonArray(s, 2, c.Sources, func(src ingest.SourceStats) jsonSource {
		js := jsonSource{Path: src.Path, Format: src.Format, Events: src.Events,
			First: jsonTime(src.First), Last: jsonTime(src.Last), TimeQuality: src.TimeQuality, Zone: src.Zone, ZoneFrom: src.ZoneFrom,
			Duplicates: src.Duplicates}
		if sk := src.Skipped; sk.By != "" {
			js.Skipped = &jsonSkipped{Whole: sk.Whole, Bytes: sk.Bytes, Lines: sk.Lines, By: sk.By}
		}
		return js
	})
	if !r.Since.IsZero() {
		lb := c.Lookback
		s.field(2, "lookback", jsonLookback{Seconds: lb.Span.Seconds(), LongestSeconds: lb.Longest.Seconds(), CapSeconds: lb.Cap.Seconds(),
			PerSignature: lb.PerSignature})
	}
	s.key(2, "boots")
	jsonArray(s, 2, c.Boots, func(b Boot) jsonBoot {
		return jsonBoot{Host: b.Host, BootID: b.BootID, Time: jsonTime(b.Time), Source: b.Source.String()}
	})
	s.key(2, "gaps")
	jsonArray(s, 2, c.Gaps, func(g Gap) jsonGap {
		return jsonGap{Source: g.Source, Host: g.Host, From: jsonTime(g.From), To: jsonTime(g.To),
			Seconds: g.To.Sub(g.From).Seconds(), TypicalSeconds: g.Typical.Seconds()}
	})
	s.key(2, "warnings")
	jsonArray(s, 2, c.Warnings, event.Warning.String)
	s.end(1, "}")
	s.end(0, "}")
	s.raw("\n")
	return s.err
}

// jsonStream writes a JSON document piece by piece, indented by two
// spaces a level, and remembers the first error.
type jsonStream struct {
	w     io.Writer
	buf   bytes.Buffer
	out   []byte // buf indented
	first bool   // the next key or element opens its object or array
	err   error
}

const jsonIndent = "                " // levels of "  ", sliced

func (s *jsonStream) raw(t string) {
	if s.err == nil {
		_, s.err = io.WriteString(s.w, t)
	}
	s.first = t == "{" || t == "["
}

// newline starts a key or element at depth: a comma unless it is the
// first of its object or array, then the line break and indent.
func (s *jsonStream) newline(depth int) {
	if !s.first {
		s.raw(",")
	}
	s.raw("\n" + jsonIndent[:2*depth])
}

// end closes an object or array whose members are at depth+1; an empty
// one closes on its opening line, as json.Indent writes it.
func (s *jsonStream) end(depth int, closer string) {
	if !s.first {
		s.raw("\n" + jsonIndent[:2*depth])
	}
	s.raw(closer)
}

func (s *jsonStream) key(depth int, name string) {
	s.newline(depth)
	s.raw(`"` + name + `": `)
}

func (s *jsonStream) field(depth int, name string, v any) {
	s.key(depth, name)
	s.value(depth, v)
}

// value writes v as json.Encoder writes a value nested at depth: lines
// after the first start with depth's indent.
func (s *jsonStream) value(depth int, v any) {
	if s.err != nil {
		return
	}
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetEscapeHTML(false)
	if s.err = enc.Encode(v); s.err != nil {
		return
	}
	s.out = appendIndented(s.out[:0], bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")), jsonIndent[:2*depth], "  ")
	_, s.err = s.w.Write(s.out)
	s.first = false
}

// appendIndented appends src, compact JSON as json.Marshal writes it (no
// space outside strings), indented as json.Indent(dst, src, prefix,
// indent) would: a byte loop instead of json's scanner, which took
// three quarters of the dense bench corpus's JSON rendering, itself in
// the run's serial tail.
func appendIndented(dst, src []byte, prefix, indent string) []byte {
	newline := func(depth int) {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	depth, open := 0, false // open: after { or [, its first member not yet seen
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			newline(depth)
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) {
				k := bytes.IndexAny(src[j:], `"\`)
				if k < 0 {
					j = len(src)
					break
				}
				j += k
				if src[j] == '"' {
					break
				}
				j += 2 // an escape: \" or \\ is not the end
			}
			end := min(j+1, len(src))
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline(depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false // empty: {} and [] on one line
			} else {
				depth--
				newline(depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// jsonArray writes items as an array whose brackets are at depth, each
// converted by conv just before it is written.
func jsonArray[E, J any](s *jsonStream, depth int, items []E, conv func(E) J) {
	s.raw("[")
	for _, it := range items {
		s.newline(depth + 1)
		s.value(depth+1, conv(it))
	}
	s.end(depth, "]")
}

// directArray is jsonArray for items that write themselves (json_direct.go).
func directArray[E any](s *jsonStream, depth int, items []E, write func(*jsonIndented, E)) {
	s.raw("[")
	w := jsonIndented{prefix: jsonIndent[:2*(depth+1)]}
	for _, it := range items {
		s.newline(depth + 1)
		if s.err != nil {
			return
		}
		w.b, w.level, w.empty = s.out[:0], 0, false
		write(&w, it)
		s.out = w.b
		_, s.err = s.w.Write(s.out)
		s.first = false
	}
	s.end(depth, "]")
}

// newJSONFinding is the struct a finding encodes as: what `watch --format
// jsonl` encodes, and json_direct.go writes by hand.
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
			MessageCut: e.Cut, Refetch: e.Refetch}
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
