package event

import "strings"

// Filter is a condition on a log event's message, program and unit,
// simple enough for a log store to evaluate where the logs are (fleet
// mode: the engine's prefilter pushed down): a leaf (Op FilterContains,
// FilterStartsWith, FilterEquals, FilterProgram or FilterUnit) holds when
// the message, program or unit relates so to one of Values;
// FilterAnd, FilterOr and FilterNot combine Sub.
type Filter struct {
	Op     FilterOp
	Values []string
	Sub    []Filter
}

// FilterOp is what a Filter tests.
type FilterOp uint8

const (
	// FilterContains: the message holds one of Values (case-sensitive
	// substrings).
	FilterContains FilterOp = iota
	// FilterStartsWith: the message begins with one of Values.
	FilterStartsWith
	// FilterEquals: the message is one of Values.
	FilterEquals
	// FilterProgram: the program is one of Values.
	FilterProgram
	// FilterUnit: the unit is one of Values (on a row without a unit
	// field, systemd's own lines naming it in their text pass too).
	FilterUnit
	FilterAnd
	FilterOr
	FilterNot
)

// Passes evaluates c on ev as the store evaluates it on ev's row (but
// for FilterUnit's systemd lines): the reference the store's queries are
// tested against.
func (c *Filter) Passes(ev *Event) bool {
	switch c.Op {
	case FilterAnd:
		for i := range c.Sub {
			if !c.Sub[i].Passes(ev) {
				return false
			}
		}
		return true
	case FilterOr:
		for i := range c.Sub {
			if c.Sub[i].Passes(ev) {
				return true
			}
		}
		return false
	case FilterNot:
		return !c.Sub[0].Passes(ev)
	}
	for _, v := range c.Values {
		var ok bool
		switch c.Op {
		case FilterContains:
			ok = strings.Contains(ev.Message, v)
		case FilterStartsWith:
			ok = strings.HasPrefix(ev.Message, v)
		case FilterEquals:
			ok = ev.Message == v
		case FilterProgram:
			ok = ev.Program == v
		case FilterUnit:
			ok = ev.Unit == v
		}
		if ok {
			return true
		}
	}
	return false
}
