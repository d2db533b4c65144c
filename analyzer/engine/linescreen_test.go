package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestLineScreenNoFalseNegatives: a syslog line whose event some
// definition matches is found by LineScreen, from its raw bytes (a text
// in it, or its program among Programs); random definitions over a small
// vocabulary, random lines over the same one.
func TestLineScreenNoFalseNegatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 1870514))
	words := []string{"abcd", "abcab", "cabba", "bcaab", "Docker Application Container Engine", "docker.service",
		"containerd.service", "containerd container runtime", "sshd: x", "apt-get"}
	word := func() string { return words[rng.IntN(len(words))] }
	quote := func(s string) string { return fmt.Sprintf("%q", s) }
	progs := []string{"su", "apt", "abcd"} // of definitions
	lineProgs := []string{"su", "apt", "abcd", "systemd", "kernel", "sshd", "cron", "dockerd", "postfix/qmgr"}
	units := []string{"docker.service", "containerd.service", "user@1000.service", "session-5.scope"}
	var doc strings.Builder
	doc.WriteString("schema: logsleuth/v1\nid: random\ntitle: Random\nevents:\n")
	for i := range 16 {
		var c string
		switch rng.IntN(5) {
		case 0:
			c = "message|contains: [" + quote(word()) + ", " + quote(word()) + "]"
		case 1:
			c = "program: " + quote(progs[rng.IntN(len(progs))])
		case 2:
			c = "unit: " + quote(units[rng.IntN(len(units))]) + ", lifecycle: [starting, stopped, started]"
		case 3:
			c = "message|re: '" + word() + " (?P<x>[ab]+)'"
		default:
			c = "any: [{program: " + quote(progs[rng.IntN(len(progs))]) + "}, {message|startswith: " + quote(word()) + "}]"
		}
		fmt.Fprintf(&doc, "  e%d: {%s}\n", i, c)
	}
	doc.WriteString("match:\n  event: e0\n")
	sigs := loadSigs(t, doc.String())
	e := New(sigs, Options{})
	ls, ok := e.LineScreen(parse.UnitTexts, parse.BootTexts...)
	if !ok {
		t.Fatalf("no line screen: %+v", e.Pushdown())
	}
	search := ls.Lines()
	isProg := map[string]bool{}
	for _, p := range ls.Programs {
		isProg[p] = true
	}
	messages := []func() string{
		func() string { return word() + " " + word() + " " + word() },
		func() string { return word()[1:] + "ab " + word()[:3] },
		func() string { return "Stopping " + word() + "..." },
		func() string { return "Started User Manager for UID 1000." },
		func() string { return "Started Session 5 of User ubuntu." },
		func() string { return "docker.service: Deactivated successfully." },
		func() string { return "Stopped " + word() + "." },
	}
	var found, hot int
	for i := range 20000 {
		line := fmt.Sprintf("Oct  7 06:20:%02d web-3 %s[%d]: %s", i%60, lineProgs[rng.IntN(len(lineProgs))], 100+i, messages[rng.IntN(len(messages))]())
		var ev event.Event
		ev.Reset()
		parse.ParseLine([]byte(line), &parse.Options{Location: day.Location(), Year: 2021}, &ev)
		matched := false
		for _, d := range e.defs {
			var caps signature.Captures
			if d.def.Matcher.Match(&ev, &caps) {
				matched = true
				break
			}
		}
		// Search the line inside a block, as the workers do.
		block := "Oct  7 06:20:00 web-3 cron[1]: x\n" + line + "\nOct  7 06:20:01 web-3 cron[2]: y\n"
		start, end := len("Oct  7 06:20:00 web-3 cron[1]: x\n"), len(block)-len("\nOct  7 06:20:01 web-3 cron[2]: y\n")
		inLine := false
		for _, x := range search(block, nil) {
			if x > start && x <= end {
				inLine = true
			}
		}
		if inLine || isProg[ev.Program] {
			hot++
		}
		if matched {
			found++
			if !inLine && !isProg[ev.Program] {
				t.Fatalf("%q matches a definition, but LineScreen does not find it", line)
			}
		}
	}
	t.Logf("%d of 20000 lines matched, %d found", found, hot)
	if found < 1000 || hot > 19000 {
		t.Errorf("%d of 20000 lines matched, %d found: the test tells nothing", found, hot)
	}
}
