package parse

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Command outputs read as state (DESIGN §9): `systemctl status`, `docker
// info`, `ip route`, ... are snapshots, not logs. Their lines are parsed
// one at a time in the workers like any other (most fall through to
// plain text), and the Assembler, which sees them in file order, hands
// them to a stateReader: a block that starts at a distinctive first line
// (`● docker.service - ...`, `Client:`, `Kernel IP routing table`), at
// the line after a pasted prompt naming the command (`$ docker info`, an
// event.KindCommand event), or, for a file known to hold one command's
// output (a sosreport's sos_commands/docker/docker_info), at every line
// (AssemblerConfig.Command). The block's lines become state events
// (event.KindState, with fields); lines the command embeds that are log
// lines (the journal tail of `systemctl status`) stay events of their
// own. A block that turns out not to be the command's output (too little
// of it was recognized) is read again as ordinary lines: nothing is lost.
//
// Ordinary log lines pay one test of the line kind and format
// (mayStartState); only text lines and continuation lines are looked at.

// Formats of state events (event.SourceRef.Format); their Family is
// "state".
const (
	FormatSystemctlStatus = "systemctl-status"
	FormatDockerInfo      = "docker-info"
	FormatDockerVersion   = "docker-version"
	FormatIPRoute         = "ip-route"
	FormatRouteN          = "route-n"
	FormatIPAddr          = "ip-addr"
	FormatSnapList        = "snap-list"
	FormatSnapChanges     = "snap-changes"
	FormatDpkgList        = "dpkg-l"
	FormatAptList         = "apt-list"
	FormatTimedatectl     = "timedatectl"
	FormatDate            = "date"
)

// IsStateFormat reports whether format is one of the command outputs read
// as state.
func IsStateFormat(format string) bool {
	switch format {
	case FormatSystemctlStatus, FormatDockerInfo, FormatDockerVersion, FormatIPRoute, FormatRouteN,
		FormatIPAddr, FormatSnapList, FormatSnapChanges, FormatDpkgList, FormatAptList,
		FormatTimedatectl, FormatDate:
		return true
	}
	return false
}

// stateReader reads one command's output, a line at a time.
type stateReader interface {
	// add offers the next line: raw keeps its indentation (no line
	// terminator); gap says blank lines came before it; p is the line as
	// the workers parsed it. It returns false when the line is not part
	// of the output: the block ends before it.
	add(raw string, gap bool, p *Parsed) bool
	// finish appends the state events read; ok is false when too little
	// was recognized to be sure the lines were this command's output.
	// Events without a Source.Line get the block's first line.
	finish(out []event.Event) (_ []event.Event, ok bool)
}

// rows is the side of a reader that makes a state event per row of a
// table (a route, a package): finish hands them on when there is one.
// (A row per line: the Assembler's maxStateLines bounds them.)
type rows struct {
	evs []event.Event
}

func (r *rows) finish(out []event.Event) ([]event.Event, bool) {
	return append(out, r.evs...), len(r.evs) > 0
}

// maxStateLines bounds one block: past it the block is closed and the
// next line starts over (a forced command source reopens at once).
const maxStateLines = 20000

// stateRun is the Assembler's state-block side.
type stateRun struct {
	r     stateReader
	first int64 // line of the block's first line
	last  int64 // line of the last line it took
	// buf holds the lines the block took, to read them again as ordinary
	// lines when it is abandoned.
	buf []Parsed
	// next opens on the next line: a pasted prompt named its command.
	next func() stateReader
	// replaying: the lines of an abandoned block are being read again.
	replaying bool
	events    []event.Event // finish's scratch
	// host is that of the last log entry before a block or a prompt: a
	// pasted command output was most likely taken on the host whose
	// lines come before it.
	host string
}

// noteHost remembers the host of the entry open before a block or a
// prompt line, when it names one.
func (st *stateRun) noteHost(out []event.Event, cur int, a *Assembler) {
	var e *event.Event
	switch {
	case cur >= 0:
		e = &out[cur]
	case a.hasPending:
		e = &a.pending
	}
	if e != nil && e.Host != "" {
		st.host = strings.Clone(e.Host) // it outlives the line
	}
}

// mayStartState is the cheap test on every line: a state block is open or
// may open here. Log lines of a known format fail it at the first
// comparisons.
func (a *Assembler) mayStartState(p *Parsed) bool {
	return a.stateOn || p.Kind != KindEntry || p.Event.Kind != event.KindLog || p.Event.Source.Format == FormatText
}

// stateLine offers p to the state side. used says p was taken by a block
// (the caller skips it); otherwise the caller handles p as usual. cur and
// curDeferred are AddAll's open entry, which moves to the held-back slot
// when a block opens after it.
func (a *Assembler) stateLine(out []event.Event, cur int, curDeferred bool, p *Parsed) (_ []event.Event, _ int, _ bool, used bool) {
	st := &a.st
	if st.replaying {
		return out, cur, curDeferred, false
	}
	raw := p.Raw
	if raw == "" {
		raw = p.Event.Message
	}
	raw = strings.TrimSuffix(raw, "\r")
	if st.r != nil {
		gap := p.Line > st.last+1
		if len(st.buf) < maxStateLines && st.r.add(raw, gap, p) {
			st.keep(p, a.cfg.OwnFields)
			return out, cur, curDeferred, true
		}
		// (No entry is open beside a block: opening one held it back.)
		out = a.closeState(out)
	}
	if p.Event.Kind == event.KindCommand {
		st.noteHost(out, cur, a)
		st.next = readerForCommand(p.Event.Message)
		a.updateStateOn()
		return out, cur, curDeferred, false
	}
	if p.Kind != KindEntry && p.Kind != KindContinuation && p.Kind != KindText {
		st.next = nil
		a.updateStateOn()
		return out, cur, curDeferred, false
	}
	var r stateReader
	switch {
	case st.next != nil:
		r = a.located(st.next())
		st.next = nil
	case a.cfg.Command != "":
		if open := readerForCommand(a.cfg.Command); open != nil {
			r = a.located(open())
		}
	}
	if r == nil || !r.add(raw, false, p) {
		r = a.located(detectState(raw))
		if r == nil || !r.add(raw, false, p) {
			a.updateStateOn()
			return out, cur, curDeferred, false
		}
	}
	st.noteHost(out, cur, a)
	if cur >= 0 {
		// The entry before the block is complete unless the block is
		// abandoned: hold it back, as at the end of AddAll.
		a.pending, a.hasPending, a.pendingDeferred = out[cur], true, curDeferred
		a.held++
		out[cur] = event.Event{}
		out, cur, curDeferred = out[:cur], -1, false
	}
	st.r, st.first, st.buf = r, p.Line, st.buf[:0]
	st.keep(p, a.cfg.OwnFields)
	a.stateOn = true
	return out, cur, curDeferred, true
}

// locatedReader is a reader that reads zone-less times in the source's
// zone.
type locatedReader interface {
	setLocation(*time.Location)
}

func (a *Assembler) located(r stateReader) stateReader {
	if l, ok := r.(locatedReader); ok {
		l.setLocation(a.cfg.Location)
	}
	return r
}

func (a *Assembler) updateStateOn() {
	a.stateOn = a.st.r != nil || a.st.next != nil || a.cfg.Command != ""
}

// keep records a line the block took.
func (st *stateRun) keep(p *Parsed, ownFields bool) {
	st.last = p.Line
	st.buf = append(st.buf, *p)
	if !ownFields && len(p.Event.Fields) > 0 {
		// Add does not retain what the caller's fields point to.
		st.buf[len(st.buf)-1].Event.Fields = slices.Clone(p.Event.Fields)
	}
}

// closeState ends the open block: its state events follow the held-back
// entry, or, when the block was not the command's output after all, its
// lines are read again as ordinary lines.
func (a *Assembler) closeState(out []event.Event) []event.Event {
	st := &a.st
	r := st.r
	st.r = nil
	a.updateStateOn()
	evs, ok := r.finish(st.events[:0])
	if !ok {
		buf := st.buf
		st.buf = nil
		st.replaying = true
		out = a.AddAll(out, buf)
		st.replaying = false
		clear(evs)
		st.events = evs[:0]
		return out
	}
	host := a.cfg.Host
	if host == "" {
		host = st.host // a paste: the log lines before it
	}
	out = a.flushPending(out)
	for i := range evs {
		ev := &evs[i]
		a.finishState(ev, host)
		out = append(out, *ev)
	}
	clear(evs)
	st.events = evs[:0]
	clear(st.buf)
	st.buf = st.buf[:0]
	return out
}

// finishState fills what every state event gets from its source.
func (a *Assembler) finishState(ev *event.Event, host string) {
	ev.Kind = event.KindState
	ev.Source.Path = a.cfg.Path
	if ev.Source.Line == 0 {
		ev.Source.Line = a.st.first
	}
	if ev.Priority == 0 && ev.Fields == nil {
		ev.Priority = event.NoPriority
	}
	if ev.Time.IsZero() {
		if s := a.cfg.Snapshot; !s.IsZero() {
			ev.Time, ev.TimeQuality = s, event.TimeExact
		} else {
			ev.TimeQuality = event.TimeNone
		}
	}
	if ev.Host == "" {
		ev.Host = host
	}
	if ev.BootID == "" {
		ev.BootID = a.bootID
	}
	a.qualityCounts[ev.TimeQuality]++
}

// newStateEvent starts a state event of a command: program, format, the
// "command" field.
func newStateEvent(program, command, format string, line int64) event.Event {
	return event.Event{
		Program:  program,
		Priority: event.NoPriority,
		Fields:   []event.Field{{Key: "command", Value: command}},
		Source:   event.SourceRef{Format: format, Line: line},
	}
}

// readerForCommand maps a command line, as pasted after a prompt or named
// by a file (sudo, a pipe into less or head, options in any order), to
// the reader of its output; nil when it names none.
func readerForCommand(cmd string) func() stateReader {
	f := strings.Fields(cmd)
	for len(f) > 0 && (f[0] == "sudo" || f[0] == "command" || strings.HasPrefix(f[0], "LC_ALL=") || strings.HasPrefix(f[0], "LANG=")) {
		f = f[1:]
	}
	if i := slices.Index(f, "|"); i >= 0 {
		f = f[:i]
	}
	if len(f) == 0 {
		return nil
	}
	prog := f[0]
	if i := strings.LastIndexByte(prog, '/'); i >= 0 {
		prog = prog[i+1:]
	}
	args := f[1:]
	sub := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			sub = a
			break
		}
	}
	switch prog {
	case "systemctl":
		if sub == "status" {
			return func() stateReader { return &systemctlReader{} }
		}
	case "docker":
		switch sub {
		case "info", "version":
			return func() stateReader { return &dockerReader{command: "docker " + sub} }
		case "system":
			if slices.Contains(args, "info") {
				return func() stateReader { return &dockerReader{command: "docker info"} }
			}
		}
	case "ip":
		obj := ""
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				obj = a
				break
			}
		}
		switch {
		case obj == "r" || obj == "ro" || strings.HasPrefix(obj, "rou"):
			return func() stateReader { return &routeReader{} }
		case obj == "a" || strings.HasPrefix(obj, "ad"):
			return func() stateReader { return &addrReader{} }
		}
	case "route":
		return func() stateReader { return &routeNReader{} }
	case "dpkg":
		for _, a := range args {
			if a == "-l" || a == "--list" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "l")) {
				return func() stateReader { return &dpkgListReader{} }
			}
		}
	case "dpkg-query":
		if slices.Contains(args, "-l") || slices.Contains(args, "--list") {
			return func() stateReader { return &dpkgListReader{} }
		}
	case "apt":
		if sub == "list" {
			return func() stateReader { return &aptListReader{} }
		}
	case "snap":
		switch sub {
		case "list":
			return func() stateReader { return &snapReader{command: "snap list"} }
		case "changes":
			return func() stateReader { return &snapReader{command: "snap changes"} }
		}
	case "timedatectl":
		if sub == "" || sub == "status" {
			return func() stateReader { return &timedatectlReader{} }
		}
	case "date":
		return func() stateReader { return &dateReader{} }
	}
	return nil
}

// detectState recognizes the first line of a command output pasted
// without its prompt; nil for any other line. It looks at the first byte
// before anything else: most lines fail there.
func detectState(raw string) stateReader {
	if raw == "" {
		return nil
	}
	switch c := raw[0]; {
	case c == 0xE2 || c == 0xC3 || c == '*':
		if _, ok := unitHeader(raw); ok {
			return &systemctlReader{}
		}
	case c == 'U':
		if strings.HasPrefix(raw, "Unit ") && strings.HasSuffix(raw, " could not be found.") {
			return &systemctlReader{}
		}
	case c == 'C' || c == 'S':
		if raw == "Client:" || strings.HasPrefix(raw, "Client: ") || raw == "Server:" ||
			strings.HasPrefix(raw, "Server: ") || strings.HasPrefix(raw, "Containers: ") {
			return &dockerReader{}
		}
	case c == 'K' || c == 'D':
		if strings.HasPrefix(raw, "Kernel IP routing table") || strings.HasPrefix(raw, "Destination ") {
			return &routeNReader{}
		}
		if strings.HasPrefix(raw, "Desired=") {
			return &dpkgListReader{}
		}
	case c == 'N' || c == 'I':
		if isSnapHeader(raw) {
			return &snapReader{}
		}
	case c == 'L':
		if strings.HasPrefix(raw, "Listing...") {
			return &aptListReader{}
		}
	case c == ' ':
		if strings.HasPrefix(strings.TrimLeft(raw, " "), "Local time: ") {
			return &timedatectlReader{}
		}
	case c == 'd' && strings.HasPrefix(raw, "default "):
		return &routeReader{}
	case c >= '0' && c <= '9':
		if _, ok := parseRouteLine(raw); ok {
			return &routeReader{}
		}
		if _, ok := ipHeader(raw); ok {
			return &addrReader{}
		}
		if w0, _ := leadFields(raw); strings.HasSuffix(w0, ":") && isOneLineAddr(strings.Fields(raw)) {
			return &addrReader{}
		}
	}
	if c := raw[0]; c >= 'a' && c <= 'z' {
		if _, ok := parseDpkgRow(raw); ok {
			return &dpkgListReader{}
		}
		if _, _, _, _, status, ok := parseAptRow(raw); ok && status != "" {
			return &aptListReader{}
		}
		if f, ok := parseBriefAddr(raw); ok && len(f) > 2 {
			// (With an address: "link DOWN" alone is no interface.)
			return &addrReader{}
		}
	}
	return nil
}

// setField appends key=value to ev unless value is empty.
func setField(ev *event.Event, key, value string) {
	if value != "" {
		ev.Fields = append(ev.Fields, event.Field{Key: key, Value: value})
	}
}

// stampTime reads "YYYY-MM-DD HH:MM:SS ZONE" (systemctl's since, the
// times of timedatectl), after an optional weekday in any language: the
// date and clock as readFullStamp reads them, the zone (optional) as
// resolveZone does.
func stampTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if !isDigit(s[0]) {
		// A weekday: "Tue", "화", "Di.", "周二"
		if i := strings.IndexByte(s, ' '); i > 0 {
			s = strings.TrimLeft(s[i:], " ")
		}
	}
	b := []byte(s)
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' {
		return time.Time{}, false
	}
	y, ok1 := num4(b, 0)
	mo, ok2 := num2(b, 5)
	d, ok3 := num2(b, 8)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	c, end, ok := readClock(b, 11, '.')
	if !ok {
		return time.Time{}, false
	}
	rest := strings.TrimSpace(s[end:])
	if i := strings.IndexAny(rest, " ;"); i >= 0 {
		rest = rest[:i]
	}
	if loc == nil {
		loc = time.UTC
	}
	if rest == "" {
		return time.Date(y, time.Month(mo), d, c.h, c.m, c.s, c.ns, loc), true
	}
	t, _ := resolveZone([]byte(rest), y, time.Month(mo), d, c, loc)
	return t, true
}

// leadFields returns the first two of strings.Fields(s) ("" for those s
// lacks) without splitting the whole line: the cheap test before it is.
func leadFields(s string) (first, second string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	first, s = s[:i], strings.TrimLeftFunc(s[i:], unicode.IsSpace)
	if i = strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i]
	}
	return first, s
}

// indentOf counts the leading spaces of s.
func indentOf(s string) int {
	n := 0
	for n < len(s) && s[n] == ' ' {
		n++
	}
	return n
}

// cutKey splits "Key: value" (key without spaces at either end); ok is
// false for a line without ": " or a trailing ":".
func cutKey(s string) (key, value string, ok bool) {
	s = strings.TrimSpace(s)
	if k, ok := strings.CutSuffix(s, ":"); ok && k != "" && !strings.Contains(k, ": ") {
		return k, "", true
	}
	i := strings.Index(s, ": ")
	if i <= 0 {
		return "", "", false
	}
	return s[:i], strings.TrimSpace(s[i+2:]), true
}
