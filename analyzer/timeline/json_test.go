package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

// jsonReport is the timeline JSON as one struct, as RenderJSON built it
// before it streamed; renderJSONWhole encodes it whole, the reference
// the streamed bytes must equal.
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

type jsonCoverage struct {
	Sources []jsonSource `json:"sources"`
	// Lookback: what was read before --since; absent without it.
	Lookback *jsonLookback `json:"lookback,omitempty"`
	Boots    []jsonBoot    `json:"boots"`
	Gaps     []jsonGap     `json:"gaps"`
	Warnings []string      `json:"warnings"`
}

func renderJSONWhole(w io.Writer, r *Report, o RenderOptions) error {
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
		out.Coverage.Lookback = &jsonLookback{Seconds: lb.Span.Seconds(), LongestSeconds: lb.Longest.Seconds(), CapSeconds: lb.Cap.Seconds(),
			PerSignature: lb.PerSignature}
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

// writeSizes is a writer that keeps the size of its largest write.
type writeSizes struct {
	bytes.Buffer
	largest int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.largest = max(w.largest, len(p))
	return w.Buffer.Write(p)
}

// checkStreamedJSON renders r both ways and fails on the first byte
// where they differ; it returns the streamed output's writer.
func checkStreamedJSON(t *testing.T, name string, r *Report, o RenderOptions) *writeSizes {
	t.Helper()
	var whole bytes.Buffer
	if err := renderJSONWhole(&whole, r, o); err != nil {
		t.Fatalf("%s: whole: %v", name, err)
	}
	streamed := &writeSizes{}
	if err := RenderJSON(streamed, r, o); err != nil {
		t.Fatalf("%s: streamed: %v", name, err)
	}
	a, b := whole.Bytes(), streamed.Bytes()
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		lo := max(0, i-120)
		t.Fatalf("%s: streamed JSON differs at byte %d of %d/%d\nwhole:    %q\nstreamed: %q", name, i, len(a), len(b),
			a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
	}
	if !json.Valid(b) {
		t.Fatalf("%s: streamed JSON is not valid", name)
	}
	return streamed
}

// TestRenderJSONStreamsFixtures renders the report of every fixture case,
// read with the built-in signatures, streamed and whole, with and without
// near misses, --since and selections.
func TestRenderJSONStreamsFixtures(t *testing.T) {
	sigs, err := signature.LoadFS(patterns.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := filepath.Glob("../../fixtures/*/*/expect.yaml")
	if err != nil || len(cases) < 20 {
		t.Fatalf("fixture cases: %d, %v", len(cases), err)
	}
	for _, exp := range cases {
		dir := filepath.Dir(exp)
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, e := range ents {
			if e.Name() != "expect.yaml" {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
		ws := &event.Warnings{}
		col := NewCollector(CollectorOptions{Context: 2})
		eng := engine.New(sigs, engine.Options{Warnings: ws, OnMatch: col.OnMatch})
		stream, err := ingest.Open(t.Context(), ingest.Options{Paths: paths, Location: time.UTC, Warnings: ws})
		if err != nil {
			t.Fatal(err)
		}
		for stream.Next() {
			eng.Process(stream.Event())
			col.Observe(stream.Event())
		}
		stream.Close()
		findings, err := eng.Finish()
		if err != nil {
			t.Fatal(err)
		}
		r := Build(Input{Findings: findings, NearMisses: eng.NearMisses(), Sources: stream.Sources(),
			Warnings: ws.List(), Collector: col})
		name := strings.TrimPrefix(dir, "../../fixtures/")
		checkStreamedJSON(t, name, r, RenderOptions{})
		checkStreamedJSON(t, name+" near misses", r, RenderOptions{NearMisses: true})
		r.Since, r.Selection, r.Hidden = r.Coverage.Sources[0].First, "-u docker", 2
		r.Coverage.Lookback = Lookback{Span: time.Hour, Longest: 90 * time.Minute, Cap: time.Hour}
		checkStreamedJSON(t, name+" since", r, RenderOptions{NearMisses: true})
	}
}

// syntheticReport is a report as large as a dense log's (issue 20:
// 2,709 findings), with every optional part filled and text JSON must
// escape.
func syntheticReport(n int) *Report {
	cause := &signature.Signature{ID: "cause", Title: "Cause <b>&</b>", Severity: signature.High, Explains: []string{"symptom"},
		Match: signature.Match{MaxSpan: 10 * time.Minute},
		Tags:  []string{"docker", "systemd"}, References: []signature.Reference{{Title: "man", URL: "https://example.org/a?b=1&c=2"}}}
	symptom := &signature.Signature{ID: "symptom", Title: "Symptom", Severity: signature.Medium}
	t0 := time.Date(2025, 11, 11, 6, 0, 0, 123456000, time.UTC)
	var findings []*engine.Finding
	var misses []*engine.NearMiss
	for i := range n {
		start := t0.Add(time.Duration(i) * time.Minute)
		var ev []engine.Evidence
		for j := range 4 {
			ev = append(ev, engine.Evidence{Step: fmt.Sprintf("s%d", j), Cut: j % 2 * 17, Event: &event.Event{
				Time: start.Add(time.Duration(j) * 1500 * time.Millisecond), Host: fmt.Sprintf("web-%d", i%7),
				Program: "sshd", PID: 1000 + i,
				Message: fmt.Sprintf("Failed password for invalid user admin%d from 203.0.113.%d port %d ssh2 \"q\" \\ \x01 ü 한", i, i%250, 40000+j),
				Source:  event.SourceRef{Path: "/var/log/auth.log", Line: int64(i*4 + j + 1), Cursor: map[bool]string{true: "s=ab;i=1f"}[j == 3]}}})
		}
		sig, host := cause, fmt.Sprintf("web-%d", i%7)
		if i%3 == 1 {
			sig, host = symptom, "" // a symptom of the finding before it
		}
		findings = append(findings, &engine.Finding{Signature: sig, Outcome: engine.Confirmed, Reason: "r\t" + fmt.Sprint(i),
			Host: host, Start: start, End: start.Add(6 * time.Second), Count: 4 + i%5,
			// Out of order, and a name twice (the map keeps the last).
			Captures: []signature.Capture{{Name: "s1.ip", Value: "203.0.113.9"}, {Name: "s0.user", Value: fmt.Sprintf("admin%d", i)},
				{Name: "s0.user\t<", Value: "x"}, {Name: "s1.ip", Value: fmt.Sprintf("198.51.100.%d", i%250)}},
			Evidence: ev, Summary: "summary with <html> & \u2028", Remediation: []string{"systemctl restart docker"},
			EvidenceOmitted: i % 4, Warnings: map[bool][]string{true: {"capture too long"}}[i%11 == 0]})
		if i%10 == 0 {
			misses = append(misses, &engine.NearMiss{Signature: cause, Group: "web-1", Steps: 2, Reason: "step 3 absent", Time: start, Evidence: ev[:2]})
		}
	}
	r := Build(Input{Findings: findings, NearMisses: misses, Since: t0, Until: t0.Add(72 * time.Hour), Selection: "-b -1"})
	for i, f := range r.Findings {
		if i%5 == 0 {
			e := f.Evidence[0].Event
			f.Evidence[0].Context = &Context{Before: []*event.Event{e}, After: []*event.Event{}}
		}
		if i%7 == 0 {
			f.Evidence[1].Refetch = "logsleuth events --victorialogs http://vl:9428 --at 'x \"y\"'"
		}
	}
	for i := range 300 {
		e := &event.Event{Time: t0.Add(time.Duration(i) * time.Second), Program: "kernel", Message: fmt.Sprintf("EXT4-fs error %d", i),
			Source: event.SourceRef{Path: "kern.log", Line: int64(i + 1)}}
		r.Unexplained = append(r.Unexplained, &ErrorGroup{Template: "EXT4-fs error <N>", Program: "kernel", Count: i + 1, First: e.Time, Last: e.Time, Example: e})
		r.Coverage.Warnings = append(r.Coverage.Warnings, event.Warning{Path: "syslog", Line: int64(i), Msg: "bad line"})
	}
	r.UnexplainedOverflow = 12
	r.Coverage.Sources = []ingest.SourceStats{
		{Path: "/var/log/auth.log", Format: "rfc3164", Events: 1 << 30, First: t0, Last: t0.Add(time.Hour), TimeQuality: "year_inferred", Zone: "Asia/Seoul", ZoneFrom: "--tz"},
		{Path: "syslog.2.gz", Format: "rfc3164", Duplicates: 3, Skipped: ingest.Skip{Whole: true, Bytes: 4096, By: "gzip header"}},
	}
	r.Coverage.Lookback = Lookback{Span: 24 * time.Hour, Longest: 36 * time.Hour, Cap: 24 * time.Hour, PerSignature: true}
	r.Coverage.Boots = []Boot{{Host: "web-1", BootID: "5f0c", Time: t0, Source: event.SourceRef{Path: "syslog", Line: 3}}}
	r.Coverage.Gaps = []Gap{{Source: "syslog", Host: "web-1", From: t0, To: t0.Add(90 * time.Minute), Typical: 1500 * time.Millisecond}}
	r.Hidden = 3
	return r
}

// TestRenderJSONStreamsLargeReport compares the streamed and the whole
// rendering of a dense log's report and checks that no write holds more
// than a finding: the report is never in memory at once.
func TestRenderJSONStreamsLargeReport(t *testing.T) {
	r := syntheticReport(2709)
	if len(r.Incidents) == len(r.Findings) {
		t.Fatal("the synthetic report has no symptoms")
	}
	for _, o := range []RenderOptions{{}, {NearMisses: true}} {
		w := checkStreamedJSON(t, fmt.Sprintf("synthetic near misses %v", o.NearMisses), r, o)
		if w.Len() < 4<<20 || w.largest > 16<<10 {
			t.Errorf("near misses %v: %d bytes, largest write %d: want > 4 MiB in writes of at most 16 KiB", o.NearMisses, w.Len(), w.largest)
		}
	}
	empty := &Report{}
	checkStreamedJSON(t, "empty", empty, RenderOptions{NearMisses: true})
}

// BenchmarkRenderJSON renders the synthetic dense report, streamed
// against whole (B/op is the point: issue 20's peak RSS).
func BenchmarkRenderJSON(b *testing.B) {
	r := syntheticReport(2709)
	for _, c := range []struct {
		name   string
		render func(io.Writer, *Report, RenderOptions) error
	}{{"streamed", RenderJSON}, {"whole", renderJSONWhole}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.render(io.Discard, r, RenderOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// indentReference is json.Indent, the slow path appendIndented must
// agree with.
func indentReference(t testing.TB, compact []byte, prefix, indent string) []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, compact, prefix, indent); err != nil {
		t.Fatalf("json.Indent(%q): %v", compact, err)
	}
	return b.Bytes()
}

func TestAppendIndented(t *testing.T) {
	for _, doc := range []string{
		`{}`, `[]`, `""`, `0`, `null`, `{"a":{}}`, `{"a":[],"b":[{}]}`, `[[[]],[[1]]]`,
		`{"message":"a \"quoted\" {brace}, [bracket]: comma","path":"C:\\logs\\","n":-1.5e-7}`,
		`{"s":"\\","t":"\\\"","u":"\u00e9\ud83d\ude00 😀 한국어","v":true,"w":false}`,
		`{"evidence":[{"step":"fail","time":"2020-12-29T09:00:00Z","delta_seconds":0,"line":11}],"captures":{"fail.addr":"198.6.249.146"}}`,
	} {
		for _, prefix := range []string{"", "    "} {
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(doc)); err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			want := indentReference(t, compact.Bytes(), prefix, "  ")
			if got := appendIndented([]byte("x"), compact.Bytes(), prefix, "  "); string(got) != "x"+string(want) {
				t.Errorf("appendIndented(%s, %q)\n got %s\nwant %s", compact.Bytes(), prefix, got[1:], want)
			}
		}
	}
}

// FuzzAppendIndented: on any valid JSON, compacted as json.Marshal
// writes it, appendIndented writes what json.Indent does.
func FuzzAppendIndented(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c\"]"}],"d":{}}`, `["\\",[],{}]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, doc); err != nil {
			t.Fatal(err)
		}
		want := indentReference(t, compact.Bytes(), "  ", "  ")
		if got := appendIndented(nil, compact.Bytes(), "  ", "  "); !bytes.Equal(got, want) {
			t.Errorf("appendIndented(%s)\n got %s\nwant %s", compact.Bytes(), got, want)
		}
	})
}

// TestLookbackNote: what coverage says was read around the range: the
// span before --since for files, the per-signature margin on both sides
// for a store, and why.
func TestLookbackNote(t *testing.T) {
	since := time.Date(2025, 4, 2, 6, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		lb   Lookback
		want string
	}{
		{Lookback{Span: 4 * time.Hour, Longest: 4 * time.Hour, Cap: 24 * time.Hour},
			"4h0m before --since (the longest correlation window of the signatures)"},
		{Lookback{Span: 24 * time.Hour, Longest: 720 * time.Hour, Cap: 24 * time.Hour},
			"24h0m before --since (the signatures' longest window, 720h0m, capped by --lookback)"},
		{Lookback{Span: 24 * time.Hour, Longest: 720 * time.Hour, Cap: 24 * time.Hour, PerSignature: true},
			"up to 24h0m before --since and after --until, each signature's events within its own window (the signatures' longest window, 720h0m, capped by --lookback)"},
		{Lookback{Cap: 24 * time.Hour, PerSignature: true}, "0s before --since (no signature looks back)"},
	} {
		r := &Report{Since: since}
		r.Coverage.Lookback = tt.lb
		if got := r.lookbackNote(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.lb, got, tt.want)
		}
	}
	if got := (&Report{}).lookbackNote(); got != "" {
		t.Errorf("without --since: %q", got)
	}
}

// TestAppendJSONString: appendJSONString quotes as encoding/json does
// with SetEscapeHTML(false), on every kind of byte it treats apart.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `"q" \ /`, "\x00\x01\x1f\x7f \b\f\n\r\t", "<a&b>", "é 한 😀",
		"\xff\xfe bad \xc3", "line\u2028para\u2029end", "\xe2\x80", "cut \xf0\x9f\x98"} {
		checkJSONString(t, s)
	}
}

func checkJSONString(t *testing.T, s string) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := appendJSONString([]byte("x"), s); string(got) != "x"+strings.TrimSuffix(want.String(), "\n") {
		t.Errorf("appendJSONString(%q) = %s, want %s", s, got[1:], want.Bytes())
	}
}

// TestAppendJSONStringEveryByte puts each byte value at each offset of
// plain text longer than two words: the bytes jsonPlain8 lets through
// eight at a time and those it leaves to the byte loop come out as
// encoding/json writes them.
func TestAppendJSONStringEveryByte(t *testing.T) {
	plain := []byte("Failed password for r")
	for c := range 256 {
		for off := range plain {
			b := slices.Clone(plain)
			b[off] = byte(c)
			checkJSONString(t, string(b))
		}
	}
	for _, s := range []string{"ok ok ok 한국어 text", "12345678\u2028-\u2029", "abcdefg\xe2\x80\xa8hijklmnop"} {
		checkJSONString(t, s)
	}
}

// FuzzAppendRFC3339Nano: the digits appendRFC3339Nano writes are those
// of time.RFC3339Nano, for any instant.
func FuzzAppendRFC3339Nano(f *testing.F) {
	for _, t := range []time.Time{
		time.Date(2025, 11, 11, 6, 20, 21, 0, time.UTC), time.Date(2025, 11, 11, 6, 20, 21, 123456000, time.UTC),
		time.Date(2020, 12, 29, 23, 59, 59, 999999999, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 100, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 3, 4, 5, 6, 7, 800000000, time.UTC),
	} {
		f.Add(t.Unix(), int64(t.Nanosecond()))
	}
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1e9).UTC()
		if got, want := appendRFC3339Nano([]byte("x"), tm), tm.AppendFormat([]byte("x"), time.RFC3339Nano); string(got) != string(want) {
			t.Errorf("appendRFC3339Nano(%v) = %s, want %s", tm, got, want)
		}
	})
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"a\"b", "\x00\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}

// TestAppendJSONFloat: delta_seconds as encoding/json writes a float64,
// across its switch to exponents.
func TestAppendJSONFloat(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.5, 1.5, 123456.789, 1e-6, 9.99e-7, 1e-7, 1.23e-9, 1e20, 1e21, 1.5e300, -2.5e-8,
		time.Duration(1).Seconds(), time.Duration(math.MaxInt64).Seconds(), (90 * time.Minute).Seconds()} {
		checkJSONFloat(t, f)
	}
}

func checkJSONFloat(t *testing.T, f float64) {
	t.Helper()
	want, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendJSONFloat(nil, f); string(got) != string(want) {
		t.Errorf("appendJSONFloat(%v) = %s, want %s", f, got, want)
	}
}

func FuzzAppendJSONFloat(f *testing.F) {
	f.Add(int64(1500000000))
	f.Fuzz(func(t *testing.T, nanos int64) {
		checkJSONFloat(t, time.Duration(nanos).Seconds())
		if x := math.Float64frombits(uint64(nanos)); !math.IsInf(x, 0) && !math.IsNaN(x) {
			checkJSONFloat(t, x)
		}
	})
}

// failingWriter fails every write once it has taken n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestParallelDirectArray checks that findings written on several
// goroutines come out as directArray writes them, for every split of the
// items into batches, and that a failing writer stops the workers with
// its error.
func TestParallelDirectArray(t *testing.T) {
	r := syntheticReport(300)
	for _, n := range []int{0, 1, minParallelItems - 1, minParallelItems, minParallelItems + 1, 2*directBatch*8 + 3, 300} {
		items := r.Findings[:n]
		var want bytes.Buffer
		ws := &jsonStream{w: &want}
		directArray(ws, 1, items, (*jsonIndented).finding)
		for _, workers := range []int{1, 2, 3, 8} {
			var got bytes.Buffer
			s := &jsonStream{w: &got}
			parallelDirectArray(s, 1, items, (*jsonIndented).finding, workers)
			if s.err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%d findings, %d workers: err %v, %d bytes; want the %d bytes directArray wrote", n, workers, s.err, got.Len(), want.Len())
			}
		}
	}
	for _, failAt := range []int{0, 1, 50 << 10, 400 << 10} {
		s := &jsonStream{w: &failingWriter{n: failAt}}
		parallelDirectArray(s, 1, r.Findings, (*jsonIndented).finding, 3)
		if s.err == nil || s.err.Error() != "disk full" {
			t.Errorf("writer failing after %d bytes: err %v, want disk full", failAt, s.err)
		}
	}
}

// BenchmarkAppendJSONString writes the messages of a dense log's
// evidence (ASCII, a quote now and then) as JSON strings.
func BenchmarkAppendJSONString(b *testing.B) {
	msgs := []string{
		"Failed password for invalid user admin from 203.0.113.77 port 52144 ssh2",
		"Invalid user oracle from 198.51.100.23 port 40112",
		"INFO: task jbd2/sda1-8:312 blocked for more than 120 seconds.",
		"nginx[20931]: segfault at 7f3a2c000000 ip 00007f3a3b2d4e10 sp 00007ffd5e1c2a88 error 4 in libc.so.6[7f3a3b1a9000+195000]",
		"nfs: server filer01.example.net not responding, still trying",
		`time="2025-11-11T06:20:21.123456789+09:00" level=error msg="failed to delete task" id=4f2a9c error="context canceled"`,
	}
	var n int64
	for _, m := range msgs {
		n += int64(len(m))
	}
	b.SetBytes(n)
	var dst []byte
	for b.Loop() {
		for _, m := range msgs {
			dst = appendJSONString(dst[:0], m)
		}
	}
}
