package signature

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Error codes: stable, for scripts that read `patterns lint --format json`.
const (
	CodeYAML      = "yaml_error"      // the file is not valid YAML
	CodeSchema    = "schema_error"    // unknown key, wrong type, missing key
	CodeRegexp    = "regexp_error"    // a |re value does not compile
	CodeTemplate  = "template_error"  // explain/remediation does not parse or names an unbound value
	CodeReference = "reference_error" // an event, step, capture or signature id that does not exist
	CodeDuplicate = "duplicate_error" // the same id twice
	// CodeNoClass is a warning, not an error: a built-in signature
	// without a class tag (see ClassTags).
	CodeNoClass = "no_class_tag"
)

// Error is one problem in a signature file, at file:line:col.
type Error struct {
	Code string `json:"code"`
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"message"`
	Hint string `json:"hint,omitempty"`
	// Warning marks a lint warning (CodeUnquoted, CodeCost): the
	// signature loads, and `patterns lint` reports it.
	Warning bool `json:"warning,omitempty"`
}

func (e *Error) Error() string {
	level := ""
	if e.Warning {
		level = "warning: "
	}
	s := fmt.Sprintf("%s:%d:%d: %s%s: %s", e.File, e.Line, e.Col, level, e.Code, e.Msg)
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// ErrorList is every error found while loading, sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors occurred:", len(l))
	for _, e := range l {
		b.WriteString("\n")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns nil for an empty list, else the sorted list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Sort orders errors by file, line, column, then message.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
}

// MarshalJSON renders the list as a JSON array.
func (l ErrorList) MarshalJSON() ([]byte, error) {
	return json.Marshal([]*Error(l))
}
