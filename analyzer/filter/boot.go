package filter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Boot is one boot of one host as the inputs show it.
type Boot struct {
	Host string
	// ID is the journal's _BOOT_ID (also named by journalctl's
	// "-- Boot ID --" separators); "" when only text shows the boot.
	ID string
	// First and Last are the times of its first and last event.
	First, Last time.Time
	// Marked: the boot's start is in the logs (a kernel "Linux version"
	// line or a boot id not seen before); false for the boot a host's
	// logs begin in.
	Marked bool
}

// bootMergeWindow is how close two signs of a new boot must be to count
// as one: the journal's first entry of a boot and rsyslog's copy of the
// kernel's banner come seconds apart.
const bootMergeWindow = 5 * time.Minute

// minBootID is the length from which an event's BootID is a real boot id
// (journal ids are 32 hex digits); shorter ones are the text assembler's
// per-file counters, which say nothing across files.
const minBootID = 16

// BootTracker finds the boots of each host in a time-ordered stream of
// events. A boot starts at an event with a boot id not seen before on
// its host, or at the kernel's "Linux version" banner in text, unless
// the boot started within bootMergeWindow (both sources tell of the same
// boot). Events without a time are not placed. Not safe for concurrent
// use.
type BootTracker struct {
	hosts    map[string]*hostBoots
	lastHost string
	last     *hostBoots
}

type hostBoots struct {
	boots []Boot
	ids   map[string]bool
}

// NewBootTracker returns an empty tracker.
func NewBootTracker() *BootTracker { return &BootTracker{hosts: map[string]*hostBoots{}} }

// Observe places ev, the next event of the stream.
func (t *BootTracker) Observe(ev *event.Event) {
	if ev.Time.IsZero() {
		return
	}
	h := t.last
	if h == nil || ev.Host != t.lastHost {
		h = t.hosts[ev.Host]
		if h == nil {
			h = &hostBoots{ids: map[string]bool{}}
			t.hosts[ev.Host] = h
		}
		t.lastHost, t.last = ev.Host, h
	}
	h.observe(ev)
}

func (h *hostBoots) observe(ev *event.Event) {
	var cur *Boot
	if n := len(h.boots); n > 0 {
		cur = &h.boots[n-1]
	}
	banner := ev.Program == "kernel" && strings.HasPrefix(ev.Message, "Linux version ")
	switch {
	case len(ev.BootID) >= minBootID:
		id := ev.BootID
		switch {
		case h.ids[id]:
			// The running boot, or a late line of an earlier one.
			if cur.ID != id {
				for i := range h.boots {
					if h.boots[i].ID == id && ev.Time.After(h.boots[i].Last) {
						h.boots[i].Last = ev.Time
					}
				}
				return
			}
		case cur != nil && cur.ID == "" && (!banner || ev.Time.Sub(cur.First) < bootMergeWindow):
			// Text told of this boot first, or the journal starts in
			// the middle of the boot the text was in.
			cur.ID = id
			h.ids[id] = true
		default:
			h.ids[id] = true
			h.boots = append(h.boots, Boot{Host: ev.Host, ID: id, First: ev.Time, Marked: true})
			cur = &h.boots[len(h.boots)-1]
		}
	case banner:
		if cur == nil || !cur.Marked || ev.Time.Sub(cur.First) >= bootMergeWindow {
			h.boots = append(h.boots, Boot{Host: ev.Host, First: ev.Time, Marked: true})
			cur = &h.boots[len(h.boots)-1]
		}
	case cur == nil:
		h.boots = append(h.boots, Boot{Host: ev.Host, First: ev.Time})
		cur = &h.boots[0]
	}
	if ev.Time.After(cur.Last) {
		cur.Last = ev.Time
	}
}

// Boots returns every host's boots, hosts in name order, each host's
// oldest first.
func (t *BootTracker) Boots() []Boot {
	hosts := make([]string, 0, len(t.hosts))
	for h := range t.hosts {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	var out []Boot
	for _, h := range hosts {
		out = append(out, t.hosts[h].boots...)
	}
	return out
}

// Span is a stretch of time [From, To); a zero bound is open.
type Span struct{ From, To time.Time }

func (s Span) contains(t time.Time) bool {
	return (s.From.IsZero() || !t.Before(s.From)) && (s.To.IsZero() || t.Before(s.To))
}

// Select resolves -b's argument over the boots t found: "" or an offset
// as journalctl reads it (0 or "" the last boot of each host, -1 the one
// before, 1 the first, +2 the second), or a boot id. It returns, per
// host, the stretch of time the boot covers: from its first event to
// the next boot's first event (the first boot is open before, the last
// after). An offset selects that boot on every host that has it.
func (t *BootTracker) Select(spec string) (map[string][]Span, error) {
	spans := map[string][]Span{}
	if spec == "" {
		spec = "0"
	}
	if n, err := strconv.Atoi(spec); err == nil {
		for host, h := range t.hosts {
			i := n - 1
			if n <= 0 {
				i = len(h.boots) - 1 + n
			}
			if i >= 0 && i < len(h.boots) {
				spans[host] = []Span{h.span(i)}
			}
		}
		if len(spans) == 0 {
			return nil, fmt.Errorf("--boot %s: the inputs show no such boot (%s; see --list-boots)", spec, t.counts())
		}
		return spans, nil
	}
	for host, h := range t.hosts {
		for i := range h.boots {
			if strings.EqualFold(h.boots[i].ID, spec) {
				spans[host] = append(spans[host], h.span(i))
			}
		}
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("--boot %q: no boot with this id in the inputs (see --list-boots)", spec)
	}
	return spans, nil
}

func (h *hostBoots) span(i int) Span {
	var s Span
	if i > 0 {
		s.From = h.boots[i].First
	}
	if i+1 < len(h.boots) {
		s.To = h.boots[i+1].First
	}
	return s
}

// counts says how many boots each host has, for messages.
func (t *BootTracker) counts() string {
	if len(t.hosts) == 0 {
		return "no timed events"
	}
	most := 0
	for _, h := range t.hosts {
		most = max(most, len(h.boots))
	}
	return fmt.Sprintf("at most %d boot(s) per host: offsets %d..0 or 1..%d", most, 1-most, most)
}

// SetBoots keeps only events inside spans (by host), from Select.
func (f *Filter) SetBoots(spans map[string][]Span) { f.boots = spans }

func (f *Filter) inBoot(ev *event.Event) bool {
	if ev.Time.IsZero() {
		return false
	}
	for _, s := range f.boots[ev.Host] {
		if s.contains(ev.Time) {
			return true
		}
	}
	return false
}
