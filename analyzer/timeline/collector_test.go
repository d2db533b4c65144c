package timeline

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

var templateTests = []struct{ in, want string }{
	{"error: kex_exchange_identification: Connection closed by remote host", "error: kex_exchange_identification: Connection closed by remote host"},
	{"Connection closed by 203.0.113.54 port 50122", "Connection closed by <ip> port <n>"},
	{"Failed password for root from 2001:db8::7 port 22 ssh2", "Failed password for root from <ip> port <n> ssh<n>"},
	{"EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls", "EXT<n>-fs error (device sda<n>): ext<n>_find_entry:<n>: inode #<n>: comm ls"},
	{"Health check for container 979e41048696965d85a4a1b1c8c6e5707f381aa097763cd0421cb10dfd31a9a6 error", "Health check for container <hex> error"},
	{"boot 0b7a1f0e-3c9d-4d6a-8f2e-5a1b2c3d4e5f started", "boot <id> started"},
	{"open /var/lib/docker/overlay2/x: no space left on device", "open <path>: no space left on device"},
	{"dial unix:///run/containerd/containerd.sock: timeout", "dial <url>: timeout"},
	{`time="2021-10-07T06:20:21.521938060+09:00" level=error`, `time="<time>" level=error`},
	{"segfault at 0x7f3a2b ip 00007f3a2b1c sp", "segfault at <hex> ip <hex> sp"},
	{"at 06:20:21 the deadbeef word stays", "at <n>:<n>:<n> the deadbeef word stays"},
	{"first line 1\ncontinuation 2", "first line <n>"},
	{"listen on 10.0.0.5:8080 and 10.0.0.0/8, not 10.0.0.5: or v10.0.0.5", "listen on <ip> and <ip>, not <ip>: or v<n>.<n>.<n>.<n>"},
	{"peer fe80::1 and 2001:db8:0:0:0:0:0:7 but not a:b or 1:2:3", "peer <ip> and <ip> but not a:b or <n>:<n>:<n>"},
	{"uri h2c://x:1 then x:/// and ://", "uri <url> then <url> and <url>"},
	{"", ""},
}

func TestAppendTemplate(t *testing.T) {
	for _, tt := range templateTests {
		if got := string(AppendTemplate(nil, tt.in)); got != tt.want {
			t.Errorf("AppendTemplate(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("x", 1000)
	if got := AppendTemplate(nil, long); len(got) != maxTemplateLen {
		t.Errorf("long template is %d bytes, want %d", len(got), maxTemplateLen)
	}
}

// referenceTemplate is AppendTemplate as it was before its fast paths:
// every token tried against every mask, and digits masked byte by byte.
func referenceTemplate(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	const delims = " \t\"'()[]{},;=<>|`\r\n"
	var dst []byte
	for i := 0; i < len(msg); {
		if len(dst) >= maxTemplateLen {
			break
		}
		if strings.IndexByte(delims, msg[i]) >= 0 {
			dst = append(dst, msg[i])
			i++
			continue
		}
		j := i
		for j < len(msg) && strings.IndexByte(delims, msg[j]) < 0 {
			j++
		}
		tok := msg[i:j]
		i = j
		end := len(tok)
		for end > 0 && (tok[end-1] == ':' || tok[end-1] == '.') {
			end--
		}
		core, tail := tok[:end], tok[end:]
		colon := strings.Contains(tok, ":")
		switch {
		case core == "":
		case colon && strings.Contains(core, "://"):
			dst = append(dst, maskURL...)
		case len(core) > 1 && (core[0] == '/' || strings.HasPrefix(core, "~/") || strings.HasPrefix(core, "./")):
			dst = append(dst, maskPath...)
		case isStamp(core):
			dst = append(dst, maskTime...)
		case isUUID(core):
			dst = append(dst, maskID...)
		case isIPv4(core) || colon && isIPv6(core):
			dst = append(dst, maskIP...)
		case isHexID(core):
			dst = append(dst, maskHex...)
		default:
			for k := 0; k < len(core); {
				if isDigit(core[k]) {
					for k < len(core) && isDigit(core[k]) {
						k++
					}
					dst = append(dst, maskNum...)
					continue
				}
				dst = append(dst, core[k])
				k++
			}
		}
		dst = append(dst, tail...)
	}
	return string(dst[:min(len(dst), maxTemplateLen)])
}

// templateFastPaths are lines that take AppendTemplate's shortcuts, and
// the near misses of each: words, words that are paths or UUIDs or hex,
// and words at the length cut.
var templateFastPaths = []string{
	"Out of memory: Killed process in cgroup",
	"open ./relative ~/home /abs .hidden ~tilde ..: ... end.",
	"uuid aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee and aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee short",
	"hex deadbeefcafe and deadbeefcafe0 and 0xbeef and abcdefabcdefabcdefabcdefabcdefabcdefab",
	`E1229 18:00:04.349998    20478 pod_workers.go:951] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"app\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container=app pod=monitoring/node-exporter-9k2lp\"" pod="monitoring/node-exporter-9k2lp"`,
	strings.Repeat("word ", 39) + "wordy tail",
	strings.Repeat("w", 199) + " x",
}

// TestAppendTemplateFastPaths: AppendTemplate agrees with the reference
// on every case of the table, the shortcut cases and their near misses.
func TestAppendTemplateFastPaths(t *testing.T) {
	cases := slices.Clone(templateFastPaths)
	for _, tt := range templateTests {
		cases = append(cases, tt.in)
	}
	for _, s := range cases {
		if got, want := string(AppendTemplate(nil, s)), referenceTemplate(s); got != want {
			t.Errorf("AppendTemplate(%q)\n got %q\nwant %q (reference)", s, got, want)
		}
	}
}

func FuzzTemplate(f *testing.F) {
	for _, tt := range templateTests {
		f.Add(tt.in)
	}
	for _, s := range templateFastPaths {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := AppendTemplate(nil, s)
		if want := referenceTemplate(s); string(a) != want {
			t.Fatalf("AppendTemplate(%q)\n got %q\nwant %q (reference)", s, a, want)
		}
		if len(a) > maxTemplateLen+len(maskPath) {
			t.Fatalf("template of %d bytes", len(a))
		}
		if strings.ContainsAny(string(a), "\n") {
			t.Fatalf("newline in template %q", a)
		}
		// Every number is masked, alone or inside a masked token.
		if i := strings.IndexAny(string(a), "0123456789"); i >= 0 {
			t.Fatalf("digit left at %d in %q (input %q)", i, a, s)
		}
	})
}

func TestIsError(t *testing.T) {
	tests := []struct {
		name string
		ev   event.Event
		want bool
	}{
		{"priority err", event.Event{Priority: 3, Message: "x"}, true},
		{"priority warning", event.Event{Priority: 4, Message: "x"}, false},
		{"unit failed", event.Event{Priority: event.NoPriority, Program: "systemd", Lifecycle: event.Failed, Message: "docker.service: Failed with result 'exit-code'."}, true},
		{"level field", event.Event{Priority: event.NoPriority, Fields: []event.Field{{Key: "level", Value: "FATAL"}}}, true},
		{"kernel I/O error", event.Event{Priority: event.NoPriority, Program: "kernel", Message: "blk_update_request: I/O error, dev sda, sector 123"}, true},
		{"kernel mount option errors=", event.Event{Priority: event.NoPriority, Program: "kernel", Message: "EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro. Quota mode: none."}, false},
		{"kernel error after errors=", event.Event{Priority: event.NoPriority, Program: "kernel", Message: "EXT4-fs (sda1): mounted with errors=continue, error count since last fsck: 2"}, true},
		{"kernel memcg failcnt", event.Event{Priority: event.NoPriority, Program: "kernel", Message: "memory: usage 524288kB, limit 524288kB, failcnt 1893"}, false},
		{"kernel ordinary", event.Event{Priority: event.NoPriority, Program: "kernel", Message: "e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex"}, false},
		{"sshd error prefix", event.Event{Priority: event.NoPriority, Program: "sshd", Message: "error: kex_exchange_identification: read: Connection reset by peer"}, true},
		{"near miss: error inside", event.Event{Priority: event.NoPriority, Program: "sshd", Message: "Received disconnect: no error"}, false},
		{"apt fatal prefix", event.Event{Priority: event.NoPriority, Program: "apt", Message: "fatal: unable to access"}, true},
		{"Error prefix", event.Event{Priority: event.NoPriority, Program: "app", Message: "Error: bind: address already in use"}, true},
		{"ERROR prefix", event.Event{Priority: event.NoPriority, Program: "app", Message: "ERROR: cannot open"}, true},
		{"FATAL prefix", event.Event{Priority: event.NoPriority, Program: "postgres", Message: "FATAL: password authentication failed"}, true},
		{"near miss: prefix without space", event.Event{Priority: event.NoPriority, Program: "app", Message: "error:x"}, false},
		{"near miss: Fatal", event.Event{Priority: event.NoPriority, Program: "app", Message: "Fatal: x"}, false},
		{"empty message", event.Event{Priority: event.NoPriority, Program: "app"}, false},
	}
	for _, tt := range tests {
		if got := IsError(&tt.ev); got != tt.want {
			t.Errorf("%s: IsError = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// feed runs events through a collector as the CLI does; matched[i] says
// the engine flagged events[i].
func feed(c *Collector, events []*event.Event, matched map[int]bool) {
	for i, ev := range events {
		if matched[i] {
			c.OnMatch(ev)
		}
		c.Observe(ev)
	}
}

func ev(t time.Time, path string, line int64, prog, msg string) *event.Event {
	return &event.Event{Time: t, Host: "h", Program: prog, Priority: event.NoPriority, Message: msg,
		Source: event.SourceRef{Path: path, Line: line}}
}

func TestCollectorContext(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := range 10 {
		evs = append(evs, ev(t0.Add(time.Duration(i)*time.Second), "a", int64(i+1), "p", "line"))
		// An interleaved second source must not leak into a's context.
		evs = append(evs, ev(t0.Add(time.Duration(i)*time.Second), "b", int64(i+1), "q", "other"))
	}
	c := NewCollector(CollectorOptions{Context: 2})
	feed(c, evs, map[int]bool{0: true, 10: true}) // a:1 and a:6
	got := func(x *Context, before bool) []int64 {
		var out []int64
		list := x.After
		if before {
			list = x.Before
		}
		for _, e := range list {
			if e.Source.Path != "a" {
				t.Errorf("context from source %s", e.Source.Path)
			}
			out = append(out, e.Source.Line)
		}
		return out
	}
	first := c.contextOf(evs[0])
	if first == nil || len(got(first, true)) != 0 || !equal(got(first, false), []int64{2, 3}) {
		t.Fatalf("context of a:1 = %+v", first)
	}
	mid := c.contextOf(evs[10])
	if mid == nil || !equal(got(mid, true), []int64{4, 5}) || !equal(got(mid, false), []int64{7, 8}) {
		t.Fatalf("context of a:6: before %v after %v", got(mid, true), got(mid, false))
	}
	if c.contextOf(evs[2]) != nil {
		t.Error("context kept for an event that did not match")
	}

	// The cap: only the first MaxContexts candidates keep context.
	c = NewCollector(CollectorOptions{Context: 1, MaxContexts: 1})
	feed(c, evs, map[int]bool{0: true, 2: true})
	if c.contextOf(evs[0]) == nil || c.contextOf(evs[2]) != nil || !c.contextsFull {
		t.Error("MaxContexts not applied")
	}
}

// Context lines keep what the event held when it was observed, even
// when its owner reuses the Fields backing array afterwards.
func TestCollectorContextOwnsFields(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fields := []event.Field{{Key: "level", Value: "info"}}
	var evs []*event.Event
	for i := range 4 {
		e := ev(t0.Add(time.Duration(i)*time.Second), "a", int64(i+1), "p", "line")
		e.Fields = fields
		evs = append(evs, e)
	}
	c := NewCollector(CollectorOptions{Context: 2})
	for i, e := range evs {
		if i == 3 {
			c.OnMatch(e)
		}
		c.Observe(e)
		fields[0].Value = fmt.Sprint("reused ", i)
	}
	x := c.contextOf(evs[3])
	if x == nil || len(x.Before) != 2 {
		t.Fatalf("context of a:4 = %+v", x)
	}
	// Lines 2 and 3 were observed after the owner's writes 0 and 1.
	for _, b := range x.Before {
		if v, _ := b.Field("level"); v != fmt.Sprint("reused ", b.Source.Line-2) {
			t.Errorf("before-line %d has level %q", b.Source.Line, v)
		}
	}
}

// A journal-remote directory is one source holding many hosts: each
// host's entries are its own stream for context and gaps. Lines of a
// text file keep their file's neighbours, whatever host they name.
func TestCollectorJournalHosts(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	add := func(d time.Duration, path, host string) {
		e := ev(t0.Add(d), path, 0, "p", host)
		e.Host = host
		e.Source.Cursor = fmt.Sprintf("s=x;i=%x", len(evs)+1)
		if path != "journal:j" {
			e.Source.Line, e.Source.Cursor = int64(len(evs)+1), ""
		}
		evs = append(evs, e)
	}
	// app-1 every minute for 3h; app-2 a minute in, then silent 2h.
	for i := range 180 {
		add(time.Duration(i)*time.Minute, "journal:j", "app-1")
		if i < 2 || i >= 121 {
			add(time.Duration(i)*time.Minute+time.Second, "journal:j", "app-2")
		}
	}
	c := NewCollector(CollectorOptions{Context: 1})
	feed(c, evs, map[int]bool{2: true}) // app-1's second entry
	x := c.contextOf(evs[2])
	if x == nil || len(x.Before) != 1 || len(x.After) != 1 || x.Before[0].Host != "app-1" || x.After[0].Host != "app-1" {
		t.Fatalf("context of app-1's entry: %+v", x)
	}
	gaps := c.gapList()
	if len(gaps) != 1 || gaps[0].Host != "app-2" || gaps[0].Source != "journal:j" || gaps[0].To.Sub(gaps[0].From) != 2*time.Hour {
		t.Errorf("gaps %+v, want app-2's 2h", gaps)
	}

	// A text file of two hosts stays one stream.
	evs = nil
	add(0, "syslog", "app-1")
	add(time.Second, "syslog", "app-2")
	add(2*time.Second, "syslog", "app-1")
	c = NewCollector(CollectorOptions{Context: 1})
	feed(c, evs, map[int]bool{2: true})
	if x := c.contextOf(evs[2]); x == nil || len(x.Before) != 1 || x.Before[0].Host != "app-2" {
		t.Errorf("context of a text line: %+v", x)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCollectorGapsAndBoots(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	at := t0
	add := func(d time.Duration, boot string) {
		at = at.Add(d)
		e := ev(at, "syslog", int64(len(evs)+1), "p", "x")
		e.BootID = boot
		evs = append(evs, e)
	}
	for range 100 {
		add(time.Minute, "b1")
	}
	add(50*time.Minute, "b1") // 50x the spacing but under the 1h floor: no gap
	add(3*time.Hour, "b2")    // a gap, and a reboot
	for range 10 {
		add(time.Minute, "b2")
	}
	add(-time.Hour, "b2") // clock backwards: ignored
	add(2*time.Hour, "b2")
	c := NewCollector(CollectorOptions{})
	feed(c, evs, nil)
	gaps := c.gapList()
	if len(gaps) != 1 || gaps[0].To.Sub(gaps[0].From) != 3*time.Hour {
		t.Fatalf("gaps = %+v, want one of 3h", gaps)
	}
	if typ := gaps[0].Typical; typ < 30*time.Second || typ > 2*time.Minute {
		t.Errorf("typical spacing %v, want about 1m", typ)
	}
	boots, _ := c.bootList()
	if len(boots) != 2 || boots[0].BootID != "b1" || boots[1].BootID != "b2" || !boots[1].Time.Equal(evs[101].Time) {
		t.Fatalf("boots = %+v", boots)
	}
}

func TestCollectorUnexplained(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []*event.Event{
		ev(t0, "s", 1, "sshd", "error: maximum authentication attempts exceeded for root from 198.51.100.7 port 40022 ssh2"),
		ev(t0.Add(time.Second), "s", 2, "sshd", "error: maximum authentication attempts exceeded for root from 198.51.100.9 port 40110 ssh2"),
		ev(t0.Add(2*time.Second), "s", 3, "dockerd", "error: container died"),
		ev(t0.Add(3*time.Second), "s", 4, "dockerd", "error: container died"),
		ev(t0.Add(4*time.Second), "s", 5, "app", "all good"),
	}
	c := NewCollector(CollectorOptions{})
	feed(c, evs, map[int]bool{2: true, 3: true})
	// dockerd's line 3 is evidence of a finding; line 4 matched a
	// signature event but is in no finding: with nothing of its template
	// in evidence it stays unexplained.
	groups, overflow := c.unexplained(map[posKey]bool{keyOf(evs[2]): true}, nil)
	if overflow != 0 || len(groups) != 2 {
		t.Fatalf("groups = %+v, overflow %d", groups, overflow)
	}
	if g := groups[0]; g.Program != "sshd" || g.Count != 2 || g.Example.Source.Line != 1 ||
		g.Template != "error: maximum authentication attempts exceeded for root from <ip> port <n> ssh<n>" {
		t.Errorf("sshd group = %+v", g)
	}
	if g := groups[1]; g.Program != "dockerd" || g.Count != 1 || g.Example.Source.Line != 4 {
		t.Errorf("dockerd group = %+v", g)
	}
	// The same error repeated is the same story: with line 3 as
	// evidence, line 4 (same template) is explained too.
	groups, _ = c.unexplained(map[posKey]bool{keyOf(evs[2]): true}, []*event.Event{evs[2]})
	if len(groups) != 1 || groups[0].Program != "sshd" {
		t.Errorf("with evidence of the template: groups = %+v", groups)
	}
	// Evidence explains by program and template: another program's line
	// of the same text explains nothing; a line of sshd's template
	// explains its group, an info line as well as an error.
	other := ev(t0.Add(5*time.Second), "s", 6, "kernel", "error: container died")
	info := ev(t0.Add(6*time.Second), "s", 7, "sshd", "error: maximum authentication attempts exceeded for root from 192.0.2.1 port 1 ssh2")
	info.ErrorLevel = event.VerdictNo
	groups, _ = c.unexplained(map[posKey]bool{keyOf(evs[2]): true}, []*event.Event{other, info})
	if len(groups) != 1 || groups[0].Program != "dockerd" || groups[0].Count != 1 {
		t.Errorf("with evidence of another program and of sshd's template: groups = %+v", groups)
	}
	// Build twice: the collector's groups are not modified.
	again, _ := c.unexplained(nil, nil)
	if again[0].Count != 2 || again[1].Count != 2 {
		t.Errorf("second call: %+v %+v", again[0], again[1])
	}

	// The template cap counts the overflow.
	c = NewCollector(CollectorOptions{MaxTemplates: 1})
	feed(c, evs, nil)
	if groups, overflow := c.unexplained(nil, nil); len(groups) != 1 || overflow != 2 {
		t.Errorf("capped: %d groups, overflow %d", len(groups), overflow)
	}
}

func TestBuildIncidents(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC)
	cause := &signature.Signature{ID: "cause", Severity: signature.High, Explains: []string{"symptom"},
		Match: signature.Match{Kind: signature.MatchSequence, MaxSpan: time.Hour}}
	symptom := &signature.Signature{ID: "symptom", Severity: signature.Medium}
	other := &signature.Signature{ID: "other", Severity: signature.Critical}
	f := func(s *signature.Signature, host string, start time.Duration, outcome string) *engine.Finding {
		return &engine.Finding{Signature: s, Host: host, Outcome: outcome, Start: t0.Add(start), End: t0.Add(start + time.Minute)}
	}
	in := []*engine.Finding{
		f(cause, "web-1", 0, engine.Unresolved),
		f(symptom, "web-1", 30*time.Minute, engine.Confirmed), // inside cause's span + window
		f(symptom, "web-2", 10*time.Minute, engine.Confirmed), // other host
		f(symptom, "web-1", 3*time.Hour, engine.Confirmed),    // too late
		f(symptom, "", 20*time.Minute, engine.Confirmed),      // no host: matches any
		f(symptom, "web-1", -time.Minute, engine.Confirmed),   // before the cause
		f(other, "web-1", 2*time.Hour, engine.Confirmed),
		f(cause, "web-3", 0, engine.Confirmed),
	}
	r := Build(Input{Findings: in})
	type row struct {
		root     string
		symptoms int
	}
	var got []row
	for _, inc := range r.Incidents {
		got = append(got, row{inc.Root.Signature.ID + "@" + inc.Root.Host, len(inc.Symptoms)})
	}
	want := []row{
		{"other@web-1", 0},
		{"cause@web-3", 1}, // confirmed before unresolved; takes the host-less symptom (first in order)
		{"cause@web-1", 1},
		{"symptom@web-1", 0}, {"symptom@web-2", 0}, {"symptom@web-1", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("incidents %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("incident %d = %v, want %v", i, got[i], want[i])
		}
	}
	for i, f := range r.Findings {
		if f.ID != "f"+string(rune('1'+i)) {
			t.Errorf("finding %d has id %s", i, f.ID)
		}
	}
	if !r.FailOn(signature.Critical) || r.FailOn(signature.Critical+1) {
		t.Error("FailOn")
	}
}

func BenchmarkAppendTemplate(b *testing.B) {
	for _, c := range []struct{ name, msg string }{
		{"dockerd", `time="2021-10-07T06:20:22.751237175+09:00" level=warning msg="Health check for container 979e41048696965d85a4a1b1c8c6e5707f381aa097763cd0421cb10dfd31a9a6 error: connection error: desc = \"transport: Error while dialing dial unix:///run/containerd/containerd.sock: timeout\": unavailable"`},
		{"kubelet", templateFastPaths[4]},
		{"words", "Out of memory: Killed process in cgroup because the system ran out of pages to reclaim"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.msg)))
			var buf []byte
			for b.Loop() {
				buf = AppendTemplate(buf[:0], c.msg)
			}
		})
		b.Run(c.name+"/reference", func(b *testing.B) {
			b.SetBytes(int64(len(c.msg)))
			for b.Loop() {
				referenceTemplate(c.msg)
			}
		})
	}
}

// BenchmarkObserve is the collector's per-event cost on ordinary lines
// (no error, no context): it must not allocate.
func BenchmarkObserve(b *testing.B) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	e := ev(t0, "syslog", 1, "CRON", "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)")
	c := NewCollector(CollectorOptions{})
	b.ReportAllocs()
	for b.Loop() {
		e.Time = e.Time.Add(time.Second)
		c.Observe(e)
	}
}

// BenchmarkObserveErrors groups error lines into known templates.
func BenchmarkObserveErrors(b *testing.B) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	e := ev(t0, "syslog", 1, "sshd", "error: maximum authentication attempts exceeded for root from 198.51.100.7 port 40022 ssh2")
	c := NewCollector(CollectorOptions{})
	b.ReportAllocs()
	for b.Loop() {
		e.Time = e.Time.Add(time.Second)
		c.Observe(e)
	}
}

func BenchmarkSafe(b *testing.B) {
	msg := "Stopping docker.service - Docker Application Container Engine... \x1b[31m"
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = AppendSafe(buf[:0], msg, `\n`)
	}
}

// observeStream is the event stream of every fixture case's inputs as
// the CLI reads them (many sources, several formats, errors and kernel
// lines), and which of its events the built-in signatures matched.
func observeStream(b *testing.B) ([]event.Event, []bool) {
	b.Helper()
	var paths []string
	err := filepath.WalkDir("../../fixtures", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != "expect.yaml" && filepath.Ext(p) != ".go" {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sigs, err := signature.LoadFS(patterns.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	ws := &event.Warnings{}
	var evs []event.Event
	var matched []bool
	hit := false
	eng := engine.New(sigs, engine.Options{Warnings: ws, OnMatch: func(*event.Event) { hit = true }})
	stream, err := ingest.Open(context.Background(), ingest.Options{Paths: paths, Location: time.UTC, Warnings: ws})
	if err != nil {
		b.Fatal(err)
	}
	defer stream.Close()
	for stream.Next() {
		hit = false
		eng.Process(stream.Event())
		evs = append(evs, *stream.Event().Clone())
		matched = append(matched, hit)
	}
	if err := stream.Err(); err != nil {
		b.Fatal(err)
	}
	return evs, matched
}

// BenchmarkCollectorObserve is the collector's cost per event of a
// realistic stream, without and with --context.
func BenchmarkCollectorObserve(b *testing.B) {
	evs, matched := observeStream(b)
	var first, last time.Time
	for _, ev := range evs {
		if t := ev.Time; !t.IsZero() {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
	}
	span := last.Sub(first) + time.Hour
	for _, n := range []int{0, 3} {
		b.Run(fmt.Sprintf("context=%d", n), func(b *testing.B) {
			stream := slices.Clone(evs)
			c := NewCollector(CollectorOptions{Context: n})
			b.ReportAllocs()
			for b.Loop() {
				for i := range stream {
					ev := &stream[i]
					if matched[i] {
						c.OnMatch(ev)
					}
					c.Observe(ev)
					// The next pass continues the stream in time.
					if !ev.Time.IsZero() {
						ev.Time = ev.Time.Add(span)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(stream)), "ns/event")
		})
	}
}

// BenchmarkObserveManyTemplates is error lines of more templates than
// the collector keeps: past the cap they are only counted.
func BenchmarkObserveManyTemplates(b *testing.B) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	for i := range 1000 {
		// Letters, not digits, so that every line has its own template.
		word := string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		evs = append(evs, ev(t0, "syslog", int64(i+1), "app", "error: no handler for "+word))
	}
	c := NewCollector(CollectorOptions{})
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range evs {
			e.Time = e.Time.Add(time.Second)
			c.Observe(e)
		}
	}
}

// TestCollectorRepeatedErrors: an error text seen lately finds its group
// without being templated again (Collector.recent); the groups are those
// of templating every event: the same text from another program is
// another group, a text pushed out of the recent ones and an equal
// template of another text still join their group, an earlier time
// becomes the example, and a text past the template cap counts as
// overflow every time it comes.
func TestCollectorRepeatedErrors(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	type line struct {
		sec        int
		prog, text string
	}
	lines := []line{
		{0, "app", "panic: boom 1"},
		{1, "api", "panic: boom 1"},
		{2, "app", "panic: boom 1"},
		{3, "app", "panic: boom 22"},
		{4, "app", "error: disk full"},
		{5, "app", "error: no route"},
		{6, "app", "error: bad gateway"},
		{7, "app", "error: timed out"},
		{8, "app", "panic: boom 1"},
		{-3600, "app", "panic: boom 1"},
		{9, "app", "panic: boom 1"},
	}
	c := NewCollector(CollectorOptions{})
	for i, l := range lines {
		c.Observe(ev(t0.Add(time.Duration(l.sec)*time.Second), "s", int64(i+1), l.prog, l.text))
	}
	groups, overflow := c.unexplained(nil, nil)
	got := map[string]string{}
	for _, g := range groups {
		got[g.Program+" | "+g.Template] = fmt.Sprintf("%d %s %s line %d", g.Count,
			g.First.Format(time.TimeOnly), g.Last.Format(time.TimeOnly), g.Example.Source.Line)
	}
	want := map[string]string{
		"app | panic: boom <n>":    "6 23:00:00 00:00:09 line 10",
		"api | panic: boom <n>":    "1 00:00:01 00:00:01 line 2",
		"app | error: disk full":   "1 00:00:04 00:00:04 line 5",
		"app | error: no route":    "1 00:00:05 00:00:05 line 6",
		"app | error: bad gateway": "1 00:00:06 00:00:06 line 7",
		"app | error: timed out":   "1 00:00:07 00:00:07 line 8",
	}
	if overflow != 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups (overflow %d)\n%v\nwant\n%v", overflow, got, want)
	}

	c = NewCollector(CollectorOptions{MaxTemplates: 2})
	for i, text := range []string{"error: a", "error: b", "error: c", "error: c", "error: a", "error: c"} {
		c.Observe(ev(t0.Add(time.Duration(i)*time.Second), "s", int64(i+1), "app", text))
	}
	groups, overflow = c.unexplained(nil, nil)
	if len(groups) != 2 || groups[0].Template != "error: a" || groups[0].Count != 2 || overflow != 3 {
		t.Errorf("capped: groups %+v, overflow %d", groups, overflow)
	}
}
