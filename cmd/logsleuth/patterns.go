package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

// NewCmdPatterns builds `logsleuth patterns list|show|lint`.
func NewCmdPatterns(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patterns <command>",
		Short: "List, show and check incident signatures",
		Long: `Signatures are YAML files (schema: logsleuth/v1) describing an incident:
the events to match, how they correlate, and the explanation and
remediation to print. logsleuth ships a built-in set; --patterns DIR adds
your own to it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdPatternsList(ios), newCmdPatternsShow(ios), newCmdPatternsLint(ios))
	return cmd
}

func newCmdPatternsList(ios *IOStreams) *cobra.Command {
	var sf SignatureFlags
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the signatures: built-in and --patterns",
		Example: "  logsleuth patterns list\n  logsleuth patterns list --patterns ./my-rules",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sigs, err := sf.load(cmd.CommandPath())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tMATCH\tTITLE")
			for _, s := range sigs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.Severity, s.Match.Kind, s.Title)
			}
			return tw.Flush()
		},
	}
	sf.register(cmd.Flags())
	return cmd
}

func newCmdPatternsShow(ios *IOStreams) *cobra.Command {
	var sf SignatureFlags
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Print a signature's YAML source",
		Example: "  logsleuth patterns show unattended-upgrade",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sigs, err := sf.load(cmd.CommandPath())
			if err != nil {
				return err
			}
			for _, s := range sigs {
				if s.ID != args[0] {
					continue
				}
				src, err := signatureSource(s)
				if err != nil {
					return err
				}
				fmt.Fprintf(ios.Out, "# %s:%d\n%s", s.Pos.File, s.Pos.Line, src)
				return nil
			}
			return flagErrorf(cmd.CommandPath(), "unknown signature %q (see `logsleuth patterns list`)", args[0])
		},
	}
	sf.register(cmd.Flags())
	return cmd
}

// signatureSource returns the YAML document a signature came from.
func signatureSource(s *signature.Signature) (string, error) {
	data, err := fs.ReadFile(patterns.FS, s.Pos.File)
	if err != nil {
		data, err = os.ReadFile(s.Pos.File)
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", s.Pos.File, err)
	}
	// Cut out the document starting at the signature's line.
	lines := strings.SplitAfter(string(data), "\n")
	start := s.Pos.Line - 1
	for start > 0 && strings.TrimSpace(lines[start-1]) != "---" {
		start--
	}
	end := s.Pos.Line
	for end < len(lines) && strings.TrimSpace(lines[end]) != "---" {
		end++
	}
	return strings.Join(lines[start:end], ""), nil
}

func newCmdPatternsLint(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lint [DIRS...]",
		Short: "Check signature files: schema, regexes, templates, references",
		Long: `Load the signatures in each directory (default: the built-in set) together
with the built-in set, and print every problem as file:line:col: code:
message. Exit status 1 when there is any.`,
		Example: "  logsleuth patterns lint ./my-rules",
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, d := range args {
				if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
					return flagErrorf(cmd.CommandPath(), "%s is not a directory", d)
				}
			}
			sigs, err := loadSignatureSet(args)
			var list signature.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(ios.Out, e.Error())
				}
				fmt.Fprintf(ios.Out, "%d problems\n", len(list))
				return &ExitError{Code: 1} // like any linter: findings, not a usage error
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(ios.Out, "%d signatures, no problems\n", len(sigs))
			return nil
		},
	}
	return cmd
}
