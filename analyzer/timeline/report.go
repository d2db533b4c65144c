package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Report is the model every renderer reads. Build makes it; renderers
// only read it.
type Report struct {
	// Since and Until are the reported range; zero when unbounded.
	Since, Until time.Time
	// Incidents, most severe first. Every finding is in exactly one
	// incident, as its root or as a symptom.
	Incidents []*Incident
	// Findings in report order (each incident's root, then its
	// symptoms); IDs f1, f2, ... follow this order.
	Findings    []*Finding
	NearMisses  []*NearMiss
	Unexplained []*ErrorGroup
	// UnexplainedOverflow counts error events of templates past the cap.
	UnexplainedOverflow int
	// Selection names the selections behind Input.Show, as typed
	// ("-u docker -b -1"); Hidden counts the incidents they left out.
	Selection string
	Hidden    int
	Coverage  Coverage
}

// Incident is a root-cause finding and the findings it explains.
type Incident struct {
	Root     *Finding
	Symptoms []*Finding
}

// Severity is the incident's: the most severe of its findings, since a
// medium cause of a critical symptom is a critical incident.
func (inc *Incident) Severity() signature.Severity {
	sev := inc.Root.Severity()
	for _, s := range inc.Symptoms {
		sev = max(sev, s.Severity())
	}
	return sev
}

// Finding is an engine finding placed in the report.
type Finding struct {
	ID string
	*engine.Finding
	// Evidence in time order, with context.
	Evidence []Evidence
}

// Severity is the finding's signature severity.
func (f *Finding) Severity() signature.Severity { return f.Signature.Severity }

// NearMiss is an engine near miss with its evidence in time order.
type NearMiss struct {
	*engine.NearMiss
	Evidence []Evidence
}

// Evidence is one event of a chain.
type Evidence struct {
	Step  string
	Event *event.Event
	// Delta is the time since the chain's first event.
	Delta time.Duration
	// Cut is the number of bytes of the line left out of Event
	// (engine.MaxEvidenceText).
	Cut int
	// Refetch is a command that prints the line again from the log
	// store it came from (fleet mode); "" for a file's line.
	Refetch string
	// Context is the surrounding lines of the same source (--context),
	// nil when none were kept.
	Context *Context
}

// Line is one line of an evidence chain as shown: an evidence event
// (Evidence set) or a context line around one (Evidence nil).
type Line struct {
	Event    *event.Event
	Evidence *Evidence
}

// Lines interleaves a chain with its context lines in order, showing each
// event once: context that is itself evidence, or was already shown as
// context of an earlier step, is left out.
func Lines(chain []Evidence) []Line {
	shown := make(map[posKey]bool, len(chain))
	for _, e := range chain {
		shown[keyOf(e.Event)] = true
	}
	var out []Line
	add := func(ctx []*event.Event) {
		for _, c := range ctx {
			k := keyOf(c)
			if !shown[k] {
				shown[k] = true
				out = append(out, Line{Event: c})
			}
		}
	}
	for i := range chain {
		e := &chain[i]
		if e.Context != nil {
			add(e.Context.Before)
		}
		out = append(out, Line{Event: e.Event, Evidence: e})
		if e.Context != nil {
			add(e.Context.After)
		}
	}
	return out
}

// refetchCommands are the re-fetch commands of ev's lines that have one.
func refetchCommands(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		if e.Refetch != "" {
			out = append(out, e.Refetch)
		}
	}
	return out
}

// Coverage says what was read and how far to trust it.
type Coverage struct {
	Sources []ingest.SourceStats
	// Lookback is how far before --since the inputs were read; zero
	// without --since.
	Lookback Lookback
	Boots    []Boot
	// BootsOverflow counts boots past the cap.
	BootsOverflow int
	Gaps          []Gap
	Warnings      []event.Warning
}

// Lookback is how far before --since the inputs were read, so that a
// chain that began before --since still completes: the longest
// correlation window of the loaded signatures (Longest), capped by
// --lookback (Cap). A --since seek skips what lies before Since - Span
// (ingest.SourceStats.Skipped).
type Lookback struct {
	Span, Longest, Cap time.Duration
	// PerSignature: each signature's own events were read only within
	// its own window (capped) before --since and after --until, Span
	// being the widest (a log store's margin); else every candidate
	// within Span (files).
	PerSignature bool
}

// lookbackNote says, for people, what was read before --since; "" without
// --since.
func (r *Report) lookbackNote() string {
	if r.Since.IsZero() {
		return ""
	}
	lb := r.Coverage.Lookback
	why := "the longest correlation window of the signatures"
	switch {
	case lb.Longest == 0:
		why = "no signature looks back"
	case lb.Longest > lb.Span:
		why = "the signatures' longest window, " + fmtDuration(lb.Longest) + ", capped by --lookback"
	}
	if lb.PerSignature && lb.Span > 0 {
		return "up to " + fmtDuration(lb.Span) + " before --since and after --until, each signature's events within its own window (" + why + ")"
	}
	return fmtDuration(lb.Span) + " before --since (" + why + ")"
}

// skipNote says, for people, what a --since seek left unread of a
// source; "" for nothing.
func skipNote(s ingest.SourceStats) string {
	sk := s.Skipped
	switch {
	case sk.By == "":
		return ""
	case sk.Whole:
		return "not read: it ends before the range (" + sk.By + ")"
	}
	return plural(int(sk.Lines), "line", "lines") + " before the range not read (" + sk.By + ")"
}

// skippedNote sums up the sources a --since seek skipped whole or in
// part; "" for none.
func (c *Coverage) skippedNote() string {
	var whole, part int
	var lines int64
	for _, s := range c.Sources {
		switch {
		case s.Skipped.Whole:
			whole++
		case s.Skipped.By != "":
			part++
			lines += s.Skipped.Lines
		}
	}
	if whole+part == 0 {
		return ""
	}
	var out []string
	if whole > 0 {
		they := "they end"
		if whole == 1 {
			they = "it ends"
		}
		out = append(out, plural(whole, "source", "sources")+" not read: "+they+" before the range")
	}
	if part > 0 {
		out = append(out, plural(int(lines), "line", "lines")+" before the range not read in "+plural(part, "source", "sources")+" (binary search)")
	}
	return strings.Join(out, "; ")
}

// duplicatesNote says, for people, how many lines were dropped because
// another source had already given the same line
// (ingest.SourceStats.Duplicates); "" for none.
func (c *Coverage) duplicatesNote() string {
	var n int64
	for _, s := range c.Sources {
		n += s.Duplicates
	}
	if n == 0 {
		return ""
	}
	return plural(int(n), "duplicate line", "duplicate lines") + " dropped: the same line (host, program, pid, message, within 1s) came from another source first (syslog, journal, journalctl text, systemctl status)"
}

// Input is everything Build reads.
type Input struct {
	Findings   []*engine.Finding
	NearMisses []*engine.NearMiss
	Sources    []ingest.SourceStats
	Warnings   []event.Warning
	// Collector may be nil: no boots, gaps, errors or context.
	Collector *Collector
	// Store, when set, names the log store the events came from (fleet
	// mode): the gaps are the silences of Activity, the store's rows
	// per host, not those between the events the collector saw, which
	// are only the store's candidates.
	Store        string
	Activity     []ingest.HostActivity
	Since, Until time.Time
	// Show, when set, keeps the incidents with an evidence line it
	// passes, in any of their findings, and the near misses with one:
	// whole, every line of the chain, since the cause of what was
	// selected is often outside the selection (the apt run that stopped
	// a unit).
	Show func(*event.Event) bool
	// Lookback: what was read before Since (zero without it).
	Lookback Lookback
	// Selection names Show for people: the report's header says it.
	Selection string
}

// Build links findings into incidents and assembles the report.
//
// A finding B is a symptom of A when A's signature `explains` B's, they
// are on the same host (an empty host matches any), and B starts inside
// [A.Start, A.End + A's correlation window]. A symptom of a symptom
// belongs to the same incident. Incidents are ordered by root severity
// (highest first), then outcome (confirmed, boundary, unresolved), then
// start time, signature id, host, evidence positions and captures; near
// misses by signature, group and time: the report does not depend on the
// order of in.Findings, so two runs agree.
func Build(in Input) *Report {
	r := &Report{Since: in.Since, Until: in.Until, Selection: in.Selection}
	fs := make([]*Finding, len(in.Findings))
	for i, f := range in.Findings {
		fs[i] = &Finding{Finding: f}
	}
	order := slices.Clone(fs)
	sort.SliceStable(order, func(i, j int) bool { return findingLess(order[i], order[j]) })

	// parent[b] is the cause that explains b: the first in report order.
	parent := linkCauses(order)
	breakCycles(parent, order)
	rootOf := func(f *Finding) *Finding {
		seen := map[*Finding]bool{f: true}
		for {
			p, ok := parent[f]
			if !ok || seen[p] {
				return f
			}
			seen[p] = true
			f = p
		}
	}
	byRoot := map[*Finding]*Incident{}
	for _, f := range order {
		root := rootOf(f)
		inc := byRoot[root]
		if inc == nil {
			inc = &Incident{Root: root}
			byRoot[root] = inc
			r.Incidents = append(r.Incidents, inc)
		}
		if f != root {
			inc.Symptoms = append(inc.Symptoms, f)
		}
	}
	if in.Show != nil {
		n := len(r.Incidents)
		r.Incidents = slices.DeleteFunc(r.Incidents, func(inc *Incident) bool {
			return !inc.Root.shows(in.Show) && !slices.ContainsFunc(inc.Symptoms, func(f *Finding) bool { return f.shows(in.Show) })
		})
		r.Hidden = n - len(r.Incidents)
	}
	sort.SliceStable(r.Incidents, func(i, j int) bool {
		a, b := r.Incidents[i], r.Incidents[j]
		if a.Severity() != b.Severity() {
			return a.Severity() > b.Severity()
		}
		return findingLess(a.Root, b.Root)
	})
	// The error lines no evidence line explains are grouped on another
	// core while the chains are made (both only read the findings and
	// the collector): on a dense log each took half of Build, in the
	// run's serial tail (issue 20).
	unexplained := make(chan struct{})
	if c := in.Collector; c != nil {
		var evidenceEvents []*event.Event
		for _, inc := range r.Incidents {
			for _, f := range inc.Symptoms {
				for _, e := range f.Finding.Evidence {
					evidenceEvents = append(evidenceEvents, e.Event)
				}
			}
			for _, e := range inc.Root.Finding.Evidence {
				evidenceEvents = append(evidenceEvents, e.Event)
			}
		}
		go func() {
			defer close(unexplained)
			evidence := make(map[posKey]bool, len(evidenceEvents))
			for _, ev := range evidenceEvents {
				evidence[keyOf(ev)] = true
			}
			r.Unexplained, r.UnexplainedOverflow = c.unexplained(evidence, evidenceEvents)
		}()
	} else {
		close(unexplained)
	}
	for _, inc := range r.Incidents {
		sort.SliceStable(inc.Symptoms, func(i, j int) bool { return inc.Symptoms[i].Start.Before(inc.Symptoms[j].Start) })
		for _, f := range append([]*Finding{inc.Root}, inc.Symptoms...) {
			f.ID = "f" + strconv.Itoa(len(r.Findings)+1)
			f.Evidence = chain(f.Finding.Evidence, in.Collector)
			r.Findings = append(r.Findings, f)
		}
	}
	for _, n := range in.NearMisses {
		if in.Show != nil && !anyShown(n.Evidence, in.Show) {
			continue
		}
		r.NearMisses = append(r.NearMisses, &NearMiss{NearMiss: n, Evidence: chain(n.Evidence, in.Collector)})
	}
	sort.SliceStable(r.NearMisses, func(i, j int) bool { return nearMissLess(r.NearMisses[i], r.NearMisses[j]) })
	r.Coverage.Sources = in.Sources
	r.Coverage.Lookback = in.Lookback
	r.Coverage.Warnings = in.Warnings
	if in.Store != "" {
		r.Coverage.Gaps = activityGaps(in.Store, in.Activity)
	}
	if c := in.Collector; c != nil {
		r.Coverage.Boots, r.Coverage.BootsOverflow = c.bootList()
		if in.Store == "" {
			r.Coverage.Gaps = c.gapList()
		}
		if c.textCut > 0 {
			r.Coverage.Warnings = append(slices.Clone(r.Coverage.Warnings), event.Warning{
				Msg: fmt.Sprintf("%d context lines and error examples were longer than %d bytes: the report keeps their first %d bytes",
					c.textCut, engine.MaxEvidenceText, engine.MaxEvidenceText)})
		}
		if c.contextsFull {
			r.Coverage.Warnings = append(slices.Clone(r.Coverage.Warnings), event.Warning{
				Msg: fmt.Sprintf("context kept for the first %d candidate events only; later evidence is shown without context", c.opts.MaxContexts)})
		}
	}
	<-unexplained
	return r
}

// scopeText is the header's account of what the report covers: the
// range, and the selections with what they hid.
func (r *Report) scopeText(loc *time.Location) string {
	s := rangeText(r.Since, r.Until, loc)
	if r.Selection != "" {
		s += "; selected: " + r.Selection
		if r.Hidden > 0 {
			s += " (" + plural(r.Hidden, "incident", "incidents") + " hidden)"
		}
	}
	return s
}

// NoIncidents is what a report without incidents says instead.
func (r *Report) NoIncidents() string {
	if r.Hidden > 0 {
		return "No incidents shown: " + plural(r.Hidden, "incident has", "incidents have") + " no evidence line that passes the selections."
	}
	return "No incidents: no signature matched."
}

// shows reports whether one of f's evidence lines passes show.
func (f *Finding) shows(show func(*event.Event) bool) bool {
	return anyShown(f.Finding.Evidence, show)
}

func anyShown(ev []engine.Evidence, show func(*event.Event) bool) bool {
	for _, e := range ev {
		if e.Event != nil && show(e.Event) {
			return true
		}
	}
	return false
}

// chain orders evidence by time (stable: step order for equal times) and
// attaches Δ and context. A chain with an event of unknown time keeps
// the engine's order, which is input order: an unknown time sorts
// neither before nor after a known one.
func chain(ev []engine.Evidence, c *Collector) []Evidence {
	out := make([]Evidence, 0, len(ev))
	// Without --context no line has one: no lookup (hashing each
	// evidence line's position took a third of chain's time).
	contexts := c != nil && len(c.contexts) > 0
	for _, e := range ev {
		if e.Event == nil {
			continue
		}
		var ctx *Context
		if contexts {
			ctx = c.contextOf(e.Event)
		}
		out = append(out, Evidence{Step: e.Step, Event: e.Event, Cut: e.Cut, Context: ctx})
	}
	timed := true
	for i := range out {
		timed = timed && !out[i].Event.Time.IsZero()
	}
	if timed {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Event.Time.Before(out[j].Event.Time) })
	}
	var first time.Time
	for i := range out {
		t := out[i].Event.Time
		if t.IsZero() {
			continue
		}
		if first.IsZero() {
			first = t
		}
		out[i].Delta = t.Sub(first)
	}
	return out
}

// outcomeRank orders outcomes: confirmed before boundary before unresolved.
func outcomeRank(o string) int {
	switch o {
	case engine.Confirmed:
		return 0
	case engine.Boundary:
		return 1
	case engine.Unresolved:
		return 2
	}
	return 3
}

func findingLess(a, b *Finding) bool {
	if a.Severity() != b.Severity() {
		return a.Severity() > b.Severity()
	}
	if ra, rb := outcomeRank(a.Outcome), outcomeRank(b.Outcome); ra != rb {
		return ra < rb
	}
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if a.Signature.ID != b.Signature.ID {
		return a.Signature.ID < b.Signature.ID
	}
	if a.Host != b.Host {
		return a.Host < b.Host
	}
	return tieLess(a.Finding, b.Finding)
}

// tieLess orders findings that agree on everything findingLess compares
// (one upgrade leaving two units stopped: same first event, same start)
// by their evidence positions, then captures, so that the report does
// not depend on the order the engine emitted them in.
func tieLess(a, b *engine.Finding) bool {
	if c := cmpEvidence(a.Evidence, b.Evidence); c != 0 {
		return c < 0
	}
	for i := range min(len(a.Captures), len(b.Captures)) {
		ca, cb := a.Captures[i], b.Captures[i]
		if ca.Name != cb.Name {
			return ca.Name < cb.Name
		}
		if ca.Value != cb.Value {
			return ca.Value < cb.Value
		}
	}
	return len(a.Captures) < len(b.Captures)
}

// cmpEvidence compares two chains by the positions of their events.
func cmpEvidence(a, b []engine.Evidence) int {
	for i := range min(len(a), len(b)) {
		if c := cmpPos(a[i].Event, b[i].Event); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

func cmpPos(a, b *event.Event) int {
	switch {
	case a == b:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if c := strings.Compare(a.Source.Path, b.Source.Path); c != 0 {
		return c
	}
	if a.Source.Line != b.Source.Line {
		return cmp.Compare(a.Source.Line, b.Source.Line)
	}
	return strings.Compare(a.Source.Cursor, b.Source.Cursor)
}

// nearMissLess orders near misses by signature, group and time.
func nearMissLess(a, b *NearMiss) bool {
	if a.Signature.ID != b.Signature.ID {
		return a.Signature.ID < b.Signature.ID
	}
	if a.Group != b.Group {
		return a.Group < b.Group
	}
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return cmpEvidence(a.NearMiss.Evidence, b.NearMiss.Evidence) < 0
}

// causeBucket holds the findings of one signature on one host, sorted by
// start, with reach[i] the latest time any of the first i+1 explains.
type causeBucket struct {
	fs    []*Finding
	reach []time.Time
}

// linkCauses returns, for each finding that some other finding explains,
// the first such cause in report order (order). It finds the candidates
// through an index by signature and host, and the window by binary search
// on start times, so that 200k findings link in well under a second
// where comparing every pair took minutes.
func linkCauses(order []*Finding) map[*Finding]*Finding {
	rank := make(map[*Finding]int, len(order))
	for i, f := range order {
		rank[f] = i
	}
	// explainers[id] are the signatures whose findings may explain
	// findings of id; buckets[sig][host] their findings.
	explainers := map[string][]*signature.Signature{}
	buckets := map[*signature.Signature]map[string]*causeBucket{}
	for _, f := range order {
		s := f.Signature
		if len(s.Explains) == 0 {
			continue
		}
		hosts := buckets[s]
		if hosts == nil {
			hosts = map[string]*causeBucket{}
			buckets[s] = hosts
			for _, id := range s.Explains {
				explainers[id] = append(explainers[id], s)
			}
		}
		b := hosts[f.Host]
		if b == nil {
			b = &causeBucket{}
			hosts[f.Host] = b
		}
		b.fs = append(b.fs, f)
	}
	for s, hosts := range buckets {
		w := Window(s)
		for _, b := range hosts {
			sort.SliceStable(b.fs, func(i, j int) bool { return b.fs[i].Start.Before(b.fs[j].Start) })
			b.reach = make([]time.Time, len(b.fs))
			for i, f := range b.fs {
				b.reach[i] = f.End.Add(w)
				if i > 0 && b.reach[i-1].After(b.reach[i]) {
					b.reach[i] = b.reach[i-1]
				}
			}
		}
	}
	parent := map[*Finding]*Finding{}
	for _, b := range order {
		var best *Finding
		consider := func(cb *causeBucket) {
			if cb == nil {
				return
			}
			// Causes start no later than b; scan back from the last of
			// them while some earlier one still reaches b's start.
			i := sort.Search(len(cb.fs), func(i int) bool { return cb.fs[i].Start.After(b.Start) }) - 1
			for ; i >= 0 && !cb.reach[i].Before(b.Start); i-- {
				a := cb.fs[i]
				if a != b && (best == nil || rank[a] < rank[best]) && explains(a, b) {
					best = a
				}
			}
		}
		for _, s := range explainers[b.Signature.ID] {
			hosts := buckets[s]
			if b.Host == "" { // a finding without a host matches any
				for _, cb := range hosts {
					consider(cb)
				}
				continue
			}
			consider(hosts[b.Host])
			consider(hosts[""])
		}
		if best != nil {
			parent[b] = best
		}
	}
	return parent
}

// breakCycles removes one link from every cycle of causes: findings that
// start at the same time can explain each other (two findings of a
// signature that explains itself, or signatures that explain one
// another), and without a root such a cycle made each member the root of
// an incident holding the others. The member first in report order
// becomes the root.
func breakCycles(parent map[*Finding]*Finding, order []*Finding) {
	// state: 0 unvisited, 1 on the current walk, 2 done.
	state := make(map[*Finding]uint8, len(parent))
	var walk []*Finding
	for _, f := range order {
		walk = walk[:0]
		x := f
		for state[x] == 0 {
			state[x] = 1
			walk = append(walk, x)
			p, ok := parent[x]
			if !ok {
				break
			}
			x = p
		}
		if state[x] == 1 { // x is on this walk: walk[i:] is a cycle
			i := slices.Index(walk, x)
			// order is report order, and the cycle's members are in it:
			// the one with the lowest index becomes the root.
			first := walk[i]
			for _, m := range walk[i+1:] {
				if slices.Index(order, m) < slices.Index(order, first) {
					first = m
				}
			}
			delete(parent, first)
		}
		for _, w := range walk {
			state[w] = 2
		}
	}
}

// Explains reports whether finding a is a cause of b, as Build links
// them into incidents: `watch` links its alerts the same way.
func Explains(a, b *engine.Finding) bool {
	return explains(&Finding{Finding: a}, &Finding{Finding: b})
}

// explains reports whether a is a cause of b (see Build).
func explains(a, b *Finding) bool {
	if !slices.Contains(a.Signature.Explains, b.Signature.ID) {
		return false
	}
	if a.Host != "" && b.Host != "" && a.Host != b.Host {
		return false
	}
	return !b.Start.Before(a.Start) && !b.Start.After(a.End.Add(Window(a.Signature)))
}

// Window is the longest a signature correlates over: the widest of its
// maxspan, threshold or dedupe window and the sum of its steps' within
// and for.
func Window(s *signature.Signature) time.Duration {
	m := s.Match
	w := max(m.MaxSpan, m.Window, m.DedupeWindow)
	var sum time.Duration
	for _, st := range m.Steps {
		sum += st.Within + st.For
	}
	return max(w, sum)
}

// FailOn reports whether some incident is at least sev severe.
func (r *Report) FailOn(sev signature.Severity) bool {
	for _, inc := range r.Incidents {
		if inc.Severity() >= sev {
			return true
		}
	}
	return false
}
