package parse

import (
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// systemctlReader reads `systemctl status UNIT` and, one unit per block,
// `systemctl status --all`:
//
//	● docker.service - Docker Application Container Engine
//	     Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)
//	     Active: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC; 2h 3min ago
//	TriggeredBy: ● docker.socket
//	   Main PID: 1234 (code=exited, status=1/FAILURE)
//	     CGroup: /system.slice/docker.service
//	             └─1234 /usr/bin/dockerd -H fd://
//
//	Nov 14 06:20:24 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.
//
// The bullet is ● (or * outside UTF-8 locales), ○ for an inactive unit
// and × for a failed one (systemd 248+). The header ends at the blank
// line; the journal lines after it are log lines like any other, read by
// the workers (localized month names included). The weekday of "since"
// is localized too and skipped.
type systemctlReader struct {
	ev      event.Event
	header  bool
	keys    int    // Loaded:, Active:, ... lines read
	lastKey string // of the last key line, for the lines that continue it
	active  string
	loc     *time.Location
}

// unitHeader reads "● name.type - Description" (the description is
// optional) and returns the unit name.
func unitHeader(raw string) (unit string, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(raw, "● "), strings.HasPrefix(raw, "○ "), strings.HasPrefix(raw, "× "),
		strings.HasPrefix(raw, "↻ "), strings.HasPrefix(raw, "* "):
		_, rest, _ = strings.Cut(raw, " ")
	default:
		return "", false
	}
	name, _, _ := strings.Cut(rest, " ")
	if !isUnitName(name) {
		return "", false
	}
	return name, true
}

func (r *systemctlReader) add(raw string, gap bool, p *Parsed) bool {
	if !r.header {
		unit, ok := unitHeader(raw)
		if !ok {
			// `systemctl status nosuch` prints only this.
			rest, ok := strings.CutPrefix(raw, "Unit ")
			if !ok {
				return false
			}
			name, tail, _ := strings.Cut(rest, " ")
			if !isUnitName(name) || !strings.HasPrefix(tail, "could not be found") {
				return false
			}
			r.start(name, p)
			setField(&r.ev, "load_state", "not-found")
			r.ev.Message = name + ": not-found"
			r.keys++
			return true
		}
		r.start(unit, p)
		_, desc, _ := strings.Cut(raw[strings.IndexByte(raw, ' ')+1:], " - ")
		setField(&r.ev, "description", strings.TrimSpace(desc))
		return true
	}
	if gap || raw == "" {
		return false
	}
	indent := indentOf(raw)
	line := strings.TrimSpace(raw)
	key, value, isKey := cutKey(line)
	if isKey && !knownStatusKey(key) {
		isKey = false
	}
	switch {
	case isKey:
		r.keys++
		r.lastKey = key
		r.field(key, value)
	case indent > 0 && r.lastKey != "":
		r.more(line)
	case strings.HasPrefix(line, "Warning: "):
		setField(&r.ev, "warning", strings.TrimPrefix(line, "Warning: "))
	default:
		return false
	}
	return true
}

func (r *systemctlReader) start(unit string, p *Parsed) {
	r.header = true
	r.ev = newStateEvent("systemctl", "systemctl status", FormatSystemctlStatus, p.Line)
	r.ev.Unit = unit
}

// knownStatusKey lists the keys systemctl status prints (systemd 219 to
// 256): a line that merely contains ": " does not continue the header.
func knownStatusKey(k string) bool {
	switch k {
	case "Loaded", "Active", "Drop-In", "Docs", "Main PID", "Process", "Tasks", "Memory", "CPU",
		"CGroup", "TriggeredBy", "Triggers", "Trigger", "Condition", "Assert", "Status", "IP", "IO",
		"Listen", "Accepted", "Connected", "Where", "What", "Invocation", "Mem peak", "Swap peak",
		"Notice", "Follows", "Device", "Transient", "Unit", "Mount", "Error", "Until":
		return true
	}
	return false
}

func (r *systemctlReader) field(key, value string) {
	ev := &r.ev
	switch key {
	case "Loaded":
		state, paren, _ := strings.Cut(value, " (")
		setField(ev, "load_state", state)
		paren = strings.TrimSuffix(paren, ")")
		if reason, ok := strings.CutPrefix(paren, "Reason: "); ok {
			setField(ev, "load_reason", reason)
			return
		}
		for i, part := range strings.Split(paren, "; ") {
			switch {
			case i == 0 && strings.HasPrefix(part, "/"):
				setField(ev, "unit_file", part)
			case strings.HasPrefix(part, "vendor preset: "):
				setField(ev, "vendor_preset", strings.TrimPrefix(part, "vendor preset: "))
			case strings.HasPrefix(part, "preset: "):
				setField(ev, "vendor_preset", strings.TrimPrefix(part, "preset: "))
			case i == 1:
				setField(ev, "unit_file_state", part)
			}
		}
	case "Active":
		r.active = value
		state, rest, _ := strings.Cut(value, " ")
		setField(ev, "active_state", state)
		since := ""
		if i := strings.Index(rest, "since "); i >= 0 {
			rest, since = rest[:i], rest[i+len("since "):]
		}
		for rest = strings.TrimSpace(rest); strings.HasPrefix(rest, "("); {
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				break
			}
			inner := rest[1:end]
			if res, ok := strings.CutPrefix(inner, "Result: "); ok {
				setField(ev, "result", res)
			} else {
				setField(ev, "sub_state", inner)
			}
			rest = strings.TrimSpace(rest[end+1:])
		}
		if since != "" {
			stamp, ago, _ := strings.Cut(since, ";")
			if t, ok := stampTime(stamp, r.loc); ok {
				setField(ev, "since", t.Format(time.RFC3339))
			} else {
				setField(ev, "since", strings.TrimSpace(stamp))
			}
			setField(ev, "since_ago", strings.TrimSuffix(strings.TrimSpace(ago), " ago"))
		}
	case "Main PID":
		pid, paren, _ := strings.Cut(value, " (")
		setField(ev, "main_pid", pid)
		paren = strings.TrimSuffix(paren, ")")
		if strings.HasPrefix(paren, "code=") {
			for part := range strings.SplitSeq(paren, ", ") {
				if c, ok := strings.CutPrefix(part, "code="); ok {
					setField(ev, "main_code", c)
				} else if s, ok := strings.CutPrefix(part, "status="); ok {
					setField(ev, "main_status", s)
				}
			}
		} else {
			setField(ev, "main_process", paren)
		}
	case "TriggeredBy":
		_, name, ok := strings.Cut(value, " ")
		if !ok {
			name = value
		}
		setField(ev, "triggered_by", name)
	case "Tasks":
		n, _, _ := strings.Cut(value, " ")
		setField(ev, "tasks", n)
	case "Memory":
		n, _, _ := strings.Cut(value, " ")
		setField(ev, "memory", n)
	case "CGroup":
		setField(ev, "cgroup", value)
	case "Drop-In":
		setField(ev, "drop_in", value)
	case "Docs":
		setField(ev, "docs", value)
	case "CPU":
		setField(ev, "cpu", value)
	case "Status":
		setField(ev, "status_text", strings.Trim(value, `"`))
	case "Process":
		// Only failed helper processes are worth a field: "ExecStartPre=... (code=exited, status=1/FAILURE)".
		if strings.Contains(value, "code=") && !strings.Contains(value, "status=0/SUCCESS") {
			setField(ev, "failed_process", value)
		}
	case "Condition":
		setField(ev, "condition", value)
	}
}

// more takes a line that continues the last key: the cgroup's process
// tree, more drop-ins, more docs.
func (r *systemctlReader) more(line string) {
	switch r.lastKey {
	case "Drop-In":
		line = strings.TrimLeft(line, "└─├│ ")
		if old, ok := r.ev.Field("drop_in"); ok && line != "" {
			r.ev.SetField("drop_in", old+" "+line)
		}
	case "Docs":
		if old, ok := r.ev.Field("docs"); ok {
			r.ev.SetField("docs", old+" "+line)
		}
	}
}

func (r *systemctlReader) finish(out []event.Event) ([]event.Event, bool) {
	if !r.header || r.keys == 0 {
		return out, false
	}
	ev := &r.ev
	if ev.Message == "" {
		msg := ev.Unit + ": "
		if r.active != "" {
			a, _, _ := strings.Cut(r.active, ";")
			msg += strings.TrimSpace(a)
		} else if s, ok := ev.Field("load_state"); ok {
			msg += s
		}
		if code, ok := ev.Field("main_code"); ok {
			st, _ := ev.Field("main_status")
			pid, _ := ev.Field("main_pid")
			msg += "; main PID " + pid + " " + code + ", status=" + st
		}
		ev.Message = msg
	}
	return append(out, *ev), true
}

func (r *systemctlReader) setLocation(loc *time.Location) { r.loc = loc }
