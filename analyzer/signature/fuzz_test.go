package signature

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the loader arbitrary YAML: it must return signatures or
// errors, never panic, and every error must carry a position and a hint.
func FuzzParse(f *testing.F) {
	f.Add([]byte(unattendedSig))
	f.Add([]byte("schema: logsleuth/v1\nid: a\ntitle: A\nevents: {e: {program: sshd, message|re: 'Failed (?P<user>\\w+)'}}\nmatch: {threshold: {event: e, by: [user], count: 5, window: 1m}}\nexplain: '{{.e.user}} {{.count}}'\n"))
	f.Add([]byte("schema: logsleuth/v1\n---\n- a\n- b\n"))
	f.Add([]byte("a: &x [*x]\n"))
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
		}
	})
}
