package ingest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// StdinName is the Path of events read from stdin; archive members read
// from stdin are shown as "<stdin>:var/log/syslog".
const StdinName = "<stdin>"

// input is one thing to open: a file named by the user or found in a
// walk, or stdin. It yields one source, or one per log member of an
// archive.
type input struct {
	path     string        // to open; "" for stdin
	name     string        // shown to users
	explicit bool          // named by the user: always read
	zone     *bundleZone   // the zone evidence of the bundle it was found in; nil if none
	ready    chan struct{} // closed once srcs is final
	srcs     []*source
	journal  *journalSpec // a native journal input (journal.go); nil for files
	// command is the command whose output the file holds, read as state
	// (a bundle's sos_commands: sos.go); bundle the facts of its bundle.
	command string
	bundle  *bundleFacts
	// published: ready was closed (by the goroutine reading the input).
	published bool
	// release gives the input's reading slot back (Open); its sources
	// call it when they wait for the merge (parked).
	release func()
	// newer is the next newer file of the rotated set this one belongs
	// to, when they were named side by side (syslog.2.gz, syslog.1):
	// its first line bounds this one's end (seek.go).
	newer *input
}

// walkStats counts what a directory walk skipped.
type walkStats struct {
	nonLog, binary, journal   int
	firstBinary, firstJournal string
}

// resolve turns the user's paths into inputs, in a deterministic order:
// arguments in the order given, a directory's files sorted, rotated sets
// of one log oldest first.
func resolve(o *Options, ws *event.Warnings) []*input {
	var ins []*input
	for _, p := range o.Paths {
		if p == "-" {
			ins = append(ins, &input{name: StdinName, explicit: true})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			ws.Addf(p, 0, "cannot read: %v", unwrapPath(err))
			// Still an input: it counts as unreadable, like a file that
			// fails to open.
			continue
		}
		if !fi.IsDir() {
			ins = append(ins, &input{path: p, name: p, explicit: true})
			continue
		}
		ins = append(ins, walk(p, o, ws)...)
	}
	orderRotated(ins, func(in *input) string { return in.name })
	linkRotated(ins)
	for _, in := range ins {
		in.ready = make(chan struct{})
	}
	return ins
}

// unwrapPath drops the path from a *fs.PathError: warnings name the path
// already.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// walk lists the log files below dir: by name, or by content for files
// whose name says nothing.
func walk(dir string, o *Options, ws *event.Warnings) []*input {
	// The bundle is dir itself (an unpacked sosreport), or, when dir has
	// no zone evidence, each directory in it (a ticket's folder of
	// unpacked sosreports, one per host).
	zone := readBundleZone(dir)
	if msg := zone.disagreement(); msg != "" {
		ws.Addf(dir, 0, "%s", msg)
	}
	subZones := map[string]*bundleZone{}
	zoneOf := func(rel string) *bundleZone {
		first, _, ok := strings.Cut(rel, "/")
		if zone != nil || !ok {
			return zone
		}
		z, seen := subZones[first]
		if !seen {
			sub := filepath.Join(dir, first)
			z = readBundleZone(sub)
			if msg := z.disagreement(); msg != "" {
				ws.Addf(sub, 0, "%s", msg)
			}
			subZones[first] = z
		}
		return z
	}
	var ins []*input
	var stats walkStats
	bundles := map[string]*bundleFacts{}
	// WalkDir does not follow a root that is a symlink; with a trailing
	// separator the root is the directory it names (the user named it,
	// so it is followed; links inside the walk still are not).
	root := dir
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		root = dir + string(filepath.Separator)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ws.Addf(p, 0, "cannot read: %v", unwrapPath(err))
			return nil // WalkDir skips what it could not read
		}
		if d.IsDir() {
			if p != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks are not followed: sos links to .tailed copies
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(bundleMember(rel), "etc/") {
			return nil // zone files, read by readBundleZone
		}
		if cmd := sosCommand(rel); cmd != "" {
			broot, _ := sosRoot(rel)
			b := bundles[broot]
			if b == nil {
				b = readBundleFacts(filepath.Join(root, filepath.FromSlash(broot)), nil)
				bundles[broot] = b
			}
			ins = append(ins, &input{path: p, name: p, zone: zoneOf(rel), command: cmd, bundle: b})
			return nil
		}
		if isLogName(rel) {
			ins = append(ins, &input{path: p, name: p, zone: zoneOf(rel)})
			return nil
		}
		switch sniffFile(p) {
		case sniffLog:
			ins = append(ins, &input{path: p, name: p, zone: zoneOf(rel)})
		case sniffBinary:
			if stats.binary++; stats.binary == 1 {
				stats.firstBinary = rel
			}
		case sniffJournal:
			if stats.journal++; stats.journal == 1 {
				stats.firstJournal = rel
			}
		default:
			stats.nonLog++
		}
		return nil
	})
	if err != nil {
		ws.Addf(dir, 0, "walk stopped: %v", err)
	}
	if stats.journal > 0 {
		ws.Addf(dir, 0, "skipped %d native journal file(s) (first: %s): read them with --journal-dir", stats.journal, stats.firstJournal)
	}
	if stats.binary > 0 {
		ws.Addf(dir, 0, "skipped %d binary file(s) (first: %s)", stats.binary, stats.firstBinary)
	}
	if len(ins) == 0 {
		ws.Addf(dir, 0, "no log files found")
	}
	return ins
}

// skipDir names directories of a bundle that never hold logs but hold
// many files (an unpacked sosreport copies proc and sys).
func skipDir(name string) bool {
	switch name {
	case ".git", "proc", "sys", "dev":
		return true
	}
	return false
}

type sniffResult uint8

const (
	sniffOther sniffResult = iota
	sniffLog
	sniffBinary
	sniffJournal
)

// sniffFile opens p and decides by content whether a walk reads it.
func sniffFile(p string) sniffResult {
	f, err := openRegular(p)
	if errors.Is(err, errNotRegular) {
		return sniffOther // replaced by a FIFO or a device since the walk saw it
	}
	if err != nil {
		return sniffLog // let the reader report it
	}
	defer f.Close()
	d, err := decode(f)
	if err != nil {
		return sniffOther
	}
	defer d.close()
	if d.isTar {
		return sniffLog // an archive in a bundle: its log members are read
	}
	if bytes.HasPrefix(d.head, magicJournal) {
		return sniffJournal
	}
	if looksBinary(d.head) {
		return sniffBinary
	}
	if _, ok := parse.Sniff(d.head); ok {
		return sniffLog
	}
	return sniffOther
}

// logNames are the names of system logs that do not end in ".log"; with
// rotation suffixes (".1", "-20211003") and compression extensions they
// are still logs, as is every "*.log".
var logNames = []string{"syslog", "messages", "secure", "unattended-upgrades"}

// compressionExts are stripped from a name before it is matched.
var compressionExts = []string{".gz", ".xz", ".zst", ".bz2"}

// isLogName reports whether a walk picks the file at the slash-separated
// path rel by its name.
func isLogName(rel string) bool {
	base := stripCompression(path.Base(rel))
	stem, _, _ := rotation(base)
	if slices.Contains(logNames, stem) || strings.HasSuffix(stem, ".log") {
		return true
	}
	if strings.HasSuffix(base, ".tailed") {
		return true // sos_strings: a log cut to its size limit
	}
	if isSosLog(rel) {
		return true
	}
	if strings.HasPrefix(base, "journalctl_") && strings.HasSuffix(path.Dir(rel), "sos_commands/logs") {
		return !strings.Contains(base, "disk-usage") && !strings.Contains(base, "list-boots")
	}
	return false
}

func stripCompression(name string) string {
	for _, ext := range compressionExts {
		if s, ok := strings.CutSuffix(name, ext); ok {
			return s
		}
	}
	return name
}

// rotation splits a base name (compression extension stripped or not)
// into the live log's name and its place in the rotated set: class 2 is
// the live file, 1 a numbered copy (syslog.3), 0 a dateext copy
// (messages-20211003). Order is oldest first within a class: ascending
// order, since a numbered copy's value is its negated number.
func rotation(base string) (stem string, class int, order int64) {
	base = stripCompression(base)
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		if n, err := strconv.ParseInt(base[i+1:], 10, 32); err == nil && allDigits(base[i+1:]) {
			return base[:i], 1, -n
		}
	}
	if _, ok := dateExt(base); ok {
		return base[:len(base)-9], 0, mustInt(base[len(base)-8:])
	}
	return base, 2, 0
}

// dateExt reads logrotate's dateext suffix, "-YYYYMMDD".
func dateExt(base string) (time.Time, bool) {
	base = stripCompression(base)
	if len(base) < 10 || base[len(base)-9] != '-' || !allDigits(base[len(base)-8:]) {
		return time.Time{}, false
	}
	s := base[len(base)-8:]
	y, m, d := mustInt(s[:4]), mustInt(s[4:6]), mustInt(s[6:])
	if y < 1990 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// linkRotated points each file of a rotated set at the next newer one
// beside it, once ordered (orderRotated).
func linkRotated(ins []*input) {
	setOf := func(in *input) (string, bool) {
		dir, base := path.Split(filepath.ToSlash(in.name))
		stem, class, _ := rotation(base)
		return dir + stem, class < 2
	}
	for i := 0; i+1 < len(ins); i++ {
		a, b := ins[i], ins[i+1]
		if a.path == "" || b.path == "" || a.command != "" || b.command != "" {
			continue
		}
		sa, rotated := setOf(a)
		if sb, _ := setOf(b); rotated && sa == sb {
			a.newer = b
		}
	}
}

// orderRotated puts the members of each rotated set into oldest-first
// order, leaving every other item where it is: the set's members take the
// positions the set held, in rotation order.
func orderRotated[T any](items []T, name func(T) string) {
	type key struct {
		stem  string
		class int
		order int64
	}
	groups := map[string][]int{}
	keys := make([]key, len(items))
	for i, it := range items {
		n := name(it)
		dir, base := path.Split(filepath.ToSlash(n))
		stem, class, order := rotation(base)
		keys[i] = key{dir + stem, class, order}
		groups[keys[i].stem] = append(groups[keys[i].stem], i)
	}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		sorted := slices.Clone(idx)
		slices.SortStableFunc(sorted, func(a, b int) int {
			ka, kb := keys[a], keys[b]
			if ka.class != kb.class {
				return ka.class - kb.class
			}
			if ka.order != kb.order {
				if ka.order < kb.order {
					return -1
				}
				return 1
			}
			return 0
		})
		vals := make([]T, len(sorted))
		for j, i := range sorted {
			vals[j] = items[i]
		}
		for j, i := range idx {
			items[i] = vals[j]
		}
	}
}

// Anchor provenances (shown in coverage through the Assembler's
// TimeQuality).
const (
	provYear        = "--year"
	provGzip        = "gzip header"
	provFileName    = "file name"
	provMember      = "archive member time"
	provMtime       = "file mtime"
	provCurrentTime = "current time"
	provMessage     = "full date in message"
)

// anchorFacts are what a source may know about when it was written.
type anchorFacts struct {
	name       string    // base name, for dateext
	gzTime     time.Time // gzip header MTIME
	memberTime time.Time // tar header ModTime
	mtime      time.Time // file mtime
	stdin      bool
	// msgYear is the year of the first year-less line as full dates in
	// the source's messages settle it (headScan.messageYear); 0: unknown.
	msgYear int
	// first and last are the dates of the source's first and last
	// year-less lines (last: from the tail of a regular file).
	first, last monthDay
	// tail, when not nil, is the source's regular, uncompressed file of
	// size bytes, whose tail gives last.
	tail *os.File
	size int64
	// For a command output read as state (sos.go): the command, when its
	// output was taken, the host it was taken on.
	command  string
	snapshot time.Time
	host     string
}

// anchorFor picks the year anchor of a source: --year, else full dates
// in its messages, else the gzip header, else a dateext name, else the
// archive member's or the file's time; stdin with none of them falls back
// to the current time.
//
// A file's mtime (an archive member's time) bounds its last line: when the file crosses New Year
// (its tail's last year-less line comes earlier in the calendar than its
// first, a file spanning less than a year) and that last line lies on a
// later day than the mtime, no day of slack applies: the lines are from
// the year before the mtime's and the one before that. Without a New
// Year, the Assembler allows a day of clock skew around the mtime.
func anchorFor(year int, loc *time.Location, f anchorFacts) parse.Anchor {
	switch {
	case year > 0:
		return parse.Anchor{Time: time.Date(year, 1, 1, 0, 0, 0, 0, loc), Provenance: provYear}
	case f.msgYear > 0 && f.first.known():
		return parse.Anchor{Time: time.Date(f.msgYear, f.first.month, f.first.day, 0, 0, 0, 0, loc), FirstYear: f.msgYear, Provenance: provMessage}
	case !f.gzTime.IsZero():
		return parse.Anchor{Time: f.gzTime, End: true, Provenance: provGzip}
	}
	if d, ok := dateExt(f.name); ok {
		y, m, day := d.Date()
		return parse.Anchor{Time: time.Date(y, m, day, 0, 0, 0, 0, loc), End: true, Provenance: provFileName}
	}
	var a parse.Anchor
	switch {
	case !f.memberTime.IsZero() && f.memberTime.Unix() > 0:
		a = parse.Anchor{Time: f.memberTime, End: true, Provenance: provMember}
	case !f.mtime.IsZero():
		a = parse.Anchor{Time: f.mtime, End: true, Provenance: provMtime}
	case f.stdin:
		return parse.Anchor{Time: time.Now(), End: true, Provenance: provCurrentTime}
	default:
		return parse.Anchor{}
	}
	if f.first.known() && f.last.known() && f.first.after(f.last) {
		mt := a.Time.In(loc)
		y := mt.Year() - 1 // of the first line
		if f.last.after(monthDay{mt.Month(), mt.Day()}) {
			y--
		}
		a.FirstYear = y
	}
	return a
}
