package signature

import (
	"os"
	"path/filepath"
	"testing"
	"text/template"
	"time"
)

// FuzzParse feeds the loader arbitrary YAML: it must return signatures or
// errors, never panic, and every error must carry a position and a hint.
func FuzzParse(f *testing.F) {
	f.Add([]byte(unattendedSig))
	f.Add([]byte("schema: logsleuth/v1\nid: a\ntitle: A\nevents: {e: {program: sshd, message|re: 'Failed (?P<user>\\w+)'}}\nmatch: {threshold: {event: e, by: [user], count: 5, window: 1m}}\nexplain: '{{.e.user}} {{.count}}'\n"))
	f.Add([]byte("schema: logsleuth/v1\n---\n- a\n- b\n"))
	f.Add([]byte("a: &x [*x]\n"))
	// Aliases: a cycle, a fan-out past the cap, ordinary ones.
	f.Add([]byte("schema: logsleuth/v1\nid: a\ntitle: A\nevents:\n  e: &a {any: [{program: x}, *a]}\nmatch: {event: e}\n"))
	f.Add([]byte(fanOut(9, 9)))
	f.Add([]byte(fanOut(3, 3)))
	f.Add([]byte("schema: logsleuth/v1\nid: &id a\ntitle: *id\ntags: &t [x, y]\nevents:\n  e: {program: &p sshd, message|contains: *t}\n  f: {program: *p}\nmatch: {event: e}\n"))
	// Templates: loops, recursion, wide output, quoting, a render error.
	for _, tmpl := range []string{
		"{{range 1000000000}}x{{end}}",
		"{{range 3}}{{shq $.e.svc}}{{end}}",
		`{{define "a"}}{{if .}}{{template "a" (slice . 1)}}{{template "a" (slice . 1)}}{{end}}{{end}}{{template "a" .e.message}}`,
		`{{printf "%0999999d" 0}}`,
		"{{slice .e.message 0 300}}",
		"{{with .e.svc}}{{.}}{{end}} {{since .e.time .e.time}} {{ts .e.time}} {{default \"x\" .e.svc}}",
	} {
		f.Add([]byte(sigWith(`^(?P<svc>\S+) stopped`, tmpl, "systemctl start "+tmpl)))
	}
	// Every built-in signature seeds the fuzzer with real syntax.
	files, _ := filepath.Glob("../../patterns/*.yaml")
	if len(files) == 0 {
		f.Fatal("no seeds in ../../patterns")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sigs, errs := Parse("fuzz.yaml", data)
		for _, e := range errs {
			if e.File != "fuzz.yaml" || e.Line < 1 || e.Col < 1 || e.Code == "" || e.Hint == "" {
				t.Fatalf("error without position or code: %+v", e)
			}
		}
		for _, s := range sigs {
			if s.ID == "" || s.Title == "" {
				t.Fatalf("signature loaded without id or title: %+v", s)
			}
			if s.Match.Kind == MatchSequence && len(s.Match.Steps) < 2 {
				t.Fatalf("sequence with %d steps loaded", len(s.Match.Steps))
			}
			// What loaded renders within its limits, or fails with an error.
			data := map[string]any{"count": 2, "host": "web", "outcome": "confirmed"}
			for _, e := range s.Events {
				step := map[string]any{"message": "docker stopped", "time": time.Unix(1700000000, 0), "fields": map[string]string{}}
				for _, c := range e.Matcher.CaptureNames() {
					step[c] = "x; touch /tmp/PWNED"
				}
				data[e.Name] = step
			}
			for _, tmpl := range append([]*template.Template{s.Explain}, s.Remediation...) {
				if out, err := Render(tmpl, data); len(out) > MaxTemplateOutput {
					t.Fatalf("rendered %d bytes (err %v)", len(out), err)
				}
			}
		}
	})
}
