package signature

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// debianPairs are version pairs as dpkg.log, apt history and
// `docker version` write them; dpkg decides their order in
// TestVersionsAgreeWithDpkg.
var debianPairs = [][2]string{
	{"5:29.0.0-1~ubuntu.24.04~noble", "5:28.5.2-1~ubuntu.24.04~noble"},
	{"5:29.0.0-1~ubuntu.24.04~noble", "5:29.0.0-1~ubuntu.22.04~jammy"},
	{"5:29.0.0-1~ubuntu.24.04~noble", "29.0.0-1"},
	{"1.24", "1.44"},
	{"1.9", "1.10"},
	{"1.7.28-1~ubuntu.24.04~noble", "1.7.27-1"},
	{"20.10.21-0ubuntu1~22.04.3", "20.10.21-0ubuntu1~20.04.2"},
	{"24.0.5-0ubuntu1~22.04.1", "20.10.25-0ubuntu1~22.04.2"},
	{"1.0~rc1", "1.0"},
	{"1.0", "1.0-0"},
	{"1.0.0", "1.0"},
	{"2.0+dfsg-1", "2.0-1"},
	{"1:1.0", "2.0"},
	{"0.9", "0.09"},
	{"3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.9"},
	{"29", "29.0.0"},
}

func TestVersionsAgreeWithDpkg(t *testing.T) {
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		testenv.Missing(t, "dpkg not installed: %v", err)
	}
	for _, p := range debianPairs {
		a, ok1 := ParseVersion(p[0])
		b, ok2 := ParseVersion(p[1])
		if !ok1 || !ok2 {
			t.Fatalf("ParseVersion(%q, %q): %v %v", p[0], p[1], ok1, ok2)
		}
		for _, c := range []struct {
			op   string
			want bool
		}{{"lt", a.Compare(b) < 0}, {"eq", a.Compare(b) == 0}, {"gt", a.Compare(b) > 0}} {
			err := exec.Command(dpkg, "--compare-versions", p[0], c.op, p[1]).Run()
			if dpkgSays := err == nil; dpkgSays != c.want {
				t.Errorf("%s %s %s: dpkg says %v, we say %v", p[0], c.op, p[1], dpkgSays, c.want)
			}
		}
	}
}

func TestVersionSemverHabits(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"v1.28.3", "1.28.3", 0},
		{"v1.28.3", "v1.29.0", -1},
		{"1.29.0-rc.1", "1.29.0", -1}, // a pre-release comes before its release
		{"1.29.0-rc.2", "1.29.0-rc.1", 1},
		{"1.29.0-alpha.1", "1.29.0-beta.0", -1},
		{"29.0.0-1", "29.0.0", 1}, // a digit after the hyphen: a Debian revision
		{"5:29.0.0-1~ubuntu.24.04~noble", "5:28.5.2-1~ubuntu.24.04~noble", 1},
	} {
		a, _ := ParseVersion(c.a)
		b, _ := ParseVersion(c.b)
		if got := a.Compare(b); got != c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	for _, bad := range []string{"", "latest", "1.0 beta", "v", "x1.0", "1:"} {
		if _, ok := ParseVersion(bad); ok {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func TestJoinOps(t *testing.T) {
	for _, c := range []struct {
		op   JoinOp
		a, b string
		want bool
	}{
		{JoinEq, "docker", "docker", true},
		{JoinEq, "docker", "containerd", false},
		{JoinNe, "/var/lib/docker/493216.493216", "/var/lib/docker", true},
		{JoinNe, "/var/lib/docker", "/var/lib/docker", false},
		{JoinNe, "", "/var/lib/docker", false}, // nothing captured differs from nothing
		{JoinIn, "172.17.8.21", "172.17.0.0/16", true},
		{JoinIn, "172.18.8.21", "172.17.0.0/16", false},
		{JoinIn, "172.17.8.21", "172.17.0.1/16", true}, // a gateway address with its mask
		{JoinIn, "::ffff:172.17.8.21", "172.17.0.0/16", true},
		{JoinIn, "fd00:dead:beef::21", "fd00:dead:beef::/48", true},
		{JoinIn, "fd00:dead:bef0::21", "fd00:dead:beef::/48", false},
		{JoinIn, "172.17.8.21", "fd00::/8", false},
		{JoinIn, "172.17.8.21", "172.17.8.21", true},
		{JoinIn, "web-3", "172.17.0.0/16", false},
		{JoinIn, "172.17.8.21", "bridge", false},
		{JoinHolds, "172.17.0.0/16", "172.17.8.21", true},
		{JoinHolds, "172.17.0.0/16", "172.18.8.21", false},
		{JoinHolds, "fd00:dead:beef::/48", "fd00:dead:beef::21", true},
		{JoinVersionLt, "1.24", "1.44", true},
		{JoinVersionLt, "1.44", "1.44", false},
		{JoinVersionLte, "1.44", "1.44", true},
		{JoinVersionGt, "5:29.0.0-1~ubuntu.24.04~noble", "5:28.5.2-1~ubuntu.24.04~noble", true},
		{JoinVersionGte, "5:28.5.2-1~ubuntu.24.04~noble", "5:29.0.0-1~ubuntu.24.04~noble", false},
		{JoinVersionGt, "latest", "1.0", false},
	} {
		if got := c.op.Holds(c.a, c.b); got != c.want {
			t.Errorf("%s.Holds(%q, %q) = %v, want %v", c.op, c.a, c.b, got, c.want)
		}
	}
}

func TestMatcherAddressesVersionsKinds(t *testing.T) {
	y := `schema: logsleuth/v1
id: m
title: M
events:
  lan:
    fields.peer|cidr: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8]
  upstream:
    message|re: 'upstream: "https?://(?P<peer>[0-9a-f.:\[\]]+?)\]?:\d+'
    peer|cidr: 172.16.0.0/12
  new_engine:
    program: dpkg
    message|re: '^upgrade docker-ce:\S+ (?P<from>\S+) (?P<to>\S+)$'
    to|version_gte: "5:29"
  old_client:
    fields.client_api|version_lt: "1.44"
  root:
    kind: state
    fields.docker_root_dir|startswith: /var/lib/docker/
  not_lan:
    message|re: 'connect to (?P<addr>\S+) port'
    not: {message|re: 'connect to (?P<a>\S+) port', a|cidr: 10.0.0.0/8}
match: {event: lan}
`
	sigs, errs := Parse("m.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := sigs[0]
	for _, c := range []struct {
		event string
		ev    event.Event
		want  bool
		caps  string
	}{
		{"lan", event.Event{Fields: []event.Field{{Key: "peer", Value: "172.17.8.21"}}}, true, ""},
		{"lan", event.Event{Fields: []event.Field{{Key: "peer", Value: "fd00::1"}}}, true, ""},
		{"lan", event.Event{Fields: []event.Field{{Key: "peer", Value: "8.8.8.8"}}}, false, ""},
		{"lan", event.Event{Fields: []event.Field{{Key: "peer", Value: "not an address"}}}, false, ""},
		{"lan", event.Event{}, false, ""},
		{"upstream", event.Event{Message: `upstream timed out (110: Connection timed out) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET / HTTP/1.1", upstream: "http://172.17.8.21:8080/", host: "shop"`}, true, "peer=172.17.8.21"},
		{"upstream", event.Event{Message: `connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:8080/"`}, false, ""},
		{"new_engine", event.Event{Program: "dpkg", Message: "upgrade docker-ce:amd64 5:28.5.2-1~ubuntu.24.04~noble 5:29.0.0-1~ubuntu.24.04~noble"}, true, "from=5:28.5.2-1~ubuntu.24.04~noble to=5:29.0.0-1~ubuntu.24.04~noble"},
		{"new_engine", event.Event{Program: "dpkg", Message: "upgrade docker-ce:amd64 5:28.5.1-1~ubuntu.24.04~noble 5:28.5.2-1~ubuntu.24.04~noble"}, false, ""},
		{"old_client", event.Event{Fields: []event.Field{{Key: "client_api", Value: "1.24"}}}, true, ""},
		{"old_client", event.Event{Fields: []event.Field{{Key: "client_api", Value: "1.44"}}}, false, ""},
		{"root", event.Event{Kind: event.KindState, Fields: []event.Field{{Key: "docker_root_dir", Value: "/var/lib/docker/493216.493216"}}}, true, ""},
		{"root", event.Event{Kind: event.KindLog, Fields: []event.Field{{Key: "docker_root_dir", Value: "/var/lib/docker/493216.493216"}}}, false, ""},
		{"not_lan", event.Event{Message: "ssh: connect to 10.1.2.3 port 22: No route to host"}, false, ""},
		{"not_lan", event.Event{Message: "ssh: connect to 192.0.2.3 port 22: No route to host"}, true, "addr=192.0.2.3"},
	} {
		var caps Captures
		got := s.Event(c.event).Matcher.Match(&c.ev, &caps)
		var parts []string
		for _, x := range caps {
			parts = append(parts, x.Name+"="+x.Value)
		}
		if got != c.want || strings.Join(parts, " ") != c.caps {
			t.Errorf("%s on %q %v: %v %q, want %v %q", c.event, c.ev.Message, c.ev.Fields, got, parts, c.want, c.caps)
		}
	}
	if r := s.Event("root").Matcher.Requirement(); len(r.Kinds) != 1 || r.Kinds[0] != event.KindState {
		t.Errorf("root requirement = %+v, want kind state", r)
	}
}

func TestLanguageErrors(t *testing.T) {
	base := sigFile
	seq := func(join string) string {
		return base("  a: {message|re: 'bridge (?P<subnet>\\S+) (?P<v>\\S+)'}\n  b: {message|re: 'peer (?P<peer>\\S+) (?P<v>\\S+)'}\n",
			"  sequence:\n    steps:\n      - {event: a}\n      - {event: b, join: {"+join+"}}\n")
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"bad subnet", base("  a: {fields.peer|cidr: 172.16.0.0/33}\n", "  event: a\n"),
			`f.yaml:5:25: schema_error: invalid subnet "172.16.0.0/33" for |cidr`},
		{"bad subnet in a list", base("  a:\n    fields.peer|cidr: [10.0.0.0/8, 172.16/12]\n", "  event: a\n"),
			`f.yaml:6:36: schema_error: invalid subnet "172.16/12" for |cidr`},
		{"cidr on the message", base("  a: {message|cidr: 10.0.0.0/8}\n", "  event: a\n"),
			`f.yaml:5:7: schema_error: modifier "cidr" on "message" (hint: |cidr compares one value: a fields.NAME or a capture`},
		{"bad version", base("  a: {fields.to|version_gte: latest}\n", "  event: a\n"),
			`f.yaml:5:30: schema_error: invalid version "latest" for |version_gte`},
		{"version on the program", base("  a: {program|version_lt: '2'}\n", "  event: a\n"),
			`f.yaml:5:7: schema_error: modifier "version_lt" on "program"`},
		{"lte on a field", base("  a: {fields.api|lte: '1.44'}\n", "  event: a\n"),
			`f.yaml:5:7: schema_error: modifier "lte" on "fields.api" (hint: |lte and |gte compare priorities; for versions use |version_lte`},
		{"misspelt version modifier", base("  a: {fields.to|version_ge: '1'}\n", "  event: a\n"),
			`f.yaml:5:7: schema_error: unknown modifier "version_ge" (hint: did you mean "version_gt"?)`},
		{"unknown kind", base("  a: {kind: snapshot}\n", "  event: a\n"),
			`f.yaml:5:13: schema_error: unknown kind "snapshot" (hint: one of log, state, command)`},
		{"kind with a modifier", base("  a: {kind|contains: stat}\n", "  event: a\n"),
			`f.yaml:5:7: schema_error: modifier "contains" on kind`},
		{"capture of a mapping inside", base("  a:\n    any: [{message|re: 'to (?P<peer>\\S+)'}]\n    peer|cidr: 10.0.0.0/8\n", "  event: a\n"),
			`f.yaml:7:5: schema_error: unknown key "peer" in a matcher (hint: allowed: program,`},
		{"capture misspelt", base("  a:\n    message|re: 'to (?P<peer>\\S+)'\n    pear|cidr: 10.0.0.0/8\n", "  event: a\n"),
			`f.yaml:7:5: schema_error: unknown key "pear" in a matcher (hint: did you mean "peer"?)`},
		{"re on a capture", base("  a:\n    message|re: 'to (?P<peer>\\S+)'\n    peer|re: '^10\\.'\n", "  event: a\n"),
			`f.yaml:7:5: schema_error: modifier "re" on capture "peer"`},
		{"unknown join modifier", seq("peer|inside: a.subnet"),
			`f.yaml:11:27: schema_error: unknown join modifier "inside"`},
		{"misspelt join modifier", seq("v|version_gtt: a.v"),
			`f.yaml:11:27: schema_error: unknown join modifier "version_gtt" (hint: did you mean "version_gt"?)`},
		{"join modifier on an unknown capture", seq("addr|in: a.subnet"),
			`f.yaml:11:27: reference_error: join key "addr" is not captured by event "b"`},
		{"join modifier on an unknown other capture", seq("peer|in: a.net"),
			`f.yaml:11:36: reference_error: join on capture "net" that step "a" does not define`},
		{"threshold key is no top-level name of an event match", base("  a: {message|re: 'svc (?P<svc>\\S+)'}\n", "  event: a\n") + "explain: '{{.svc}}'\n",
			`f.yaml:8:13: template_error: explain: {{.svc}} is not bound`},
	} {
		t.Run(c.name, func(t *testing.T) { wantParseErrors(t, c.yaml, c.want) })
	}
}

func TestJoinOpsLoad(t *testing.T) {
	y := `schema: logsleuth/v1
id: j
title: J
events:
  bridge: {message|re: 'assigned with an IP address (?P<subnet>\S+)'}
  lost: {message|re: 'upstream: "http://(?P<peer>[0-9.]+):'}
  root: {kind: state, fields.docker_root_dir|re: '(?P<dir>.+)'}
match:
  sequence:
    steps:
      - {event: bridge}
      - {event: lost, join: {peer|in: bridge.subnet}}
      - {event: root, as: later, join: {dir|ne: bridge.subnet, host: bridge.host}}
`
	sigs, errs := Parse("j.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	steps := sigs[0].Match.Steps
	if j := steps[1].Join; len(j) != 1 || j[0] != (Join{Capture: "peer", Step: "bridge", Other: "subnet", Op: JoinIn}) {
		t.Errorf("lost join = %+v", j)
	}
	if j := steps[2].Join; len(j) != 2 || j[0].Op != JoinNe || j[1].Op != JoinEq {
		t.Errorf("later join = %+v", j)
	}
}

func TestThresholdKeysAreBound(t *testing.T) {
	y := `schema: logsleuth/v1
id: t
title: T
events:
  fail: {message|re: '^(?P<svc>[\w.-]+): Failed with result'}
match:
  threshold: {event: fail, by: [host, svc, fields.container, fields.first], count: 3, window: 10m}
explain: '{{.svc}} on {{.host}} in {{.container}} failed {{.count}} times'
`
	sigs, errs := Parse("t.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := sigs[0].Match.ByNames
	if want := []string{"", "svc", "container", ""}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ByNames = %q, want %q (host and first keep their meaning)", got, want)
	}
	out, err := Render(sigs[0].Explain, map[string]any{"svc": "kubelet.service", "host": "n1", "container": "c", "count": 5})
	if err != nil || out != "kubelet.service on n1 in c failed 5 times" {
		t.Errorf("explain = %q, %v", out, err)
	}
}

func TestClassWarnings(t *testing.T) {
	sigs, errs := Parse("p/x.yaml", []byte("schema: logsleuth/v1\nid: x\ntitle: X\ntags: [docker, network]\nevents: {a: {program: sshd}}\nmatch: {event: a}\n---\n"+
		"schema: logsleuth/v1\nid: y\ntitle: Y\ntags: [network, docker-bridge-subnet]\nevents: {a: {program: sshd}}\nmatch: {event: a}\n"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	w := ClassWarnings(sigs)
	if len(w) != 1 || !strings.HasPrefix(w[0].Error(), `p/x.yaml:1:1: warning: no_class_tag: built-in signature "x" has none of the class tags (hint: add one to tags: docker-api-version,`) {
		t.Fatalf("warnings = %v", w)
	}
	if c := sigs[1].Class(); c != "docker-bridge-subnet" {
		t.Errorf("Class = %q", c)
	}
}

func TestThresholdUntilLoads(t *testing.T) {
	base := "schema: logsleuth/v1\nid: x\ntitle: X\nevents:\n  r: {message|re: '^(?P<svc>\\S+): Scheduled restart'}\n"
	sigs, errs := Parse("f.yaml", []byte(base+"  s: {message|re: '^(?P<svc>\\S+): Skipped'}\nmatch:\n  threshold: {event: r, by: [host, svc], count: 3, window: 1m, until: [s]}\n"))
	if len(errs) > 0 || len(sigs[0].Match.Until) != 1 {
		t.Fatalf("errs %v", errs)
	}
	for _, c := range []struct{ tail, want string }{
		{"  s: {message|contains: Skipped}\nmatch:\n  threshold: {event: r, by: [host, svc], count: 3, window: 1m, until: [s]}\n",
			`f.yaml:8:72: reference_error: threshold.until event "s" does not capture by key "svc"`},
		{"  s: {message|contains: Skipped}\nmatch:\n  threshold: {event: r, count: 3, window: 1m, until: [t]}\n",
			`f.yaml:8:55: reference_error: threshold.until names unknown event "t"`},
	} {
		wantParseErrors(t, base+c.tail, c.want)
	}
}

// An any: whose branches are keyed on different things (a message
// literal, a kind) is keyed on all of them: a mixed requirement.
func TestMixedRequirement(t *testing.T) {
	y := "schema: logsleuth/v1\nid: m\ntitle: M\nevents:\n  e:\n    any:\n      - {message|contains: Failed to start}\n" +
		"      - {kind: state, fields.active_state: failed}\n  f:\n    any:\n      - {message|contains: Failed to start}\n      - {fields.active_state: failed}\nmatch: {event: e}\n"
	sigs, errs := Parse("m.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := sigs[0].Event("e").Matcher.Requirement()
	if len(r.Literals) != 1 || r.Literals[0] != "Failed to start" || len(r.Kinds) != 1 || r.Kinds[0] != event.KindState || r.Programs != nil || r.Units != nil {
		t.Errorf("requirement = %+v, want the literal or kind state", r)
	}
	if r := sigs[0].Event("f").Matcher.Requirement(); !r.Any() {
		t.Errorf("a branch without any key leaves every event a candidate, got %+v", r)
	}
}
