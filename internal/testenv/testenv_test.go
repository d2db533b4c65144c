package testenv

import (
	"testing"
)

// recorder stands in for a test: it records how Missing ended it.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)  { r.skip = args[0].(string) }

func TestMissing(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		Missing(r, "chromium is not on PATH")
		if ci == "true" && (r.fatal == "" || r.skip != "") {
			t.Errorf("CI=true: fatal %q skip %q, want a failure", r.fatal, r.skip)
		}
		if ci == "" && (r.skip != "chromium is not on PATH" || r.fatal != "") {
			t.Errorf("locally: fatal %q skip %q, want a skip", r.fatal, r.skip)
		}
	}
}

func TestFirstFile(t *testing.T) {
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	if p := FirstFile(r, "tool", "/nonexistent/a", t.TempDir()); p == "" || r.fatal != "" {
		t.Errorf("FirstFile = %q, fatal %q", p, r.fatal)
	}
	FirstFile(r, "tool", "/nonexistent/a")
	if r.fatal != "tool is not installed (CI=true: scripts/deps.sh must provide it)" {
		t.Errorf("fatal = %q", r.fatal)
	}
}
