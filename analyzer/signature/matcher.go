package signature

import (
	"iter"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// FieldKind is the event field a condition looks at.
type FieldKind int

const (
	FieldProgram FieldKind = iota
	FieldUnit
	FieldHost
	FieldMessage
	FieldLifecycle
	FieldPriority
	FieldSource
	FieldExtra     // fields.NAME
	FieldEventKind // kind: log, state, command
	// FieldCapture is a capture of a |re of the same matcher, tested
	// after the regexes ran (`peer|cidr: 10.0.0.0/8`).
	FieldCapture
)

var fieldNames = map[string]FieldKind{
	"program": FieldProgram, "unit": FieldUnit, "host": FieldHost, "message": FieldMessage,
	"lifecycle": FieldLifecycle, "priority": FieldPriority, "source": FieldSource, "kind": FieldEventKind,
}

// Op is a condition's comparison.
type Op int

const (
	OpEq Op = iota
	OpContains
	OpStartsWith
	OpEndsWith
	OpRe
	OpLte
	OpGte
	OpCIDR // an address inside one of the subnets
	OpVersionLt
	OpVersionLte
	OpVersionGt
	OpVersionGte
)

var opNames = map[string]Op{
	"contains": OpContains, "startswith": OpStartsWith, "endswith": OpEndsWith,
	"re": OpRe, "lte": OpLte, "gte": OpGte, "cidr": OpCIDR,
	"version_lt": OpVersionLt, "version_lte": OpVersionLte, "version_gt": OpVersionGt, "version_gte": OpVersionGte,
}

// modifierNames lists the modifiers in the order the docs give them.
var modifierNames = []string{"contains", "startswith", "endswith", "re", "lte", "gte", "cidr", "version_lt", "version_lte", "version_gt", "version_gte"}

func (o Op) isVersion() bool { return o >= OpVersionLt && o <= OpVersionGte }

// joinOp maps a version modifier to the join op of the same name.
func (o Op) joinOp() JoinOp {
	return JoinVersionLt + JoinOp(o-OpVersionLt)
}

// Cond is one `key|op: value(s)` condition; several values are OR.
type Cond struct {
	Field  FieldKind
	Name   string // for FieldExtra
	Op     Op
	Values []string
	Res    []*regexp.Regexp
	// simple holds, beside each of Res, its simpleRe, or nil where
	// regexp must run it (set by the loader).
	simple []*simpleRe
	Prio   []event.Priority
	Life   []event.Lifecycle
	Kinds  []event.Kind
	// Prefixes are the subnets of |cidr; Versions the values of the
	// version modifiers, parsed once at load.
	Prefixes []netip.Prefix
	Versions []Version
}

// Matcher is a compiled single-event matcher: every Cond, every Not
// (negated), and one of Any (when present) must hold.
type Matcher struct {
	Conds []Cond
	Not   []*Matcher
	Any   []*Matcher
	// capConds: some Cond tests a capture, so captures are collected
	// even when the caller does not ask for them.
	capConds bool
	// tryAny is Any in the order match tries it (nil: Any's order):
	// when no branch captures, which branch matches first changes
	// nothing, and the branches a cheap test can rule out (program,
	// unit, ...) go before those that search the message.
	tryAny []*Matcher
}

// orderAny sets tryAny: for an any: none of whose branches captures,
// the branches with a test of an event field that is not the message
// first, then those without a regex, then the rest, each group in its
// order. unattended-upgrade-restart's `interrupted` searched every
// containerd `shim disconnected` line for a docker client's "error
// waiting for container" before its containerd branch matched it.
func (m *Matcher) orderAny() {
	if len(m.Any) < 2 || slices.ContainsFunc(m.Any, func(a *Matcher) bool { return a.capConds || len(a.CaptureNames()) > 0 }) {
		return
	}
	rank := func(a *Matcher) int {
		r := 2
		if !a.HasRegexp() {
			r = 1
		}
		for _, c := range a.Conds {
			switch c.Field {
			case FieldProgram, FieldUnit, FieldHost, FieldLifecycle, FieldPriority, FieldSource, FieldEventKind:
				if c.Op != OpRe {
					return 0
				}
			}
		}
		return r
	}
	m.tryAny = slices.Clone(m.Any)
	slices.SortStableFunc(m.tryAny, func(a, b *Matcher) int { return rank(a) - rank(b) })
}

// Capture is one named value a regex captured.
type Capture struct{ Name, Value string }

// Captures is a small ordered set of captures.
type Captures []Capture

// Get returns the value of the capture named name.
func (c Captures) Get(name string) (string, bool) {
	for _, x := range c {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// Match reports whether ev matches. Captures of matching regexes are
// appended to *caps (when caps is not nil); on a miss *caps is restored.
func (m *Matcher) Match(ev *event.Event, caps *Captures) bool {
	if caps == nil && m.capConds {
		caps = new(Captures) // rare: capture tests where nobody keeps captures
	}
	var mark int
	if caps != nil {
		mark = len(*caps)
	}
	if m.match(ev, caps) {
		return true
	}
	if caps != nil {
		*caps = (*caps)[:mark]
	}
	return false
}

// match tries the cheap conditions first: the plain ones, then the
// negations, then the regexes (in their order, so captures keep theirs),
// then the tests of captures and the negations that test them. A capture
// test reads the latest capture of its name: its own mapping's, else an
// enclosing one's.
func (m *Matcher) match(ev *event.Event, caps *Captures) bool {
	for i := range m.Conds {
		if c := &m.Conds[i]; c.Op != OpRe && c.Field != FieldCapture && !c.match(ev, caps) {
			return false
		}
	}
	for _, n := range m.Not {
		if !n.capConds && n.Match(ev, nil) {
			return false
		}
	}
	for i := range m.Conds {
		if c := &m.Conds[i]; c.Op == OpRe && !c.match(ev, caps) {
			return false
		}
	}
	if m.capConds {
		for i := range m.Conds {
			c := &m.Conds[i]
			if c.Field != FieldCapture {
				continue
			}
			v, ok := caps.last(c.Name)
			if !ok || !c.test(v) {
				return false
			}
		}
		for _, n := range m.Not {
			// The negation's own captures are not kept: on a miss
			// n.Match drops them, on a match Match drops this mapping's.
			if n.capConds && n.Match(ev, caps) {
				return false
			}
		}
	}
	if len(m.Any) > 0 {
		try := m.tryAny
		if try == nil {
			try = m.Any
		}
		for _, a := range try {
			if a.Match(ev, caps) {
				return true
			}
		}
		return false
	}
	return true
}

// last returns the value of the latest capture named name.
func (c *Captures) last(name string) (string, bool) {
	for i := len(*c) - 1; i >= 0; i-- {
		if (*c)[i].Name == name {
			return (*c)[i].Value, true
		}
	}
	return "", false
}

func (c *Cond) value(ev *event.Event) (string, bool) {
	switch c.Field {
	case FieldProgram:
		return ev.Program, true
	case FieldUnit:
		return ev.Unit, true
	case FieldHost:
		return ev.Host, true
	case FieldMessage:
		return ev.Message, true
	case FieldSource:
		return ev.Source.Format, true
	case FieldExtra:
		return ev.Field(c.Name)
	}
	return "", false
}

func (c *Cond) match(ev *event.Event, caps *Captures) bool {
	switch c.Field {
	case FieldEventKind:
		for _, k := range c.Kinds {
			if ev.Kind == k {
				return true
			}
		}
		return false
	case FieldLifecycle:
		for _, l := range c.Life {
			if ev.Lifecycle == l {
				return true
			}
		}
		return false
	case FieldPriority:
		if ev.Priority == event.NoPriority {
			return false
		}
		for _, p := range c.Prio {
			switch {
			case c.Op == OpLte && ev.Priority <= p,
				c.Op == OpGte && ev.Priority >= p,
				c.Op == OpEq && ev.Priority == p:
				return true
			}
		}
		return false
	}
	v, ok := c.value(ev)
	if !ok {
		return false
	}
	switch c.Op {
	case OpRe:
		if len(v) > MaxRegexInput {
			v = v[:MaxRegexInput]
		}
		for i, re := range c.Res {
			if i < len(c.simple) && c.simple[i] != nil {
				want := caps
				if re.NumSubexp() == 0 {
					want = nil
				}
				if ok, decided := c.simple[i].match(v, want); decided {
					if ok {
						return true
					}
					continue
				}
			}
			if caps == nil || re.NumSubexp() == 0 {
				if re.MatchString(v) {
					return true
				}
				continue
			}
			idx := re.FindStringSubmatchIndex(v)
			if idx == nil {
				continue
			}
			for i, name := range re.SubexpNames() {
				if name != "" && idx[2*i] >= 0 {
					*caps = append(*caps, Capture{name, v[idx[2*i]:idx[2*i+1]]})
				}
			}
			return true
		}
		return false
	}
	return c.test(v)
}

// test applies a value condition (not |re) to v.
func (c *Cond) test(v string) bool {
	switch {
	case c.Op == OpCIDR:
		a, ok := parseAddr(v)
		if !ok {
			return false
		}
		for _, p := range c.Prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	case c.Op.isVersion():
		have, ok := ParseVersion(v)
		if !ok {
			return false
		}
		for _, want := range c.Versions {
			if versionHolds(c.Op.joinOp(), have.Compare(want)) {
				return true
			}
		}
		return false
	}
	for _, want := range c.Values {
		if c.Field == FieldSource && c.Op == OpEq {
			if v == want || parse.Family(v) == want {
				return true
			}
			continue
		}
		switch c.Op {
		case OpEq:
			if v == want {
				return true
			}
		case OpContains:
			if strings.Contains(v, want) {
				return true
			}
		case OpStartsWith:
			if strings.HasPrefix(v, want) {
				return true
			}
		case OpEndsWith:
			if strings.HasSuffix(v, want) {
				return true
			}
		}
	}
	return false
}

// MaxRegexInput bounds the bytes of a value a regex sees (README
// "Limits"): RE2 runs in linear time, but its time per byte grows with
// the pattern, and `(?P<v>[a-y]{1,1000})z` spent 17 s on a 1 MiB line.
// A longer value is matched on its first MaxRegexInput bytes.
const MaxRegexInput = 8 << 10

// HasRegexp reports whether the matcher, or one of its parts, runs a
// regex.
func (m *Matcher) HasRegexp() bool {
	for _, c := range m.Conds {
		if c.Op == OpRe {
			return true
		}
	}
	for _, x := range append(append([]*Matcher{}, m.Not...), m.Any...) {
		if x.HasRegexp() {
			return true
		}
	}
	return false
}

// CaptureNames lists the names the matcher's regexes can capture.
func (m *Matcher) CaptureNames() []string {
	var out []string
	var walk func(*Matcher)
	walk = func(m *Matcher) {
		for _, c := range m.Conds {
			for _, re := range c.Res {
				for _, n := range re.SubexpNames() {
					if n != "" {
						out = append(out, n)
					}
				}
			}
		}
		for _, a := range m.Any {
			walk(a)
		}
	}
	walk(m)
	return out
}

// AllConds yields every condition of the matcher and of its not: and
// any: parts, depth first, each part's own conditions before its parts'.
func (m *Matcher) AllConds() iter.Seq[*Cond] {
	return func(yield func(*Cond) bool) { m.allConds(yield) }
}

func (m *Matcher) allConds(yield func(*Cond) bool) bool {
	for i := range m.Conds {
		if !yield(&m.Conds[i]) {
			return false
		}
	}
	for _, x := range append(append([]*Matcher{}, m.Not...), m.Any...) {
		if !x.allConds(yield) {
			return false
		}
	}
	return true
}

// FieldRefs lists the extra fields (fields.NAME) the signatures match or
// group on, each once, in first-use order: what a reader that fetches
// fields by name (the native journal reader) must fetch.
func FieldRefs(sigs []*Signature) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, s := range sigs {
		for _, e := range s.Events {
			for c := range e.Matcher.AllConds() {
				if c.Field == FieldExtra {
					add(c.Name)
				}
			}
		}
		for _, k := range append(append([]string{}, s.Match.By...), s.Match.DedupeBy...) {
			if name, ok := strings.CutPrefix(k, "fields."); ok {
				add(name)
			}
		}
	}
	return out
}
