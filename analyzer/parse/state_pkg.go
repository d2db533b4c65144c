package parse

import (
	"strings"
	"unicode/utf8"
)

// Installed software: one state event per package or snap, with its
// version, for signatures that compare versions.

// parseDpkgRow reads a package line of `dpkg -l`:
// "ii  docker-ce  5:24.0.7-1~ubuntu.22.04~jammy  amd64  Docker: the open-source ...".
func parseDpkgRow(raw string) (f []string, ok bool) {
	if len(raw) < 5 {
		return nil, false
	}
	code, rest, ok := strings.Cut(raw, " ")
	if !ok || len(code) < 2 || len(code) > 3 || !strings.ContainsRune("uihrp", rune(code[0])) ||
		!strings.ContainsRune("ncHUFWti", rune(code[1])) || (len(code) == 3 && code[2] != 'R') {
		return nil, false
	}
	if len(code) == 2 && !strings.HasPrefix(rest, " ") {
		return nil, false // two spaces after a two-letter status
	}
	f = strings.Fields(rest)
	if len(f) < 3 {
		return nil, false
	}
	return append([]string{code}, f...), true
}

var dpkgDesired = map[byte]string{'u': "unknown", 'i': "install", 'h': "hold", 'r': "remove", 'p': "purge"}

// dpkgListReader reads `dpkg -l`: the legend, then a row per package.
type dpkgListReader struct {
	rows
}

func (r *dpkgListReader) add(raw string, gap bool, p *Parsed) bool {
	switch {
	case strings.HasPrefix(raw, "Desired=") || strings.HasPrefix(raw, "| Status=") ||
		strings.HasPrefix(raw, "|/ Err?=") || strings.HasPrefix(raw, "||/ Name") || strings.HasPrefix(raw, "+++-"):
		return len(r.evs) == 0
	}
	f, ok := parseDpkgRow(raw)
	if !ok {
		return false
	}
	ev := newStateEvent("dpkg", "dpkg -l", FormatDpkgList, p.Line)
	name, arch, _ := strings.Cut(f[1], ":")
	if f[3] != "" {
		arch = f[3]
	}
	setField(&ev, "package", name)
	setField(&ev, "version", f[2])
	setField(&ev, "arch", arch)
	setField(&ev, "status", f[0])
	setField(&ev, "desired", dpkgDesired[f[0][0]])
	if len(f) > 4 {
		// The description: the rest of the line after the architecture.
		if i := strings.Index(raw, " "+f[3]+" "); i >= 0 {
			setField(&ev, "description", strings.TrimSpace(raw[i+len(f[3])+2:]))
		}
	}
	ev.Message = name + " " + f[2] + " (" + f[0] + ")"
	r.evs = append(r.evs, ev)
	return true
}

// parseAptRow reads a line of `apt list`:
// "docker-ce/jammy,now 5:24.0.7-1~ubuntu.22.04~jammy amd64 [installed,upgradable to: 5:24.0.8-1~ubuntu.22.04~jammy]".
func parseAptRow(raw string) (name, suite, version, arch, status string, ok bool) {
	if w0, _ := leadFields(raw); strings.IndexByte(w0, '/') <= 0 {
		return "", "", "", "", "", false // before splitting the line
	}
	f := strings.Fields(raw)
	if len(f) < 3 {
		return "", "", "", "", "", false
	}
	name, suite, ok = strings.Cut(f[0], "/")
	if !ok || name == "" {
		return "", "", "", "", "", false
	}
	if len(f) > 3 {
		st := strings.Join(f[3:], " ")
		if !strings.HasPrefix(st, "[") || !strings.HasSuffix(st, "]") {
			return "", "", "", "", "", false
		}
		status = st[1 : len(st)-1]
	}
	return name, suite, f[1], f[2], status, true
}

// aptListReader reads `apt list --installed` / `--upgradable`.
type aptListReader struct {
	rows
}

func (r *aptListReader) add(raw string, gap bool, p *Parsed) bool {
	if strings.HasPrefix(raw, "Listing...") || strings.HasPrefix(raw, "WARNING: apt does not have a stable CLI interface") {
		return len(r.evs) == 0
	}
	name, suite, version, arch, status, ok := parseAptRow(raw)
	if !ok {
		return false
	}
	if len(r.evs) == 0 && status == "" && p.Kind == KindEntry && p.Event.Source.Format != FormatText {
		return false
	}
	ev := newStateEvent("apt", "apt list", FormatAptList, p.Line)
	setField(&ev, "package", name)
	setField(&ev, "version", version)
	setField(&ev, "arch", arch)
	setField(&ev, "suite", suite)
	setField(&ev, "status", status)
	for part := range strings.SplitSeq(status, ",") {
		if v, ok := strings.CutPrefix(part, "upgradable to: "); ok {
			setField(&ev, "upgradable_to", v)
		}
		if v, ok := strings.CutPrefix(part, "upgradable from: "); ok {
			setField(&ev, "upgradable_from", v)
		}
	}
	ev.Message = name + " " + version
	if status != "" {
		ev.Message += " [" + status + "]"
	}
	r.evs = append(r.evs, ev)
	return true
}

// isSnapHeader recognizes the header of `snap list` and `snap changes`.
func isSnapHeader(raw string) bool {
	if w0, w1 := leadFields(raw); !(w0 == "Name" && w1 == "Version" || w0 == "ID" && w1 == "Status") {
		return false // before splitting the line
	}
	f := strings.Fields(raw)
	switch {
	case len(f) >= 4 && f[0] == "Name" && f[1] == "Version" && f[2] == "Rev":
		return true
	case len(f) >= 5 && f[0] == "ID" && f[1] == "Status" && f[2] == "Spawn" && f[3] == "Ready" && f[4] == "Summary":
		return true
	}
	return false
}

// snapReader reads `snap list` and `snap changes`, whose columns the
// header names; cells of `snap changes` hold spaces ("today at 06:20
// UTC"), so its rows are cut at the header's columns (counted in
// characters: snap pads by characters, and publishers carry a ✓).
type snapReader struct {
	command string
	cols    []string
	starts  []int // rune offsets of the columns
	rows
}

func (r *snapReader) add(raw string, gap bool, p *Parsed) bool {
	if r.cols == nil {
		if !isSnapHeader(raw) {
			return false
		}
		r.cols = strings.Fields(raw)
		if r.cols[0] == "ID" {
			r.command = "snap changes"
		} else {
			r.command = "snap list"
		}
		runes := []rune(raw)
		for i := range runes {
			if runes[i] != ' ' && (i == 0 || runes[i-1] == ' ') {
				r.starts = append(r.starts, i)
			}
		}
		return true
	}
	if gap || raw == "" || raw[0] == ' ' || isSnapHeader(raw) {
		return false
	}
	var cells []string
	if r.command == "snap list" {
		cells = strings.Fields(raw)
		if len(cells) < 3 || len(cells) > len(r.cols) {
			return false
		}
	} else {
		runes := []rune(raw)
		for i, s := range r.starts {
			end := len(runes)
			if i+1 < len(r.starts) {
				end = min(r.starts[i+1], len(runes))
			}
			if s >= len(runes) {
				cells = append(cells, "")
				continue
			}
			cells = append(cells, strings.TrimSpace(string(runes[s:end])))
		}
		if len(cells) < 2 || !allDigitsStr(cells[0]) {
			return false
		}
	}
	format := FormatSnapList
	if r.command == "snap changes" {
		format = FormatSnapChanges
	}
	ev := newStateEvent("snap", r.command, format, p.Line)
	for i, c := range cells {
		if i >= len(r.cols) {
			break
		}
		key := strings.ToLower(r.cols[i])
		switch key {
		case "name":
			key = "snap"
		case "developer":
			key = "publisher"
		}
		setField(&ev, key, c)
	}
	ev.Message = strings.Join(strings.Fields(raw), " ")
	if !utf8.ValidString(ev.Message) {
		ev.Message = strings.ToValidUTF8(ev.Message, "\uFFFD")
	}
	r.evs = append(r.evs, ev)
	return true
}
