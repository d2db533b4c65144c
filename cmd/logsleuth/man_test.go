package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestGenManPages checks that `logsleuth gen-man` writes a page for every
// command a user can run, each titled and listing that command's flags,
// and none for hidden commands.
func TestGenManPages(t *testing.T) {
	dir := t.TempDir()
	ios, _, _, stderr := Test()
	root := NewCmdRoot(ios)
	root.SetArgs([]string{"gen-man", dir})
	if err := root.Execute(); err != nil {
		t.Fatalf("gen-man: %v (%s)", err, stderr)
	}
	want := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		want[name] = true
		page, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: no page: %v", c.CommandPath(), err)
		} else {
			if !strings.Contains(string(page), `.TH "LOGSLEUTH" "1"`) {
				t.Errorf("%s: no .TH header", name)
			}
			c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && !strings.Contains(string(page), `\fB--`+f.Name+`\fP`) {
					t.Errorf("%s: flag --%s missing", name, f.Name)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, must := range []string{"logsleuth.1", "logsleuth-timeline.1", "logsleuth-explain.1", "logsleuth-completion-bash.1", "logsleuth-patterns-list.1"} {
		if !want[must] {
			t.Errorf("%s is not among the commands walked", must)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("unexpected page %s (a hidden command?)", e.Name())
		}
	}
}
