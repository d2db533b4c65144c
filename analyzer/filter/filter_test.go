package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

func ev(host, program, unit string, prio event.Priority, msg string) *event.Event {
	return &event.Event{Host: host, Program: program, Unit: unit, Priority: prio, Message: msg,
		Time: time.Date(2021, 10, 7, 6, 20, 0, 0, time.UTC)}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	sensitive := true
	isError := func(e *event.Event) bool { return strings.HasPrefix(e.Message, "error: ") }
	var (
		dockerdText   = ev("web-1", "dockerd", "", event.NoPriority, `time="2021-10-07T06:20:21Z" level=info msg="Processing signal 'terminated'"`)
		dockerdJrnl   = ev("web-1", "dockerd", "docker.service", 6, "Processing signal 'terminated'")
		systemdStop   = ev("web-1", "systemd", "docker.service", 6, "Stopping Docker Application Container Engine...")
		containerdEnd = ev("web-1", "systemd", "containerd.service", 6, "containerd.service: Succeeded.")
		aptStart      = ev("web-1", "systemd", "apt-daily-upgrade.service", 6, "Starting Daily apt upgrade and clean activities...")
		sshdText      = ev("web-2", "sshd", "", event.NoPriority, "error: kex_exchange_identification: Connection closed by remote host")
		cronText      = ev("web-2", "CRON", "", event.NoPriority, "(root) CMD (run-parts /etc/cron.hourly)")
		kernelErr     = ev("db-1", "kernel", "", 3, "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0")
		snapStop      = ev("mk8s", "systemd", "snap.microk8s.daemon-containerd.service", 6, "Stopped Service for snap application microk8s.daemon-containerd.")
	)
	all := []*event.Event{dockerdText, dockerdJrnl, systemdStop, containerdEnd, aptStart, sshdText, cronText, kernelErr, snapStop}
	tests := []struct {
		name string
		opts Options
		want []*event.Event
	}{
		{"no selection", Options{}, all},
		{"unit without suffix: the unit, systemd's lines about it, its daemon in text",
			Options{Units: []string{"docker"}}, []*event.Event{dockerdText, dockerdJrnl, systemdStop}},
		{"unit with suffix", Options{Units: []string{"containerd.service"}}, []*event.Event{containerdEnd}},
		{"units repeat (or)", Options{Units: []string{"docker", "containerd"}}, []*event.Event{dockerdText, dockerdJrnl, systemdStop, containerdEnd}},
		{"unit glob over units and text programs", Options{Units: []string{"*containerd*"}}, []*event.Event{containerdEnd, snapStop}},
		{"unit glob reaches text daemons", Options{Units: []string{"dock*"}}, []*event.Event{dockerdText, dockerdJrnl, systemdStop}},
		{"unit by text program, any case", Options{Units: []string{"cron"}}, []*event.Event{cronText}},
		{"ssh.service stands for sshd", Options{Units: []string{"ssh"}}, []*event.Event{sshdText}},
		{"identifier is exact", Options{Identifiers: []string{"systemd"}}, []*event.Event{systemdStop, containerdEnd, aptStart, snapStop}},
		{"identifier case matters", Options{Identifiers: []string{"cron"}}, nil},
		{"host glob", Options{Hosts: []string{"web-*"}}, []*event.Event{dockerdText, dockerdJrnl, systemdStop, containerdEnd, aptStart, sshdText, cronText}},
		{"hosts repeat", Options{Hosts: []string{"db-1", "mk8s"}}, []*event.Event{kernelErr, snapStop}},
		{"priority err: known, and judged for text", Options{Priority: "err", IsError: isError}, []*event.Event{sshdText, kernelErr}},
		{"priority without a judge: text never matches", Options{Priority: "err"}, []*event.Event{kernelErr}},
		{"priority info..notice: text judged info", Options{Priority: "info..notice", IsError: isError},
			[]*event.Event{dockerdText, dockerdJrnl, systemdStop, containerdEnd, aptStart, cronText, snapStop}},
		{"grep is case-insensitive in lower case", Options{Grep: "stopp"}, []*event.Event{systemdStop, snapStop}},
		{"grep with an upper-case letter is case-sensitive", Options{Grep: "Processing"}, []*event.Event{dockerdText, dockerdJrnl}},
		{"grep upper case misses lower case", Options{Grep: "PROCESSING"}, nil},
		{"grep case-sensitive by flag", Options{Grep: "stopp", CaseSensitive: &sensitive}, nil},
		{"selections combine (and)", Options{Units: []string{"docker"}, Grep: "terminated", Priority: "info", IsError: isError},
			[]*event.Event{dockerdText, dockerdJrnl}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []*event.Event
			for _, e := range all {
				if f.Match(e) {
					got = append(got, e)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("matched %d events, want %d:\n%s", len(got), len(tt.want), messages(got))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("matched:\n%s\nwant:\n%s", messages(got), messages(tt.want))
				}
			}
			if f.Active() != (tt.name != "no selection") {
				t.Errorf("Active() = %v", f.Active())
			}
		})
	}
}

func messages(evs []*event.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("  " + e.Program + " " + e.Unit + ": " + e.Message + "\n")
	}
	return b.String()
}

func TestParsePriorities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want uint8
		err  bool
	}{
		{"err", 0b00001111, false},
		{"3", 0b00001111, false},
		{"emerg", 0b00000001, false},
		{"debug", 0xff, false},
		{"warning..err", 0b00011000, false},
		{"err..warning", 0b00011000, false},
		{"4..3", 0b00011000, false},
		{"..notice", 0b00111111, false},
		{"notice..", 0b11100000, false},
		{"WARNING", 0b00011111, false},
		{"8", 0, true},
		{"loud", 0, true},
		{"err..loud", 0, true},
	}
	for _, tt := range tests {
		got, err := ParsePriorities(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParsePriorities(%q) = %08b, %v; want %08b, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Grep: "("},
		{Units: []string{"docker["}},
		{Units: []string{""}},
		{Hosts: []string{"web-["}},
		{Priority: "loud"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) = nil error", o)
		}
	}
}

func TestNilFilterMatchesAll(t *testing.T) {
	t.Parallel()
	var f *Filter
	if !f.Match(ev("h", "p", "", 6, "m")) || f.Active() {
		t.Fatal("a nil filter must pass every event and be inactive")
	}
}
