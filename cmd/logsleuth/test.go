package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/fixture"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/fixtures"
)

// TestOptions are the inputs of `logsleuth test`.
type TestOptions struct {
	IO      *IOStreams
	Sigs    SignatureFlags
	Dirs    []string
	Verbose bool
	// VictoriaLogs runs every case through this server (fleet.go).
	VictoriaLogs string
	// JUnit is where to write a JUnit XML report ("" for none).
	JUnit string
	ctx   context.Context
}

// NewCmdTest builds `logsleuth test`.
func NewCmdTest(ios *IOStreams) *cobra.Command {
	opts := &TestOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "test [FIXTURE_DIRS...]",
		Short: "Run fixture cases: every signature against every captured log",
		Long: `A fixture case is a directory of input logs plus expect.yaml:

  args: [--tz, Asia/Seoul]          # optional flags, as for timeline
  findings:                         # exactly these, in any order
    - {signature: ID, outcome: confirmed, captures: {down.svc: docker}}

"findings: []" makes a negative case: nothing may fire. Every signature
(built-in and --patterns) runs on every case, so a signature that fires
where no case expects it fails too. Without directories, the built-in
fixtures run. The last line is "N passed, N failed"; exit status 1 on any
failure.

--junit FILE also writes the results as JUnit XML for CI systems that
display it: one testcase per case (classname the signature's directory,
name the case), a failing case's diff in its failure element. The file is
written when cases fail too, and never over one of the inputs.`,
		Example: `  # the built-in library
  logsleuth test

  # your signatures against your captured incidents
  logsleuth test --patterns ./my-rules ./my-fixtures

  # in CI, with a report the CI system displays
  logsleuth test --junit junit.xml ./my-fixtures`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			opts.ctx = cmd.Context()
			for _, d := range args {
				if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
					return flagErrorf(cmd.CommandPath(), "%s is not a directory", d)
				}
			}
			return runTest(opts, cmd.CommandPath())
		},
	}
	opts.Sigs.register(cmd)
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "also print passing cases and input warnings")
	cmd.Flags().StringVar(&opts.VictoriaLogs, "victorialogs", "", "run each case through the VictoriaLogs server at `URL` (a scratch one: each case is shipped into a tenant of its own)")
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "also write the results as JUnit XML to `FILE` (replaced atomically)")
	return cmd
}

func runTest(opts *TestOptions, cmdPath string) error {
	sigs, err := opts.Sigs.load(cmdPath)
	if err != nil {
		return err
	}
	dirs := opts.Dirs
	// builtin is where the built-in fixtures were unpacked: messages name
	// their files relative to it, as in the source tree's fixtures/.
	builtin := ""
	if len(dirs) == 0 {
		tmp, err := os.MkdirTemp("", "logsleuth-fixtures-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := os.CopyFS(tmp, fixtures.FS); err != nil {
			return fmt.Errorf("unpacking built-in fixtures: %w", err)
		}
		dirs = []string{tmp}
		builtin = tmp + string(filepath.Separator)
	}
	rel := func(s string) string {
		if builtin == "" {
			return s
		}
		return strings.ReplaceAll(s, builtin, "")
	}
	var cases []*fixture.Case
	for _, d := range dirs {
		cs, err := fixture.Find(d)
		if err != nil {
			return err
		}
		cases = append(cases, cs...)
	}
	if len(cases) == 0 {
		return fmt.Errorf("no fixture cases (directories with %s) in %s", fixture.ExpectFile, strings.Join(dirs, ", "))
	}
	if opts.JUnit != "" {
		// The report must not replace a case's log, its expect.yaml or a
		// signature.
		if err := checkOutput(cmdPath, "--junit", opts.JUnit, &InputFlags{Paths: testInputs(cases, opts.Sigs.Dirs)}, opts.IO); err != nil {
			return err
		}
	}
	suite := junitSuite{Name: "logsleuth test"}
	passed, failed, skipped := 0, 0, 0
	tenantBase := int(time.Now().Unix() % 1_000_000_000) // fresh tenants on every run
	for i, c := range cases {
		start := time.Now()
		var diff string
		var warns []event.Warning
		var err error
		if opts.VictoriaLogs != "" {
			diff, warns, err = runCaseStore(opts.ctx, c, sigs, jsonLinesShipper(opts.VictoriaLogs, strconv.Itoa(tenantBase+i)))
		} else {
			diff, warns, err = runCase(opts.ctx, c, sigs, engine.Options{})
		}
		tc := newJUnitCase(c.Name, time.Since(start))
		var unstorable *errUnstorable
		switch {
		case errors.As(err, &unstorable):
			skipped++
			fmt.Fprintf(opts.IO.Out, "SKIP %s: %s\n", safeText(c.Name), unstorable)
			tc.Skipped = &junitProblem{Message: safeText(unstorable.Error())}
			suite.Skipped++
		case err != nil:
			failed++
			msg := safeLines(rel(err.Error()))
			fmt.Fprintf(opts.IO.Out, "FAIL %s\n    %s\n", safeText(c.Name), msg)
			tc.Error = &junitProblem{Message: "the case could not run", Type: "error", Text: msg}
			suite.Errors++
		case diff != "":
			failed++
			fmt.Fprintf(opts.IO.Out, "FAIL %s (- expected, + got)\n%s\n", safeText(c.Name), safeLines(indent(diff, "    ")))
			tc.Failure = &junitProblem{Message: "findings differ (- expected, + got)", Type: "diff", Text: safeLines(diff)}
			suite.Failures++
		default:
			passed++
			if opts.Verbose {
				fmt.Fprintf(opts.IO.Out, "ok   %s\n", safeText(c.Name))
			}
		}
		if opts.Verbose {
			for _, w := range warns {
				fmt.Fprintf(opts.IO.Out, "    warning: %s\n", safeText(rel(w.String())))
			}
		}
		suite.add(tc)
	}
	if opts.JUnit != "" {
		if err := writeFileAtomic(opts.JUnit, "--junit", suite.write); err != nil {
			return err
		}
	}
	if skipped > 0 {
		fmt.Fprintf(opts.IO.Out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	} else {
		fmt.Fprintf(opts.IO.Out, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return &ExitError{Code: exitFailOn}
	}
	return nil
}

// runCase runs every signature over one case's inputs and diffs the
// findings against its expectations.
func runCase(ctx context.Context, c *fixture.Case, sigs []*signature.Signature, eopts engine.Options) (string, []event.Warning, error) {
	a, warns, err := analyzeCase(ctx, c, sigs, eopts)
	if err != nil {
		return "", warns, err
	}
	return c.Compare(a.Findings), warns, nil
}

// analyzeCase reads one case's inputs with its args through every
// signature.
func analyzeCase(ctx context.Context, c *fixture.Case, sigs []*signature.Signature, eopts engine.Options) (*analysis, []event.Warning, error) {
	return analyzeCaseWith(ctx, c, sigs, eopts, nil)
}

// analyzeCaseWith is analyzeCase with the case's input flags changed by
// adjust, when not nil, once they are read.
func analyzeCaseWith(ctx context.Context, c *fixture.Case, sigs []*signature.Signature, eopts engine.Options, adjust func(*InputFlags)) (*analysis, []event.Warning, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var in InputFlags
	fs := pflag.NewFlagSet("args", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	in.register(fs)
	if err := fs.Parse(c.Args); err != nil {
		return nil, nil, fmt.Errorf("%s: args: %w", filepath.Join(c.Dir, fixture.ExpectFile), err)
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("%s: args: unexpected %q (inputs are the case's files)", filepath.Join(c.Dir, fixture.ExpectFile), fs.Args())
	}
	ios, _, _, _ := Test()
	if err := in.validate("args", c.Inputs, ios, timeNow()); err != nil {
		return nil, nil, err
	}
	if adjust != nil {
		adjust(&in)
	}
	ws := &event.Warnings{}
	a, err := analyze(ctx, ios, &in, sigs, ws, eopts, nil)
	return a, ws.List(), err
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// timeNow is the clock for relative --since/--until in case args.
var timeNow = time.Now
