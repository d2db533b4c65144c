package timeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// hostile are log messages written to attack the reader of a report.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`[click](http://evil)`,
	"\x1b[31mred\x1b[0m",
	"\x1b]8;;http://evil\x07click\x1b]8;;\x07",
	"\x1b]0;owned\x07title",
	"\u009b31mC1 CSI",
	"\u202eevil\u202c reversed",
	"![img](http://evil/x.png) **bold** `code` | cell | <b>raw</b> &amp; www.evil.com user@evil.com",
	"bad utf8 \xff\xfe end",
}

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"tab\tkept", "tab\tkept"},
		{"\x1b[31mred", `\x1b[31mred`},
		{"\x1b]8;;http://evil\x07x", `\x1b]8;;http://evil\x07x`},
		{"del\x7f", `del\x7f`},
		{"nul\x00", `nul\x00`},
		{"two\nlines", `two\nlines`},
		{"\u009bC1", `\u{009b}C1`},
		{"a\u202eb", `a\u{202e}b`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"한국어 ok", "한국어 ok"},
	}
	for _, tt := range tests {
		if got := Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := string(AppendSafe(nil, "a\nb", "\n    ")); got != "a\n    b" {
		t.Errorf("AppendSafe indent: %q", got)
	}
}

// noTerminalControl fails when s holds a byte or rune a terminal acts on.
func noTerminalControl(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s: control %U at byte %d in %q", what, r, i, s)
			return
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{`<script>alert(1)</script>`, `\<script\>alert\(1\)\</script\>`},
		{`[click](http://evil)`, `\[click\]\(http:\/\/evil\)`},
		{`"><img src=x onerror=alert(1)>`, `"\>\<img src=x onerror=alert\(1\)\>`},
		{"a|b", `a\|b`},
		{"`code`", "\\`code\\`"},
		{"*em* _em_ ~del~", `\*em\* \_em\_ \~del\~`},
		{"# not a heading", `\# not a heading`},
		{"see www.evil.com", `see www\.evil.com`},
		{"mail user@evil.com", `mail user\@evil.com`},
		{"&amp;", `\&amp;`},
		{"two\nlines", "two lines"},
		{"\x1b[31m", `\\x1b\[31m`},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := EscapeMarkdown(tt.in); got != tt.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostileReport is a report whose every log-derived string is hostile.
func hostileReport() *Report {
	sig := &signature.Signature{ID: "s", Title: "t", Severity: signature.High,
		References: []signature.Reference{{Title: "[x](http://evil)", URL: "javascript:alert(1)"}}}
	t0 := time.Date(2025, 11, 11, 6, 0, 0, 0, time.UTC)
	var ev []engine.Evidence
	var groups []*ErrorGroup
	for i, h := range hostile {
		e := &event.Event{Time: t0.Add(time.Duration(i) * time.Second), Host: "h" + h, Program: "p" + h, Message: h,
			Source: event.SourceRef{Path: "syslog", Line: int64(i + 1)}}
		ev = append(ev, engine.Evidence{Step: "s", Event: e})
		groups = append(groups, &ErrorGroup{Template: h, Program: h, Count: 1, First: e.Time, Last: e.Time, Example: e})
	}
	f := &engine.Finding{Signature: sig, Outcome: engine.Confirmed, Host: "h", Start: t0, End: t0.Add(time.Minute),
		Count: 1, Evidence: ev, Summary: strings.Join(hostile, " "), Remediation: hostile}
	r := Build(Input{Findings: []*engine.Finding{f}, Warnings: []event.Warning{{Path: "syslog", Line: 3, Msg: hostile[4]}}})
	r.Unexplained = groups
	return r
}

// TestRenderersNeutralizeHostileText renders a report full of hostile log
// text in every format and checks that none of it can act: no control
// characters for a terminal, no Markdown links, images or HTML, no HTML
// elements or attributes.
func TestRenderersNeutralizeHostileText(t *testing.T) {
	r := hostileReport()
	render := func(format string) string {
		var buf bytes.Buffer
		if err := Render(&buf, r, format, RenderOptions{Location: time.UTC, Color: true}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for _, format := range []string{FormatText, FormatTable} {
		out := render(format)
		// The table's own colour codes are the only ESC allowed.
		for _, code := range []string{ansiReset, ansiBold, ansiRed, ansiYellow, ansiCyan, ansiDim} {
			out = strings.ReplaceAll(out, code, "")
		}
		noTerminalControl(t, format, out)
		if !strings.Contains(out, `\x1b]8;;http://evil\x07click`) {
			t.Errorf("%s: the OSC 8 line is not shown escaped", format)
		}
	}

	md := render(FormatMD)
	noTerminalControl(t, "md", md)
	for _, bad := range []string{"<script", "<img", "](http", "![", "<b>", "http://evil", "www.evil", "@evil", "`code`", "**bold**"} {
		if unescaped(md, bad) {
			t.Errorf("md: unescaped %q in\n%s", bad, md)
		}
	}
	if strings.Contains(md, "javascript:") && !strings.Contains(md, `javascript:alert\(1\)`) {
		t.Errorf("md: a javascript: reference became a link")
	}

	html := render(FormatHTML)
	for _, bad := range []string{"<script>alert", "<img", "<b>raw", `"><img`, "\x1b", "\u009b", "href=\"javascript"} {
		if strings.Contains(html, bad) {
			t.Errorf("html: unescaped %q", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("html: the script line is not shown as text")
	}
	// Only the template's own script element exists.
	if n := strings.Count(html, "<script"); n != 1 {
		t.Errorf("html: %d <script elements, want 1", n)
	}

	// JSON is data: the text survives exactly (invalid UTF-8 as U+FFFD),
	// with control characters escaped by the encoder.
	js := render(FormatJSON)
	if !utf8.ValidString(js) || strings.ContainsAny(js, "\x1b\x07") {
		t.Errorf("json: invalid UTF-8 or raw control characters")
	}
	var doc struct {
		Findings []struct {
			Evidence []struct{ Message string }
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	for i, e := range doc.Findings[0].Evidence {
		if want := string([]rune(hostile[i])); e.Message != want {
			t.Errorf("json: message %d = %q, want %q", i, e.Message, want)
		}
	}
}

// unescaped reports whether sub occurs in s without a backslash before it.
func unescaped(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		if at := i + j; at == 0 || s[at-1] != '\\' {
			return true
		}
		i += j + 1
	}
}

func FuzzEscapeMarkdown(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeMarkdown(s)
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("newline in %q", out)
		}
		// Every markup character must be escaped: walk the output and
		// check each special is preceded by an unescaped backslash.
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c == '\\' {
				i++ // the escaped character
				continue
			}
			if strings.IndexByte(mdSpecial, c) >= 0 {
				t.Fatalf("unescaped %q at %d in %q (input %q)", c, i, out, s)
			}
		}
		if strings.Contains(out, "://") {
			t.Fatalf("autolinkable :// in %q", out)
		}
	})
}

func FuzzSafe(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Safe(s)
		noTerminalControl(t, "Safe", out)
		if strings.Contains(out, "\n") {
			t.Fatalf("newline in %q", out)
		}
		if isPlain(s) && out != s {
			t.Fatalf("plain %q changed to %q", s, out)
		}
	})
}

// TestHTMLContentSecurityPolicy: the page's CSP allows its one script by
// hash (no 'unsafe-inline' for scripts), and forbids <base> and form
// targets.
func TestHTMLContentSecurityPolicy(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderHTML(&buf, &Report{}, RenderOptions{Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	_, rest, _ := strings.Cut(page, `http-equiv="Content-Security-Policy" content="`)
	csp, _, _ := strings.Cut(rest, `"`)
	csp = strings.ReplaceAll(csp, "&#39;", "'")
	_, rest, ok := strings.Cut(page, "<script>")
	script, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 || strings.Count(page, "<script") != 1 {
		t.Fatalf("want exactly one inline script")
	}
	sum := sha256.Sum256([]byte(script))
	want := "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
	if csp != want {
		t.Fatalf("CSP\n%s\nwant\n%s", csp, want)
	}
}
