package engine

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestFindingFieldsAgreeWithData renders the templates of every finding
// the built-in signatures make of the fixtures' lines both ways, in
// three zones: through findingFields without text/template, and through
// text/template over the map data makes. What RenderFields renders must
// be what Render renders; the dense bench corpus' signatures must render
// without text/template.
func TestFindingFieldsAgreeWithData(t *testing.T) {
	sigs, err := signature.LoadFS(os.DirFS("../../patterns"), ".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../fixtures/*/*/*")
	if err != nil {
		t.Fatal(err)
	}
	locs := []*time.Location{nil, time.FixedZone("KST", 9*3600), time.FixedZone("EST", -5*3600)}
	renders, fast := 0, 0
	slowBySig := map[string]int{}
	for _, path := range files {
		if filepath.Base(path) == "expect.yaml" || strings.HasSuffix(path, ".gz") {
			continue
		}
		e := New(sigs, Options{Warnings: &event.Warnings{}})
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var p parse.Parser
		opts := parse.Options{Location: time.UTC, Year: 2021}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := int64(1); sc.Scan(); n++ {
			var ev event.Event
			ev.Reset()
			if p.ParseLine(sc.Bytes(), &opts, &ev) != parse.KindEntry {
				continue
			}
			ev.Source = event.SourceRef{Path: path, Line: n}
			e.Process(&ev)
		}
		f.Close()
		findings, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			for _, loc := range locs {
				for i, tmpl := range append([]*template.Template{f.Signature.Explain}, f.Signature.Remediation...) {
					want, err := signature.Render(tmpl, f.data(loc))
					got, ok := signature.RenderFields(tmpl, &findingFields{f: f, loc: loc})
					renders++
					if !ok {
						slowBySig[f.Signature.ID]++
						continue
					}
					fast++
					if err != nil || got != want {
						t.Errorf("%s: %s template %d in %v:\nRenderFields %q\nRender       %q, %v", path, f.Signature.ID, i, loc, got, want, err)
					}
				}
			}
		}
	}
	for _, id := range []string{"ssh-bruteforce", "segfault", "hung-task", "nfs"} {
		if slowBySig[id] > 0 {
			t.Errorf("%s: %d renderings through text/template, want none", id, slowBySig[id])
		}
	}
	if renders < 500 || fast < renders*8/10 {
		t.Errorf("%d of %d renderings without text/template, want 80%% of at least 500; through text/template: %v", fast, renders, slowBySig)
	}
	t.Logf("%d of %d renderings without text/template; through text/template: %v", fast, renders, slowBySig)
}

// TestSpentTemplateNamed: a template that hit a limit is skipped for the
// later findings, each warned about under its name in the signature.
func TestSpentTemplateNamed(t *testing.T) {
	sig := strings.Replace(sigOOM, "explain: 'killed {{.kill.comm}}'",
		"explain: '{{range 1000000000}}x{{end}}'\nremediation: [\"kill {{.kill.pid}}\", \"{{range 1000000000}}x{{end}}\"]", 1)
	sig = strings.Replace(sig, "  dedupe: {by: [host], window: 10m}\n", "", 1)
	e := New(loadSigs(t, sig), Options{Warnings: &event.Warnings{}})
	for i := range 2 {
		x := ev("06:00:00", fmt.Sprintf("web-1 kernel - - | Out of memory: Killed process %d (java)", 100+i))
		x.Time = x.Time.Add(time.Duration(i) * time.Second)
		e.Process(&x)
	}
	fs, err := e.Finish()
	if err != nil || len(fs) != 2 {
		t.Fatalf("%d findings, %v", len(fs), err)
	}
	if got := fs[1].Warnings; len(got) != 2 || !strings.Contains(got[0], "explain was not rendered") || !strings.Contains(got[1], "remediation[1] was not rendered") {
		t.Errorf("second finding's warnings %q: want explain and remediation[1] skipped", got)
	}
	if !slices.Equal(fs[1].Remediation, []string{"kill 101"}) {
		t.Errorf("second finding's remediation %q, want [kill 101]", fs[1].Remediation)
	}
}
