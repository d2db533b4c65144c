package signature

import (
	"slices"
	"testing"
)

func TestRequirement(t *testing.T) {
	cases := []struct {
		matcher string
		want    Requirement
	}{
		{`{message|contains: "is too old"}`, Requirement{Literals: []string{"is too old"}}},
		{`{message|re: 'client version (?P<v>[0-9.]+) is too (old|new)'}`, Requirement{Literals: []string{"client version "}}},
		// A run of finite pieces spells out longer literals than any one
		// piece, unless one of them is shorter than the best piece.
		{`{message|re: '^Failed (?:password|publickey) for (?P<u>\S+)'}`,
			Requirement{Literals: []string{"Failed password for ", "Failed publickey for "}, AtStart: []bool{true, true}}},
		{`{message|re: 'No such (?P<what>container|image): (?P<name>\S+)'}`,
			Requirement{Literals: []string{"No such container: ", "No such image: "}}},
		{`{message|re: '^EXT[234]-fs error \(device'}`,
			Requirement{Literals: []string{"EXT2-fs error (device", "EXT3-fs error (device", "EXT4-fs error (device"}, AtStart: []bool{true, true, true}}},
		{`{message|re: 'Node became not ready|NodeNotReady'}`, Requirement{Literals: []string{"Node became not ready", "NodeNotReady"}}},
		{`{message|re: '(?i:x)y (?:a|b)c'}`, Requirement{Literals: []string{"y ac", "y bc"}}},
		{`{message|re: 'Out of memory: Killed process|oom-kill:'}`, Requirement{Literals: []string{"Out of memory: Killed process", "oom-kill:"}}},
		{`{message|re: '(?i)no space left'}`, Requirement{}},
		{`{message|re: 'a.*b'}`, Requirement{}},
		{`{program: sshd, message|re: 'Failed password for (?P<u>\S+)'}`, Requirement{Literals: []string{"Failed password for "}}},
		{`{program: [dockerd, containerd]}`, Requirement{Programs: []string{"dockerd", "containerd"}}},
		{`{unit: docker.service, lifecycle: started}`, Requirement{Units: []string{"docker.service"}}},
		{`{lifecycle: failed}`, Requirement{}},
		{`{unit|re: '^(?P<svc>docker|containerd)\.service$', lifecycle: started}`, Requirement{Units: []string{"docker.service", "containerd.service"}}},
		{`{program|re: '^(dockerd|containerd)$'}`, Requirement{Programs: []string{"dockerd", "containerd"}}},
		{`{unit|re: 'docker\.service'}`, Requirement{}},
		{`{program|re: '^kube.*$'}`, Requirement{}},
		{`{any: [{message|contains: "PLEG is not healthy"}, {message|contains: "container runtime is down"}]}`,
			Requirement{Literals: []string{"PLEG is not healthy", "container runtime is down"}}},
		// Branches narrowed by different keys: a candidate by any of them.
		{`{any: [{message|contains: "PLEG is not healthy"}, {unit: kubelet.service}]}`,
			Requirement{Literals: []string{"PLEG is not healthy"}, Units: []string{"kubelet.service"}}},
		{`{any: [{unit: apt-daily-upgrade.service, lifecycle: started}, {program: systemd, message|re: '^Mounted Mount unit for (?P<snap>microk8s|docker), revision'}]}`,
			Requirement{Literals: []string{"Mounted Mount unit for microk8s, revision", "Mounted Mount unit for docker, revision"}, AtStart: []bool{true, true}, Units: []string{"apt-daily-upgrade.service"}}},
		// A branch that lets every event through lets the whole any: do so.
		{`{any: [{unit: a.service}, {lifecycle: failed}]}`, Requirement{}},
		{`{message|contains: [ab, "long enough"]}`, Requirement{}},
		// An any: is narrowed by a kind every branch has, even when a
		// branch prefers another kind for itself.
		{`{any: [{program: dpkg, message|re: '^upgrade (?P<p>docker-ce):'}, {program: apt, fields.upgrade|contains: docker}]}`,
			Requirement{Programs: []string{"dpkg", "apt"}}},
		{`{any: [{program: [dpkg, apt]}, {program: apt}]}`, Requirement{Programs: []string{"dpkg", "apt"}}},
		{`{any: [{unit: a.service}, {unit: b.service, message|contains: "long enough"}]}`,
			Requirement{Units: []string{"a.service", "b.service"}}},
		{`{any: [{program: dpkg}, {message|contains: "long enough"}]}`,
			Requirement{Literals: []string{"long enough"}, Programs: []string{"dpkg"}}},
		{`{program: sshd, any: [{message|contains: "Failed password"}, {message|contains: "Invalid user"}]}`,
			Requirement{Literals: []string{"Failed password", "Invalid user"}}},
		{`{program: sshd, any: [{message|contains: "Failed password"}, {fields.x: y}]}`, Requirement{Programs: []string{"sshd"}}},
		// Literals the matcher needs at the message's start: a prefix
		// or an equality, the leading literals of a regex anchored
		// with ^ (a longer run of them than the literal leads too);
		// where another branch takes one anywhere, anywhere.
		{`{message|startswith: ["Failed password for invalid user ", "Invalid user "]}`,
			Requirement{Literals: []string{"Failed password for invalid user ", "Invalid user "}, AtStart: []bool{true, true}}},
		{`{message: "Stopped Docker Application Container Engine."}`,
			Requirement{Literals: []string{"Stopped Docker Application Container Engine."}, AtStart: []bool{true}}},
		{`{message|endswith: "Engine."}`, Requirement{Literals: []string{"Engine."}}},
		{`{message|re: '^Invalid user (?P<u>.*?) from (?P<a>\S+)'}`, Requirement{Literals: []string{"Invalid user "}, AtStart: []bool{true}}},
		{`{message|re: '^(?:nfs|lockd): server (?P<s>\S+) not'}`, Requirement{Literals: []string{"nfs: server ", "lockd: server "}, AtStart: []bool{true, true}}},
		{`{message|re: '^INFO: task (?P<t>.+):(?P<p>\d+) blocked for more than '}`, Requirement{Literals: []string{" blocked for more than "}}},
		{`{message|re: '(?m)^Invalid user (?P<u>\S+)'}`, Requirement{Literals: []string{"Invalid user "}}},
		{`{message|re: ['^Invalid user (?P<u>\S+)', 'Failed none for (?P<u>\S+)']}`,
			Requirement{Literals: []string{"Invalid user ", "Failed none for "}, AtStart: []bool{true, false}}},
		{`{any: [{message|re: '^Invalid user (?P<u>\S+) from'}, {message|contains: "authentication failure;"}]}`,
			Requirement{Literals: []string{"Invalid user ", "authentication failure;"}, AtStart: []bool{true, false}}},
		{`{any: [{message|startswith: "Invalid user "}, {message|contains: "Invalid user "}]}`, Requirement{Literals: []string{"Invalid user "}}},
		{`{any: [{message|startswith: "Invalid user "}, {unit: ssh.service}]}`,
			Requirement{Literals: []string{"Invalid user "}, AtStart: []bool{true}, Units: []string{"ssh.service"}}},
	}
	for _, c := range cases {
		y := "schema: logsleuth/v1\nid: r\ntitle: R\nevents:\n  e: " + c.matcher + "\nmatch: {event: e}\n"
		sigs, errs := Parse("r.yaml", []byte(y))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.matcher, errs)
		}
		got := sigs[0].Events[0].Matcher.Requirement()
		if !slices.Equal(got.Literals, c.want.Literals) || !slices.Equal(got.AtStart, c.want.AtStart) ||
			!slices.Equal(got.Programs, c.want.Programs) || !slices.Equal(got.Units, c.want.Units) {
			t.Errorf("%s: requirement = %+v, want %+v", c.matcher, got, c.want)
		}
	}
}

func TestFieldRefs(t *testing.T) {
	y := `schema: logsleuth/v1
id: a
title: A
events:
  e:
    fields.level: error
    not: {fields.module: grpc}
    any: [{fields.container|startswith: traefik}, {message|contains: refused}]
match: {threshold: {event: e, by: [host, fields.container], count: 2, window: 1m}}
---
schema: logsleuth/v1
id: b
title: B
events:
  e: {fields.level: error, fields._EXE|endswith: /billing}
match: {event: e, dedupe: {by: [fields.REQUEST_ID], window: 1m}}
`
	sigs, errs := Parse("f.yaml", []byte(y))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := FieldRefs(sigs)
	want := []string{"level", "module", "container", "_EXE", "REQUEST_ID"}
	if !slices.Equal(got, want) {
		t.Fatalf("FieldRefs = %q, want %q", got, want)
	}
}
