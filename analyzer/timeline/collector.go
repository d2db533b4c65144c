// Package timeline turns findings into the root-cause report of
// `logsleuth timeline` (DESIGN §6): incidents of causes and symptoms,
// evidence chains with context lines, coverage (sources, boots, gaps,
// warnings) and the error-level lines no finding explains. Build makes
// the one Report model every renderer (text, table, json, md, html)
// reads. The package never prints: renderers write to an io.Writer.
package timeline

import (
	"math/bits"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
)

// CollectorOptions bound what a Collector keeps.
type CollectorOptions struct {
	// Context is the number of lines kept before and after every event
	// that may become evidence (--context); 0 keeps none.
	Context int
	// Since and Until limit boots, gaps and error lines to the reported
	// range (zero: unbounded). Context lines are kept from every event.
	Since, Until time.Time
	// MaxTemplates bounds the distinct error templates; events of further
	// templates are only counted. 0: 500.
	MaxTemplates int
	// MaxContexts bounds the candidate events whose context is kept; later
	// candidates get none (a warning says so). 0: 4096.
	MaxContexts int
	// MaxBoots bounds the boots recorded. 0: 1000.
	MaxBoots int
	// Show, when set, limits the error lines to those it passes (the
	// journalctl-style selections: -u, -p, ...). Boots, gaps and context
	// are the sources', whatever it says.
	Show func(*event.Event) bool
}

// Collector watches the event stream beside the engine and keeps what the
// report needs that findings do not carry: boots, gaps, error templates
// and context lines. Memory is bounded by CollectorOptions.
//
// Protocol: for every event, OnMatch (when the engine says the event
// matched some signature event) comes first, then Observe, exactly once.
// Neither retains ev or its Fields: what is kept is cloned, or copied
// into the collector's own memory (the context ring). Not safe for
// concurrent use.
type Collector struct {
	opts CollectorOptions

	sources map[sourceKey]*sourceState
	order   []sourceKey // in first-seen order
	// lastKey and lastSrc are the source of the previous event: runs of
	// events share one, and comparing the key costs less than hashing it.
	lastKey sourceKey
	lastSrc *sourceState
	// plainSrc is the state of the source of key {plainPath, ""}, the
	// last one of a text source: source's test for it inlines.
	plainSrc  *sourceState
	plainPath string
	// ranged: Since or Until is set (most runs read the whole range).
	ranged bool

	lastBoot map[string]string // host -> boot id
	// seenHost and seenBoot are the host and boot ID boot last looked up:
	// consecutive events mostly share both, and skip the map.
	seenHost, seenBoot string
	boots              []Boot
	bootsCut           int

	groups    map[string]*ErrorGroup
	groupList []*ErrorGroup
	overflow  int
	// candErrs are error-level events that matched a signature event: they
	// count as unexplained only if no finding holds them as evidence.
	candErrs []candidate

	matched      *event.Event // set by OnMatch for the next Observe
	contexts     map[posKey]*Context
	contextsFull bool
	// textCut counts the context lines and error examples whose text
	// keepCopy cut.
	textCut int

	key []byte // scratch for template keys
	// recent are the last error texts grouped, with their groups: an
	// error repeated word for word (a crash loop's line) finds its group
	// without templating its text again. recentNext is the one to
	// replace next.
	recent     [recentErrors]recentError
	recentNext int
}

// recentErrors is how many recent error texts addError remembers, and
// maxRecentText the longest it copies (a template stops at
// maxTemplateLen bytes: a long text costs more to copy than to template).
const (
	recentErrors  = 4
	maxRecentText = 1024
)

// recentError is an error text addError grouped, copied (the event's
// memory is not kept), and its group.
type recentError struct {
	program, text []byte
	g             *ErrorGroup
}

type candidate struct {
	key string
	pos posKey
	ev  *event.Event
}

// maxCandidates bounds candErrs; beyond it, error-level candidates are
// counted as unexplained at once (they may be over-reported, never lost).
const maxCandidates = 4096

// maxGapCandidates bounds the silences kept per source (the longest win).
const maxGapCandidates = 64

// gapFloor is the shortest silence reported as a gap.
const gapFloor = time.Hour

// gapFactor: a silence is a gap when longer than this many times the
// source's typical spacing.
const gapFactor = 20

// posKey identifies an event by where it came from.
type posKey struct {
	path   string
	line   int64
	cursor string
}

func keyOf(ev *event.Event) posKey {
	return posKey{ev.Source.Path, ev.Source.Line, ev.Source.Cursor}
}

// sourceKey names the stream that context lines and gaps are taken
// from: a text source, or one host's entries of a journal source (a
// journal-remote directory holds many hosts' journals, and one host's
// neighbours are no context for another's evidence).
type sourceKey struct{ path, host string }

func keyOfSource(ev *event.Event) sourceKey {
	if ev.Source.Cursor != "" {
		return sourceKey{ev.Source.Path, ev.Host}
	}
	return sourceKey{path: ev.Source.Path}
}

type sourceState struct {
	path string
	host string
	last time.Time
	// lastNs is last in event.Nanos, kept not to compute it twice.
	lastNs int64
	// hist counts spacings by bit length of their nanoseconds: a bounded
	// estimator of the median spacing, exact to a factor of two.
	hist [65]int64
	n    int64
	gaps []Gap
	// ring holds the last Context events, the oldest at ring[head] once
	// full. An event is cloned only when it becomes a context line.
	ring  []ringSlot
	head  int
	after []*Context // contexts still collecting after-lines
}

// ringSlot is a copy of one event in a source's context ring. Its Fields
// and strings live in the slot's own buffers, reused by the slot's next
// event (event.CopyInto), so that the ring never allocates once its
// slots have grown and keeps nothing of ev, which the stream reuses.
type ringSlot struct {
	ev     event.Event
	fields []event.Field
	text   []byte
	// cl is ev's clone once one was made (an after-line, or a before-line
	// of an earlier context): every context shares it, as before.
	cl *event.Event
}

// clone returns the clone of the slot's event, made once.
func (r *ringSlot) clone() *event.Event {
	if r.cl == nil {
		r.cl = keepCopy(&r.ev, nil)
	}
	return r.cl
}

// keepCopy is the copy of ev the report keeps: its text cut to
// engine.MaxEvidenceText bytes like evidence lines, counted in *cut
// (when not nil) when it was.
func keepCopy(ev *event.Event, cut *int) *event.Event {
	c, n := ev.CloneCapped(engine.MaxEvidenceText)
	if n > 0 && cut != nil {
		*cut++
	}
	return c
}

// Context is the lines around one event of a source.
type Context struct {
	Before, After []*event.Event
	want          int
}

// Boot is the first event seen of a host's boot.
type Boot struct {
	Host, BootID string
	Time         time.Time
	Source       event.SourceRef
}

// Gap is a silence in one source (in one host's entries of a journal
// source) much longer than its usual spacing.
type Gap struct {
	Source   string
	Host     string
	From, To time.Time
	// Typical is the source's median spacing between events.
	Typical time.Duration
}

// ErrorGroup is error-level events sharing a template.
type ErrorGroup struct {
	Template    string
	Program     string
	Count       int
	First, Last time.Time
	// Example is the earliest event of the group.
	Example *event.Event

	key string // program NUL template
}

// NewCollector returns a Collector with opts' bounds.
func NewCollector(opts CollectorOptions) *Collector {
	if opts.MaxTemplates <= 0 {
		opts.MaxTemplates = 500
	}
	if opts.MaxContexts <= 0 {
		opts.MaxContexts = 4096
	}
	if opts.MaxBoots <= 0 {
		opts.MaxBoots = 1000
	}
	return &Collector{
		opts:     opts,
		ranged:   !opts.Since.IsZero() || !opts.Until.IsZero(),
		sources:  map[sourceKey]*sourceState{},
		lastBoot: map[string]string{},
		groups:   map[string]*ErrorGroup{},
		contexts: map[posKey]*Context{},
	}
}

// OnMatch marks ev as a candidate for evidence: its context is kept and,
// if it is error-level, it is unexplained only when no finding uses it.
// Pass it as engine.Options.OnMatch.
func (c *Collector) OnMatch(ev *event.Event) { c.matched = ev }

// Observe sees every event once, in stream order, after OnMatch.
func (c *Collector) Observe(ev *event.Event) {
	matched := c.matched == ev
	c.matched = nil
	var src *sourceState
	if c.opts.Context > 0 {
		src = c.source(ev)
		c.context(src, ev, matched)
	}
	if c.ranged && !c.inRange(ev.Time) {
		return
	}
	if src == nil {
		// A source is known from its first event in the range: its
		// place among the gaps does not hang on events before --since,
		// most of which the lookback's skimming drops (ingest.Skim).
		src = c.source(ev)
	}
	c.boot(ev)
	c.spacing(src, ev)
	if IsError(ev) && (c.opts.Show == nil || c.opts.Show(ev)) {
		if matched && len(c.candErrs) < maxCandidates {
			c.key = c.appendKey(c.key[:0], ev)
			c.candErrs = append(c.candErrs, candidate{key: string(c.key), pos: keyOf(ev), ev: keepCopy(ev, &c.textCut)})
		} else {
			c.addError(ev)
		}
	}
}

func (c *Collector) inRange(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	return (c.opts.Since.IsZero() || !t.Before(c.opts.Since)) && (c.opts.Until.IsZero() || !t.After(c.opts.Until))
}

// source returns the state of ev's source (keyOfSource). Runs of events
// share one: the test for the source of the event before inlines.
func (c *Collector) source(ev *event.Event) *sourceState {
	if s := c.plainSrc; s != nil && ev.Source.Cursor == "" && ev.Source.Path == c.plainPath {
		return s
	}
	return c.lookupSource(ev)
}

func (c *Collector) lookupSource(ev *event.Event) *sourceState {
	k := keyOfSource(ev)
	if c.lastSrc != nil && k == c.lastKey {
		return c.lastSrc
	}
	s := c.sources[k]
	if s == nil {
		s = &sourceState{path: ev.Source.Path, host: ev.Host}
		c.sources[k] = s
		c.order = append(c.order, k)
	}
	c.lastKey, c.lastSrc = k, s
	if k.host == "" {
		c.plainSrc, c.plainPath = s, k.path
	}
	return s
}

// context feeds ev to the contexts of src still collecting after-lines,
// opens a context for ev when it is a candidate, then remembers ev.
func (c *Collector) context(src *sourceState, ev *event.Event, matched bool) {
	var cl *event.Event // ev's clone, shared by every context that takes it
	if len(src.after) > 0 {
		cl = keepCopy(ev, &c.textCut)
		keep := src.after[:0]
		for _, x := range src.after {
			x.After = append(x.After, cl)
			if len(x.After) < x.want {
				keep = append(keep, x)
			}
		}
		clear(src.after[len(keep):])
		src.after = keep
	}
	if matched {
		k := keyOf(ev)
		if _, dup := c.contexts[k]; !dup {
			if len(c.contexts) < c.opts.MaxContexts {
				x := &Context{Before: src.before(), want: c.opts.Context}
				c.contexts[k] = x
				src.after = append(src.after, x)
			} else {
				c.contextsFull = true
			}
		}
	}
	src.remember(ev, cl, c.opts.Context)
}

// before returns clones of the events in src's ring, oldest first.
func (src *sourceState) before() []*event.Event {
	if len(src.ring) == 0 {
		return nil
	}
	out := make([]*event.Event, 0, len(src.ring))
	for i := range src.ring {
		out = append(out, src.ring[(src.head+i)%len(src.ring)].clone())
	}
	return out
}

// remember puts ev (and its clone cl, if made) into src's ring of n
// events, in place of the oldest once the ring is full.
func (src *sourceState) remember(ev, cl *event.Event, n int) {
	var r *ringSlot
	if len(src.ring) < n {
		if src.ring == nil {
			src.ring = make([]ringSlot, 0, n)
		}
		src.ring = append(src.ring, ringSlot{})
		r = &src.ring[len(src.ring)-1]
	} else {
		r = &src.ring[src.head]
		src.head = (src.head + 1) % n
	}
	r.fields, r.text = ev.CopyInto(&r.ev, r.fields, r.text)
	r.cl = cl
}

func (c *Collector) boot(ev *event.Event) {
	if ev.BootID == "" || ev.Host == c.seenHost && ev.BootID == c.seenBoot {
		return
	}
	c.seenHost, c.seenBoot = ev.Host, ev.BootID
	if c.lastBoot[ev.Host] == ev.BootID {
		return
	}
	c.lastBoot[ev.Host] = ev.BootID
	if len(c.boots) >= c.opts.MaxBoots {
		c.bootsCut++
		return
	}
	c.boots = append(c.boots, Boot{Host: ev.Host, BootID: ev.BootID, Time: ev.Time, Source: ev.Source})
}

// spacing records the time since the source's previous event and keeps
// silences long enough to be gaps whatever the typical spacing is.
func (c *Collector) spacing(src *sourceState, ev *event.Event) {
	if ev.Time.IsZero() {
		return
	}
	ns := event.Nanos(ev.Time)
	if src.last.IsZero() {
		src.last, src.lastNs = ev.Time, ns
		return
	}
	d := time.Duration(ns - src.lastNs) // Sub, without a call
	if d < 0 {
		// The clock went backwards (ingest warns); do not move last back,
		// or the next event would look like a gap.
		return
	}
	src.hist[bits.Len64(uint64(d))]++
	src.n++
	if d > gapFloor {
		src.gap(ev, d)
	}
	src.last, src.lastNs = ev.Time, ns
}

// gap keeps the silence of d before ev among src's longest.
func (src *sourceState) gap(ev *event.Event, d time.Duration) {
	g := Gap{Source: src.path, Host: ev.Host, From: src.last, To: ev.Time}
	if len(src.gaps) < maxGapCandidates {
		src.gaps = append(src.gaps, g)
	} else if i := shortestGap(src.gaps); src.gaps[i].To.Sub(src.gaps[i].From) < d {
		src.gaps[i] = g
	}
}

func shortestGap(gs []Gap) int {
	best := 0
	for i, g := range gs {
		if g.To.Sub(g.From) < gs[best].To.Sub(gs[best].From) {
			best = i
		}
	}
	return best
}

// median estimates the median spacing from the histogram: the middle of
// the bucket holding the median (bucket b holds [2^(b-1), 2^b) ns).
func (s *sourceState) median() time.Duration {
	if s.n == 0 {
		return 0
	}
	half := (s.n + 1) / 2
	var seen int64
	for b, k := range s.hist {
		seen += k
		if seen >= half {
			if b == 0 {
				return 0
			}
			lo := time.Duration(1) << (b - 1)
			return lo + lo/2
		}
	}
	return 0
}

// appendKey appends the group key of ev: program, NUL, template of its
// error text.
func (c *Collector) appendKey(dst []byte, ev *event.Event) []byte {
	return appendGroupKey(dst, ev.Program, ErrorText(ev.Message))
}

// appendGroupKey appends the group key of an error of program whose
// error text is text.
func appendGroupKey(dst []byte, program, text string) []byte {
	dst = append(dst, program...)
	dst = append(dst, 0)
	return AppendTemplate(dst, text)
}

func (c *Collector) addError(ev *event.Event) {
	text := ErrorText(ev.Message)
	for i := range c.recent {
		// (string(b) == s compares without allocating.)
		if r := &c.recent[i]; r.g != nil && string(r.text) == text && string(r.program) == ev.Program {
			r.g.add(ev, nil)
			return
		}
	}
	c.key = appendGroupKey(c.key[:0], ev.Program, text)
	// The map lookup with string(c.key) does not allocate.
	g, ok := c.groups[string(c.key)]
	switch {
	case ok:
		g.add(ev, nil)
	case len(c.groups) >= c.opts.MaxTemplates:
		// Past the cap, nothing is kept: no key or clone to allocate.
		c.overflow++
		return
	default:
		g = newGroup(string(c.key), keepCopy(ev, &c.textCut))
		c.groups[g.key] = g
		c.groupList = append(c.groupList, g)
	}
	if len(text) > maxRecentText {
		return // copying it would cost more than templating it
	}
	r := &c.recent[c.recentNext]
	c.recentNext = (c.recentNext + 1) % recentErrors
	r.program = append(r.program[:0], ev.Program...)
	r.text = append(r.text[:0], text...)
	r.g = g
}

// newGroup starts a group of one event; ev is kept.
func newGroup(key string, ev *event.Event) *ErrorGroup {
	i := 0
	for i < len(key) && key[i] != 0 {
		i++
	}
	return &ErrorGroup{Template: key[min(i+1, len(key)):], Program: ev.Program, Count: 1,
		First: ev.Time, Last: ev.Time, Example: ev, key: key}
}

// add counts ev into g; cl is ev's clone when the caller has one.
func (g *ErrorGroup) add(ev, cl *event.Event) {
	g.Count++
	if ev.Time.IsZero() {
		return
	}
	if g.First.IsZero() || ev.Time.Before(g.First) {
		g.First = ev.Time
		if cl == nil {
			cl = keepCopy(ev, nil)
		}
		g.Example = cl
	}
	if ev.Time.After(g.Last) {
		g.Last = ev.Time
	}
}

// unexplained returns the error groups once evidence is known, sorted by
// count (most first), then first time and template, and the number of
// events past the template cap. An error line is explained when it is
// evidence, or has the template of an evidence line: the same error
// repeated (dockerd's "transport is closing" once per namespace) is the
// same story.
func (c *Collector) unexplained(evidence map[posKey]bool, evidenceEvents []*event.Event) ([]*ErrorGroup, int) {
	// A key starts with its program: an evidence line of a program no
	// error line has explains none, and its text is not templated (on
	// the dense bench corpus, 15,230 of 26,818 evidence lines, sshd's).
	programs := map[string]bool{}
	for _, g := range c.groupList {
		programs[g.Program] = true
	}
	for _, cand := range c.candErrs {
		programs[cand.ev.Program] = true
	}
	explained := explainedKeys(programs, evidenceEvents, runtime.GOMAXPROCS(0))
	groups := make([]*ErrorGroup, 0, len(c.groupList))
	// Work on copies so that Build can be called more than once.
	for _, g := range c.groupList {
		if explained[g.key] {
			continue
		}
		cp := *g
		groups = append(groups, &cp)
	}
	byKey := make(map[string]*ErrorGroup, len(groups))
	for _, g := range groups {
		byKey[g.key] = g
	}
	overflow := c.overflow
	for _, cand := range c.candErrs {
		if evidence[cand.pos] || explained[cand.key] {
			continue
		}
		if g, ok := byKey[cand.key]; ok {
			g.add(cand.ev, cand.ev)
			continue
		}
		if len(byKey) >= c.opts.MaxTemplates {
			overflow++
			continue
		}
		g := newGroup(cand.key, cand.ev)
		byKey[cand.key] = g
		groups = append(groups, g)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.First.Equal(b.First) {
			return a.First.Before(b.First)
		}
		if a.Program != b.Program {
			return a.Program < b.Program
		}
		return a.Template < b.Template
	})
	return groups, overflow
}

// minParallelKeys is the number of evidence lines from which
// explainedKeys splits the work.
const minParallelKeys = 2048

// explainedKeys returns the group keys of the evidence lines of
// programs, on up to workers goroutines: templating a dense log's 11,000
// kernel evidence lines took half of Build, in the run's serial tail
// (issue 20). Each part keeps its own set (the lines of a signature
// share few templates), merged at the end.
func explainedKeys(programs map[string]bool, evidence []*event.Event, workers int) map[string]bool {
	parts := min(workers, len(evidence)/minParallelKeys)
	if parts < 2 {
		return addKeys(nil, programs, evidence)
	}
	sets := make([]map[string]bool, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			sets[p] = addKeys(nil, programs, evidence[p*len(evidence)/parts:(p+1)*len(evidence)/parts])
		})
	}
	wg.Wait()
	for _, set := range sets[1:] {
		for k := range set {
			sets[0][k] = true
		}
	}
	return sets[0]
}

// addKeys adds to set (nil: a new one) the group keys of the lines of
// evidence whose program is one of programs, and returns it.
func addKeys(set map[string]bool, programs map[string]bool, evidence []*event.Event) map[string]bool {
	if set == nil {
		set = map[string]bool{}
	}
	var key []byte
	for _, ev := range evidence {
		if programs[ev.Program] {
			key = appendGroupKey(key[:0], ev.Program, ErrorText(ev.Message))
			if !set[string(key)] { // (a lookup with string(key) does not allocate)
				set[string(key)] = true
			}
		}
	}
	return set
}

// bootList returns the boots seen, in time order per host.
func (c *Collector) bootList() ([]Boot, int) {
	out := append([]Boot(nil), c.boots...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out, c.bootsCut
}

// gapList returns the silences longer than max(1h, 20x the source's
// median spacing), by source (in first-seen order), then time.
func (c *Collector) gapList() []Gap {
	var out []Gap
	for _, k := range c.order {
		s := c.sources[k]
		typical := s.median()
		limit := max(gapFloor, gapFactor*typical)
		var gs []Gap
		for _, g := range s.gaps {
			if g.To.Sub(g.From) > limit {
				g.Typical = typical
				gs = append(gs, g)
			}
		}
		sort.Slice(gs, func(i, j int) bool { return gs[i].From.Before(gs[j].From) })
		out = append(out, gs...)
	}
	return out
}

// contextOf returns the context kept for the event at ev's position.
func (c *Collector) contextOf(ev *event.Event) *Context {
	if c == nil {
		return nil
	}
	return c.contexts[keyOf(ev)]
}
