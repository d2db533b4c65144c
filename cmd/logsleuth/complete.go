package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// completeSignatureIDs completes signature IDs: the built-in set plus the
// signatures under any --patterns directories already on the command line.
// A set that does not load completes what did load from the built-in set;
// a completion never prints an error.
func completeSignatureIDs(cmd *cobra.Command, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dirs, _ := cmd.Flags().GetStringArray("patterns")
	// Cobra's __complete parses the flags twice, so an array flag holds
	// each value twice; a directory loaded twice would clash with itself.
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	sigs, err := loadSignatureSet(dirs)
	if err != nil && len(dirs) > 0 {
		sigs, err = loadSignatureSet(nil)
	}
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, s := range sigs {
		if strings.HasPrefix(s.ID, toComplete) {
			out = append(out, cobra.CompletionWithDesc(s.ID, s.Title))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeOnly completes the last of --only's comma-separated IDs, keeping
// the ones before it.
func completeOnly(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	ids, dir := completeSignatureIDs(cmd, last)
	for i := range ids {
		ids[i] = done + ids[i]
	}
	return ids, dir
}

// completeExplainArgs completes explain's ID, then input files.
func completeExplainArgs(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return completeSignatureIDs(cmd, toComplete)
	}
	return nil, cobra.ShellCompDirectiveDefault
}
