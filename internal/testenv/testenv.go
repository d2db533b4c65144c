// Package testenv holds what tests need of the machine they run on: the
// shared data beside the repository, and the rule for a missing tool or
// file (skip locally, fail in CI where it must be installed).
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Missing ends a test whose prerequisite is absent: a skip on a
// developer's machine, a failure when CI=true, where .ci/run installs
// everything the tests need.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: scripts/deps.sh must provide it)")
	} else {
		t.Skip(msg)
	}
}

// SharedDir returns shared/<rel> found by walking up from the working
// directory (the repository and shared/ sit side by side, locally and in
// CI); its files are read in place, never copied into the repository.
func SharedDir(t testing.TB, rel string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", rel)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	Missing(t, "shared/%s not found above %s", rel, wd)
	return ""
}

// FirstFile returns the first of paths that exists, or calls Missing.
func FirstFile(t testing.TB, what string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	Missing(t, "%s is not installed", what)
	return ""
}
