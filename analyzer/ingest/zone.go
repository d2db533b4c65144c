package ingest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Where a source's zone came from (coverage: zone_from), strongest first
// (DESIGN §9): --tz, offsets inside the source's own messages, the
// bundle's zone files, a journalctl banner, the reader's zone.
const (
	zoneFromTZ          = "--tz"
	zoneFromMessages    = "message offsets"
	zoneFromLocaltime   = "etc/localtime"
	zoneFromTimezone    = "etc/timezone"
	zoneFromTimedatectl = "timedatectl"
	zoneFromDate        = "sos_commands/date/date"
	zoneFromBanner      = "journal banner"
	zoneFromLocal       = "local zone"    // assumed: the reader's zone
	zoneFromStdin       = "stdin default" // assumed: UTC, warned about
)

// bundleRank orders the signals a bundle holds, strongest first.
var bundleRank = []string{zoneFromLocaltime, zoneFromTimezone, zoneFromTimedatectl, zoneFromDate, zoneFromBanner}

// zoneSignal is one piece of evidence of a zone.
type zoneSignal struct {
	loc  *time.Location
	from string
	// at is an instant the evidence speaks of (the time `date` printed),
	// where its offset is compared with other signals; zero: now.
	at time.Time
}

func (z zoneSignal) ok() bool { return z.loc != nil }

// offsetAt is z's offset east of UTC, in seconds, at t (or at z.at, or
// now, when t is zero).
func (z zoneSignal) offsetAt(t time.Time) int {
	if t.IsZero() {
		t = z.at
	}
	if t.IsZero() {
		t = time.Now()
	}
	_, off := t.In(z.loc).Zone()
	return off
}

// describe names z for a warning: "etc/timezone (America/Chicago, -06:00)".
func (z zoneSignal) describe(t time.Time) string {
	return z.from + " (" + z.loc.String() + ", " + formatOffset(z.offsetAt(t)) + ")"
}

func formatOffset(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return string(sign) + twoDigits(off/3600) + ":" + twoDigits(off%3600/60)
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

// bundleZone collects the zone evidence of one bundle (an unpacked
// sosreport, a tar archive): at most one signal of each kind, the first
// seen. Safe for concurrent use: archive members add to it while their
// sources are read.
type bundleZone struct {
	mu      sync.Mutex
	signals []zoneSignal
	// dateLocal and dateUTC are `date` and `date --utc` as sos captured
	// them: read together, they give the offset an abbreviation stands for.
	dateLocal, dateUTC []byte
	warned             bool
}

// add records s unless a signal of its kind is already known.
func (b *bundleZone) add(s zoneSignal) {
	if !s.ok() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, o := range b.signals {
		if o.from == s.from {
			return
		}
	}
	b.signals = append(b.signals, s)
}

// best returns the strongest signal of the bundle, the banner excepted
// when files is set (a source's own banner outranks another source's).
func (b *bundleZone) best(files bool) zoneSignal {
	if b == nil {
		return zoneSignal{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	best, rank := zoneSignal{}, len(bundleRank)
	for _, s := range b.signals {
		r := slices.Index(bundleRank, s.from)
		if files && s.from == zoneFromBanner {
			continue
		}
		if r < rank {
			best, rank = s, r
		}
	}
	return best
}

// all returns the bundle's signals, strongest first.
func (b *bundleZone) all() []zoneSignal {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.signals)
	slices.SortStableFunc(out, func(x, y zoneSignal) int {
		return slices.Index(bundleRank, x.from) - slices.Index(bundleRank, y.from)
	})
	return out
}

// addDate takes sos's `date` (local) or `date --utc` output; once the
// local one is known, it becomes a signal (checked against the UTC one
// when that came too).
func (b *bundleZone) addDate(data []byte, utc bool) {
	b.mu.Lock()
	if utc {
		b.dateUTC = data
	} else {
		b.dateLocal = data
	}
	local, u := b.dateLocal, b.dateUTC
	b.mu.Unlock()
	if local == nil {
		return
	}
	if s := zoneFromDateOutput(local, u); s.ok() {
		b.mu.Lock()
		b.signals = slices.DeleteFunc(b.signals, func(o zoneSignal) bool { return o.from == zoneFromDate })
		b.mu.Unlock()
		b.add(s)
	}
}

// disagreement returns a warning when the bundle's signals name zones of
// different offsets; "" when they agree. Once per bundle.
func (b *bundleZone) disagreement() string {
	if b == nil {
		return ""
	}
	sigs := b.all()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.warned || len(sigs) < 2 {
		return ""
	}
	// (A banner belongs to one source: that source warns.)
	sigs = slices.DeleteFunc(sigs, func(s zoneSignal) bool { return s.from == zoneFromBanner })
	if len(sigs) < 2 {
		return ""
	}
	first := sigs[0]
	for _, s := range sigs[1:] {
		at := s.at
		if at.IsZero() {
			at = first.at
		}
		if first.offsetAt(at) != s.offsetAt(at) {
			b.warned = true
			return "zone evidence disagrees: " + first.describe(at) + " vs " + s.describe(at) + "; using " + first.from
		}
	}
	return ""
}

// bundleMember says which zone evidence an archive member or a bundle's
// file at the slash-separated path rel holds: the path relative to the
// bundle's root, at the root of the archive or one directory down
// (sosreport-host-.../etc/localtime).
func bundleMember(rel string) string {
	for _, cand := range []string{rel, afterFirstDir(rel)} {
		if slices.Contains(zoneFiles, cand) {
			return cand
		}
	}
	return ""
}

// zoneFiles are the bundle files that hold zone evidence (addMember),
// relative to the bundle's root.
var zoneFiles = []string{"etc/localtime", "etc/timezone", "sos_commands/date/date", "sos_commands/date/date_--utc",
	"sos_commands/systemd/timedatectl", "sos_commands/date/timedatectl"}

func afterFirstDir(rel string) string {
	if i := strings.IndexByte(rel, '/'); i > 0 {
		return rel[i+1:]
	}
	return ""
}

// maxEvidence bounds what is read of a zone file or command output.
const maxEvidence = 64 << 10

// addMember adds the evidence of a bundle file (bundleMember names it),
// whose content r gives; link is a symlink's target.
func (b *bundleZone) addMember(kind string, r io.Reader, link string) {
	if kind == "etc/localtime" && link != "" {
		b.add(zoneSignal{loc: zoneFromLink(link), from: zoneFromLocaltime})
		return
	}
	if r == nil {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r, maxEvidence))
	if err != nil {
		return
	}
	switch kind {
	case "etc/localtime":
		b.add(zoneSignal{loc: zoneFromTZif(data), from: zoneFromLocaltime})
	case "etc/timezone":
		b.add(zoneSignal{loc: zoneFromName(firstLineOf(data)), from: zoneFromTimezone})
	case "sos_commands/date/date":
		b.addDate(data, false)
	case "sos_commands/date/date_--utc":
		b.addDate(data, true)
	default: // timedatectl
		b.add(zoneFromTimedatectlOutput(data))
	}
}

// readBundleZone reads the zone evidence of an unpacked bundle at dir:
// its zone files, and the banners of the journalctl outputs sos saved.
func readBundleZone(dir string) *bundleZone {
	b := &bundleZone{}
	kinds := zoneFiles
	if target, err := os.Readlink(filepath.Join(dir, "etc", "localtime")); err == nil {
		if loc := zoneFromLink(target); loc != nil {
			b.add(zoneSignal{loc: loc, from: zoneFromLocaltime})
			kinds = kinds[1:] // the link named it: its target is not read
		}
	}
	for _, kind := range kinds {
		f, err := openRegular(filepath.Join(dir, filepath.FromSlash(kind)))
		if err != nil {
			continue
		}
		b.addMember(kind, f, "")
		f.Close()
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "sos_commands", "logs", "journalctl_*"))
	for _, p := range logs {
		if s := bannerZoneOfFile(p); s.ok() {
			b.add(s)
			break
		}
	}
	if len(b.signals) == 0 {
		return nil
	}
	return b
}

// bannerZoneOfFile reads the zone of a journalctl banner at the top of
// the file p.
func bannerZoneOfFile(p string) zoneSignal {
	f, err := openRegular(p)
	if err != nil {
		return zoneSignal{}
	}
	defer f.Close()
	d, err := decode(f)
	if err != nil {
		return zoneSignal{}
	}
	defer d.close()
	return scanHead(d.head).banner
}

func firstLineOf(data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		data = data[:i]
	}
	return strings.TrimSpace(string(data))
}

// zoneFromName loads an IANA zone name; nil when it is not one.
func zoneFromName(name string) *time.Location {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \t") {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// zoneFromLink maps a link such as "../usr/share/zoneinfo/Asia/Seoul" to
// its zone.
func zoneFromLink(target string) *time.Location {
	i := strings.LastIndex(target, "zoneinfo/")
	if i < 0 {
		return nil
	}
	return zoneFromName(target[i+len("zoneinfo/"):])
}

// zoneFromTZif reads a copied etc/localtime: the zone of the system
// zoneinfo file with the same bytes, so that coverage can name it; else
// the rules in the data under the zone's current abbreviation.
func zoneFromTZif(data []byte) *time.Location {
	loc, err := time.LoadLocationFromTZData("localtime", data)
	if err != nil {
		return nil
	}
	if isUTC(loc) {
		return time.UTC
	}
	if name := zoneinfoName(data); name != "" {
		if named := zoneFromName(name); named != nil {
			return named
		}
	}
	abbr, _ := time.Now().In(loc).Zone()
	named, err := time.LoadLocationFromTZData(abbr, data)
	if err != nil {
		return loc
	}
	return named
}

// isUTC reports a zone that is UTC in winter and summer alike.
func isUTC(loc *time.Location) bool {
	for _, m := range []time.Month{time.January, time.July} {
		if a, off := time.Date(time.Now().Year(), m, 1, 0, 0, 0, 0, loc).Zone(); off != 0 || a != "UTC" {
			return false
		}
	}
	return true
}

// zoneinfoDirs are where the system's zoneinfo files are looked for.
var zoneinfoDirs = []string{"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/zoneinfo"}

var zoneinfoMatch sync.Map // string(TZif data) -> name

// zoneinfoName finds the name of the system zoneinfo file holding data:
// an Area/City name over an alias (Asia/Seoul, not ROK), the first in
// name order. "" when none does.
func zoneinfoName(data []byte) string {
	if v, ok := zoneinfoMatch.Load(string(data)); ok {
		return v.(string)
	}
	best := ""
	dirs := zoneinfoDirs
	if z := os.Getenv("ZONEINFO"); z != "" {
		dirs = append([]string{z}, dirs...)
	}
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if rel == "posix" || rel == "right" {
					return filepath.SkipDir
				}
				return nil
			}
			if rel == "localtime" || rel == "posixrules" || rel == "Factory" || strings.Contains(path.Base(rel), ".") {
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() != int64(len(data)) {
				return nil
			}
			if b, err := os.ReadFile(p); err != nil || !bytes.Equal(b, data) {
				return nil
			}
			if best == "" || !strings.Contains(best, "/") && strings.Contains(rel, "/") {
				best = rel
			}
			return nil
		})
		if best != "" {
			break
		}
	}
	zoneinfoMatch.Store(string(data), best)
	return best
}

// zoneFromTimedatectlOutput reads timedatectl's "Time zone: Asia/Seoul
// (KST, +0900)", as the state reader does (parse.ParseTimedatectl).
func zoneFromTimedatectlOutput(data []byte) zoneSignal {
	t, ok := parse.ParseTimedatectl(string(data))
	if !ok {
		return zoneSignal{}
	}
	return zoneSignal{loc: zoneFromName(t.Zone), from: zoneFromTimedatectl}
}

// zoneFromDateOutput reads `date` as sos runs it ("Tue Jun 18 09:00:11
// KST 2024"): the zone whose abbreviation that is at that time, checked
// against `date --utc` when given; an offset of its own when only the
// pair says it.
func zoneFromDateOutput(local, utc []byte) zoneSignal {
	wall, abbr, ok := readDateOutput(firstLineOf(local))
	if !ok {
		return zoneSignal{}
	}
	off, haveOff := 0, false
	if u, uabbr, ok := readDateOutput(firstLineOf(utc)); ok && (uabbr == "UTC" || uabbr == "GMT") {
		if o, ok := roundOffset(wall.Sub(u)); ok {
			off, haveOff = o, true
		}
	}
	loc := zoneForAbbrev(abbr, wall, off, haveOff)
	if loc == nil && haveOff {
		loc = time.FixedZone(abbr, off)
	}
	if loc == nil {
		return zoneSignal{}
	}
	y, mo, d := wall.Date()
	at := time.Date(y, mo, d, wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
	return zoneSignal{loc: loc, from: zoneFromDate, at: at}
}

// readDateOutput reads "Www Mmm dd hh:mm:ss ZONE yyyy" into its wall
// clock (as UTC) and zone abbreviation.
func readDateOutput(s string) (wall time.Time, abbr string, ok bool) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return wall, "", false
	}
	t, err := time.Parse("Mon Jan 2 15:04:05 2006", strings.Join([]string{f[0], f[1], f[2], f[3], f[5]}, " "))
	if err != nil {
		return wall, "", false
	}
	return t, f[4], true
}

// roundOffset reads the difference between a wall clock (as UTC) and
// the instant it shows as a zone offset: a multiple of 15 minutes within
// 14 hours, give or take 90 seconds of delay between the two readings.
func roundOffset(d time.Duration) (int, bool) {
	const q = 15 * time.Minute
	r := d.Round(q)
	if r > 14*time.Hour || r < -14*time.Hour {
		return 0, false
	}
	if res := d - r; res > 90*time.Second || res < -90*time.Second {
		return 0, false
	}
	return int(r / time.Second), true
}

// abbrevZones are zones an abbreviation printed by `date` or journalctl
// may stand for; the one that uses the abbreviation at the time printed
// is taken. Ambiguous ones (CST, IST) list every zone; when several fit
// and no offset decides, the abbreviation says nothing.
var abbrevZones = map[string][]string{
	"UTC": {"UTC"}, "GMT": {"Europe/London"}, "BST": {"Europe/London"},
	"KST": {"Asia/Seoul"}, "JST": {"Asia/Tokyo"}, "HKT": {"Asia/Hong_Kong"}, "PKT": {"Asia/Karachi"},
	"IST": {"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"}, "WIB": {"Asia/Jakarta"},
	"CST": {"America/Chicago", "Asia/Shanghai", "Asia/Taipei"}, "CDT": {"America/Chicago"},
	"EST": {"America/New_York"}, "EDT": {"America/New_York"}, "MST": {"America/Denver", "America/Phoenix"},
	"MDT": {"America/Denver"}, "PST": {"America/Los_Angeles"}, "PDT": {"America/Los_Angeles"},
	"AKST": {"America/Anchorage"}, "AKDT": {"America/Anchorage"}, "HST": {"Pacific/Honolulu"},
	"CET": {"Europe/Berlin"}, "CEST": {"Europe/Berlin"}, "EET": {"Europe/Helsinki"}, "EEST": {"Europe/Helsinki"},
	"WET": {"Europe/Lisbon"}, "WEST": {"Europe/Lisbon"}, "MSK": {"Europe/Moscow"},
	"AEST": {"Australia/Sydney"}, "AEDT": {"Australia/Sydney"}, "ACST": {"Australia/Adelaide"},
	"ACDT": {"Australia/Adelaide"}, "AWST": {"Australia/Perth"}, "NZST": {"Pacific/Auckland"}, "NZDT": {"Pacific/Auckland"},
}

// zoneForAbbrev returns the zone abbr stands for at the wall clock wall
// (as UTC): a zone of abbrevZones that uses abbr then (with the offset
// off, when haveOff). Nil when none, or several of different offsets, fit.
func zoneForAbbrev(abbr string, wall time.Time, off int, haveOff bool) *time.Location {
	var found *time.Location
	foundOff := 0
	for _, name := range abbrevZones[abbr] {
		loc := zoneFromName(name)
		if loc == nil {
			continue
		}
		y, mo, d := wall.Date()
		t := time.Date(y, mo, d, wall.Hour(), wall.Minute(), wall.Second(), 0, loc)
		a, o := t.Zone()
		if a != abbr && !(abbr == "UTC" && o == 0) || haveOff && o != off {
			continue
		}
		if found != nil && o != foundOff {
			return nil // ambiguous
		}
		if found == nil {
			found, foundOff = loc, o
		}
	}
	return found
}
