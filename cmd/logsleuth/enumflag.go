package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// enumValue is a string flag restricted to a fixed set of values, so a bad
// value fails while flags are parsed, with the list of valid ones.
type enumValue struct {
	p       *string
	options []string
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return "string" }

func (e *enumValue) Set(v string) error {
	if !slices.Contains(e.options, v) {
		return fmt.Errorf("valid values are %s", strings.Join(e.options, ", "))
	}
	*e.p = v
	return nil
}

// stringEnumFlag defines --name on fs, defaulting to def, accepting only
// options; the usage text lists them.
func stringEnumFlag(fs *pflag.FlagSet, p *string, name, shorthand, def string, options []string, usage string) {
	*p = def
	fs.VarP(&enumValue{p: p, options: options}, name, shorthand,
		fmt.Sprintf("%s: {%s}", usage, strings.Join(options, "|")))
}
