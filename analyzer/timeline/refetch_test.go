package timeline

import (
	"bytes"
	"encoding/json"
	stdhtml "html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// refetchReport is a report read from a VictoriaLogs store, as the
// timeline of fleet mode makes it: a finding and a near miss whose
// evidence names hostile hosts, programs and messages, each line with
// the command RefetchCommand gives it. want holds, per command in report
// order, the LogsQL query it must send.
func refetchReport() (r *Report, want []string) {
	vl := &ingest.VictoriaLogs{URL: "http://vl.example:9428", AccountID: "12", BearerToken: "not printed"}
	t0 := time.Date(2025, 11, 10, 21, 25, 40, 386103512, time.UTC)
	at := func(d time.Duration, host, prog, msg string) *event.Event {
		return &event.Event{Time: t0.Add(d), Host: host, Program: prog, Message: msg,
			Source: event.SourceRef{Path: "victorialogs:vl.example:9428:" + host + "/" + prog}}
	}
	begin := at(0, `web"3 $(reboot)`, "job'runner</script>",
		"job begin \x1b[31m<b>bold</b>\x1b[0m `reboot` 'q' \"dq\" | cell | [x](http://evil)\n  second line </script><script>alert(1)</script>")
	end := at(2*time.Minute, "db-2\n\x1b]0;owned\x07\u202eevil", "job",
		"job end \x1b]8;;http://evil\x07click\x1b]8;;\x07 &amp; <img src=x onerror=alert(1)> ${IFS} "+strings.Repeat("0123456789abcdef", 40))
	sig := &signature.Signature{ID: "refetch-probe", Title: "A job began and did not end", Severity: signature.Low}
	r = Build(Input{
		Findings: []*engine.Finding{{Signature: sig, Outcome: engine.Confirmed, Host: begin.Host, Start: begin.Time,
			End: begin.Time.Add(10 * time.Minute), Count: 1, Evidence: []engine.Evidence{{Step: "begin", Event: begin}}}},
		NearMisses: []*engine.NearMiss{{Signature: sig, Group: begin.Host, Steps: 1, Reason: "step 2 refuted", Time: begin.Time,
			Evidence: []engine.Evidence{{Step: "begin", Event: begin}, {Step: "ended", Event: end, Cut: 40}}}},
	})
	for _, ev := range [][]Evidence{r.Findings[0].Evidence, r.NearMisses[0].Evidence} {
		for i := range ev {
			e := &ev[i]
			e.Refetch = vl.RefetchCommand(e.Event, e.Cut > 0)
			want = append(want, ingest.RefetchLogsQL(e.Event.Host, e.Event.Program, e.Event.Message, e.Cut > 0, e.Event.Time))
		}
	}
	return r, want
}

// shellQuery parses cmd as sh would and returns the LogsQL query it
// sends; it fails on anything a shell would run or expand besides the
// token's variable.
func shellQuery(t *testing.T, what, cmd string) string {
	t.Helper()
	f, err := syntax.NewParser().Parse(strings.NewReader(cmd), "")
	if err != nil {
		t.Fatalf("%s: %q does not parse: %v", what, cmd, err)
	}
	if len(f.Stmts) != 1 {
		t.Fatalf("%s: %d commands in %q", what, len(f.Stmts), cmd)
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(f.Stmts[0].Redirs) > 0 || f.Stmts[0].Background {
		t.Fatalf("%s: not one simple command: %q", what, cmd)
	}
	syntax.Walk(call, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CmdSubst, *syntax.ProcSubst, *syntax.ArithmExp, *syntax.ExtGlob:
			t.Errorf("%s: %q runs or expands %T", what, cmd, n)
		case *syntax.ParamExp:
			if n.Param.Value != "LOGSLEUTH_VICTORIALOGS_TOKEN" {
				t.Errorf("%s: %q expands $%s", what, cmd, n.Param.Value)
			}
		}
		return true
	})
	var args []string
	for _, w := range call.Args {
		fields, err := expand.Fields(&expand.Config{}, w)
		if err != nil || len(fields) != 1 {
			t.Fatalf("%s: %q: word %d: %q, %v", what, cmd, len(args), fields, err)
		}
		args = append(args, fields[0])
	}
	if len(args) < 3 || args[0] != "curl" || args[len(args)-2] != "--data-urlencode" || !strings.HasPrefix(args[len(args)-1], "query=") {
		t.Fatalf("%s: not a curl sending a query: %q", what, args)
	}
	if slices.Contains(args, "not printed") || strings.Contains(cmd, "not printed") {
		t.Errorf("%s: the token is in %q", what, cmd)
	}
	return strings.TrimPrefix(args[len(args)-1], "query=")
}

var (
	textRefetch = regexp.MustCompile(`(?m)^ +re-fetch: (.*)$`)
	htmlRefetch = regexp.MustCompile(`<details class="refetch"><summary>[^<]*</summary><code>([^<]*)</code></details>`)
	codeElement = regexp.MustCompile(`<li><code>([^<]*)</code></li>`)
)

// TestRefetchRendered: each evidence line of a finding and of a near miss
// read from a store shows its re-fetch command in text, Markdown, HTML
// and JSON, escaped for the format, so no host, program or message text
// drives a terminal, adds markup or runs in the shell, and the command
// read back from each format (the table's too) sends exactly the row's
// query.
func TestRefetchRendered(t *testing.T) {
	r, want := refetchReport()
	render := func(format string) string {
		var buf bytes.Buffer
		if err := Render(&buf, r, format, RenderOptions{Location: time.UTC, NearMisses: true, Color: true}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	check := func(format string, cmds []string) {
		t.Helper()
		if len(cmds) != len(want) {
			t.Errorf("%s: %d re-fetch commands, want %d (the finding's line, the near miss's two): %q", format, len(cmds), len(want), cmds)
			return
		}
		for i, c := range cmds {
			if got := shellQuery(t, format, c); got != want[i] {
				t.Errorf("%s: command %d sends\n%s\nwant\n%s", format, i, got, want[i])
			}
		}
	}

	text := render(FormatText)
	noTerminalControl(t, "text", text)
	var cmds []string
	for _, m := range textRefetch.FindAllStringSubmatch(text, -1) {
		cmds = append(cmds, m[1])
	}
	check("text", cmds)

	// The table lists them after each evidence table, its terminal
	// colours on.
	table := render(FormatTable)
	for _, code := range []string{ansiReset, ansiBold, ansiRed, ansiYellow, ansiCyan, ansiDim} {
		table = strings.ReplaceAll(table, code, "")
	}
	noTerminalControl(t, "table", table)
	cmds = cmds[:0]
	for _, list := range strings.Split(table, "  Re-fetch from the store:\n")[1:] {
		for _, l := range strings.Split(list, "\n") {
			c, ok := strings.CutPrefix(l, "    - ")
			if !ok {
				break
			}
			cmds = append(cmds, c)
		}
	}
	check("table", cmds)

	md := render(FormatMD)
	noTerminalControl(t, "md", md)
	page := renderGFM(t, md)
	for _, bad := range []string{"<a ", "<img", "<script", "<b>", "<em>", "href="} {
		if strings.Contains(page, bad) {
			t.Errorf("md renders %q:\n%s", bad, page)
		}
	}
	cmds = cmds[:0]
	for _, m := range codeElement.FindAllStringSubmatch(page, -1) {
		cmds = append(cmds, stdhtml.UnescapeString(m[1]))
	}
	check("md", cmds)

	html := render(FormatHTML)
	for _, bad := range []string{"<b>bold", "<img", "</script><script>", "\x1b", "\u202e"} {
		if strings.Contains(html, bad) {
			t.Errorf("html: unescaped %q", bad)
		}
	}
	if n := strings.Count(html, "<script"); n != 1 {
		t.Errorf("html: %d <script elements, want the page's own", n)
	}
	cmds = cmds[:0]
	for _, m := range htmlRefetch.FindAllStringSubmatch(html, -1) {
		cmds = append(cmds, stdhtml.UnescapeString(m[1]))
	}
	check("html", cmds)

	var doc struct {
		Findings, NearMisses []struct {
			Evidence []struct{ Refetch string }
		}
	}
	js := render(FormatJSON)
	if err := json.Unmarshal([]byte(strings.Replace(js, `"near_misses"`, `"nearmisses"`, 1)), &doc); err != nil {
		t.Fatal(err)
	}
	cmds = cmds[:0]
	for _, f := range append(doc.Findings, doc.NearMisses...) {
		for _, e := range f.Evidence {
			cmds = append(cmds, e.Refetch)
		}
	}
	check("json", cmds)
}

// TestHTMLRefetchInBrowser loads a report with re-fetch commands in
// headless Chromium: each command is folded under its evidence line;
// opened, it wraps inside the evidence table (a 640-character token
// included), so neither the table nor the page grows wider, its text is
// the command, and a click on it selects the whole command for copying.
func TestHTMLRefetchInBrowser(t *testing.T) {
	bin := chromium(t)
	r, _ := refetchReport()
	var want []string
	for _, ev := range [][]Evidence{r.Findings[0].Evidence, r.NearMisses[0].Evidence} {
		for _, e := range ev {
			want = append(want, e.Refetch)
		}
	}
	var buf bytes.Buffer
	if err := RenderHTML(&buf, r, RenderOptions{Location: time.UTC, NearMisses: true}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := openTab(t, bin, page)

	type layout struct {
		Open, Shown    []bool
		Text           []string
		Tables         []float64 // the evidence tables' widths
		Overflow       []float64 // how far each command sticks out of its table
		Page, Viewport float64
	}
	measure := func() layout {
		var l layout
		evalJS(ctx, t, `(function () {
			var ds = Array.from(document.querySelectorAll("details.refetch"));
			var root = document.documentElement;
			return {
				Open: ds.map(function (d) { return d.open; }),
				Shown: ds.map(function (d) { return d.querySelector("code").checkVisibility(); }),
				Text: ds.map(function (d) { return d.querySelector("code").textContent; }),
				Tables: Array.from(document.querySelectorAll("table.evidence")).map(function (e) { return e.getBoundingClientRect().width; }),
				Overflow: ds.map(function (d) {
					return d.querySelector("code").getBoundingClientRect().right - d.closest("table").getBoundingClientRect().right;
				}),
				Page: root.scrollWidth, Viewport: root.clientWidth
			};
		})()`, &l)
		return l
	}
	before := measure()
	if !slices.Equal(before.Text, want) {
		t.Fatalf("the page's commands\n%q\nwant\n%q", before.Text, want)
	}
	if slices.Contains(before.Open, true) || slices.Contains(before.Shown, true) {
		t.Errorf("commands shown before any click: open %v, shown %v", before.Open, before.Shown)
	}
	if before.Page > before.Viewport {
		t.Errorf("folded, the page is %.0f px wide in a %.0f px window", before.Page, before.Viewport)
	}

	// A click on the first summary opens it; the rest are opened too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.refetch summary"))); err != nil {
		t.Fatal(err)
	}
	var opened bool
	evalJS(ctx, t, `document.querySelector("details.refetch").open`, &opened)
	if !opened {
		t.Fatal("a click on the summary did not open the command")
	}
	var n int
	evalJS(ctx, t, `(function () {
		var ds = document.querySelectorAll("details.refetch");
		for (var i = 0; i < ds.length; i++) { ds[i].open = true; }
		return ds.length;
	})()`, &n)
	after := measure()
	if slices.Contains(after.Shown, false) {
		t.Errorf("opened, commands not shown: %v", after.Shown)
	}
	if after.Page > after.Viewport {
		t.Errorf("opened, the page is %.0f px wide in a %.0f px window", after.Page, after.Viewport)
	}
	for i, w := range after.Tables {
		if w > before.Tables[i]+0.5 {
			t.Errorf("evidence table %d grew from %.1f to %.1f px", i, before.Tables[i], w)
		}
	}
	for i, o := range after.Overflow {
		if o > 0.5 {
			t.Errorf("command %d sticks %.1f px out of its table", i, o)
		}
	}

	// One click on a command selects all of it.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.refetch code"))); err != nil {
		t.Fatal(err)
	}
	var selected string
	evalJS(ctx, t, `window.getSelection().toString()`, &selected)
	if selected != want[0] {
		t.Errorf("a click on the command selects\n%q\nwant\n%q", selected, want[0])
	}
}
