package parse

import (
	"time"

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
}

// AssemblerConfig configures an Assembler for one source.
type AssemblerConfig struct {
	Path     string
	Location *time.Location
	Anchor   Anchor
	Warnings *event.Warnings
}

// Parsed is one line as ParseLine left it, with its 1-based line number.
type Parsed struct {
	Kind  Kind
	Line  int64
	Event event.Event
}

// Assembler turns the parsed lines of one source, in file order, into
// finished events: it joins continuation lines to their entry, infers
// years (anchor, Dec->Jan rollover), gives stamp-less lines the time of
// the line before them, and numbers boots. Not safe for concurrent use.
type Assembler struct {
	cfg AssemblerConfig
}

// NewAssembler returns an Assembler for one source.
func NewAssembler(cfg AssemblerConfig) *Assembler {
	return &Assembler{cfg: cfg}
}

// ProvisionalYear is the year parsers should put in Options.Year for this
// source; the Assembler corrects it where the anchor or a rollover says so.
func (a *Assembler) ProvisionalYear() int {
	return time.Now().Year() // stub
}

// Add takes the next parsed line and appends to out the events it
// finished. An entry is held back until the next entry shows that no more
// continuation lines follow; call Flush at the end of the source.
func (a *Assembler) Add(out []event.Event, p *Parsed) []event.Event {
	if p.Kind == KindEntry {
		p.Event.Source.Line = p.Line
		out = append(out, p.Event)
	}
	return out // stub
}

// Flush appends the held-back entry, if any.
func (a *Assembler) Flush(out []event.Event) []event.Event {
	return out
}

// TimeQuality summarizes how the source's times were read, for coverage:
// "exact", or "year_inferred from gzip header", and so on.
func (a *Assembler) TimeQuality() string {
	return "unknown"
}
