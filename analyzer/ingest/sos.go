package ingest

import (
	"bytes"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// A sosreport keeps command outputs in sos_commands/<plugin>/<command
// with spaces as underscores>. Those that tell the state of the host
// (DESIGN §9) are recognized by path and read as that command's output
// (parse.AssemblerConfig.Command); their state events take the time the
// bundle was made (sos_commands/date/date_--utc, then date, then the
// file's own time) and the bundle's host name.

// sosCommand returns the command whose output the bundle file at the
// slash-separated path rel holds, or "" when it is none read as state.
func sosCommand(rel string) string {
	dir, base := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	plugin := path.Base(dir)
	if path.Base(path.Dir(dir)) != "sos_commands" {
		return ""
	}
	switch {
	case strings.HasPrefix(base, "systemctl_status"):
		return "systemctl status"
	case plugin == "systemd" && base == "timedatectl":
		return "timedatectl"
	case strings.HasPrefix(base, "docker_info"):
		return "docker info"
	case strings.HasPrefix(base, "docker_version"):
		return "docker version"
	case strings.HasPrefix(base, "ip_") && strings.Contains(base, "route") && !strings.Contains(base, "cache"):
		return "ip route"
	case base == "route_-n" || strings.HasPrefix(base, "route_-n_"):
		return "route -n"
	case base == "ip_-o_addr" || base == "ip_-d_address" || base == "ip_addr" || base == "ip_-br_addr" || base == "ip_address":
		return "ip addr"
	case strings.HasPrefix(base, "dpkg_-l"):
		return "dpkg -l"
	case strings.HasPrefix(base, "apt_list"):
		return "apt list"
	case strings.HasPrefix(base, "snap_list"):
		return "snap list"
	case strings.HasPrefix(base, "snap_changes"):
		return "snap changes"
	}
	return ""
}

// sosRoot returns the part of a member or file path before its
// sos_commands directory ("sosreport-web3-.../"); ok is false outside a
// bundle's sos_commands.
func sosRoot(name string) (root string, ok bool) {
	i := strings.Index(name, "sos_commands/")
	if i < 0 || (i > 0 && name[i-1] != '/') {
		return "", false
	}
	return name[:i], true
}

// isSosLog names the bundle files read as logs by their path whatever
// their content: the kernel ring buffer.
func isSosLog(rel string) bool {
	return strings.HasSuffix(rel, "sos_commands/kernel/dmesg")
}

// bundleFacts are what a bundle says about all of its command outputs.
type bundleFacts struct {
	host string
	// date is when sos ran: date_--utc (zone known) before date.
	date    time.Time
	dateUTC bool
}

// bundleFactFile reports whether a bundle file (relative to the bundle
// root) is one bundleFacts are read from, not a log.
func bundleFactFile(rel string) bool {
	switch rel {
	case "sos_commands/date/date", "sos_commands/date/date_--utc", "hostname",
		"sos_commands/host/hostname", "sos_commands/general/hostname", "etc/hostname":
		return true
	}
	return false
}

// observe records what the bundle file rel holds.
func (b *bundleFacts) observe(rel string, r io.Reader, loc *time.Location) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<10))
	if err != nil {
		return
	}
	text := strings.TrimSpace(string(data))
	switch rel {
	case "sos_commands/date/date", "sos_commands/date/date_--utc":
		utc := rel == "sos_commands/date/date_--utc"
		if b.dateUTC && !utc {
			return
		}
		if t, _, ok := parse.ParseDate(text, loc); ok {
			b.date, b.dateUTC = t, utc
		}
	default:
		host, _, _ := strings.Cut(text, "\n")
		host, _, _ = strings.Cut(strings.TrimSpace(host), ".") // the short name, as syslog writes it
		if host != "" && (b.host == "" || rel == "etc/hostname") {
			b.host = host
		}
	}
}

// readBundleFacts reads the facts of the unpacked bundle at root.
func readBundleFacts(root string, loc *time.Location) *bundleFacts {
	b := &bundleFacts{}
	for _, rel := range []string{"sos_commands/date/date", "sos_commands/date/date_--utc",
		"sos_commands/general/hostname", "sos_commands/host/hostname", "hostname", "etc/hostname"} {
		f, err := openRegular(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		b.observe(rel, f, loc)
		f.Close()
	}
	return b
}

// observeMember records the facts an archive member holds, when it is
// a fact file of its bundle; data is its content.
func observeMember(facts map[string]*bundleFacts, name string, data []byte) {
	root, rel := "", name
	if i := strings.IndexByte(name, '/'); i > 0 && !bundleFactFile(name) {
		root, rel = name[:i+1], name[i+1:]
	}
	if !bundleFactFile(rel) {
		return
	}
	b := facts[root]
	if b == nil {
		b = &bundleFacts{}
		facts[root] = b
	}
	b.observe(rel, bytes.NewReader(data), nil)
}

// isBundleFactMember reports whether an archive member is a fact file of
// its bundle (read whole before it is read as a member).
func isBundleFactMember(name string) bool {
	if bundleFactFile(name) {
		return true
	}
	i := strings.IndexByte(name, '/')
	return i > 0 && bundleFactFile(name[i+1:])
}

// stateBatches finishes the events of a command output read whole: the
// bundle's host and date replace the provisional ones (the file's time),
// and the events are put in time order. A command output is no log: the
// journal lines `systemctl status --all` shows under each unit go back
// in time from one unit to the next.
func stateBatches(batches []*batch, snapshot time.Time, facts *bundleFacts) []*batch {
	var all []event.Event
	for _, b := range batches {
		all = append(all, b.events...)
	}
	if facts != nil {
		for i := range all {
			ev := &all[i]
			if ev.Kind != event.KindState {
				continue
			}
			if ev.Host == "" {
				ev.Host = facts.host
			}
			if !facts.date.IsZero() && ev.Time.Equal(snapshot) {
				ev.Time = facts.date
			}
		}
	}
	timed := true
	for i := range all {
		if all[i].Time.IsZero() {
			timed = false
			break
		}
	}
	if timed {
		slices.SortStableFunc(all, func(a, b event.Event) int { return a.Time.Compare(b.Time) })
	}
	for _, b := range batches[1:] {
		// (Their events are in the first batch now, and with them the
		// block copies they point into.)
		batches[0].texts = append(batches[0].texts, b.texts...)
		b.texts = b.texts[:0]
		putBatch(b)
	}
	if len(batches) == 0 {
		return nil
	}
	clear(batches[0].events)
	batches[0].events = append(batches[0].events[:0], all...)
	return batches[:1]
}

// readStateFile reads an unpacked bundle's command output whole, then
// finishes its events (stateBatches) and hands them on.
func (s *Stream) readStateFile(run *srcRun, d *decoded, src *source, snapshot time.Time, facts *bundleFacts) {
	var batches []*batch
	run.emit = func(b *batch) bool {
		batches = append(batches, b)
		return true
	}
	run.pump(d)
	send := s.sendTo(src)
	batches = stateBatches(batches, snapshot, facts)
	src.restat(batches)
	for _, b := range batches {
		if !send(b) {
			return
		}
	}
}
