package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

// SignatureFlags choose the signature set: the built-in one, plus
// --patterns directories, restricted by --only.
type SignatureFlags struct {
	Dirs []string
	Only []string
}

func (f *SignatureFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVar(&f.Dirs, "patterns", nil, "add the signatures (*.yaml) in `DIR` to the built-in set (repeatable)")
	fs.StringSliceVar(&f.Only, "only", nil, "run only these signature `IDS` (comma-separated)")
	cmd.RegisterFlagCompletionFunc("only", completeOnly)
}

// load returns the chosen signatures. A signature that does not load is an
// error with every problem at file:line:col; an unknown --only id is a
// usage error.
func (f *SignatureFlags) load(cmdPath string) ([]*signature.Signature, error) {
	all, errs := loadSignatureSet(f.Dirs)
	if errs != nil {
		return nil, errs
	}
	if len(f.Only) == 0 {
		return all, nil
	}
	var out []*signature.Signature
	for _, id := range f.Only {
		found := false
		for _, s := range all {
			if s.ID == id {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, flagErrorf(cmdPath, "--only: unknown signature %q (see `logsleuth patterns list`)", id)
		}
	}
	return out, nil
}

// loadSignatureSet loads the built-in set and each directory as one set.
func loadSignatureSet(dirs []string) ([]*signature.Signature, error) {
	all, err := signature.LoadFS(patterns.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("built-in signatures: %w", err)
	}
	var errs signature.ErrorList
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--patterns %s: not a readable directory", d)
		}
		sigs, list := signature.LoadFiles(os.DirFS(d), ".")
		for _, e := range list {
			e.File = filepath.Join(d, e.File)
		}
		for _, s := range sigs {
			s.Pos.File = filepath.Join(d, s.Pos.File)
			for _, w := range s.Warnings {
				w.File = filepath.Join(d, w.File)
			}
		}
		errs = append(errs, list...)
		all = append(all, sigs...)
	}
	errs = append(errs, signature.Check(all)...)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return all, nil
}
