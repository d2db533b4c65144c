// Package event defines the Event model every logsleuth stage speaks
// (DESIGN §3). It holds data only: no parsing, no I/O.
package event

import (
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// TimeQuality records how much to trust an event's time.
type TimeQuality uint8

const (
	// TimeUnknown: no time could be read or inherited.
	TimeUnknown TimeQuality = iota
	// TimeExact: the line carried a full date with a zone offset, or the
	// journal's own timestamp.
	TimeExact
	// TimeYearInferred: the stamp had no year; it was inferred (see
	// Event.Source and the source's coverage for the anchor used).
	TimeYearInferred
	// TimeZoneAssumed: the stamp had a date but no zone; a zone was assumed.
	TimeZoneAssumed
	// TimeInherited: the line had no stamp of its own and took the time of
	// the line before it.
	TimeInherited
	// TimeNone: the input holds no time for this event at all (a pasted
	// line whose stamp was cut, a command's output with no snapshot
	// time). Time is zero; the event keeps its place in input order and
	// reports show "time unknown" instead of an invented time.
	TimeNone
)

var timeQualityNames = [...]string{"unknown", "exact", "year_inferred", "zone_assumed", "inherited", "none"}

func (q TimeQuality) String() string {
	if int(q) < len(timeQualityNames) {
		return timeQualityNames[q]
	}
	return "unknown"
}

// Kind says what an event records (DESIGN §9).
type Kind uint8

const (
	// KindLog is a log line or journal entry: the default.
	KindLog Kind = iota
	// KindState is a snapshot read from a command's output (systemctl
	// status, docker info, ip route, ...): its Fields hold the state, its
	// Time is when the snapshot was taken (or none).
	KindState
	// KindCommand is a pasted shell prompt line; Message is the command
	// whose output follows it.
	KindCommand
)

var kindNames = [...]string{"log", "state", "command"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "log"
}

// ParseKind maps a name such as "state" to its Kind.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindLog, false
}

// Lifecycle is the state change a systemd message reports about a unit.
type Lifecycle uint8

const (
	LifecycleNone Lifecycle = iota
	Starting
	Started
	Stopping
	Stopped
	Failed
	Restarting
	Finished
	Reloading
	Reloaded
)

var lifecycleNames = [...]string{"", "starting", "started", "stopping", "stopped", "failed", "restarting", "finished", "reloading", "reloaded"}

func (l Lifecycle) String() string {
	if int(l) < len(lifecycleNames) {
		return lifecycleNames[l]
	}
	return ""
}

// ParseLifecycle maps a name such as "stopped" to its Lifecycle.
func ParseLifecycle(s string) (Lifecycle, bool) {
	for i, n := range lifecycleNames {
		if i > 0 && n == s {
			return Lifecycle(i), true
		}
	}
	return LifecycleNone, false
}

// Priority is a syslog severity, 0 (emerg) .. 7 (debug); NoPriority when
// the input did not say.
type Priority int8

const NoPriority Priority = -1

var priorityNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

func (p Priority) String() string {
	if p >= 0 && int(p) < len(priorityNames) {
		return priorityNames[p]
	}
	return ""
}

// ParsePriority accepts a syslog severity name or a common application
// level name ("error", "warn", "fatal", "trace", ...), case-sensitively in
// lower case, or a digit 0-7.
func ParsePriority(s string) (Priority, bool) {
	if len(s) == 1 && s[0] >= '0' && s[0] <= '7' {
		return Priority(s[0] - '0'), true
	}
	switch s {
	case "emerg", "panic", "emergency":
		return 0, true
	case "alert":
		return 1, true
	case "crit", "critical", "fatal":
		return 2, true
	case "err", "error":
		return 3, true
	case "warning", "warn":
		return 4, true
	case "notice":
		return 5, true
	case "info", "information":
		return 6, true
	case "debug", "trace":
		return 7, true
	}
	return NoPriority, false
}

// Field is one extra key/value pair of an event.
type Field struct {
	Key, Value string
}

// SourceRef says where an event came from. Path is shared by every event of
// one source (no per-event allocation). Line is 1-based; 0 when the input
// has no lines (a journal file), in which case Cursor is set.
type SourceRef struct {
	Path   string
	Line   int64
	Format string
	Cursor string
}

// String names the position for people: "syslog.1:412" for a line,
// "journal:local@s=..." for a journal cursor, else the path.
func (r SourceRef) String() string {
	switch {
	case r.Line > 0:
		return r.Path + ":" + strconv.FormatInt(r.Line, 10)
	case r.Cursor != "":
		return r.Path + "@" + r.Cursor
	}
	return r.Path
}

// Event is one log record, normalized. The zero value is an event with
// nothing known; use Reset before reusing one.
type Event struct {
	Time    time.Time
	Host    string
	BootID  string
	Program string
	PID     int
	Unit    string
	Message string
	Fields  []Field
	Source  SourceRef
	// (The one-byte fields sit together: every stage copies events.)
	TimeQuality TimeQuality
	Kind        Kind
	Lifecycle   Lifecycle
	Priority    Priority
	// ErrorLevel is a verdict on whether the event is error-level (the
	// timeline's IsError), reached where the event was made, in
	// parallel; VerdictNone when none was. Whatever changes the
	// event afterwards resets it. Not part of the event's data.
	ErrorLevel Verdict

	// Screen is what an earlier run of the engine's matchers made of
	// this event, in the engine's own type (ingest runs them on both
	// cores, DESIGN §8); nil when none ran. The engine then does not
	// match the event again. Whatever changes the message, program, unit
	// or fields afterwards resets it. Not part of the event's data: never
	// printed, and clones do not carry it.
	Screen any
}

// Verdict is a cached yes/no judgement on an event.
type Verdict uint8

const (
	VerdictNone Verdict = iota // not judged
	VerdictNo
	VerdictYes
)

// Reset clears e for reuse, keeping the Fields backing array.
func (e *Event) Reset() {
	f := e.Fields[:0]
	*e = Event{Priority: NoPriority, Fields: f}
}

// Field returns the value of the first field named key.
func (e *Event) Field(key string) (string, bool) {
	for _, f := range e.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// SetField sets key to value, replacing an existing field of that name.
func (e *Event) SetField(key, value string) {
	for i := range e.Fields {
		if e.Fields[i].Key == key {
			e.Fields[i].Value = value
			return
		}
	}
	e.Fields = append(e.Fields, Field{key, value})
}

// Clone returns a copy of e that shares no memory with it: its strings
// are copied too. The strings of a fresh event may be slices of a whole
// block of input; an event kept beyond the stream's next event must be
// a clone, so that it does not keep the block alive. All the strings
// share one allocation.
func (e *Event) Clone() *Event {
	return e.clone()
}

// CloneCapped is Clone with the message and each field value cut to at
// most limit bytes (at a UTF-8 boundary): what a report keeps of a line
// a stranger made a megabyte long. It returns the clone and the number
// of bytes left out. A negative limit keeps everything.
func (e *Event) CloneCapped(limit int) (*Event, int) {
	c, room := newWithFields(len(e.Fields))
	return c, e.cloneCappedTo(c, room, limit)
}

// CloneCappedTo is CloneCapped into dst, which the caller allocated (with
// what else it keeps beside the clone); it returns the bytes left out.
func (e *Event) CloneCappedTo(dst *Event, limit int) int {
	return e.cloneCappedTo(dst, nil, limit)
}

// newWithFields returns a new event and room for n fields, in one
// allocation for up to 8 (a kernel line's kernel_time, a kubelet line's
// four): a kept copy took one for each.
func newWithFields(n int) (*Event, []Field) {
	switch {
	case n == 0:
		return new(Event), nil
	case n <= 1:
		x := new(struct {
			ev Event
			f  [1]Field
		})
		return &x.ev, x.f[:]
	case n <= 2:
		x := new(struct {
			ev Event
			f  [2]Field
		})
		return &x.ev, x.f[:n]
	case n <= 4:
		x := new(struct {
			ev Event
			f  [4]Field
		})
		return &x.ev, x.f[:n]
	case n <= 8:
		x := new(struct {
			ev Event
			f  [8]Field
		})
		return &x.ev, x.f[:n]
	}
	return new(Event), nil
}

// cloneCappedTo is CloneCappedTo with room for the fields, when it has
// enough.
func (e *Event) cloneCappedTo(dst *Event, room []Field, limit int) int {
	cut := 0
	capped := func(s string) string {
		if limit < 0 || len(s) <= limit {
			return s
		}
		n := limit
		for n > 0 && n > limit-utf8.UTFMax && !utf8.RuneStart(s[n]) {
			n--
		}
		cut += len(s) - n
		return s[:n]
	}
	src := *e
	src.Message = capped(e.Message)
	if limit >= 0 {
		copied := false
		for i, f := range e.Fields {
			if v := capped(f.Value); len(v) != len(f.Value) {
				if !copied { // e's fields stay as they are
					src.Fields, copied = append([]Field(nil), e.Fields...), true
				}
				src.Fields[i].Value = v
			}
		}
	}
	src.cloneTo(dst, room)
	return cut
}

// textLen is the length of all of e's strings.
func (e *Event) textLen() int {
	n := len(e.Host) + len(e.BootID) + len(e.Program) + len(e.Unit) + len(e.Message) + len(e.Source.Cursor)
	for _, f := range e.Fields {
		n += len(f.Key) + len(f.Value)
	}
	return n
}

// CopyInto sets *dst to a copy of e whose strings are slices of buf and
// whose fields are in fields, both reused from dst's last copy, and
// returns them: what a ring of recent events keeps (the stream's event
// is gone after the next), without an allocation once its slots have
// grown. The copy changes with the next CopyInto of the same buffers.
func (e *Event) CopyInto(dst *Event, fields []Field, buf []byte) ([]Field, []byte) {
	buf = buf[:0]
	if n := e.textLen(); cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	base := unsafe.SliceData(buf[:cap(buf)])
	next := func(s string) string {
		if s == "" {
			return ""
		}
		buf = append(buf, s...) // (within cap: no move)
		return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(base), len(buf)-len(s))), len(s))
	}
	*dst = *e
	dst.Screen, dst.ErrorLevel = nil, VerdictNone // (as Clone)
	dst.Host, dst.BootID, dst.Program, dst.Unit = next(e.Host), next(e.BootID), next(e.Program), next(e.Unit)
	dst.Message, dst.Source.Cursor = next(e.Message), next(e.Source.Cursor)
	dst.Fields = nil
	if e.Fields != nil {
		if cap(fields) < len(e.Fields) || fields == nil {
			fields = make([]Field, 0, len(e.Fields))
		}
		fields = fields[:0]
		for _, f := range e.Fields {
			fields = append(fields, Field{Key: next(f.Key), Value: next(f.Value)})
		}
		dst.Fields = fields
	}
	return fields, buf
}

func (e *Event) clone() *Event {
	c, room := newWithFields(len(e.Fields))
	e.cloneTo(c, room)
	return c
}

// cloneTo sets *c to a copy of e whose strings share one allocation, its
// fields in room when it has enough (CopyInto into new text), capped so
// that a field added to the copy cannot reach past them.
func (e *Event) cloneTo(c *Event, room []Field) {
	fields, _ := e.CopyInto(c, room, nil)
	if c.Fields != nil {
		c.Fields = fields[:len(fields):len(fields)]
	}
}

// AppendDateClock appends t's date and clock as "2006-01-02" sep
// "15:04:05", digit by digit: what the report's time formats start with,
// for times of the years 0 to 9999 (the caller's check), without the
// general formatter's cost.
func AppendDateClock(dst []byte, t time.Time, sep byte) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	d2 := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	dst = d2(dst, year/100)
	dst = d2(dst, year%100)
	dst = d2(append(dst, '-'), int(month))
	dst = d2(append(dst, '-'), day)
	dst = d2(append(dst, sep), hour)
	dst = d2(append(dst, ':'), minute)
	return d2(append(dst, ':'), sec)
}

// MinTime returns the earlier of a and b (a zero time is the earliest).
func MinTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// MaxTime returns the later of a and b.
func MaxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// nanosLimit bounds Nanos: 4.6e9 seconds either side of 1970 (the years
// 1824 to 2115), so that the difference of two Nanos fits an int64.
const nanosLimit = 4_600_000_000

// Nanos returns t as nanoseconds since 1970, for comparing and
// subtracting event times in per-event loops without Time's method calls.
// Times outside 1824-2115 are clamped to those years' ends: log times
// that far out are bogus anyway, and still sort before or after the rest.
func Nanos(t time.Time) int64 {
	s := t.Unix()
	switch {
	case s > nanosLimit:
		return nanosLimit * 1e9
	case s < -nanosLimit:
		return -nanosLimit * 1e9
	}
	return s*1e9 + int64(t.Nanosecond())
}
