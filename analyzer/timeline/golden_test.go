package timeline

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/* from the current output")

// testSignatures loads the test-only signature set.
func testSignatures(t testing.TB) []*signature.Signature {
	t.Helper()
	sigs, err := signature.LoadFS(os.DirFS("testdata/signatures"), ".")
	if err != nil {
		t.Fatalf("load signatures: %v", err)
	}
	return sigs
}

// analyzeCase runs ingest, engine and a Collector over paths the way the
// CLI does, then builds the report. since/until limit findings the way
// the CLI does (the inputs are read with the correlation margin).
func analyzeCase(t testing.TB, paths []string, copts CollectorOptions) *Report {
	t.Helper()
	sigs := testSignatures(t)
	ws := &event.Warnings{}
	col := NewCollector(copts)
	eng := engine.New(sigs, engine.Options{Warnings: ws, OnMatch: col.OnMatch})
	var margin time.Duration
	for _, s := range sigs {
		margin = max(margin, Window(s))
	}
	io := ingest.Options{Paths: paths, Location: time.UTC, Warnings: ws}
	if !copts.Since.IsZero() {
		io.Since = copts.Since.Add(-margin)
	}
	if !copts.Until.IsZero() {
		io.Until = copts.Until.Add(margin)
	}
	stream, err := ingest.Open(context.Background(), io)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for stream.Next() {
		ev := stream.Event()
		eng.Process(ev)
		col.Observe(ev)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	findings, err := eng.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var kept []*engine.Finding
	for _, f := range findings {
		if (copts.Since.IsZero() || !f.End.Before(copts.Since)) && (copts.Until.IsZero() || !f.Start.After(copts.Until)) {
			kept = append(kept, f)
		}
	}
	return Build(Input{Findings: kept, NearMisses: eng.NearMisses(), Sources: stream.Sources(),
		Warnings: ws.List(), Collector: col, Since: copts.Since, Until: copts.Until})
}

var goldenExt = map[string]string{
	FormatText: "txt", FormatTable: "table.txt", FormatJSON: "json", FormatMD: "md", FormatHTML: "html",
}

// TestGolden renders the k8s-node case in every format and compares with
// testdata/golden. `go test ./analyzer/timeline -run TestGolden -update`
// rewrites them after a deliberate change; review the diff.
func TestGolden(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		paths []string
		copts CollectorOptions
		ropts RenderOptions
	}{
		{"k8s-node", []string{"testdata/cases/k8s-node/syslog"}, CollectorOptions{Context: 1},
			RenderOptions{Location: seoul, NearMisses: true, Version: "test"}},
	}
	for _, c := range cases {
		r := analyzeCase(t, c.paths, c.copts)
		for _, format := range Formats {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, r, format, c.ropts); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata/golden", c.name+"."+goldenExt[format])
				if *update {
					if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from the output; run `go test ./analyzer/timeline -run TestGolden -update` and review the diff.\ngot:\n%s", path, buf.String())
				}
			})
		}
	}
}
