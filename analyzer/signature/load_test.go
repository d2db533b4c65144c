package signature

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

const unattendedSig = `schema: logsleuth/v1
id: docker-stopped-by-unattended-upgrade
title: Unattended upgrade stopped the container runtime and nothing restarted it
severity: high
tags: [docker, containerd, unattended-upgrade]
references:
  - {title: "Launchpad #1870514", url: "https://bugs.launchpad.net/ubuntu/+source/containerd/+bug/1870514"}
events:
  upgrade:
    unit: apt-daily-upgrade.service
    lifecycle: [starting, started]
  down:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: [stopping, stopped]
  up:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: started
match:
  sequence:
    by: [host]
    maxspan: 4h
    steps:
      - {event: upgrade, as: upgrade}
      - {event: down, as: down, within: 2h}
      - {absent: up, as: restart, join: {svc: down.svc}, for: 30m}
explain: >-
  {{.down.svc}}.service was stopped during apt-daily-upgrade at {{ts .down.time}}
  and {{if eq .outcome "confirmed"}}was not started again within 30m{{else}}had not
  been started again when {{.reason}}{{end}}.
remediation:
  - "systemctl start {{.down.svc}}.service"
  - "Hold runtime packages (apt-mark hold)"
`

func TestParseValidSignature(t *testing.T) {
	sigs, errs := Parse("unattended.yaml", []byte(unattendedSig))
	if len(errs) > 0 {
		t.Fatalf("unexpected errors:\n%v", errs)
	}
	if len(sigs) != 1 {
		t.Fatalf("got %d signatures", len(sigs))
	}
	s := sigs[0]
	if s.ID != "docker-stopped-by-unattended-upgrade" || s.Severity != High || s.Match.Kind != MatchSequence {
		t.Fatalf("signature = %+v", s)
	}
	if s.Match.MaxSpan != 4*time.Hour || len(s.Match.Steps) != 3 || s.Match.By[0] != "host" {
		t.Fatalf("sequence = %+v", s.Match)
	}
	abs := s.Match.Steps[2]
	if !abs.Absent || abs.For != 30*time.Minute || abs.As != "restart" || len(abs.Join) != 1 || abs.Join[0] != (Join{Capture: "svc", Step: "down", Other: "svc"}) {
		t.Fatalf("absent step = %+v", abs)
	}
	out, err := Render(s.Explain, map[string]any{
		"down":    map[string]any{"svc": "docker", "time": time.Date(2021, 10, 7, 6, 20, 21, 0, time.UTC)},
		"outcome": "unresolved", "reason": "end of log",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "docker.service was stopped during apt-daily-upgrade at 2021-10-07 06:20:21 UTC and had not been started again when end of log."
	if out != want {
		t.Fatalf("explain =\n%q\nwant\n%q", out, want)
	}
}

// sigFile is a signature file with the given events: and match:
// bodies.
func sigFile(events, match string) string {
	return "schema: logsleuth/v1\nid: x\ntitle: X\nevents:\n" + events + "match:\n" + match
}

// wantParseErrors requires yaml not to load, each of want among its
// errors (substrings, positions included), and every error to have a
// position and a hint.
func wantParseErrors(t *testing.T, yaml string, want ...string) {
	t.Helper()
	_, errs := Parse("f.yaml", []byte(yaml))
	if len(errs) == 0 {
		t.Fatalf("no error; want %q", want)
	}
	got := errs.Error()
	for _, e := range errs {
		if e.Line < 1 || e.Col < 1 || e.Hint == "" {
			t.Errorf("error without a position or a hint: %v", e)
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("errors:\n%s\nwant substring:\n%s", got, w)
		}
	}
}

func TestParseErrors(t *testing.T) {
	base := sigFile
	cases := []struct {
		name, yaml string
		want       []string // substrings of the error list, positions included
	}{
		{"not yaml", "schema: [\n", []string{"f.yaml:1:1: yaml_error: did not find expected node content (hint: check the indentation"}},
		{"unknown top key with hint", "schema: logsleuth/v1\nid: x\ntitle: X\nsevrity: high\nevents: {a: {program: sshd}}\nmatch: {event: a}\n",
			[]string{`f.yaml:4:1: schema_error: unknown key "sevrity" in a signature (hint: did you mean "severity"?)`}},
		{"wrong schema", "schema: logsleuth/v9\nid: x\ntitle: X\nevents: {a: {program: sshd}}\nmatch: {event: a}\n",
			[]string{`f.yaml:1:9: schema_error: unsupported schema "logsleuth/v9"`}},
		{"missing schema and title", "id: x\nevents: {a: {program: sshd}}\nmatch: {event: a}\n",
			[]string{`f.yaml:1:1: schema_error: missing key "schema"`, `missing key "title"`}},
		{"wrong type", base("  a: {program: sshd}\n", "  event: a\n") + "tags: {a: 1}\n",
			[]string{`f.yaml:8:7: schema_error: tags must be a string or a list of strings, not a mapping (hint: one value, or a list such as [a, b])`}},
		{"wrong type for a string", base("  a: {program: sshd}\n", "  event: a\n") + "explain: [a, b]\n",
			[]string{`f.yaml:8:10: schema_error: explain must be a string, not a list (hint: one value; quote text that starts with { [ or contains ": ")`}},
		{"wrong type for a mapping", base("  a: [program, sshd]\n", "  event: a\n"),
			[]string{`f.yaml:5:6: schema_error: event a must be a mapping, not a list (hint: write key: value pairs`}},
		{"wrong type for optional", base("  a: {program: x}\n  b: {program: y}\n",
			"  sequence:\n    steps:\n      - {event: a}\n      - {event: b, optional: maybe}\n"),
			[]string{`f.yaml:11:30: schema_error: optional must be true or false, not the str "maybe" (hint: optional: true)`}},
		{"key twice", base("  a: {program: sshd, program: cron}\n", "  event: a\n"),
			[]string{`f.yaml:5:22: schema_error: key "program" appears twice in event a (hint: keep one of them)`}},
		{"bad regexp", base("  a:\n    message|re: 'Failed (password'\n", "  event: a\n"),
			[]string{"f.yaml:6:17: regexp_error: bad regexp \"Failed (password\": missing closing ): `Failed (password` (hint: RE2 syntax"}},
		{"unknown modifier", base("  a:\n    message|contain: x\n", "  event: a\n"),
			[]string{`f.yaml:6:5: schema_error: unknown modifier "contain" (hint: did you mean "contains"?)`}},
		{"unknown field", base("  a:\n    mesage: x\n", "  event: a\n"),
			[]string{`f.yaml:6:5: schema_error: unknown key "mesage" in a matcher (hint: did you mean "message"?)`}},
		{"bad lifecycle", base("  a: {lifecycle: stoped}\n", "  event: a\n"),
			[]string{`unknown lifecycle "stoped"`}},
		{"bad priority", base("  a: {priority|lte: severe}\n", "  event: a\n"),
			[]string{`unknown priority "severe"`}},
		{"unknown event", base("  a: {program: sshd}\n", "  event: b\n"),
			[]string{`f.yaml:7:10: reference_error: match.event names unknown event "b" (hint: did you mean "a"?)`}},
		{"two kinds", base("  a: {program: sshd}\n", "  event: a\n  threshold: {event: a, count: 2, window: 1m}\n"),
			[]string{`match must have exactly one kind, found 2`}},
		{"join on undefined capture", base(
			"  a: {message|re: 'Stopping (?P<svc>\\w+)'}\n  b: {message|re: 'Started (?P<svc>\\w+)'}\n",
			"  sequence:\n    steps:\n      - {event: a, as: down}\n      - {absent: b, join: {svc: down.unit2}, for: 1m}\n"),
			[]string{`f.yaml:11:33: reference_error: join on capture "unit2" that step "down" does not define (hint: step "down" captures: svc)`}},
		{"join key this step does not capture", base(
			"  a: {message|re: 'Stopping (?P<svc>\\w+)'}\n  b: {message|contains: Started}\n",
			"  sequence:\n    steps:\n      - {event: a, as: down}\n      - {absent: b, join: {svc: down.svc}, for: 1m}\n"),
			[]string{`f.yaml:11:28: reference_error: join key "svc" is not captured by event "b" (hint: join keys are captures of this step's event`}},
		{"join on later step", base(
			"  a: {message|re: 'Stopping (?P<svc>\\w+)'}\n  b: {message|re: 'Started (?P<svc>\\w+)'}\n",
			"  sequence:\n    steps:\n      - {event: a, as: down}\n      - {absent: b, join: {svc: later.svc}, for: 1m}\n      - {event: a, as: later}\n"),
			[]string{`f.yaml:11:33: reference_error: join refers to unknown or later step "later" (hint: join refers to an earlier step's ` + "`as`)"}},
		{"absent without for", base("  a: {program: x}\n  b: {program: y}\n",
			"  sequence:\n    steps:\n      - {event: a}\n      - {absent: b}\n"),
			[]string{`absent step "b" needs a `}},
		{"unbound template reference", base("  a: {program: sshd}\n", "  event: a\n") + "explain: 'sshd said {{.a.mesage}} on {{.hots}}'\n",
			[]string{`f.yaml:8:23: template_error: explain: {{.a.mesage}} names "mesage", which step "a" does not bind`,
				`f.yaml:8:40: template_error: explain: {{.hots}} is not bound (hint: bound: a; and outcome, reason`}},
		{"unbound reference in a folded block", base("  a: {program: sshd}\n", "  event: a\n") + "explain: >-\n  sshd said\n  {{.a.message}} on\n  host {{.hots}}\n",
			[]string{`f.yaml:11:10: template_error: explain: {{.hots}} is not bound`}},
		{"template syntax", base("  a: {program: sshd}\n", "  event: a\n") + "explain: |\n  line one\n  {{.a.message\n",
			[]string{`f.yaml:10:1: template_error: explain: unclosed action (hint: Go text/template syntax`}},
		{"reserved step name", base("  start: {program: dockerd}\n  b: {program: x}\n",
			"  sequence:\n    steps:\n      - {event: start}\n      - {event: b}\n"),
			[]string{`step name "start" is reserved`}},
		{"reserved event name", base("  count: {program: sshd}\n", "  event: count\n"),
			[]string{`event name "count" is reserved in match`}},
		{"empty matcher", base("  a: {}\n", "  event: a\n"), []string{`event a is empty`}},
		{"bad duration", base("  a: {program: sshd}\n", "  threshold: {event: a, count: 3, window: soon}\n"),
			[]string{`threshold.window: invalid duration "soon"`}},
		{"unknown by key", base("  a: {program: sshd}\n", "  threshold: {event: a, count: 3, window: 1m, by: [adress]}\n"),
			[]string{`threshold.by names unknown key "adress"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantParseErrors(t, c.yaml, c.want...) })
	}
}

func TestLoadFSChecksTheSet(t *testing.T) {
	one := "schema: logsleuth/v1\nid: a\ntitle: A\nevents: {e: {program: sshd}}\nmatch: {event: e}\nexplains: [b, nope]\n"
	two := "schema: logsleuth/v1\nid: b\ntitle: B\nevents: {e: {program: sshd}}\nmatch: {event: e}\n---\nschema: logsleuth/v1\nid: a\ntitle: A again\nevents: {e: {program: sshd}}\nmatch: {event: e}\n"
	fsys := fstest.MapFS{"p/one.yaml": {Data: []byte(one)}, "p/two.yml": {Data: []byte(two)}, "p/README.md": {Data: []byte("#")}}
	sigs, err := LoadFS(fsys, "p")
	if len(sigs) != 3 {
		t.Fatalf("loaded %d signatures, want 3", len(sigs))
	}
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, w := range []string{`p/two.yml:7:1: duplicate_error: signature id "a" is already defined at p/one.yaml:1 (hint: ids must be unique`,
		`p/one.yaml:1:1: reference_error: explains names unknown signature "nope" (hint: explains lists ids`} {
		if !strings.Contains(msg, w) {
			t.Errorf("errors:\n%s\nwant %q", msg, w)
		}
	}
	if strings.Contains(msg, `unknown signature "b"`) {
		t.Errorf("b exists in the set: %s", msg)
	}
}

func TestMatcher(t *testing.T) {
	y := `schema: logsleuth/v1
id: m
title: M
events:
  e:
    program: [dockerd, containerd]
    message|re: 'client version (?P<client>[0-9.]+) is too old'
    priority|lte: warning
    not: {fields.module: grpc}
    any:
      - {message|contains: Minimum supported}
      - {source: journal}
match: {event: e}
`
	sigs, errs := Parse("m.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := sigs[0].Events[0].Matcher
	base := event.Event{Program: "dockerd", Priority: 3, Source: event.SourceRef{Format: "rfc3164"},
		Message: `level=error msg="Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44"`}
	cases := []struct {
		name string
		mod  func(e *event.Event)
		want bool
		cap  string
	}{
		{"matches and captures", func(e *event.Event) {}, true, "1.24"},
		{"other program", func(e *event.Event) { e.Program = "traefik" }, false, ""},
		{"priority too low", func(e *event.Event) { e.Priority = 6 }, false, ""},
		{"no priority", func(e *event.Event) { e.Priority = event.NoPriority }, false, ""},
		{"negated field", func(e *event.Event) { e.Fields = []event.Field{{Key: "module", Value: "grpc"}} }, false, ""},
		{"any via source family", func(e *event.Event) {
			e.Message = "client version 1.24 is too old"
			e.Source.Format = "journal-short-iso"
		}, true, "1.24"},
		{"any fails", func(e *event.Event) { e.Message = "client version 1.24 is too old" }, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := base
			c.mod(&ev)
			var caps Captures
			got := m.Match(&ev, &caps)
			if got != c.want {
				t.Fatalf("Match = %v, want %v", got, c.want)
			}
			v, _ := caps.Get("client")
			if v != c.cap || (!got && len(caps) != 0) {
				t.Fatalf("captures = %v, want client=%q", caps, c.cap)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 40 * time.Second: "40s", 30 * time.Minute: "30m", 29*time.Minute + 59*time.Second: "29m59s",
		time.Hour + 30*time.Minute: "1h30m", 2 * time.Hour: "2h", 50 * time.Hour: "2d", -5 * time.Second: "-5s",
		1500 * time.Millisecond: "2s",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSourceOfEachDocument(t *testing.T) {
	file := `# pack of three
schema: logsleuth/v1
id: one
title: One
events: {e: {program: sshd}}
match: {event: e}
explain: |
  first line
  ---
  still the explain of one
--- # two
schema: logsleuth/v1
id: two
title: Two
events: {e: {program: sshd}}
match: {event: e}
...
--- {schema: logsleuth/v1, id: three, title: Three, events: {e: {program: cron}}, match: {event: e}}
`
	sigs, errs := Parse("pack.yaml", []byte(file))
	if len(errs) > 0 || len(sigs) != 3 {
		t.Fatalf("%d signatures, errors %v", len(sigs), errs)
	}
	lines := strings.SplitAfter(file, "\n")
	want := []string{strings.Join(lines[0:10], ""), strings.Join(lines[11:16], ""), lines[17]}
	for i, s := range sigs {
		if s.Source != want[i] {
			t.Errorf("%s: source\n%q\nwant\n%q", s.ID, s.Source, want[i])
		}
	}
}

func TestUnits(t *testing.T) {
	y := "schema: logsleuth/v1\nid: acme\ntitle: Acme\nunits:\n  Acme Widget Server: acme-widget.service\n  Acme Nightly Sweep: acme-sweep.timer\n" +
		"events: {down: {unit: acme-widget.service, lifecycle: stopped}}\nmatch: {event: down}\n"
	sigs, errs := Parse("acme.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := sigs[0].Units; len(got) != 2 || got["Acme Widget Server"] != "acme-widget.service" || got["Acme Nightly Sweep"] != "acme-sweep.timer" {
		t.Fatalf("units = %v", got)
	}
	for bad, want := range map[string]string{
		"units: [acme-widget.service]\n":             `f.yaml:4:8: schema_error: units must be a mapping, not a list (hint: write key: value pairs`,
		"units: {Acme Widget Server: acme widget}\n": `f.yaml:4:29: schema_error: invalid unit name "acme widget" (hint: the unit the description belongs to`,
		"units: {Acme Widget Server: acme}\n":        `f.yaml:4:29: schema_error: invalid unit name "acme"`,
		"units: {Acme Widget Server: {a: b}}\n":      `f.yaml:4:29: schema_error: units value must be a string, not a mapping`,
	} {
		y := "schema: logsleuth/v1\nid: acme\ntitle: Acme\n" + bad + "events: {down: {program: acme}}\nmatch: {event: down}\n"
		_, errs := Parse("f.yaml", []byte(y))
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("%s: errors\n%v\nwant %q", strings.TrimSpace(bad), errs, want)
		}
	}
}

// TestMatcherCaptureOrder requires captures in the order of the regexes
// that made them, whatever order the matcher tries its conditions in
// (plain ones and negations before regexes).
func TestMatcherCaptureOrder(t *testing.T) {
	y := `schema: logsleuth/v1
id: o
title: O
events:
  e:
    message|re: '^(?P<lead>\w+) '
    program: sshd
    fields.port|re: '^(?P<second>\d+)$'
    not: {message|contains: "invalid user"}
match: {event: e}
`
	sigs, errs := Parse("o.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := sigs[0].Events[0].Matcher
	ev := event.Event{Program: "sshd", Message: "Accepted publickey for deploy", Fields: []event.Field{{Key: "port", Value: "22"}}}
	var caps Captures
	if !m.Match(&ev, &caps) {
		t.Fatal("no match")
	}
	if len(caps) != 2 || caps[0] != (Capture{"lead", "Accepted"}) || caps[1] != (Capture{"second", "22"}) {
		t.Fatalf("captures %v", caps)
	}
	caps = caps[:0]
	ev.Message = "Accepted publickey for invalid user x"
	if m.Match(&ev, &caps) || len(caps) != 0 {
		t.Fatalf("negation ignored: captures %v", caps)
	}
}

// TestAnyOrder requires an any: whose branches capture nothing to be
// tried with the branches a field test can rule out first, then those
// without a regex, then the rest, each in its order; and one with a
// capturing branch to be tried as written (the first match's captures
// are the ones kept).
func TestAnyOrder(t *testing.T) {
	for _, c := range []struct {
		any  string
		want []int // indexes into Any, in the order tried; nil: as written
	}{
		{`[{message|contains: "error waiting for container"}, {program: dockerd, message|re: 'failed to exit within \d+'}, {message|re: 'shim disconnected id=[0-9a-f]+'}, {program: containerd, message|re: 'msg="shim disconnected"'}]`,
			[]int{1, 3, 0, 2}},
		{`[{message|re: 'a+b'}, {message|contains: "ab"}, {unit: x.service, lifecycle: started}]`, []int{2, 1, 0}},
		{`[{message|re: 'a+b'}, {program: sshd, message|re: '^Invalid user (?P<user>\S+)'}]`, nil},
		{`[{message|contains: "ab"}, {program|re: '^ssh'}]`, []int{0, 1}},
	} {
		y := "schema: logsleuth/v1\nid: a\ntitle: A\nevents:\n  e: {any: " + c.any + "}\nmatch: {event: e}\n"
		sigs, errs := Parse("a.yaml", []byte(y))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.any, errs)
		}
		m := sigs[0].Events[0].Matcher
		var got []int
		for _, a := range m.tryAny {
			got = append(got, slices.Index(m.Any, a))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: tried %v, want %v", c.any, got, c.want)
		}
	}
}

// TestLoadFilesKeepsFileOrder: files are parsed in parallel, but the
// signatures and errors come in file-name order (and a file's own order),
// as the engine runs signatures in load order.
func TestLoadFilesKeepsFileOrder(t *testing.T) {
	fsys := fstest.MapFS{}
	var wantIDs, wantErrFiles []string
	for i := range 40 {
		name := fmt.Sprintf("p/%02d.yaml", i)
		if i%7 == 3 {
			fsys[name] = &fstest.MapFile{Data: []byte("schema: logsleuth/v1\nid: broken\nevents: [\n")}
			wantErrFiles = append(wantErrFiles, name)
			continue
		}
		doc := func(id string) string {
			return "schema: logsleuth/v1\nid: " + id + "\ntitle: T\nevents: {e: {program: sshd}}\nmatch: {event: e}\n"
		}
		a, b := fmt.Sprintf("s%02da", i), fmt.Sprintf("s%02db", i)
		fsys[name] = &fstest.MapFile{Data: []byte(doc(a) + "---\n" + doc(b))}
		wantIDs = append(wantIDs, a, b)
	}
	for range 5 {
		sigs, errs := LoadFiles(fsys, "p")
		var ids, errFiles []string
		for _, s := range sigs {
			ids = append(ids, s.ID)
		}
		for _, e := range errs {
			errFiles = append(errFiles, e.File)
		}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("signatures in order\n%v\nwant\n%v", ids, wantIDs)
		}
		if !slices.Equal(slices.Compact(errFiles), wantErrFiles) {
			t.Fatalf("errors of files %v, want %v", errFiles, wantErrFiles)
		}
	}
}
