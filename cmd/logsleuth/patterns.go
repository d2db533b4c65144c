package main

import (
	"errors"
	"fmt"
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
	cmd.AddCommand(newCmdPatternsList(ios), newCmdPatternsShow(ios), newCmdPatternsLint(ios), newCmdPatternsLiterals(ios))
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
			ios.StartPager()
			tw := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tMATCH\tTITLE")
			for _, s := range sigs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safeText(s.ID), s.Severity, s.Match.Kind, safeText(s.Title))
			}
			return tw.Flush()
		},
	}
	sf.register(cmd)
	return cmd
}

func newCmdPatternsShow(ios *IOStreams) *cobra.Command {
	var sf SignatureFlags
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Print a signature's YAML source",
		Example: "  logsleuth patterns show unattended-upgrade",
		Args:    cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeSignatureIDs(cmd, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			sigs, err := sf.load(cmd.CommandPath())
			if err != nil {
				return err
			}
			for _, s := range sigs {
				if s.ID != args[0] {
					continue
				}
				ios.StartPager()
				fmt.Fprintf(ios.Out, "# %s:%d\n%s", safeText(s.Pos.File), s.Pos.Line, safeLines(s.Source))
				return nil
			}
			return flagErrorf(cmd.CommandPath(), "unknown signature %q (see `logsleuth patterns list`)", args[0])
		},
	}
	sf.register(cmd)
	return cmd
}

func newCmdPatternsLint(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lint [DIRS...]",
		Short: "Check signature files: schema, regexes, templates, references",
		Long: `Load the signatures in each directory (default: the built-in set) together
with the built-in set, and print every problem as file:line:col: code:
message. Warnings (file:line:col: warning: code: message) are risks in
signatures that load: a remediation that pastes a logged value into a
command without shq, a regex or template whose cost grows with a number
in it, a built-in signature without a class tag. Exit status 1 when
there is any problem or warning.`,
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
					fmt.Fprintln(ios.Out, safeText(e.Error()))
				}
				fmt.Fprintf(ios.Out, "%d problems\n", len(list))
				return &ExitError{Code: exitFailOn} // like any linter: findings, not a usage error
			}
			if err != nil {
				return err
			}
			var warns signature.ErrorList
			for _, s := range sigs {
				warns = append(warns, s.Warnings...)
			}
			// Built-ins only: a user's own signatures need no class.
			builtin, _ := signature.LoadFS(patterns.FS, ".")
			warns = append(warns, signature.ClassWarnings(builtin)...)
			if len(warns) > 0 {
				warns.Sort()
				for _, w := range warns {
					fmt.Fprintln(ios.Out, safeText(w.Error()))
				}
				fmt.Fprintf(ios.Out, "%d signatures, %d warnings\n", len(sigs), len(warns))
				return &ExitError{Code: exitFailOn}
			}
			fmt.Fprintf(ios.Out, "%d signatures, no problems\n", len(sigs))
			return nil
		},
	}
	return cmd
}

func newCmdPatternsLiterals(ios *IOStreams) *cobra.Command {
	var sf SignatureFlags
	cmd := &cobra.Command{
		Use:   "literals",
		Short: "Print what the prefilter keys each event matcher on",
		Long: `Print, per event matcher, what an event must have before the matcher runs:
a literal in its message (from |contains values and the literal parts of
|re), a program or a unit. "(every event)" marks a matcher the prefilter
cannot narrow: it runs on every event, so give it a literal or a program.
With --plain, print only the distinct message literals, one per line (a
pattern file for rg -F -f, to compare speeds).`,
		Example: "  logsleuth patterns literals\n  logsleuth patterns literals --plain > literals.txt && rg -c -F -f literals.txt /var/log/syslog",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			sigs, err := sf.load(cmd.CommandPath())
			if err != nil {
				return err
			}
			plain, _ := cmd.Flags().GetBool("plain")
			seen := map[string]bool{}
			tw := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
			if !plain {
				fmt.Fprintln(tw, "SIGNATURE\tEVENT\tKEY\tVALUES")
			}
			for _, s := range sigs {
				for _, e := range s.Events {
					r := e.Matcher.Requirement()
					if plain {
						for _, l := range r.Literals {
							if !seen[l] {
								seen[l] = true
								fmt.Fprintln(ios.Out, l)
							}
						}
						continue
					}
					// One row per key; an any: narrowed by different
					// keys has several, any of which makes a candidate.
					rows := 0
					row := func(key string, vals []string) {
						rows++
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safeText(s.ID), safeText(e.Name), key, safeText(strings.Join(quoteAll(vals), " ")))
					}
					if r.Literals != nil {
						row("message", r.Literals)
					}
					if r.Programs != nil {
						row("program", r.Programs)
					}
					if r.Units != nil {
						row("unit", r.Units)
					}
					if r.Kinds != nil {
						var kinds []string
						for _, k := range r.Kinds {
							kinds = append(kinds, k.String())
						}
						row("kind", kinds)
					}
					if rows == 0 {
						row("(every event)", nil)
					}
				}
			}
			return tw.Flush()
		},
	}
	sf.register(cmd)
	cmd.Flags().Bool("plain", false, "print only the distinct message literals, one per line")
	return cmd
}

func quoteAll(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
