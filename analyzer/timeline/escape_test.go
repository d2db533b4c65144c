package timeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	stdhtml "html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

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

// TestEscapeMarkdown: only what Markdown would misread is escaped, so the
// raw text reads as the log did; what is escaped depends on where it is.
func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"2021-10-07T06:20:26+09:00 node-7", "2021-10-07T06:20:26+09:00 node-7"},
		{"Starting apt-daily-upgrade.service - Daily apt upgrade...", "Starting apt-daily-upgrade.service - Daily apt upgrade..."},
		{"CRON[88140] (root) CMD", "CRON[88140] (root) CMD"},
		{"kex_exchange_identification: read", "kex_exchange_identification: read"},
		{`<script>alert(1)</script>`, `\<script>alert(1)\</script>`},
		{`[click](http://evil)`, `[click\](http:\/\/evil)`},
		{`![img][ref]`, `![img\][ref]`},
		{`[ref]: http://evil`, `[ref\]: http:\/\/evil`},
		{"a|b", `a\|b`},
		{"`code`", "\\`code\\`"},
		{"*em* _em_ ~del~", `\*em\* \_em\_ \~del\~`},
		{"# not a heading", `\# not a heading`},
		{"> not a quote", `\> not a quote`},
		{"- not a list", `\- not a list`},
		{"+ not a list", `\+ not a list`},
		{"1. not a list", `1\. not a list`},
		{"12) not a list", `12\) not a list`},
		{"1.5 GiB", "1.5 GiB"},
		{"---", `\---`},
		{"    indented code", "indented code"},
		{"see www.evil.com", `see www\.evil.com`},
		{"mail user@evil.com", `mail user\@evil.com`},
		{"&amp; &#60; a & b", `\&amp; \&#60; a & b`},
		{"two\nlines", "two lines"},
		{"\x1b[31m", `\x1b[31m`},
		{`C:\Windows\`, `C:\Windows\\`},
		{`back\*slash`, `back\\\*slash`},
	}
	for _, tt := range tests {
		if got := EscapeMarkdown(tt.in); got != tt.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCodeSpanMarkdown(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"systemctl start docker", false, "`systemctl start docker`"},
		{"", false, ""},
		{"a `b` c", false, "``a `b` c``"},
		{"``x``", false, "``` ``x`` ```"},
		{"`", false, "`` ` ``"},
		{" padded ", false, "`  padded  `"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"<b>raw</b>\nnext", false, "`<b>raw</b> next`"},
		{"\x1b[31m", false, "`\\x1b[31m`"},
	}
	for _, tt := range tests {
		if got := CodeSpanMarkdown(tt.in, tt.inTable); got != tt.want {
			t.Errorf("CodeSpanMarkdown(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

func TestProseMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Run `systemctl start docker` on the host", "Run `systemctl start docker` on the host"},
		{"`apt-mark hold docker-ce` - then retry", "`apt-mark hold docker-ce` - then retry"},
		{"- `x` first", "\\- `x` first"},
		{"set `A=1` and `B=<2>`", "set `A=1` and `B=<2>`"},
		{"an unclosed ` tick", "an unclosed \\` tick"},
		{"inner `` a ` b `` done", "inner ``a ` b`` done"},
		{"<b>`x`</b>", "\\<b>`x`\\</b>"},
	}
	for _, tt := range tests {
		if got := ProseMarkdown(tt.in); got != tt.want {
			t.Errorf("ProseMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// gfm parses and renders Markdown as GitHub does (tables,
// strikethrough, autolinked URLs), with raw HTML kept so that an
// injection shows.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

func renderGFM(t *testing.T, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := gfm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// paragraphText is the text of the one paragraph html holds, or false
// when html is anything else (markup of any kind inside).
func paragraphText(html string) (string, bool) {
	if html == "" {
		return "", true
	}
	inner, ok := strings.CutPrefix(html, "<p>")
	if !ok {
		return "", false
	}
	inner, ok = strings.CutSuffix(inner, "</p>\n")
	if !ok || strings.ContainsAny(inner, "<>") {
		return "", false
	}
	return stdhtml.UnescapeString(inner), true
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

	// Markdown as GitHub reads it: no link, image, raw HTML, strikethrough
	// or emphasis made by log text, every evidence and example line whole
	// in a code element, and no table row with cells added by a '|'.
	md := render(FormatMD)
	noTerminalControl(t, "md", md)
	page := renderGFM(t, md)
	for _, bad := range []string{"<a ", "<img", "<script", "<b>", "<del>", "<em>", "<strong><strong>", "href="} {
		if strings.Contains(page, bad) {
			t.Errorf("md renders %q:\n%s\nfrom\n%s", bad, page, md)
		}
	}
	for _, h := range hostile {
		code := "<code>" + stdhtml.EscapeString(string(AppendSafe(nil, h, " "))) + "</code>"
		code = strings.ReplaceAll(code, "&#39;", "'")
		code = strings.ReplaceAll(code, "&#34;", "&quot;")
		if n := strings.Count(page, code); n < 3 { // evidence, template, example
			t.Errorf("md: %q is in %d code elements, want 3 (evidence, template, example):\n%s", h, n, page)
		}
	}
	for _, row := range strings.Split(page, "<tr>")[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		if n := strings.Count(row, "<td") + strings.Count(row, "<th"); n != 7 && n != 6 {
			t.Errorf("md: a table row of %d cells: %s", n, row)
		}
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

// FuzzEscapeMarkdown: whatever the text, GitHub-flavoured Markdown reads
// the escaped text back as that text in one plain paragraph (no link,
// emphasis, code, HTML, entity or block), and no '@' can mention anyone.
func FuzzEscapeMarkdown(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	for _, s := range []string{"1. x", "- x", "a_b_", "&copy;", "x\\", "***", "| a |", "www.x.com/a", "http://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeMarkdown(s)
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("newline in %q", out)
		}
		if unescaped(out, "@") || strings.Contains(out, "://") {
			t.Fatalf("mention or autolink left in %q", out)
		}
		want := strings.Trim(string(AppendSafe(nil, s, " ")), " \t")
		if !utf8.ValidString(want) || strings.ContainsRune(want, 0) {
			return // Markdown replaces these; AppendSafe already showed them as \xNN
		}
		html := renderGFM(t, out)
		got, ok := paragraphText(html)
		if !ok {
			t.Fatalf("EscapeMarkdown(%q) = %q renders as markup: %q", s, out, html)
		}
		// Escapes of "://" and "www." show their backslash-free text.
		if got != want {
			t.Fatalf("EscapeMarkdown(%q) = %q reads back as %q, want %q", s, out, got, want)
		}
	})
}

// FuzzCodeSpanMarkdown: the span reads back as one code element with the
// text, whatever backticks and spaces it holds.
func FuzzCodeSpanMarkdown(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	for _, s := range []string{"`", "a``b", " `x` ", "``", "  ", "x|y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := string(AppendSafe(nil, s, " "))
		if strings.TrimSpace(want) == "" || !utf8.ValidString(want) || strings.ContainsRune(want, 0) {
			// An empty or blank span (spaces, tabs) is no code span in
			// CommonMark, and renderers differ on stripping its padding.
			return
		}
		out := CodeSpanMarkdown(s, false)
		html := renderGFM(t, "x "+out)
		inner, ok := strings.CutPrefix(html, "<p>x <code>")
		if ok {
			inner, ok = strings.CutSuffix(inner, "</code></p>\n")
		}
		if !ok || strings.ContainsAny(inner, "<>") {
			t.Fatalf("CodeSpanMarkdown(%q) = %q renders as %q", s, out, html)
		}
		if got := stdhtml.UnescapeString(inner); got != want {
			t.Fatalf("CodeSpanMarkdown(%q) = %q reads back as %q", s, out, got)
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
