package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newCmdGenMan builds the hidden `logsleuth gen-man DIR` that `make man`
// runs: one roff page per command, from the commands themselves. It is a
// subcommand rather than a separate generator because the command tree
// lives in package main, which no other program can import.
func newCmdGenMan() *cobra.Command {
	return &cobra.Command{
		Use:    "gen-man DIR",
		Short:  "Write a man page per command into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return genManPages(cmd.Root(), args[0])
		},
	}
}

// genManPages writes logsleuth.1, logsleuth-timeline.1 ... into dir.
// The pages' date is SOURCE_DATE_EPOCH when set (cobra reads it), so a
// packager's build is reproducible.
func genManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// The help and completion commands cobra adds on execution belong in
	// the pages too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{
		Title:   "LOGSLEUTH",
		Section: "1",
		Source:  "logsleuth " + buildVersion(),
		Manual:  "logsleuth manual",
	}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}
