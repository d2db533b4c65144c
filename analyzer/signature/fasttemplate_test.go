package signature

import (
	"slices"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/logsleuth/logsleuth/patterns"
)

// mapFields reads a data map as text/template does, for RenderFields.
type mapFields map[string]any

func (m mapFields) Field(idents []string) (any, bool) {
	var v any = map[string]any(m)
	for i, id := range idents {
		switch x := v.(type) {
		case map[string]any:
			v = x[id]
		case map[string]string:
			if i != len(idents)-1 {
				return nil, false
			}
			v = x[id] // (missingkey=zero: "")
		default:
			return nil, false // through a missing value or text: text/template fails
		}
	}
	switch x := v.(type) {
	case map[string]any:
		return MapValue(len(x)), true
	case map[string]string:
		return MapValue(len(x)), true
	}
	return v, true
}

// parseTemplate parses text as the loader parses a template.
func parseTemplate(t *testing.T, text string) *template.Template {
	t.Helper()
	tt, err := template.New("explain").Funcs(Funcs).Option("missingkey=zero").Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	bound(tt)
	return tt
}

// chains lists the field chains t reads (.a.b and $.a.b), outside
// range and with.
func chains(t *template.Template) [][]string {
	var out [][]string
	walkFields(t.Tree.Root, func(_ parse.Node, idents []string) { out = append(out, idents) })
	return out
}

// fastValues are the values templateData holds, and some it never
// does, that the data of a variant picks from.
var fastValues = []any{
	"web-3", "", nil, 0, 3, int64(7), true, false, "<no value>", "it's; rm -rf /", "<no",
	time.Date(2025, 11, 11, 6, 20, 21, 500, time.FixedZone("KST", 9*3600)), time.Time{},
	time.Date(2025, 11, 11, 6, 25, 0, 0, time.FixedZone("KST", 9*3600)), 2.5, []string{"a", "b"},
}

// variantData makes data for t's chains: in variant v, the chain at
// index i holds fastValues[(i*7+v)%len]; a chain of three under a step
// reads a map[string]string, as `.step.fields.NAME` does.
func variantData(t *template.Template, v int) map[string]any {
	d := map[string]any{}
	for i, c := range chains(t) {
		val := fastValues[(i*7+v)%len(fastValues)]
		if v >= len(fastValues) {
			val = plausible(c[len(c)-1], v)
		}
		switch len(c) {
		case 1:
			d[c[0]] = val
		case 2, 3:
			m, ok := d[c[0]].(map[string]any)
			if !ok {
				if v%5 == 4 {
					continue // the step is not bound at all
				}
				m = map[string]any{}
				d[c[0]] = m
			}
			if len(c) == 2 {
				m[c[1]] = val
				continue
			}
			f, ok := m[c[1]].(map[string]string)
			if !ok {
				f = map[string]string{}
				m[c[1]] = f
			}
			if s, ok := val.(string); ok {
				f[c[2]] = s
			}
		}
	}
	return d
}

// plausible is a value of the kind templateData gives name: times,
// numbers, else text.
func plausible(name string, v int) any {
	switch name {
	case "time", "start", "end", "t", "u":
		return fastValues[11+v%3]
	case "count", "n", "pid":
		return v % 4
	case "line":
		return int64(v)
	case "how":
		return []string{"timed out", "still trying"}[v%2]
	}
	return []string{"web-3", "", "docker", "10.0.0.9"}[v%4]
}

// TestRenderFieldsAgreesWithRender renders every built-in template and
// a set of edge cases over data of every kind of value, both ways: what
// RenderFields renders must be what Render renders, and it must leave to
// Render what Render fails on.
func TestRenderFieldsAgreesWithRender(t *testing.T) {
	sigs, err := LoadFS(patterns.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	type tmpl struct {
		name string
		t    *template.Template
	}
	var all []tmpl
	for _, s := range sigs {
		all = append(all, tmpl{s.ID + " explain", s.Explain})
		for _, r := range s.Remediation {
			all = append(all, tmpl{s.ID + " remediation", r})
		}
	}
	for _, text := range []string{
		`{{.a}} and {{.b}} and {{.c}}`,
		`{{if .a}}x{{else if .b}}y{{else}}z{{end}}`,
		`{{with .s.v}}[{{.}}]{{else}}none {{.a}}{{end}}`,
		`{{with .s}}{{.v}}{{end}}`,
		`{{print .a " " .s.v 1 2}}|{{print 1 2}}|{{.a | print}}|{{print}}`,
		`{{.a | printf "%v"}}`,
		`{{eq .a "web-3"}} {{ne .a ""}} {{gt .n 1}} {{lt .s.v "m"}} {{not .a}} {{ge .n 0}} {{le .n -1}} {{eq true .b}}`,
		`{{le .n 3}} {{lt .n 3}} {{ge .n 3}} {{gt .n 3}} {{ne .n 3}} {{eq .n 3}} {{le .a "web-3"}} {{ge .a "web-3"}} {{eq .line 3}}`,
		`{{if eq .a .b}}same{{end}}{{if lt .a .b}}less{{end}}`,
		`{{ts .t}} {{since .t .u}} {{shq .a}} {{default "d" .a}} {{join .a ","}} {{join .a .b}}`,
		`{{$.s.v}} {{$.a}} {{.s.fields.k}} {{with .s.fields.k}}<{{.}}>{{end}}`,
		`{{.s.v.w}}`,
		`{{.a}} value>`,
		`{{.a}}{{.a}}{{.a}}`,
		`{{eq .n 1.0}} {{eq .n 01}} {{eq .n 0x1}} {{gt .n 'a'}}`,
		`{{range .l}}x{{end}}`,
		`{{$x := .a}}{{$x}}`,
		`{{.t.IsZero}}`,
		`{{index .s "v"}}`,
		`{{and .a .b}}{{or .a .b}}{{len .a}}`,
		`{{with ts .t}}at {{.}}{{end}}`,
		`{{if not .s.t.IsZero}}x{{end}}`,
		`{{.}}`,
		`{{.a | ts}} {{.a | shq | print "q:"}}`,
	} {
		all = append(all, tmpl{text, parseTemplate(t, text)})
	}
	big := strings.Repeat("x", MaxTemplateOutput/2+1)
	fast := map[*template.Template]int{}
	for _, c := range all {
		for v := range 2 * len(fastValues) {
			d := variantData(c.t, v)
			if c.name == `{{.a}}{{.a}}{{.a}}` && v%3 == 0 {
				d["a"] = big // past MaxTemplateOutput: Render fails
			}
			want, err := Render(c.t, d)
			got, ok := RenderFields(c.t, mapFields(d))
			if !ok {
				continue
			}
			fast[c.t]++
			if err != nil || got != want {
				t.Errorf("%s, data %v:\nRenderFields %q\nRender       %q, %v", c.name, d, got, want, err)
			}
		}
	}
	// The templates of the dense bench corpus' findings, and every
	// built-in one it can, render without text/template.
	for _, c := range all {
		hot := slices.ContainsFunc([]string{"ssh-bruteforce ", "segfault ", "hung-task ", "nfs "}, func(p string) bool { return strings.HasPrefix(c.name, p) })
		builtin := !strings.Contains(c.name, "{{")
		if (hot || builtin && fastTemplate(c.t)) && fast[c.t] == 0 {
			t.Errorf("%s: never rendered without text/template", c.name)
		}
	}
	if n := len(fast); n < len(all)/2 {
		t.Errorf("%d of %d templates rendered without text/template", n, len(all))
	}
}

// FuzzAppendTS: ts prints what the layout it stands for prints, for any
// instant in zones with and without a name.
func FuzzAppendTS(f *testing.F) {
	for _, t := range []time.Time{
		time.Date(2025, 11, 11, 6, 20, 21, 0, time.UTC), time.Date(2020, 12, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		f.Add(t.Unix(), int64(t.Nanosecond()), 0)
		f.Add(t.Unix(), int64(t.Nanosecond()), 3)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		seoul = time.FixedZone("KST", 9*3600)
	}
	zones := []*time.Location{time.UTC, time.FixedZone("KST", 9*3600), time.FixedZone("", -5*3600-30*60), time.FixedZone("", 0), seoul}
	f.Fuzz(func(t *testing.T, sec, nsec int64, zone int) {
		tm := time.Unix(sec, nsec%1e9).In(zones[(zone%len(zones)+len(zones))%len(zones)])
		if got, want := appendTS([]byte("x"), tm), tm.AppendFormat([]byte("x"), tsLayout); string(got) != string(want) {
			t.Errorf("appendTS(%v) = %s, want %s", tm, got, want)
		}
	})
}
