package patterns

import (
	"strings"
	"time"

	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestBuiltinSignaturesLoad keeps the embedded set loadable: a signature
// that does not load would take the whole built-in set down with it.
func TestBuiltinSignaturesLoad(t *testing.T) {
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) == 0 {
		t.Fatal("no built-in signatures")
	}
}

// TestSSHBruteforceAttempt pins what ssh-bruteforce counts as one
// attempt, and the user and address it takes from each kind of line.
func TestSSHBruteforceAttempt(t *testing.T) {
	fail := builtinEvent(t, "ssh-bruteforce", "fail")
	for _, c := range []struct {
		program, subsystem, msg string
		match                   bool
		user, addr              string
	}{
		{"sshd", "", "Failed password for root from 218.92.0.112 port 43622 ssh2", true, "root", "218.92.0.112"},
		{"sshd", "", "Failed publickey for deploy from 2001:db8::7 port 50122 ssh2: ED25519 SHA256:x", true, "deploy", "2001:db8::7"},
		{"sshd", "", "Invalid user ftpuser from 198.51.100.30 port 16074", true, "ftpuser", "198.51.100.30"},
		{"sshd", "", "Invalid user admin from 198.51.100.30", true, "admin", "198.51.100.30"},
		// A user name may hold spaces and even " from ": the address is
		// what follows the last one.
		{"sshd", "", "Invalid user a from b from 198.51.100.30 port 22", true, "a from b", "198.51.100.30"},
		{"sshd", "", "Invalid user x from 10.0.0.1 port 1 from 198.51.100.30 port 22", true, "x from 10.0.0.1 port 1", "198.51.100.30"},
		{"sshd", "", "Invalid user  from 198.51.100.30 port 22", true, "", "198.51.100.30"},
		{"sshd", "pam_unix", "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root", true, "", "203.0.113.5"},
		// The same attempt as the "Invalid user" line before it.
		{"sshd", "", "Failed password for invalid user ftpuser from 198.51.100.30 port 16074 ssh2", false, "", ""},
		{"sshd", "", "Accepted password for root from 218.92.0.112 port 43622 ssh2", false, "", ""},
		{"sshd", "", "Invalid user ftpuser from 198.51.100.30 port 16074 [preauth]", false, "", ""},
		{"su", "", "Failed password for root from 218.92.0.112 port 43622 ssh2", false, "", ""},
	} {
		ev := &event.Event{Program: c.program, Message: c.msg, Priority: event.NoPriority}
		if c.subsystem != "" {
			ev.Fields = []event.Field{{Key: "subsystem", Value: c.subsystem}}
		}
		var caps signature.Captures
		if got := fail.Matcher.Match(ev, &caps); got != c.match {
			t.Errorf("%q: match %v, want %v", c.msg, got, c.match)
			continue
		}
		if !c.match {
			continue
		}
		user, _ := caps.Get("user")
		addr, _ := caps.Get("addr")
		if user != c.user || addr != c.addr {
			t.Errorf("%q: user %q addr %q, want %q %q", c.msg, user, addr, c.user, c.addr)
		}
	}
}

// TestBuiltinSignaturesLintClean: the built-in set has no lint warnings
// (`patterns lint` runs it with every user directory).
func TestBuiltinSignaturesLintClean(t *testing.T) {
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		for _, w := range s.Warnings {
			t.Errorf("%v", w)
		}
	}
}

// TestBuiltinRemediationQuotesLogValues renders every built-in
// remediation with each value a log line can choose set to a shell
// injection: none may reach the output unquoted.
func TestBuiltinRemediationQuotesLogValues(t *testing.T) {
	const payload = "x'y; touch /tmp/PWNED #"
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 11, 11, 6, 0, 0, 0, time.UTC)
	step := func(def *signature.EventDef) map[string]any {
		m := map[string]any{"time": when, "pid": 1, "line": int64(1), "lifecycle": "stopped", "priority": "err",
			"fields": map[string]string{}}
		for _, a := range []string{"message", "host", "program", "unit", "source", "boot_id"} {
			m[a] = payload
		}
		for _, c := range def.Matcher.CaptureNames() {
			m[c] = payload
		}
		return m
	}
	checked := 0
	for _, s := range sigs {
		data := map[string]any{"host": payload, "outcome": "confirmed", "reason": "", "count": 3, "start": when, "end": when,
			"signature": s.ID, "title": s.Title}
		if s.Match.Event != nil {
			data[s.Match.Event.Name], data["first"], data["last"] = step(s.Match.Event), step(s.Match.Event), step(s.Match.Event)
		}
		for _, st := range s.Match.Steps {
			if st.Absent {
				data[st.As] = map[string]any{"start": when, "end": when, "for": "30m"}
			} else {
				data[st.As] = step(st.Event)
			}
		}
		for _, r := range s.Remediation {
			out, err := signature.Render(r, data)
			if err != nil {
				t.Fatalf("%s: %v", s.ID, err)
			}
			if strings.Contains(out, "x'y;") {
				t.Errorf("%s: a logged value reaches the command unquoted: %s", s.ID, out)
			}
			if strings.Contains(out, `x'\''y;`) {
				checked++
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d remediation lines interpolate a logged value; the test lost its reach", checked)
	}
}

// TestBuiltinsHaveAClass: every built-in signature carries a class tag
// (`patterns lint` warns about one that does not).
func TestBuiltinsHaveAClass(t *testing.T) {
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if w := signature.ClassWarnings(sigs); len(w) > 0 {
		t.Fatal(w)
	}
}

// Every event of a built-in signature narrows the prefilter by a literal,
// program, unit or kind: one matcher that lets every event through makes
// every line of every log a candidate, and the whole library as slow as
// its loosest signature (an any: mixing a unit and a program did, once).
func TestBuiltinEventsNarrowThePrefilter(t *testing.T) {
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		for _, e := range s.Events {
			req := e.Matcher.Requirement()
			if req.Any() {
				t.Errorf("%s: event %s lets every event through the prefilter: give it a message literal, program, unit or kind", s.ID, e.Name)
			}
			// systemd and the kernel write a large share of every log: a
			// branch narrowed by them alone makes all of it candidates
			// (docker-data-root-snap's 'Started' branch made 20% of a
			// fleet's rows travel).
			for _, p := range req.Programs {
				if p == "systemd" || p == "kernel" {
					t.Errorf("%s: event %s is narrowed only by program %s in some branch: give that branch a message literal", s.ID, e.Name, p)
				}
			}
		}
	}
}

// TestUnattendedUpgradeRestartInterrupted pins the lines that prove a
// runtime restart cut running work off, in the wordings of the docker
// releases Ubuntu ships (docker.io 20.10 on 22.04, docker-ce 23+).
func TestUnattendedUpgradeRestartInterrupted(t *testing.T) {
	cut := builtinEvent(t, "unattended-upgrade-restart", "interrupted")
	const id = "7d2f1a9c4b3e8d5f6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
	for _, c := range []struct {
		program, msg string
		match        bool
	}{
		{"dockerd", `time="2025-06-06T06:44:11.758031207Z" level=info msg="Container failed to exit within 10s of signal 15 - using the force" container=` + id, true},
		{"dockerd", `time="2023-03-14T06:25:08.131877215Z" level=info msg="Container ` + id + ` failed to exit within 10 seconds of signal 15 - using the force"`, true},
		{"containerd", `time="2024-07-18T06:12:22.518203311+02:00" level=info msg="shim disconnected" id=` + id + ` namespace=moby`, true},
		{"jenkins-agent", "[build-ros-humble #1184] error waiting for container: unexpected EOF", true},
		// docker stop --signal SIGQUIT, or a kill by hand: not the daemon going down
		{"dockerd", `time="2023-03-14T06:25:08.131877215Z" level=info msg="Container ` + id + ` failed to exit within 10 seconds of signal 3 - using the force"`, false},
		{"containerd", `time="2024-07-18T06:12:22.518203311+02:00" level=info msg="Container failed to exit within 10s of signal 15 - using the force"`, false},
	} {
		ev := &event.Event{Program: c.program, Message: c.msg, Priority: event.NoPriority}
		var caps signature.Captures
		if got := cut.Matcher.Match(ev, &caps); got != c.match {
			t.Errorf("%s %q: match %v, want %v", c.program, c.msg, got, c.match)
		}
	}
}

// builtinEvent is the event name of the built-in signature id.
func builtinEvent(t *testing.T, id, name string) *signature.EventDef {
	t.Helper()
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if s.ID == id {
			if e := s.Event(name); e != nil {
				return e
			}
		}
	}
	t.Fatalf("%s has no event %s", id, name)
	return nil
}
