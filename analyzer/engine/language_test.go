package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// sigSubnet: a client fails to reach an address inside the subnet the
// bridge took (join by containment).
const sigSubnet = `schema: logsleuth/v1
id: subnet
title: Bridge took the subnet
events:
  bridge:
    program: dockerd
    message|re: 'Default bridge \((?P<bridge>\w+)\) is assigned with an IP address (?P<subnet>\S+?)\.? '
  lost:
    message|re: 'upstream: "https?://\[?(?P<peer>[0-9a-f.:]+?)\]?:\d+/'
    not: {peer|cidr: [127.0.0.0/8, "::1"]}
match:
  sequence:
    by: [host]
    steps:
      - {event: bridge}
      - {event: lost, join: {peer|in: bridge.subnet}, within: 1d}
explain: '{{.lost.peer}} is inside {{.bridge.subnet}} of {{.bridge.bridge}}'
`

// sigRootMoved: two snapshots of the data root that differ (join |ne),
// from state events.
const sigRootMoved = `schema: logsleuth/v1
id: root-moved
title: Docker's data root changed between two snapshots
events:
  root:
    kind: state
    fields.docker_root_dir|re: '^(?P<dir>/.+)$'
match:
  sequence:
    by: [host]
    maxspan: 1h
    steps:
      - {event: root, as: before}
      - {event: root, as: after, join: {dir|ne: before.dir}}
explain: 'root was {{.before.dir}}, now {{.after.dir}}'
`

// sigDowngrade: a later upgrade line installs an older engine than an
// earlier one did (join by version).
const sigDowngrade = `schema: logsleuth/v1
id: downgrade
title: Engine went back to an older version
events:
  install:
    program: dpkg
    message|re: '^(?:upgrade|install) docker-ce:\S+ \S+ (?P<to>\S+)$'
match:
  sequence:
    steps:
      - {event: install, as: earlier}
      - {event: install, as: later, join: {to|version_lt: earlier.to}}
`

// sigNewEngine: the version modifier on a capture.
const sigNewEngine = `schema: logsleuth/v1
id: new-engine
title: Engine 29 installed
events:
  install:
    program: dpkg
    message|re: '^upgrade docker-ce:\S+ (?P<from>\S+) (?P<to>\S+)$'
    to|version_gte: "5:29"
    from|version_lt: "5:29"
match: {event: install}
`

// sigFailBySvc: a threshold whose by keys are bound at top level.
const sigFailBySvc = `schema: logsleuth/v1
id: fails
title: Unit failing repeatedly
events:
  fail:
    program: systemd
    message|re: '^(?P<svc>[\w@.-]+\.service): Failed with result'
match:
  threshold: {event: fail, by: [host, svc], count: 3, window: 10m}
explain: '{{.svc}} failed {{.count}} times on {{.host}}'
`

func state(clock, host, key, value string) event.Event {
	e := ev(clock, host+" - - - | docker info")
	e.Kind = event.KindState
	e.Fields = []event.Field{{Key: key, Value: value}}
	return e
}

func TestEngineLanguage(t *testing.T) {
	const (
		bridge   = "h dockerd - - | Default bridge (docker0) is assigned with an IP address 172.17.0.0/16. Daemon option --bip can be used to set a preferred IP address"
		inside   = `h nginx - - | 2025/03/02 10:15:00 [error] 31#31: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET / HTTP/1.1", upstream: "http://172.17.8.21:8080/", host: "shop"`
		outside  = `h nginx - - | 2025/03/02 10:15:00 [error] 31#31: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 203.0.113.9, server: shop, request: "GET / HTTP/1.1", upstream: "http://172.18.8.21:8080/", host: "shop"`
		loopback = `h nginx - - | 2025/03/02 10:15:00 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:8080/"`
		bridge6  = "h dockerd - - | Default bridge (docker0) is assigned with an IP address fd00:dead:beef::/48. Daemon option --bip can be used"
		inside6  = `h nginx - - | upstream timed out (110: Connection timed out) while connecting to upstream, upstream: "http://[fd00:dead:beef::21]:8080/"`
	)
	cases := []engineCase{
		{"in: an address inside the bridge's subnet", []string{sigSubnet},
			[]event.Event{ev("10:00:00", bridge), ev("10:15:00", outside), ev("10:15:01", inside)},
			[]string{"subnet confirmed bridge.bridge=docker0,bridge.subnet=172.17.0.0/16,lost.peer=172.17.8.21"}, ""},
		{"in: an address outside it", []string{sigSubnet},
			[]event.Event{ev("10:00:00", bridge), ev("10:15:00", outside), ev("10:15:01", loopback)},
			nil, "step 2 `lost` had not happened"},
		{"in: IPv6", []string{sigSubnet},
			[]event.Event{ev("10:00:00", bridge6), ev("10:15:00", inside6)},
			[]string{"subnet confirmed bridge.bridge=docker0,bridge.subnet=fd00:dead:beef::/48,lost.peer=fd00:dead:beef::21"}, ""},
		{"ne: two snapshots that differ", []string{sigRootMoved},
			[]event.Event{state("09:00:00", "h", "docker_root_dir", "/var/lib/docker"), state("10:00:00", "h", "docker_root_dir", "/var/lib/docker/493216.493216")},
			[]string{"root-moved confirmed before.dir=/var/lib/docker,after.dir=/var/lib/docker/493216.493216"}, ""},
		{"ne: two snapshots that agree", []string{sigRootMoved},
			[]event.Event{state("09:00:00", "h", "docker_root_dir", "/var/lib/docker"), state("10:00:00", "h", "docker_root_dir", "/var/lib/docker")},
			nil, "step 2 `after` had not happened"},
		{"kind: the same field in a log line is no snapshot", []string{sigRootMoved},
			func() []event.Event {
				a, b := state("09:00:00", "h", "docker_root_dir", "/var/lib/docker"), state("10:00:00", "h", "docker_root_dir", "/srv/docker")
				b.Kind = event.KindLog
				return []event.Event{a, b}
			}(), nil, "step 2 `after` had not happened"},
		{"snapshots without a time keep input order and bind", []string{sigRootMoved},
			func() []event.Event {
				a, b := state("09:00:00", "h", "docker_root_dir", "/var/lib/docker"), state("10:00:00", "h", "docker_root_dir", "/srv/docker")
				a.Time, a.TimeQuality = time.Time{}, event.TimeNone
				return []event.Event{a, b}
			}(), []string{"root-moved confirmed before.dir=/var/lib/docker,after.dir=/srv/docker"}, ""},
		{"version_lt in a join: a downgrade", []string{sigDowngrade},
			[]event.Event{
				ev("10:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:28.5.2-1~ubuntu.24.04~noble 5:29.0.0-1~ubuntu.24.04~noble"),
				ev("11:00:00", "- dpkg - - | install docker-ce:amd64 <none> 5:28.5.2-1~ubuntu.24.04~noble")},
			[]string{"downgrade confirmed earlier.to=5:29.0.0-1~ubuntu.24.04~noble,later.to=5:28.5.2-1~ubuntu.24.04~noble"}, ""},
		{"version_lt in a join: upgrades only", []string{sigDowngrade},
			[]event.Event{
				ev("10:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:28.5.1-1~ubuntu.24.04~noble 5:28.5.2-1~ubuntu.24.04~noble"),
				ev("11:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:28.5.2-1~ubuntu.24.04~noble 5:29.0.0-1~ubuntu.24.04~noble")},
			nil, "step 2 `later` had not happened"},
		{"version modifiers on captures", []string{sigNewEngine},
			[]event.Event{
				ev("10:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:28.5.1-1~ubuntu.24.04~noble 5:28.5.2-1~ubuntu.24.04~noble"),
				ev("11:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:28.5.2-1~ubuntu.24.04~noble 5:29.0.0-1~ubuntu.24.04~noble"),
				ev("12:00:00", "- dpkg - - | upgrade docker-ce:amd64 5:29.0.0-1~ubuntu.24.04~noble 5:29.0.1-1~ubuntu.24.04~noble")},
			[]string{"new-engine confirmed install.from=5:28.5.2-1~ubuntu.24.04~noble,install.to=5:29.0.0-1~ubuntu.24.04~noble"}, ""},
	}
	runCases(t, cases, true)
}

func TestThresholdKeysInTemplates(t *testing.T) {
	sigs := loadSigs(t, sigFailBySvc)
	var events []event.Event
	for _, c := range []string{"10:00:00", "10:01:00", "10:02:00"} {
		events = append(events, ev(c, "n1 systemd - - | kubelet.service: Failed with result 'exit-code'."))
		events = append(events, ev(c, "n1 systemd - - | containerd.service: Failed with result 'signal'."))
	}
	fs, _ := run(t, sigs, false, events)
	var got []string
	for _, f := range fs {
		got = append(got, f.Summary)
	}
	if want := "kubelet.service failed 3 times on n1|containerd.service failed 3 times on n1"; strings.Join(got, "|") != want {
		t.Errorf("summaries = %q, want %q", got, want)
	}
}

// TestStateEventsReachTheirMatchers: a matcher keyed on kind: state is
// offered state events only, and log events never reach it.
func TestStateEventsReachTheirMatchers(t *testing.T) {
	sigs := loadSigs(t, sigRootMoved, sigSubnet)
	e := New(sigs, Options{})
	var offered []int
	logEv := ev("10:00:00", "h app - - | docker_root_dir changed")
	logEv.Fields = []event.Field{{Key: "docker_root_dir", Value: "/x"}}
	e.pre.candidates(&logEv, func(i int) { offered = append(offered, i) })
	for _, i := range offered {
		if e.defs[i].def.Name == "root" {
			t.Errorf("a log event was offered to the state matcher")
		}
	}
	st := state("10:00:00", "h", "docker_root_dir", "/x")
	offered = offered[:0]
	e.pre.candidates(&st, func(i int) { offered = append(offered, i) })
	if len(offered) != 1 || e.defs[offered[0]].def.Name != "root" {
		t.Errorf("state event offered to %v, want the root matcher alone", offered)
	}
}

// sigCrashLoop: restarts counted per unit; a condition skip resets the
// unit's count (threshold until).
const sigCrashLoop = `schema: logsleuth/v1
id: crashloop
title: Restarted again and again
events:
  restart: {program: systemd, message|re: '^(?P<svc>\S+): Scheduled restart job'}
  skipped: {program: systemd, message|re: "^(?P<svc>\\S+): Skipped due to 'exec-condition'"}
match:
  threshold: {event: restart, by: [host, svc], count: 3, window: 10m, until: [skipped]}
`

func TestThresholdUntil(t *testing.T) {
	restart := func(clock, svc string) event.Event {
		return ev(clock, "h systemd - - | "+svc+": Scheduled restart job, restart counter is at 1.")
	}
	skip := func(clock, svc string) event.Event {
		return ev(clock, "h systemd - - | "+svc+": Skipped due to 'exec-condition'.")
	}
	cases := []engineCase{
		{"restarts without skips count", []string{sigCrashLoop},
			[]event.Event{restart("10:00:00", "a.service"), restart("10:00:10", "a.service"), restart("10:00:20", "a.service")},
			[]string{"crashloop confirmed restart.svc=a.service count=3"}, ""},
		{"a skip before each restart resets the count", []string{sigCrashLoop},
			[]event.Event{skip("10:00:00", "a.service"), restart("10:00:00", "a.service"), skip("10:00:10", "a.service"), restart("10:00:10", "a.service"),
				skip("10:00:20", "a.service"), restart("10:00:20", "a.service"), skip("10:00:30", "a.service"), restart("10:00:30", "a.service")},
			nil, ""},
		{"another unit's skip resets nothing here", []string{sigCrashLoop},
			[]event.Event{restart("10:00:00", "a.service"), skip("10:00:05", "b.service"), restart("10:00:10", "a.service"), restart("10:00:20", "a.service")},
			[]string{"crashloop confirmed restart.svc=a.service count=3"}, ""},
	}
	runCases(t, cases, true)
}

// sigRepeatedFailure: a failure logged again and again, then one outcome.
const sigRepeatedFailure = `schema: logsleuth/v1
id: repeated
title: Failing, then stepped
events:
  failing: {program: chronyd, message|contains: "TLS handshake with"}
  recovered: {program: chronyd, message|startswith: "Selected source"}
  stepped: {program: chronyd, message|re: 'stepped by (?P<secs>\S+) seconds'}
match:
  sequence:
    by: [host]
    steps:
      - {event: failing}
      - {absent: recovered, for: 10m}
      - {event: stepped}
explain: 'failing since {{ts .failing.time}}'
`

// Instances that differ only in their anchor complete on one event once:
// each failure whose quiet window passed waits at the last step, and the
// step is one finding, from the earliest of them.
func TestSequenceCompletesOncePerEvent(t *testing.T) {
	sigs := loadSigs(t, sigRepeatedFailure)
	events := []event.Event{
		ev("08:00:00", "h chronyd - - | TLS handshake with 162.159.200.1:4460 (time.cloudflare.com) failed"),
		ev("08:17:00", "h chronyd - - | TLS handshake with 162.159.200.1:4460 (time.cloudflare.com) failed"),
		ev("09:25:00", "h chronyd - - | TLS handshake with 162.159.200.1:4460 (time.cloudflare.com) failed"),
		ev("14:02:00", "h chronyd - - | System clock was stepped by -38.1 seconds"),
		ev("15:00:00", "h chronyd - - | TLS handshake with 162.159.200.1:4460 (time.cloudflare.com) failed"),
		ev("16:00:00", "h chronyd - - | System clock was stepped by 2.5 seconds"),
	}
	for _, naive := range []bool{false, true} {
		fs, _ := run(t, sigs, naive, slices.Clone(events))
		var got []string
		for _, f := range fs {
			got = append(got, describe(f)+": "+f.Summary)
		}
		want := []string{
			"repeated confirmed stepped.secs=-38.1: failing since 2021-10-07 08:00:00 UTC",
			"repeated confirmed stepped.secs=2.5: failing since 2021-10-07 15:00:00 UTC",
		}
		if !slices.Equal(got, want) {
			t.Errorf("naive=%v findings:\n  %s\nwant:\n  %s", naive, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
}

// A pasted snapshot without a time and the log lines after it fold into
// one deduplicated finding, which starts at the first timed line.
func TestDedupeFoldsTimelessSnapshot(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: failed
title: Runtime failed
events:
  fail:
    any:
      - {kind: state, fields.active_state: failed}
      - {message|startswith: Failed to start}
match:
  event: fail
  dedupe: {by: [host], window: 10m}
`)
	snap := state("00:00:00", "h", "active_state", "failed")
	snap.Time, snap.TimeQuality = time.Time{}, event.TimeNone
	events := []event.Event{snap, ev("14:02:31", "h systemd - - | Failed to start docker.service - Docker Application Container Engine.")}
	for _, naive := range []bool{false, true} {
		fs, _ := run(t, sigs, naive, slices.Clone(events))
		if len(fs) != 1 || fs[0].Count != 2 || !fs[0].Start.Equal(events[1].Time) {
			t.Fatalf("naive=%v: findings %v, want one of count 2 starting at the timed line", naive, fs)
		}
	}
}
