package parse

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Anchor pins the year of year-less stamps in one source.
type Anchor struct {
	// Time is the instant the anchor refers to. Zero: no anchor.
	Time time.Time
	// End is true when Time is the end of the source (gzip header MTIME,
	// file mtime, a bundle's date): the last lines are near it. False when
	// it is the start (--year, a "Logs begin at" banner).
	End bool
	// Provenance names the anchor for people: "gzip header", "file mtime",
	// "--year", "bundle date".
	Provenance string
	// FirstYear, when set, is the year of the source's first year-less
	// line, worked out by the caller from the source's own lines (a full
	// date in a message, the last line's date against the file's mtime):
	// it replaces the guess from Time.
	FirstYear int
}

// AssemblerConfig configures an Assembler for one source.
type AssemblerConfig struct {
	Path     string
	Location *time.Location
	Anchor   Anchor
	Warnings *event.Warnings
	// OwnFields says the caller hands over each line's Fields backing
	// array and never reuses it: the Assembler keeps it as is instead of
	// copying the fields into a slab of its own.
	OwnFields bool

	// Command, when set, says the source is the output of this command
	// (a sosreport's sos_commands/docker/docker_info: "docker info"):
	// its lines are read as state (state.go) from the first line on.
	Command string
	// Options are what the source's lines were parsed with: a skimmed
	// line is parsed whole with them where more of it than its time
	// counts (skim.go). Nil: the caller skims no line.
	Options *Options

	// Snapshot is when the source's command outputs were taken (a
	// bundle's date, an archive member's time): the time of its state
	// events. Zero: they have none (event.TimeNone).
	Snapshot time.Time
	// Host is the host of state events that name none (a bundle's host
	// name); empty: that of the log line before them, if any.
	Host string
}

// Parsed is one line as ParseLine left it, with its 1-based line number.
type Parsed struct {
	Kind  Kind
	Line  int64
	Event event.Event
	// Deferred: the parser left the payload for CompletePayload
	// (Parser.DeferPayload). The Assembler completes an entry before it
	// joins a continuation line to it.
	Deferred bool
	// Raw is the line as read, indentation kept, without its terminator
	// (a slice of the block: no copy); empty when the caller does not
	// keep it, and Event.Message stands in. Command outputs read as
	// state need it (state.go).
	Raw string
	// Skim: the line was only skimmed (Parser.SkimLine, skim.go); Raw
	// is set.
	Skim bool
	// SkimRun is how many lines after this skimmed one, with the same
	// stamp, were skimmed into it (lines Line+1 to Line+SkimRun); Raw
	// spans them all. See Assembler.addRun.
	SkimRun int
}

// maxMessage bounds a message grown by continuation lines, so that an
// endless indented block cannot exhaust memory.
const maxMessage = 1 << 20

// fieldSlab is how many fields the Assembler allocates at a time. Events
// keep their slab alive; whatever is retained longer (evidence, context
// lines) is cloned.
const fieldSlab = 512

// Assembler turns the parsed lines of one source, in file order, into
// finished events: it joins continuation lines to their entry, infers
// years (anchor, Dec->Jan rollover), gives stamp-less lines the time of
// the line before them, and numbers boots. Not safe for concurrent use.
//
// Year inference works forward, so it can stream: the first year-less
// line takes the anchor's year (for an end anchor such as a gzip header,
// the year before when its month and day lie after the anchor's), and each
// later line whose month falls back by more than one month starts the next
// year (a one-month step back is tolerated: rsyslog writes "message
// repeated" lines late). A full date seen in the source (an RFC3339 line,
// a "Logs begin at" banner) re-anchors the year. A year-less file spanning
// more than twelve months cannot be placed by any rule and is not tried.
type Assembler struct {
	cfg AssemblerConfig

	pending    event.Event
	hasPending bool
	// held counts the entries held back so far (Holding).
	held uint64
	// pendingDeferred: pending's payload is still to be completed.
	pendingDeferred bool
	// fields is the slab events' Fields are copied into, so that events
	// with fields cost an allocation only every fieldSlab fields.
	fields []event.Field

	// year inference
	year       int        // year of the last year-less or dated line
	prevMonth  time.Month // month of that line; 0 before the first
	provenance string     // what set year: the anchor, or "full date in file"

	lastTime time.Time // for lines with no stamp of their own
	// dated is the last full date seen, not yet applied to year and
	// prevMonth (see reanchor).
	dated    time.Time
	highTime time.Time // the latest time so far (daylight saving's repeated hour)
	minute   minuteCache
	stamp    stampPlaced
	// noMinuteCache turns minuteCache and stamp off: the reference in
	// tests.
	noMinuteCache bool

	// blank: a blank line came after the open entry's last line.
	blank bool
	// joinWarned: the maxJoined warning was given.
	joinWarned bool
	// command is the command of the last prompt line, while in scope,
	// and commandHost the host its prompt named.
	command, commandHost string

	bootID         string
	boots          int
	entriesInBoot  int
	qualityCounts  [event.TimeNone + 1]int64
	rolloverWarned bool
	leapDayWarned  bool
	gapWarned      bool
	repeatWarned   bool
	rolloverAt     time.Time // Anchor.Time + rolloverSlack

	// Command outputs (state.go). stateOn: a block is open or may open
	// at any line, so every line goes to the state side.
	st      stateRun
	stateOn bool
}

// NewAssembler returns an Assembler for one source.
func NewAssembler(cfg AssemblerConfig) *Assembler {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Assembler{cfg: cfg, rolloverAt: cfg.Anchor.Time.Add(rolloverSlack), stateOn: cfg.Command != ""}
}

// rolloverSlack is how far an inferred time may lie after an end anchor
// before a warning says the year may be wrong.
const rolloverSlack = 48 * time.Hour

// ProvisionalYear is the year parsers should put in Options.Year for this
// source; the Assembler corrects it where the anchor or a rollover says so.
func (a *Assembler) ProvisionalYear() int {
	if !a.cfg.Anchor.Time.IsZero() {
		return a.cfg.Anchor.Time.In(a.cfg.Location).Year()
	}
	return time.Now().In(a.cfg.Location).Year()
}

// Add takes the next parsed line and appends to out the events it
// finished. An entry is held back until the next entry shows that no more
// continuation lines follow; call Flush at the end of the source.
// Add does not retain p, nor, unless OwnFields is set, anything
// p.Event.Fields points to.
func (a *Assembler) Add(out []event.Event, p *Parsed) []event.Event {
	return a.AddAll(out, unsafe.Slice(p, 1))
}

// AddAll is Add for each of ps in turn. Within one call an entry is
// built in its place in out, so each event is copied once, not through
// the held-back slot; only the last entry is held back.
//
// The continuation rule: a line joins the entry before it only when it
// cannot start an event itself (ParseLine said KindContinuation or
// KindText), and then
//   - an indented line (KindContinuation) joins whatever entry is open;
//     an apt history "Key: value" line joins only an apt history entry,
//     with no blank line between them (blocks are separated by one), and
//     is read as text otherwise;
//   - an unindented line (KindText) joins a command's output always,
//     and an entry with a header (syslog, journal, application formats)
//     unless a blank line came between them; it never joins a line of
//     plain text (each is an event) nor a term.log line (dpkg's console
//     output is a line per event);
//   - a line that joins nothing is an event of its own, of format text.
//
// A prompt line's command is in scope until the next prompt or the next
// line of text that stands on its own: the entries in scope carry it in
// field "command" (and the prompt's host when they name none), and the
// lines that join the prompt's event go to its field "output" instead of
// its message.
func (a *Assembler) AddAll(out []event.Event, ps []Parsed) []event.Event {
	cur := -1 // index in out of the entry still open in this call
	curDeferred := false
	peek := func() *event.Event {
		switch {
		case cur >= 0:
			return &out[cur]
		case a.hasPending:
			return &a.pending
		}
		return nil
	}
	open := func() *event.Event {
		if cur >= 0 {
			if curDeferred {
				CompletePayload(&out[cur])
				curDeferred = false
			}
			return &out[cur]
		}
		if a.hasPending {
			if a.pendingDeferred {
				CompletePayload(&a.pending)
				a.pendingDeferred = false
			}
			return &a.pending
		}
		return nil
	}
	for i := range ps {
		p := &ps[i]
		if p.Skim && p.SkimRun > 0 && (a.stateOn || a.command != "") {
			// (Line by line, each parsed whole below.)
			out = a.AddAll(out, p.runLines(0))
			cur, curDeferred = -1, false
			continue
		}
		if p.Skim && (a.stateOn || a.command != "") {
			// A command's scope gives its entries fields, and its
			// output is read as state: from the whole line.
			p.Unskim(a.cfg.Options)
		}
		if a.mayStartState(p) {
			var used bool
			if out, cur, curDeferred, used = a.stateLine(out, cur, curDeferred, p); used {
				continue
			}
		}
		switch p.Kind {
		case KindSkip:
			a.blank = true
			continue
		case KindBanner:
			if !p.Event.Time.IsZero() {
				a.reanchor(p.Event.Time, "journal banner")
			}
			continue
		case KindBoot:
			out, cur = a.Flush(out), -1
			a.newBoot(p.Event.BootID)
			continue
		case KindContinuation, KindText:
			if a.joins(peek(), p) {
				extend(open(), &p.Event)
				a.blank = false
				continue
			}
			a.standAlone(peek(), &p.Event)
		}
		a.blank = false
		if a.hasPending || a.st.r != nil {
			// (Most entries follow one of this call: nothing to flush,
			// and no call to Flush, which does not inline.)
			out = a.Flush(out)
		}
		out = append(out, p.Event)
		cur, curDeferred = len(out)-1, p.Deferred
		a.start(&out[cur], p.Line)
		if p.SkimRun > 0 && p.Skim && !a.addRun(&out[cur], p) {
			out = a.AddAll(out, p.runLines(1))
			cur, curDeferred = -1, false
		}
	}
	if cur >= 0 {
		a.pending, a.hasPending, a.pendingDeferred = out[cur], true, curDeferred
		a.held++
		out[cur] = event.Event{}
		out = out[:cur]
	}
	return out
}

// Holding says what the Assembler keeps of the lines it was given
// beyond the events it returned, for a caller that recycles the memory
// their strings point into (ingest's block copies): pending says an
// entry is held back, and held changes whenever an entry is held back
// or handed out; block says a command output block is open,
// whose lines it keeps until the block ends. Anything else it keeps
// across calls is its own copy.
func (a *Assembler) Holding() (pending bool, held uint64, block bool) {
	return a.hasPending, a.held, a.st.r != nil
}

// joins reports whether the line p, which cannot start an event, joins
// the open entry (nil: none); see AddAll. An apt history line that does
// not is turned into text.
func (a *Assembler) joins(open *event.Event, p *Parsed) bool {
	if p.Kind == KindContinuation && p.Event.Source.Format == FormatAptHistory &&
		(open == nil || open.Source.Format != FormatAptHistory || a.blank) {
		p.Kind = KindText
		p.Event.Fields = nil
		p.Event.Source.Format = FormatText
	}
	if p.Kind == KindText && open != nil && oldCatalogLine(open, &p.Event) {
		return true
	}
	if open != nil && a.joinedFull(open, p.Line) {
		return false
	}
	switch {
	case open == nil:
		return false
	case p.Kind == KindContinuation || open.Kind == event.KindCommand:
		return true
	case open.Source.Format == FormatText:
		return !a.blank && stackTraceLine(open.Message, p.Event.Message)
	case open.Source.Format == FormatAptTerm:
		return false
	}
	return !a.blank
}

// maxJoined bounds what continuation lines add to one event (its
// message, or a command's output): past it a line that would join stands
// as an event of its own, so that a long run of header-less lines (a
// paste of an application's output, a file that lost its stamps) costs
// neither quadratic copying nor lost lines.
const maxJoined = 256 << 10

// joinedFull reports, and warns once per source, that open has taken
// maxJoined bytes of continuation lines.
func (a *Assembler) joinedFull(open *event.Event, line int64) bool {
	n := len(open.Message)
	if open.Kind == event.KindCommand {
		out, _ := open.Field("output")
		n = len(out)
	}
	if n < maxJoined {
		return false
	}
	if !a.joinWarned && a.cfg.Warnings != nil {
		a.joinWarned = true
		a.cfg.Warnings.Addf(a.cfg.Path, line, "an event took %d KiB of continuation lines; the lines after it are events of their own", maxJoined>>10)
	}
	return true
}

// stackTraceLine reports whether line, unindented, goes on the stack
// trace that the text event msg has begun, as a program's uncaught
// exception prints it when nothing gave it a log header: line is a Java
// "Caused by: ..." or an exception line ("ValueError: ...",
// "java.io.IOException: ..."), and msg is a Python traceback with its
// frames or ends in a Java frame ("\tat ...", "at ..." once its
// indentation is dropped, "... 2 more").
func stackTraceLine(msg, line string) bool {
	nl := strings.LastIndexByte(msg, '\n')
	if nl < 0 || !(strings.HasPrefix(line, "Caused by: ") || exceptionHead(line)) {
		return false
	}
	if strings.HasPrefix(msg, "Traceback (most recent call last):") {
		return true
	}
	last := strings.TrimLeft(msg[nl+1:], " \t")
	return strings.HasPrefix(last, "at ") || strings.HasPrefix(last, "... ")
}

// oldCatalogLine turns a line of text into a -x catalog line (field
// "catalog") when it has the "-- " prefix journalctl gave catalog lines
// before v246 and follows a syslog or journal entry: a journalctl -xe
// paste in a file sniffed as something else (ParseLine reads such lines
// by their key alone, "-- Subject: ...", or with a journal hint).
func oldCatalogLine(open, ev *event.Event) bool {
	m := ev.Message
	if len(m) < 2 || m[0] != '-' || m[1] != '-' || (len(m) > 2 && m[2] != ' ') {
		return false
	}
	switch Family(open.Source.Format) {
	case "syslog", "journal":
	default:
		return false
	}
	text := ""
	if len(m) > 3 {
		text = m[3:]
	}
	ev.Message = ""
	ev.Fields = append(ev.Fields[:0:0], event.Field{Key: "catalog", Value: text})
	return true
}

// standAlone makes a line that joins nothing an event of its own: a
// line of text, which ends the scope of a command, or of dpkg's console
// output when it follows a term.log line.
func (a *Assembler) standAlone(open *event.Event, ev *event.Event) {
	ev.Kind = event.KindLog
	if open != nil && open.Source.Format == FormatAptTerm {
		ev.Program, ev.Source.Format = "dpkg", FormatAptTerm
		ev.Screen, ev.ErrorLevel = nil, event.VerdictNone
		return
	}
	a.command = ""
}

// start finishes the fields, time and boot of a new entry.
func (a *Assembler) start(ev *event.Event, line int64) {
	if n := len(ev.Fields); n > 0 && a.cfg.OwnFields {
		ev.Fields = ev.Fields[:n:n]
	} else if n > 0 {
		if len(a.fields)+n > cap(a.fields) {
			a.fields = make([]event.Field, 0, max(fieldSlab, n))
		}
		i := len(a.fields)
		a.fields = append(a.fields, ev.Fields...)
		// Capped, so that appending to one event's fields (a
		// continuation line, SetField) cannot reach the next event's.
		ev.Fields = a.fields[i:len(a.fields):len(a.fields)]
	} else {
		ev.Fields = nil
	}
	ev.Source.Line = line
	switch {
	case ev.Kind == event.KindCommand:
		// (Copies: they outlive the block of lines they came from.)
		a.command, a.commandHost = strings.Clone(ev.Message), strings.Clone(ev.Host)
	case a.command != "":
		if _, ok := ev.Field("command"); !ok {
			ev.Fields = append(ev.Fields, event.Field{Key: "command", Value: a.command})
			ev.Screen, ev.ErrorLevel = nil, event.VerdictNone
		}
		if ev.Host == "" && a.commandHost != "" {
			ev.Host = a.commandHost // a command's output is from the prompt's host
			ev.Screen, ev.ErrorLevel = nil, event.VerdictNone
		}
	}
	a.fixTime(ev)
	if ev.Program == "kernel" && strings.HasPrefix(ev.Message, "Linux version ") && a.entriesInBoot > 0 {
		a.newBoot("")
	}
	if ev.BootID == "" {
		ev.BootID = a.bootID
	}
	a.entriesInBoot++
	a.qualityCounts[ev.TimeQuality]++
}

// Flush appends the held-back entry, if any, and closes an open block of
// command output.
func (a *Assembler) Flush(out []event.Event) []event.Event {
	if a.st.r != nil {
		out = a.closeState(out)
	}
	return a.flushPending(out)
}

// flushPending appends the held-back entry, if any.
func (a *Assembler) flushPending(out []event.Event) []event.Event {
	if a.hasPending {
		out = append(out, a.pending)
		a.pending = event.Event{}
		a.hasPending, a.pendingDeferred = false, false
		a.held++
	}
	return out
}

// TimeQuality summarizes how the source's times were read, for coverage:
// the weakest quality most of its events have, with the anchor behind an
// inferred year, e.g. "year_inferred from gzip header".
func (a *Assembler) TimeQuality() string {
	c := a.qualityCounts
	q := "unknown"
	switch {
	case c[event.TimeYearInferred] > 0:
		q = "year_inferred from " + a.provenanceOrDefault()
	case c[event.TimeZoneAssumed] > 0:
		q = "zone_assumed (" + a.cfg.Location.String() + ")"
	case c[event.TimeExact] > 0:
		q = "exact"
	case c[event.TimeInherited] > 0:
		q = "inherited"
	case c[event.TimeNone] > 0:
		return "none"
	}
	if n := c[event.TimeNone]; n > 0 {
		// A paste: some lines had their stamps cut.
		q += ", " + strconv.FormatInt(n, 10) + " without a time"
	}
	return q
}

func (a *Assembler) provenanceOrDefault() string {
	if a.provenance != "" {
		return a.provenance
	}
	if a.cfg.Anchor.Provenance != "" {
		return a.cfg.Anchor.Provenance
	}
	return "current year"
}

func (a *Assembler) newBoot(id string) {
	a.boots++
	if id == "" {
		id = strconv.Itoa(a.boots)
	}
	a.bootID = strings.Clone(id) // it outlives the line
	a.entriesInBoot = 0
}

// extend appends a continuation line to the entry ev: to its message,
// or for a command to its field "output", as written.
func extend(ev, c *event.Event) {
	ev.Screen, ev.ErrorLevel = nil, event.VerdictNone // judged without this line
	if ev.Kind == event.KindCommand {
		if old, ok := ev.Field("output"); !ok {
			ev.Fields = append(ev.Fields, event.Field{Key: "output", Value: c.Message})
		} else if len(old) < maxMessage {
			ev.SetField("output", old+"\n"+c.Message)
		}
		return
	}
	if m := continuationText(c.Message); m != "" && len(ev.Message) < maxMessage {
		ev.Message += "\n" + m
	}
	for _, f := range c.Fields {
		if old, ok := ev.Field(f.Key); ok {
			if len(old) < maxMessage {
				ev.SetField(f.Key, old+"\n"+f.Value)
			}
			continue
		}
		ev.Fields = append(ev.Fields, f)
	}
}

// continuationText is what an indented line adds to a message: the line
// as written, but for a leading run of two or more spaces (journalctl
// indents continuation lines to the width of its prefix, and pastes
// indent whole blocks). A tab or a single space is the writer's own and
// stays: "\tThose messages ..." under an ASL notice.
func continuationText(m string) string {
	n := 0
	for n < len(m) && m[n] == ' ' {
		n++
	}
	if n >= 2 {
		return m[n:]
	}
	return m
}

// fixTime infers the year of year-less stamps and gives stamp-less lines
// the time of the line before them.
func (a *Assembler) fixTime(ev *event.Event) {
	if ev.TimeQuality == event.TimeYearInferred && a.stamp.ok && ev.Time == a.stamp.raw {
		// The stamp of the entry before (most lines): placed where it was.
		ev.Time = a.stamp.placed
		return
	}
	switch ev.TimeQuality {
	case event.TimeUnknown:
		if !a.lastTime.IsZero() {
			ev.Time = a.lastTime
			ev.TimeQuality = event.TimeInherited
			return
		}
		ev.TimeQuality = event.TimeNone
		return
	case event.TimeInherited, event.TimeNone:
		// (A line whose stamp was cut, a command: no time, and none
		// borrowed from a neighbour of another section of a paste.)
		return
	case event.TimeYearInferred:
		a.stamp.ok = false
		raw := ev.Time
		gap := inGap(raw)
		a.inferYear(ev)
		if gap {
			a.minute = minuteCache{} // its reading moves: never a base for others
			a.placeGap(ev)
		} else if !ev.Time.IsZero() && !ev.Time.Before(a.highTime) && !a.noMinuteCache {
			// Not behind the latest time: repeatedHour leaves it, and
			// the next line of this stamp is placed the same (stampPlaced).
			a.stamp = stampPlaced{raw: raw, placed: ev.Time, ok: true}
		} else {
			a.repeatedHour(ev)
		}
	default:
		a.stamp.ok = false
		if ev.TimeQuality == event.TimeZoneAssumed {
			if inGap(ev.Time) {
				a.placeGap(ev)
			} else {
				a.repeatedHour(ev)
			}
		}
		if !ev.Time.IsZero() {
			a.reanchor(ev.Time, "full date in file")
		}
	}
	if !ev.Time.IsZero() {
		a.lastTime = ev.Time
		if ev.Time.After(a.highTime) {
			a.highTime = ev.Time
		}
	}
}

// repeatedHour reads a zone-less wall clock that occurs twice (the hour
// repeated when daylight saving time ends) as its second occurrence when
// the source has already passed the change, or when the first reading
// puts the line behind the latest time so far and the second is nearer to
// it: a log written in local time runs 01:59 EDT, 01:00 EST, ..., and
// time.Date always picks the first reading. A line only a little behind
// (written late) keeps the first.
func (a *Assembler) repeatedHour(ev *event.Event) {
	t, high := ev.Time, a.highTime
	if t.IsZero() || high.IsZero() || !t.Before(high) {
		return
	}
	local := t.In(a.cfg.Location)
	_, off := local.Zone()
	_, end := local.ZoneBounds()
	if end.IsZero() {
		return
	}
	_, next := end.Zone()
	if next >= off {
		return // no clock set back after this reading
	}
	later := t.Add(time.Duration(off-next) * time.Second)
	lw := later.In(a.cfg.Location)
	if later.Before(end) || lw.Hour() != local.Hour() || lw.Minute() != local.Minute() || lw.Second() != local.Second() {
		return // the wall clock occurs once
	}
	if high.Before(end) && later.Sub(high) >= high.Sub(t) {
		return // written late in the first pass
	}
	ev.Time = later
	if !a.repeatWarned && a.cfg.Warnings != nil {
		a.repeatWarned = true
		a.cfg.Warnings.Addf(a.cfg.Path, ev.Source.Line, "%s on %s occurs twice in %s (the clock goes back from %s to %s): read as the second, %s, after the lines before it; so are this source's later such lines",
			local.Format("15:04:05"), local.Format("2006-01-02"), a.cfg.Location, end.UTC().Add(time.Duration(off)*time.Second).Format("15:04"),
			end.In(a.cfg.Location).Format("15:04"), later.In(a.cfg.Location).Format("15:04:05 MST"))
	}
}

// placeGap places a zone-less stamp whose wall clock the source's zone
// skips (localTime marked it): a clock that moves forward from 02:00 to
// 03:00 never reads 02:30. Read with either offset it lands an hour
// away from its neighbours and out of order (time.Date picks one), so it
// is placed at the change, or, when the lines before it are already
// past the change, beside the latest of them, but never after the
// reading with the offset before the change; one warning per source.
func (a *Assembler) placeGap(ev *event.Event) {
	loc := a.cfg.Location
	t := ev.Time.In(loc)
	start, end := t.ZoneBounds()
	_, off := t.Zone()
	var change time.Time
	var before, after int
	if !end.IsZero() {
		if _, next := end.Zone(); next > off { // t reads before the change
			change, before, after = end, off, next
		}
	}
	if change.IsZero() && !start.IsZero() {
		if _, prev := start.Add(-time.Second).Zone(); prev < off { // after it
			change, before, after = start, prev, off
		}
	}
	if change.IsZero() {
		ev.Time = t // no forward change next to it: keep time.Date's reading
		return
	}
	// The stamp's wall clock, as UTC fields, and its reading with the
	// offset in force before the change (after it).
	var wall time.Time
	if t.Before(change) {
		wall = t.UTC().Add(time.Duration(after) * time.Second)
	} else {
		wall = t.UTC().Add(time.Duration(before) * time.Second)
	}
	late := wall.Add(-time.Duration(before) * time.Second)
	placed := change
	if high := a.highTime; high.After(change) {
		placed = high
		if high.After(late) {
			placed = late
		}
	}
	ev.Time = placed.In(loc)
	if a.gapWarned || a.cfg.Warnings == nil {
		return
	}
	a.gapWarned = true
	a.cfg.Warnings.Addf(a.cfg.Path, ev.Source.Line, "%s on %s does not exist in %s (the clock skips from %s to %s): placed at %s, between its neighbours; so are this source's later such lines",
		wall.Format("15:04:05"), wall.Format("2006-01-02"), loc, change.UTC().Add(time.Duration(before)*time.Second).Format("15:04"),
		change.In(loc).Format("15:04"), ev.Time.Format("15:04:05 MST"))
}

// reanchor records a full date seen in the source: later year-less lines
// continue from it.
func (a *Assembler) reanchor(t time.Time, provenance string) {
	// Only year-less lines need the year and month of the last full
	// date: work them out when one comes (inferYear), not on every dated
	// line of an RFC3339 file.
	a.dated = t
	a.stamp.ok = false
	if a.provenance == "" {
		a.provenance = provenance
	}
}

func (a *Assembler) inferYear(ev *event.Event) {
	loc := a.cfg.Location
	if !a.dated.IsZero() {
		a.year, a.prevMonth, _ = a.dated.In(loc).Date()
		a.dated = time.Time{}
	}
	if !a.sameMinute(ev) {
		t := ev.Time.In(loc)
		m := t.Month()
		if a.prevMonth == 0 {
			a.year = a.firstYear(t)
		} else if m+1 < a.prevMonth {
			a.year++
		}
		a.prevMonth = m
		raw := ev.Time
		a.minute = minuteCache{}
		if m == time.February && t.Day() == 29 && daysIn(m, a.year) == 28 {
			a.noLeapDay(ev)
			goto placed // not cached: the next line of the minute lands here too
		}
		if t.Year() != a.year {
			ev.Time = time.Date(a.year, m, t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		}
		_, off := ev.Time.Zone()
		if _, rawOff := raw.Zone(); off%60 == 0 && rawOff%60 == 0 && !a.noMinuteCache {
			// (Offsets of whole minutes: every zone since 1972.)
			r := raw.Truncate(time.Minute)
			a.minute = minuteCache{raw: r, rawUnix: r.Unix(), placed: ev.Time.Add(r.Sub(raw)), year: a.year}
		}
	}
placed:
	anchor := a.cfg.Anchor
	if anchor.End && !anchor.Time.IsZero() && !a.rolloverWarned && ev.Time.After(a.rolloverAt) {
		a.rolloverWarned = true
		if a.cfg.Warnings != nil {
			a.cfg.Warnings.Addf(a.cfg.Path, ev.Source.Line, "inferred time %s lies after the %s (%s); the year may be wrong: set --year",
				ev.Time.Format(time.RFC3339), anchor.Provenance, anchor.Time.In(loc).Format(time.RFC3339))
		}
	}
}

// noLeapDay places a "Feb 29" stamp whose inferred year has no such day
// (time.Date would make it Mar 1, after the lines of Mar 1 that follow
// it): at the last second of Feb 28, which keeps the source in order
// between its neighbours, with one warning per source.
func (a *Assembler) noLeapDay(ev *event.Event) {
	loc := a.cfg.Location
	ev.Time = time.Date(a.year, time.February, 28, 23, 59, 59, 0, loc)
	if a.leapDayWarned || a.cfg.Warnings == nil {
		return
	}
	a.leapDayWarned = true
	a.cfg.Warnings.Addf(a.cfg.Path, ev.Source.Line, "Feb 29 does not exist in %d (year inferred from %s): its lines are placed at %s, the end of Feb 28; set --year",
		a.year, a.provenanceOrDefault(), ev.Time.Format(time.RFC3339))
}

// minuteCache remembers where the last year-less line's minute was
// placed. Lines of one minute share month and year, and zone offsets
// change only at whole minutes, so a line of the same minute moves by
// the same amount as that line did: no calendar arithmetic per line.
type minuteCache struct {
	raw     time.Time // the parser's reading, truncated to the minute
	rawUnix int64     // raw.Unix()
	placed  time.Time // where that instant went
	year    int       // the year it was placed in
}

// stampPlaced is where fixTime placed the last year-less entry, when
// its placing changed nothing another line of the same stamp would
// read: the year was known, the time was not in a gap nor behind the
// latest time, and nothing placed an entry since. Another entry of the
// parser's reading raw then goes to placed, and leaves the Assembler as
// it was: a log writes some twenty lines of one second.
type stampPlaced struct {
	raw, placed time.Time
	ok          bool
}

// sameMinute places ev when the last year-less line was of the same
// minute and nothing has moved the year since.
func (a *Assembler) sameMinute(ev *event.Event) bool {
	c := &a.minute
	if c.raw.IsZero() || c.year != a.year || a.prevMonth == 0 {
		return false
	}
	// Seconds and nanoseconds: cheaper than Time.Sub, which guards
	// against overflow (c.raw is a whole minute: no nanoseconds).
	sec := ev.Time.Unix() - c.rawUnix
	if sec < 0 || sec >= 60 {
		return false
	}
	ev.Time = c.placed.Add(time.Duration(sec)*time.Second + time.Duration(ev.Time.Nanosecond()))
	return true
}

// firstYear places the first year-less line of the source.
func (a *Assembler) firstYear(t time.Time) int {
	anchor := a.cfg.Anchor
	if anchor.Time.IsZero() {
		a.provenance = "current year"
		return time.Now().In(a.cfg.Location).Year()
	}
	a.provenance = anchor.Provenance
	return anchor.YearOfFirst(t.Month(), t.Day(), a.cfg.Location)
}

// YearOfFirst is the year an Assembler with this anchor gives the
// source's first year-less line, dated month and day: FirstYear when
// set, else the anchor's year in loc, or for an end anchor the year
// before when the date lies more than a day after the anchor's. 0
// without an anchor (the Assembler then takes the current year).
// A --since seek that starts reading mid-file places lines with it.
func (an Anchor) YearOfFirst(month time.Month, day int, loc *time.Location) int {
	if an.Time.IsZero() {
		return 0
	}
	if an.FirstYear != 0 {
		return an.FirstYear
	}
	at := an.Time.In(loc)
	y := at.Year()
	if an.End {
		// The line lies before the anchor: if its month and day come
		// after the anchor's (allowing a day of clock skew), it is from
		// the year before.
		lineDay := time.Date(y, month, day, 0, 0, 0, 0, time.UTC)
		anchorDay := time.Date(y, at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		if lineDay.After(anchorDay.AddDate(0, 0, 1)) {
			y--
		}
	}
	return y
}

// exceptionHead reports a line that starts with an exception's class
// name, a word ending in "Exception" or "Error" followed by ": " or the
// end: "ValueError: invalid literal", "java.io.IOException: No space left
// on device", "java.util.ConcurrentModificationException".
func exceptionHead(s string) bool {
	i := 0
	for i < len(s) && i < 256 && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '_' || s[i] == '$') {
		i++
	}
	if i < len(s) && (s[i] != ':' || i+1 < len(s) && s[i+1] != ' ') {
		return false
	}
	w := s[:i]
	return strings.HasSuffix(w, "Exception") && len(w) > len("Exception") ||
		strings.HasSuffix(w, "Error") && len(w) > len("Error")
}
