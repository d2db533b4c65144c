package filter

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

const (
	bootA = "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c"
	bootB = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
)

// at is an event of host at minute min of 2021-10-07 06:00 UTC.
func at(host string, min int, program, bootID, msg string) *event.Event {
	return &event.Event{Host: host, Program: program, BootID: bootID, Message: msg,
		Time: time.Date(2021, 10, 7, 6, 0, 0, 0, time.UTC).Add(time.Duration(min) * time.Minute)}
}

func banner(host string, min int, bootID string) *event.Event {
	return at(host, min, "kernel", bootID, "Linux version 5.4.0-88-generic (buildd@lgw01-amd64-010) (gcc version 9.3.0 (Ubuntu 9.3.0-17ubuntu1~20.04)) #99-Ubuntu SMP Thu Sep 23 17:29:00 UTC 2021 (Ubuntu 5.4.0-88.99-generic 5.4.128)")
}

func TestBootTracker(t *testing.T) {
	t.Parallel()
	type boot struct {
		host, id    string
		first, last int
		marked      bool
	}
	tests := []struct {
		name   string
		stream []*event.Event
		want   []boot
	}{
		{"text: lines before the first banner are the boot the log begins in", []*event.Event{
			at("web-1", 0, "cron", "", "(root) CMD (true)"),
			banner("web-1", 10, "1"), at("web-1", 11, "systemd", "1", "Started Docker Application Container Engine."),
			banner("web-1", 30, "2"), at("web-1", 40, "sshd", "2", "Server listening on 0.0.0.0 port 22."),
		}, []boot{{"web-1", "", 0, 0, false}, {"web-1", "", 10, 11, true}, {"web-1", "", 30, 40, true}}},
		{"journal: a new id is a new boot; late lines of the old one stay in it", []*event.Event{
			at("web-1", 0, "systemd", bootA, "Starting Daily apt upgrade and clean activities..."),
			banner("web-1", 20, bootB), at("web-1", 20, "systemd", bootA, "Journal stopped"),
			at("web-1", 25, "dockerd", bootB, "API listen on /run/docker.sock"),
		}, []boot{{"web-1", bootA, 0, 20, true}, {"web-1", bootB, 20, 25, true}}},
		{"syslog and journal of one boot are one boot, in either order", []*event.Event{
			banner("web-1", 0, bootA), banner("web-1", 1, "1"),
			banner("web-2", 0, "1"), banner("web-2", 1, bootB), at("web-2", 5, "sshd", bootB, "Accepted publickey for ops"),
		}, []boot{{"web-1", bootA, 0, 1, true}, {"web-2", bootB, 0, 5, true}}},
		{"a journal that starts mid-boot names the boot the text was in", []*event.Event{
			banner("web-1", 0, "1"), at("web-1", 90, "dockerd", bootA, "Container failed to exit within 10 seconds of signal 15 - using the force"),
		}, []boot{{"web-1", bootA, 0, 90, true}}},
		{"a journal's banner long after the text's is another boot", []*event.Event{
			banner("web-1", 0, "1"), banner("web-1", 90, bootA),
		}, []boot{{"web-1", "", 0, 0, true}, {"web-1", bootA, 90, 90, true}}},
		{"hosts are apart; untimed events are not placed", []*event.Event{
			at("b", 0, "cron", "", "x"), {Host: "a", Message: "no time"}, at("a", 3, "cron", "", "y"),
		}, []boot{{"a", "", 3, 3, false}, {"b", "", 0, 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewBootTracker()
			for _, e := range tt.stream {
				tr.Observe(e)
			}
			got := tr.Boots()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d boots, want %d: %+v", len(got), len(tt.want), got)
			}
			base := time.Date(2021, 10, 7, 6, 0, 0, 0, time.UTC)
			for i, w := range tt.want {
				g := got[i]
				if g.Host != w.host || g.ID != w.id || !g.First.Equal(base.Add(time.Duration(w.first)*time.Minute)) ||
					!g.Last.Equal(base.Add(time.Duration(w.last)*time.Minute)) || g.Marked != w.marked {
					t.Errorf("boot %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestBootSelect(t *testing.T) {
	t.Parallel()
	tr := NewBootTracker()
	for _, e := range []*event.Event{
		at("web-1", 0, "cron", "", "before"),
		banner("web-1", 10, "1"), at("web-1", 15, "cron", "1", "first boot"),
		banner("web-1", 30, "2"), at("web-1", 35, "cron", "2", "second boot"),
		banner("db-1", 20, bootA), at("db-1", 25, "cron", bootA, "db boot"),
	} {
		tr.Observe(e)
	}
	probe := func(host string, min int) *event.Event { return at(host, min, "x", "", "probe") }
	tests := []struct {
		spec string
		in   []*event.Event
		out  []*event.Event
		err  string
	}{
		{"", []*event.Event{probe("web-1", 30), probe("web-1", 500), probe("db-1", 20), probe("db-1", 0)}, []*event.Event{probe("web-1", 29)}, ""},
		{"0", []*event.Event{probe("web-1", 31)}, []*event.Event{probe("web-1", 10)}, ""},
		{"-1", []*event.Event{probe("web-1", 10), probe("web-1", 29)}, []*event.Event{probe("web-1", 30), probe("web-1", 9), probe("db-1", 25)}, ""},
		{"1", []*event.Event{probe("web-1", 0), probe("web-1", -100), probe("db-1", 25)}, []*event.Event{probe("web-1", 10)}, ""},
		{"+3", []*event.Event{probe("web-1", 30)}, []*event.Event{probe("db-1", 30)}, ""},
		{bootA, []*event.Event{probe("db-1", 20), probe("db-1", 1000)}, []*event.Event{probe("web-1", 20)}, ""},
		{strings.ToUpper(bootA), []*event.Event{probe("db-1", 20)}, nil, ""},
		{"-3", nil, nil, "no such boot (at most 3 boot(s) per host: offsets -2..0 or 1..3"},
		{bootB, nil, nil, "no boot with this id"},
	}
	for _, tt := range tests {
		spans, err := tr.Select(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Select(%q) error = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Select(%q): %v", tt.spec, err)
		}
		f := &Filter{}
		f.SetBoots(spans)
		if !f.Active() {
			t.Errorf("Select(%q): filter not active", tt.spec)
		}
		for _, e := range tt.in {
			if !f.Match(e) {
				t.Errorf("-b %q: %s at %s should be in", tt.spec, e.Host, e.Time.Format("15:04"))
			}
		}
		for _, e := range tt.out {
			if f.Match(e) {
				t.Errorf("-b %q: %s at %s should be out", tt.spec, e.Host, e.Time.Format("15:04"))
			}
		}
		if f.Match(&event.Event{Host: "web-1"}) {
			t.Errorf("-b %q: an untimed event is in no boot", tt.spec)
		}
	}
}
