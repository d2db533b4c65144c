// Package filter selects events the way journalctl's options do: -u
// (units), -t (identifiers), -p (priorities), -g (a regular expression
// over the message), --host and -b (boots, boot.go). A Filter is a
// predicate only; what a command does with the events it rejects (hide
// them, or still feed them to the engine) is the command's choice.
package filter

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Options are the selections, as typed.
type Options struct {
	// Units are -u patterns: unit names or globs ("docker", "docker.service",
	// "snap.*"). A name with neither a suffix nor a glob character gets
	// ".service", as journalctl does.
	Units []string
	// Identifiers are -t values: syslog identifiers (programs), exact.
	Identifiers []string
	// Hosts are --host patterns: host names or globs.
	Hosts []string
	// Priority is -p: "err", "3", or a range "warning..err" (either order).
	Priority string
	// Grep is -g: an RE2 pattern over the message, case-insensitive
	// unless it holds an upper-case letter (CaseSensitive overrides).
	Grep          string
	CaseSensitive *bool
	// IsError judges events without a priority: true reads as err (3),
	// false as info (6), the priority journald gives a line without one.
	// Nil: such events match no -p.
	IsError func(*event.Event) bool
}

// Filter is a compiled set of selections. Every selection given must
// hold (AND); the values of one selection are alternatives (OR). It is
// safe for concurrent use once built, except SetBoots.
type Filter struct {
	units       []unitPattern
	identifiers []string
	hosts       []string
	priorities  uint8 // bit p set: priority p matches; 0: no -p
	grep        *regexp.Regexp
	isError     func(*event.Event) bool
	boots       map[string][]Span // by host; nil: no -b
}

// unitPattern is one -u value. Events that name no unit (syslog text,
// where only systemd's own lines carry one) match by their program:
// dockerd and docker stand for docker.service, sshd for ssh.service.
type unitPattern struct {
	pattern string
	glob    bool
	// programs stand for the unit when the event names none (literal
	// .service patterns only; globs test the program's unit names).
	programs [2]string
}

// New compiles o; the error names the option that is wrong.
func New(o Options) (*Filter, error) {
	f := &Filter{identifiers: o.Identifiers, isError: o.IsError}
	for _, u := range o.Units {
		p, err := compileUnit(u)
		if err != nil {
			return nil, err
		}
		f.units = append(f.units, p)
	}
	for _, h := range o.Hosts {
		if _, err := path.Match(h, ""); err != nil {
			return nil, fmt.Errorf("--host %q: bad pattern", h)
		}
		f.hosts = append(f.hosts, h)
	}
	if o.Priority != "" {
		mask, err := ParsePriorities(o.Priority)
		if err != nil {
			return nil, err
		}
		f.priorities = mask
	}
	if o.Grep != "" {
		expr := o.Grep
		sensitive := HasUpper(expr)
		if o.CaseSensitive != nil {
			sensitive = *o.CaseSensitive
		}
		if !sensitive {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("--grep %q: %w", o.Grep, err)
		}
		f.grep = re
	}
	return f, nil
}

func compileUnit(u string) (unitPattern, error) {
	if u == "" {
		return unitPattern{}, fmt.Errorf("--unit: empty unit name")
	}
	glob := strings.ContainsAny(u, "*?[")
	if glob {
		if _, err := path.Match(u, ""); err != nil {
			return unitPattern{}, fmt.Errorf("--unit %q: bad pattern", u)
		}
		return unitPattern{pattern: u, glob: true}, nil
	}
	if !hasUnitSuffix(u) {
		u += ".service"
	}
	p := unitPattern{pattern: u}
	if base, ok := strings.CutSuffix(u, ".service"); ok {
		p.programs = [2]string{base, base + "d"}
	}
	return p, nil
}

// unitSuffixes are the unit types systemd knows (systemd.unit(5)).
var unitSuffixes = []string{".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path", ".timer", ".slice", ".scope"}

func hasUnitSuffix(u string) bool {
	for _, s := range unitSuffixes {
		if strings.HasSuffix(u, s) {
			return true
		}
	}
	return false
}

// HasUpper reports whether s holds an upper-case letter: journalctl's
// test for a case-sensitive --grep (any such letter counts, "\S" too).
func HasUpper(s string) bool {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r > 0x7f && strings.ToLower(string(r)) != string(r) {
			return true
		}
	}
	return false
}

// ParsePriorities reads -p: a level name or number, or a range FROM..TO
// of two (either order, as journalctl takes it; an empty side is the end
// of the scale). A single level selects it and every more severe one.
// Bit p of the result is set when priority p is selected.
func ParsePriorities(s string) (uint8, error) {
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		p, ok := parseLevel(s)
		if !ok {
			return 0, priorityError(s)
		}
		return levelMask(0, p), nil
	}
	lo, hi := event.Priority(0), event.Priority(7)
	var ok bool
	if from != "" {
		if lo, ok = parseLevel(from); !ok {
			return 0, priorityError(s)
		}
	}
	if to != "" {
		if hi, ok = parseLevel(to); !ok {
			return 0, priorityError(s)
		}
	}
	return levelMask(min(lo, hi), max(lo, hi)), nil
}

func levelMask(lo, hi event.Priority) uint8 {
	var m uint8
	for p := lo; p <= hi; p++ {
		m |= 1 << p
	}
	return m
}

// parseLevel takes journalctl's level names and numbers.
func parseLevel(s string) (event.Priority, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 7 {
			return 0, false
		}
		return event.Priority(n), true
	}
	return event.ParsePriority(strings.ToLower(s))
}

func priorityError(s string) error {
	return fmt.Errorf("--priority %q: want a level (emerg, alert, crit, err, warning, notice, info, debug, or 0-7) or a range such as warning..err", s)
}

// Active reports whether f selects anything at all; a nil Filter selects
// every event.
func (f *Filter) Active() bool {
	return f != nil && (len(f.units) > 0 || len(f.identifiers) > 0 || len(f.hosts) > 0 ||
		f.priorities != 0 || f.grep != nil || f.boots != nil)
}

// Match reports whether ev passes every selection. A nil Filter passes
// everything. The cheap tests come first; the regular expression last.
func (f *Filter) Match(ev *event.Event) bool {
	if f == nil {
		return true
	}
	if len(f.identifiers) > 0 && !f.matchIdentifier(ev.Program) {
		return false
	}
	if f.priorities != 0 && f.priorities&(1<<f.priorityOf(ev)) == 0 {
		return false
	}
	if len(f.hosts) > 0 && !matchAny(f.hosts, ev.Host) {
		return false
	}
	if f.boots != nil && !f.inBoot(ev) {
		return false
	}
	if len(f.units) > 0 && !f.matchUnit(ev) {
		return false
	}
	if f.grep != nil && !f.grep.MatchString(ev.Message) {
		return false
	}
	return true
}

// MatchAny reports whether one of evs passes; nil events are skipped.
func (f *Filter) MatchAny(evs ...*event.Event) bool {
	if f == nil {
		return true
	}
	for _, ev := range evs {
		if ev != nil && f.Match(ev) {
			return true
		}
	}
	return false
}

func (f *Filter) matchIdentifier(program string) bool {
	for _, id := range f.identifiers {
		if id == program {
			return true
		}
	}
	return false
}

// priorityOf is ev's priority, or for an event without one, err or info
// by the error judgement (priorities beyond 7 cannot be selected).
func (f *Filter) priorityOf(ev *event.Event) uint8 {
	if ev.Priority >= 0 && ev.Priority <= 7 {
		return uint8(ev.Priority)
	}
	if f.isError == nil {
		return 8 // in no mask
	}
	if f.isError(ev) {
		return 3
	}
	return 6
}

func (f *Filter) matchUnit(ev *event.Event) bool {
	for i := range f.units {
		if f.units[i].match(ev) {
			return true
		}
	}
	return false
}

func (p *unitPattern) match(ev *event.Event) bool {
	if ev.Unit != "" {
		if p.glob {
			ok, _ := path.Match(p.pattern, ev.Unit)
			return ok
		}
		return ev.Unit == p.pattern
	}
	prog := ev.Program
	if prog == "" {
		return false
	}
	if !p.glob {
		return p.programs[0] != "" && (strings.EqualFold(prog, p.programs[0]) || strings.EqualFold(prog, p.programs[1]))
	}
	// A glob tests the units the program may stand for.
	prog = strings.ToLower(prog)
	if ok, _ := path.Match(p.pattern, prog+".service"); ok {
		return true
	}
	if base, ok := strings.CutSuffix(prog, "d"); ok && base != "" {
		ok, _ := path.Match(p.pattern, base+".service")
		return ok
	}
	return false
}

// matchAny reports whether s matches one of the globs (already checked
// to compile).
func matchAny(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

// HasGlob reports whether any of patterns holds a glob character.
func HasGlob(patterns []string) bool {
	for _, p := range patterns {
		if strings.ContainsAny(p, "*?[") {
			return true
		}
	}
	return false
}
