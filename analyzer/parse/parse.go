// Package parse turns log lines into events (DESIGN §3-§4): one parser per
// line format, a dispatcher that picks the parser per line, and the
// Assembler that joins continuation lines and infers years.
//
// Parsers work on one line at a time and keep no state, so a file can be
// split into chunks and parsed on several cores; everything that needs the
// lines before it (continuations, year rollover, inherited times, boots)
// happens in the Assembler, which sees the lines in file order.
package parse

import (
	"bytes"
	"slices"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Format names, as they appear in event.SourceRef.Format (contract: users
// see them in `events --stats` and signatures match them through `source`).
const (
	FormatRFC3164                = "rfc3164"
	FormatRFC3339                = "rfc3339" // RSYSLOG_FileFormat
	FormatRFC5424                = "rfc5424"
	FormatJournalShort           = "journal-short"
	FormatJournalShortPrecise    = "journal-short-precise"
	FormatJournalShortISO        = "journal-short-iso"
	FormatJournalShortISOPrecise = "journal-short-iso-precise"
	FormatJournalShortFull       = "journal-short-full"
	FormatJournalShortMonotonic  = "journal-short-monotonic"
	FormatJournalShortUnix       = "journal-short-unix"
	FormatJournalJSON            = "journal-json"
	FormatJournalJSONSeq         = "journal-json-seq"
	FormatJournalExport          = "journal-export"
	FormatJournal                = "journal" // native journal files
	FormatDmesg                  = "dmesg"
	FormatDpkg                   = "dpkg"
	FormatAptHistory             = "apt-history"
	FormatAptTerm                = "apt-term"
	FormatUnattended             = "unattended-upgrades"
	FormatJSONLine               = "json"
	FormatLogfmt                 = "logfmt"
	FormatCompose                = "docker-compose"
	FormatCRI                    = "cri"  // containerd/CRI-O container log files
	FormatText                   = "text" // fits no format
	// FormatSyslogCut is a syslog message whose time and host columns
	// were cut off ("systemd[1]: Stopping ..."), as pasted into tickets.
	FormatSyslogCut = "syslog-cut"
	// FormatPrompt is a pasted shell prompt with its command
	// ("root@web-3:~# systemctl status docker"): an event of kind
	// command.
	FormatPrompt = "prompt"
)

// Family maps a format to the family a signature's `source:` matcher names:
// syslog, journal, kernel, dpkg, apt, app, kubernetes, or text.
func Family(format string) string {
	switch format {
	case FormatRFC3164, FormatRFC3339, FormatRFC5424, FormatSyslogCut:
		return "syslog"
	case FormatJournalShort, FormatJournalShortPrecise, FormatJournalShortISO,
		FormatJournalShortISOPrecise, FormatJournalShortFull, FormatJournalShortMonotonic,
		FormatJournalShortUnix, FormatJournalJSON, FormatJournalJSONSeq,
		FormatJournalExport, FormatJournal:
		return "journal"
	case FormatDmesg:
		return "kernel"
	case FormatDpkg:
		return "dpkg"
	case FormatAptHistory, FormatAptTerm, FormatUnattended:
		return "apt"
	case FormatJSONLine, FormatLogfmt, FormatCompose, FormatCRI, FormatZerolog, FormatLogrus,
		FormatGoLog, FormatNginx, FormatApache, FormatKlog, FormatDockerTimestamps, FormatContainerTSV, FormatJavaLog:
		return "app"
	case FormatKubectlEvents, FormatKubectlDescribe:
		return "kubernetes"
	case FormatSystemctlStatus, FormatDockerInfo, FormatDockerVersion, FormatIPRoute, FormatRouteN,
		FormatIPAddr, FormatSnapList, FormatSnapChanges, FormatDpkgList, FormatAptList,
		FormatTimedatectl, FormatDate:
		return "state"
	}
	return "text"
}

// Kind says what one line turned out to be.
type Kind uint8

const (
	// KindEntry starts a new event.
	KindEntry Kind = iota
	// KindContinuation belongs to the entry before it: a non-empty
	// Message is appended to that entry's message after "\n", and Fields
	// are appended to its fields (a field already present has the new
	// value appended after "\n"). Used for indented lines that cannot
	// start an event (journalctl continuation lines, stack traces), `-x`
	// catalog lines (field "catalog") and the lines of an apt history
	// block (which join only an apt history entry). The Assembler's
	// continuation rule is in Assembler.AddAll.
	KindContinuation
	// KindBoot is a boot boundary ("-- Boot <id> --", "-- Reboot --");
	// BootID is set when the marker names the boot.
	KindBoot
	// KindBanner is metadata, not an event ("-- Logs begin at X, end at
	// Y. --", "-- No entries --"). When it names a start time, Time holds
	// it: the Assembler anchors year inference on it.
	KindBanner
	// KindSkip is a line with nothing in it (blank).
	KindSkip
	// KindText is an unindented line that cannot start an event: no
	// recognizer claimed it. Message is the line (quote markers
	// removed), Format FormatText. The Assembler joins it to the entry
	// before it when that entry has a header (a syslog message wrapped
	// by its writer), else makes it an event of its own.
	KindText
)

// Options are the per-source facts a parser needs to build times.
type Options struct {
	// Location is the zone of zone-less stamps. Never nil.
	Location *time.Location
	// Year is the provisional year for year-less stamps. The Assembler
	// corrects it (rollover, anchors); parsers just use it.
	Year int
	// Hint is the format the source was sniffed as, tried first. Some
	// formats (apt history blocks, apt term.log) are only recognized
	// through the hint, since their lines alone are ambiguous.
	Hint string
}

// ParseLine parses one line, without its line terminator, into ev, which
// the caller has Reset. It never fails: a line that fits no format becomes
// a KindEntry whose Message is the line and whose Format is FormatText.
// ParseLine does not retain line; strings in ev are copies.
// Safe for concurrent use with distinct ev. A Parser gives the same
// results for less work when one goroutine parses many lines.
func ParseLine(line []byte, o *Options, ev *event.Event) Kind {
	var p Parser
	return p.ParseLine(line, o, ev)
}

// Parser is ParseLine with a memory of the lines before: the time stamp
// it read last and the hosts and programs it saw recently. The lines of a
// log repeat them (a busy syslog writes some twenty lines per second from
// a handful of hosts), so a Parser mostly skips building the time and
// allocates no host or program string. Its results are exactly
// ParseLine's, whatever lines it saw before.
//
// A Parser is not safe for concurrent use: give each goroutine its own.
// The zero value is ready to use.
type Parser struct {
	stamp stampCache
	hosts recentStrings
	progs recentStrings
	// block and text are the input block the lines come from, as bytes
	// and as a string (SetBlock).
	block []byte
	text  string
	// escAt is where in the block the next of rsyslog's "#01" control
	// character escapes is, searched from escFrom on (len(block): none
	// after it). A block's messages come in order: one search finds the
	// next escape for every message up to it, instead of a search each.
	escFrom, escAt int

	// DeferPayload lets ParseLine leave the structured payload of a
	// syslog message (logfmt, klog: its fields and the priority its level
	// implies) for CompletePayload when nothing in it can make the event
	// error-level; Deferred then reports true. Only a consumer that
	// completes every event whose fields or priority it reads may set it:
	// the timeline reads them only of events tested or matched by a
	// signature that reads them, and of error-level ones.
	DeferPayload bool
	deferred     bool

	// tagFirst holds the first bytes of tagProgs, the programs SkimLine
	// was last given: a tag that starts with none is none of them.
	tagProgs []string
	tagFirst tagBytes
	tagAny   bool
}

// Deferred reports whether the last ParseLine left the payload for
// CompletePayload.
func (p *Parser) Deferred() bool { return p.deferred }

// SetBlock tells p that the lines it parses next are slices of block,
// and that text holds the same bytes: their messages and field values
// become slices of text instead of copies, so a line costs no
// allocation for them. Whoever keeps such a string beyond the next
// event keeps the whole block alive: keep a copy (event.Event.Clone).
// block must hold no NUL byte, which toValidString would replace.
func (p *Parser) SetBlock(block []byte, text string) {
	p.block, p.text = block, text
	p.escFrom, p.escAt = 0, escapeFrom(block, 0)
}

// str is toValidString(b), as a slice of the block's text when b lies
// within the block.
func (p *Parser) str(b []byte) string {
	if off, ok := p.inBlock(b); ok {
		return p.text[off : off+len(b)]
	}
	return toValidString(b)
}

// inBlock returns where the non-empty b starts in the block, when it lies
// within it.
func (p *Parser) inBlock(b []byte) (int, bool) {
	if len(b) == 0 || len(p.block) == 0 {
		return 0, false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(p.block)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if at < base || at-base+uintptr(len(b)) > uintptr(len(p.block)) {
		return 0, false
	}
	return int(at - base), true
}

// mayHaveEscapes reports whether msg may hold rsyslog's escapes: false
// only for a slice of the block that holds none.
func (p *Parser) mayHaveEscapes(msg []byte) bool {
	off, in := p.inBlock(msg)
	if !in || off < p.escFrom {
		return true // (a message before the search's start: not known)
	}
	if p.escAt < off {
		p.escFrom, p.escAt = off, escapeFrom(p.block, off)
	}
	return p.escAt < off+len(msg)
}

// escapeFrom returns where the first escape of block[from:] is in block,
// len(block) when there is none.
func escapeFrom(block []byte, from int) int {
	if i := indexEscape(block[from:]); i >= 0 {
		return from + i
	}
	return len(block)
}

// stampCache is the last year-less stamp a Parser read at the start of a
// line ("Dec 29 18:00:00", up to the end of its clock) and what
// parseMonthDay made of it under one Location and Year.
type stampCache struct {
	text    [32]byte
	n       int // length of the stamp in text; 0 when empty
	loc     *time.Location
	year    int
	t       time.Time
	format  string
	rsyslog bool
}

// recentStrings holds the last few strings made from a kind of token, so
// that a repeated token costs a comparison instead of an allocation.
// A string is held in one of the two slots its length and end bytes
// pick, when one is free: most are found with one or two comparisons,
// the others by trying every slot.
type recentStrings struct {
	s    [16]string
	next int
}

// recentSlot is the first slot of the non-empty token b (the other is
// the one after it): the hosts of one log mostly differ in length or in
// the last byte (web-1, web-2, db-1), its programs in the first byte
// too.
func recentSlot[T string | []byte](b T) int {
	return (5*len(b) + 3*int(b[0]) + int(b[len(b)-1])) << 1 & 15
}

// lookup returns the held string equal to the non-empty b.
func (r *recentStrings) lookup(b []byte) (string, bool) {
	i := recentSlot(b)
	if s := r.s[i]; s == string(b) {
		return s, true
	}
	if s := r.s[i+1]; s == string(b) {
		return s, true
	}
	for _, s := range r.s {
		if s == string(b) {
			return s, true
		}
	}
	return "", false
}

// add holds the non-empty s: in one of its slots if one is free, else
// in another free slot, else in the slots in turn.
func (r *recentStrings) add(s string) {
	i := recentSlot(s)
	switch {
	case r.s[i] == "":
	case r.s[i+1] == "":
		i++
	default:
		i = slices.Index(r.s[:], "")
		if i < 0 {
			i = r.next
			r.next = (r.next + 1) % len(r.s)
		}
	}
	r.s[i] = s
}

// finishEntry derives what every parsed entry gets regardless of its
// header format: structured payload fields and systemd lifecycle.
func finishEntry(ev *event.Event) {
	parsePayload(ev)
	deriveSystemd(ev)
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// toValidString copies b into a string. Invalid UTF-8 is kept as is (the
// JSON encoder replaces it on output); NUL bytes are replaced by U+FFFD so
// that a line of binary junk cannot break terminal or JSON consumers that
// treat NUL as an end.
func toValidString(b []byte) string {
	if bytes.IndexByte(b, 0) < 0 {
		return string(b)
	}
	return string(bytes.ReplaceAll(b, []byte{0}, []byte("\uFFFD")))
}
