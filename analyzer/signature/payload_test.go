package signature

import (
	"testing"

	"github.com/logsleuth/logsleuth/patterns"
)

// TestReadsPayload: a signature reads an event's payload when a matcher
// tests a field or the priority, a by or dedupe key is a field, or a
// template names a step's fields or priority, or a whole step, the dot or
// a bare variable (which may hold one); not when it only reads the
// message, program, unit, captures and the finding's own values.
func TestReadsPayload(t *testing.T) {
	const event = "events:\n  hit: {program: containerd, message|re: 'shim (?P<what>\\w+)'}\n"
	single := func(body string) string {
		return "id: x\ntitle: X\n" + event + "match: {event: hit}\n" + body
	}
	cases := []struct {
		name, doc string
		want      bool
	}{
		{"message and captures", single("explain: '{{.hit.what}} on {{.host}} at {{ts .hit.time}}: {{.hit.message}}'\n"), false},
		{"remediation with functions", single("explain: x\nremediation: ['{{with .hit.what}}{{.}}{{end}} {{default \"a\" .hit.program}}']\n"), false},
		{"field in a matcher", "id: x\ntitle: X\nevents:\n  hit: {program: containerd, fields.msg: shim disconnected}\nmatch: {event: hit}\nexplain: x\n", true},
		{"priority in a not", "id: x\ntitle: X\nevents:\n  hit: {program: containerd, not: {priority|lte: err}}\nmatch: {event: hit}\nexplain: x\n", true},
		{"priority in an any", "id: x\ntitle: X\nevents:\n  hit: {any: [{program: a}, {priority: err}]}\nmatch: {event: hit}\nexplain: x\n", true},
		{"dedupe by a field", "id: x\ntitle: X\n" + event + "match: {event: hit, dedupe: {by: [fields.id], window: 1m}}\nexplain: x\n", true},
		{"threshold by a field", "id: x\ntitle: X\n" + event + "match: {threshold: {event: hit, by: [fields.id], count: 2, window: 1m}}\nexplain: x\n", true},
		{"template field", single("explain: '{{.hit.fields.msg}}'\n"), true},
		{"template priority", single("explain: '{{.hit.priority}}'\n"), true},
		{"threshold's last step's field", "id: x\ntitle: X\n" + event + "match: {threshold: {event: hit, count: 2, window: 1m}}\nexplain: '{{.last.fields.msg}}'\n", true},
		{"whole step", single("explain: '{{.hit}}'\n"), true},
		{"whole step in with", single("explain: '{{with .hit}}{{.message}}{{end}}'\n"), true},
		{"range over a step", single("explain: '{{range $k, $v := .hit}}{{$k}}{{end}}'\n"), true},
		{"the dot", single("explain: '{{printf \"%v\" .}}'\n"), true},
		{"index by name", single("explain: '{{index .hit.fields \"msg\"}}'\n"), true},
		{"index the step", single("explain: '{{index . \"hit\"}}'\n"), true},
		{"root variable", single("explain: '{{with .hit.what}}{{$.hit.fields.msg}}{{end}}'\n"), true},
		{"root variable, message", single("explain: '{{with .hit.what}}{{$.hit.message}}{{end}}'\n"), false},
		{"in a defined template", single("explain: '{{define \"t\"}}{{.fields.msg}}{{end}}{{template \"t\" .hit}}'\n"), true},
		{"sequence step", "id: x\ntitle: X\nevents:\n  a: {program: p}\n  b: {program: q}\nmatch:\n  sequence:\n    steps: [{event: a, as: first_a}, {event: b}]\nexplain: '{{.first_a}}'\n", true},
		{"sequence messages", "id: x\ntitle: X\nevents:\n  a: {program: p}\n  b: {program: q}\nmatch:\n  sequence:\n    by: [host]\n    steps: [{event: a}, {event: b}]\nexplain: '{{.a.message}} then {{.b.message}}'\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sigs, errs := Parse("x.yaml", []byte("schema: logsleuth/v1\n"+c.doc))
			if len(errs) > 0 || len(sigs) != 1 {
				t.Fatalf("load: %v", errs)
			}
			if got := sigs[0].ReadsPayload(); got != c.want {
				t.Errorf("ReadsPayload() = %v, want %v", got, c.want)
			}
		})
	}
}

// TestBuiltinPayloadReaders: of the built-ins that match containerd's
// and kubelet's structured lines (whose payloads a busy log is full of),
// those that read fields say so and the others do not, so the screen
// leaves the latter's matches undecoded.
func TestBuiltinPayloadReaders(t *testing.T) {
	sigs, err := LoadFS(patterns.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"unattended-upgrade-restart": false, // msg="shim disconnected" in the message
		"containerd-restart":         false,
		"kubelet-runtime-down":       false,
		"kubelet-eviction":           true, // fields.msg, fields.resourceName
		"docker-api-version":         true, // {{.rejected.fields.container}}
		"ssh-bruteforce":             true, // fields.subsystem (pam_unix)
	}
	for _, s := range sigs {
		if w, ok := want[s.ID]; ok {
			if got := s.ReadsPayload(); got != w {
				t.Errorf("%s: ReadsPayload() = %v, want %v", s.ID, got, w)
			}
			delete(want, s.ID)
		}
	}
	for id := range want {
		t.Errorf("no built-in signature %s", id)
	}
}
