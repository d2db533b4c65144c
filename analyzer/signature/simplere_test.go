package signature

import (
	"bufio"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/fixtures"
	"github.com/logsleuth/logsleuth/patterns"
)

// builtinRegexes returns the |re values of the built-in signatures.
func builtinRegexes(t testing.TB) []*regexp.Regexp {
	sigs, err := LoadFS(patterns.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []*regexp.Regexp
	seen := map[string]bool{}
	for _, s := range sigs {
		for _, d := range s.Events {
			for c := range d.Matcher.AllConds() {
				for _, re := range c.Res {
					if !seen[re.String()] {
						seen[re.String()] = true
						out = append(out, re)
					}
				}
			}
		}
	}
	return out
}

// fixtureTexts returns every line of the built-in fixtures, and for a
// syslog line also its message (after "]: " or the tag's ": "): what
// the regexes see.
func fixtureTexts(t testing.TB) []string {
	var out []string
	err := fs.WalkDir(fixtures.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := fixtures.FS.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			out = append(out, line)
			if _, msg, ok := strings.Cut(line, "]: "); ok {
				out = append(out, msg)
			} else if i := strings.Index(line, ": "); i >= 0 {
				out = append(out, line[i+2:])
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// regexpAnswer is what Cond.match takes from regexp: whether re
// matches v, and the named groups that took part.
func regexpAnswer(re *regexp.Regexp, v string) (bool, Captures) {
	idx := re.FindStringSubmatchIndex(v)
	if idx == nil {
		return false, nil
	}
	var caps Captures
	for i, name := range re.SubexpNames() {
		if name != "" && idx[2*i] >= 0 {
			caps = append(caps, Capture{name, v[idx[2*i]:idx[2*i+1]]})
		}
	}
	return true, caps
}

// checkSimple fails when s decides v differently from re.
func checkSimple(t *testing.T, re *regexp.Regexp, s *simpleRe, v string) bool {
	t.Helper()
	var caps Captures
	ok, decided := s.match(v, &caps)
	if !decided {
		return false
	}
	wantOK, wantCaps := regexpAnswer(re, v)
	if ok != wantOK || !slices.Equal(caps, wantCaps) {
		t.Errorf("%q on %q: simple %v %v, regexp %v %v", re, v, ok, caps, wantOK, wantCaps)
	}
	return true
}

// TestSimpleReAgreesWithRegexp runs every built-in regex both ways over
// every fixture line and message, whole and cut at each word, and
// requires the same answer and captures where simpleRe decides; and
// requires it to decide (to run at all) for the regexes of the
// signatures that a busy log feeds most (issue 20).
func TestSimpleReAgreesWithRegexp(t *testing.T) {
	texts := fixtureTexts(t)
	compiled, decided, matched := 0, 0, 0
	for _, re := range builtinRegexes(t) {
		s := compileSimple(re)
		if s == nil {
			t.Logf("left to regexp: %q", re)
			continue
		}
		compiled++
		for _, v := range texts {
			if !checkSimple(t, re, s, v) || !re.MatchString(v) {
				continue
			}
			decided++
			matched++
			// Near a match: cut at each space, a word dropped, a
			// non-ASCII character in its place.
			for i := range len(v) {
				if v[i] != ' ' {
					continue
				}
				for _, w := range []string{v[:i], v[i+1:], v[:i] + "é" + v[i:], v[:i] + "\n" + v[i+1:]} {
					if checkSimple(t, re, s, w) {
						decided++
					}
				}
			}
		}
	}
	if matched < 100 {
		t.Errorf("only %d matching texts decided: the test proves little", matched)
	}
	t.Logf("%d regexes run by simpleRe; %d texts decided, %d of them matches", compiled, decided, matched)
	for _, src := range []string{
		`^Failed (?:password|keyboard-interactive/pam|publickey|none) for (?P<user>\S+) from (?P<addr>\S+) port \d+`,
		`^Invalid user (?P<user>.*?) from (?P<addr>\S+)(?: port \d+)?$`,
		`^authentication failure;.* rhost=(?P<addr>\S+)`,
		`msg="shim disconnected" id=[0-9a-f]{12,64}`,
		`^INFO: task (?P<task>.+):(?P<pid>\d+) blocked for more than (?P<secs>\d+) seconds`,
		`^(?:nfs|lockd): server (?P<server>\S+) not responding, (?P<how>still trying|timed out)`,
		`^(?P<process>.+?)\[(?P<pid>\d+)\]: segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error \d+(?: in (?P<object>[^\[ ]+))?`,
	} {
		if compileSimple(regexp.MustCompile(src)) == nil {
			t.Errorf("%q: not run by simpleRe", src)
		}
	}
}

// TestSimpleReShapes pins the semantics that are easy to get wrong:
// leftmost-first preference between alternatives and repeat lengths,
// captures of groups that did not take part, the end anchor, classes
// that do or do not hold non-ASCII characters, and the shapes it must
// leave to regexp.
func TestSimpleReShapes(t *testing.T) {
	tests := []struct {
		re     string
		inputs []string
	}{
		{`(?P<a>x|xy)(?P<b>y?)z`, []string{"xyz", "xz", "xyyz", "axyzb"}},
		{`^(?P<a>.+):(?P<b>\d+) end`, []string{"k:1:2 end", "k:2: end", "a:b:3 end x", ":1 end"}},
		{`^(?P<a>.+?)\[(?P<b>\d+)\]`, []string{"php[1][2]", "a[b][3]", "[1]", "x[]"}},
		{`(?P<n>\d+)(?: port (?P<p>\d+))?$`, []string{"from 1 port 22", "from 1 port x", "12", "port 9 port 10"}},
		{`id=[0-9a-f]{3,5}`, []string{"id=ab", "id=abcdef", "xid=abc id=fff", "id=é12"}},
		{`^a[^\[ ]+b`, []string{"axxb", "aéb", "a b", "a[b"}},
		{`\d+ é`, []string{"12 é"}},
		{`(?i)abc`, []string{"ABC"}},
		{`^\bword`, []string{"word"}},
		{`(?:ab)+`, []string{"abab"}},
		{`x$`, []string{"x", "xx\n", "x\n"}},
		{`(?P<w>\w+)=(?P<v>[^ ]*)`, []string{"a=b c=d", "=x y=", "ü=1 a="}},
		{`^$`, []string{"", "x"}},
		{`a.{2,3}?b`, []string{"axb", "axxb", "axxxb", "axxxxb", "axxbxb"}},
		{`^x[a-z]*?y`, []string{"xy", "xaay", "xéy", "xa-y"}},
		{`^(?P<u>.*?) from (?P<a>\S+)$`, []string{"a b from c", "é from c", "a from é", "a from b from c"}},
	}
	for _, tt := range tests {
		re := regexp.MustCompile(tt.re)
		s := compileSimple(re)
		if s == nil {
			continue // left to regexp: nothing to compare
		}
		for _, v := range tt.inputs {
			checkSimple(t, re, s, v)
		}
	}
	for _, src := range []string{`(?i)abc`, `^\bword`, `(?:ab)+`, `\d+ é`} {
		if compileSimple(regexp.MustCompile(src)) != nil {
			t.Errorf("%q: simpleRe claims a shape it does not run", src)
		}
	}
	// A wide class meeting a non-ASCII byte leaves the answer to regexp.
	if _, decided := compileSimple(regexp.MustCompile(`^a\S+b`)).match("aéb", nil); decided {
		t.Error(`^a\S+b on "aéb": decided without regexp`)
	}
	// A lazy repeat reads no further than its match: a non-ASCII byte
	// after it leaves the answer to simpleRe.
	if ok, decided := compileSimple(regexp.MustCompile(`^(?P<u>.+?)\[(?P<p>\d+)\]`)).match("php[12]: é", nil); !ok || !decided {
		t.Errorf(`^(?P<u>.+?)\[ on "php[12]: é": matched %v, decided %v; want both`, ok, decided)
	}
	// Out of steps: nested repeats that backtrack a lot hand over too.
	long := strings.Repeat("a:", 3000)
	if _, decided := compileSimple(regexp.MustCompile(`^(?P<x>.*):(?P<y>.*):(?P<z>.*)!`)).match(long, nil); decided {
		t.Error("quadratic backtracking decided without regexp")
	}
}

// FuzzSimpleRe compares simpleRe with regexp on inputs for a few regexes
// of the supported shapes, the built-in ones among them.
func FuzzSimpleRe(f *testing.F) {
	res := []*regexp.Regexp{
		regexp.MustCompile(`^Failed (?:password|publickey|none) for (?P<user>\S+) from (?P<addr>\S+) port \d+`),
		regexp.MustCompile(`^Invalid user (?P<user>.*?) from (?P<addr>\S+)(?: port \d+)?$`),
		regexp.MustCompile(`(?P<a>x|xy)(?P<b>y?)z`),
		regexp.MustCompile(`^(?P<a>.+?)\[(?P<b>\d+)\]: seg(?: in (?P<c>[^\[ ]+))?`),
		regexp.MustCompile(`id=[0-9a-f]{2,4}(?P<t>s| sec)?`),
		regexp.MustCompile(`(?P<w>\w*)=(?P<v>.*?)$`),
	}
	for _, s := range []string{"Failed password for root from 1.2.3.4 port 22 ssh2", "Invalid user a b from 1.2.3.4", "xyz", "php[12]: seg in libc.so[7f]", "id=abcd sec", "k= v=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, re := range res {
			if s := compileSimple(re); s != nil {
				checkSimple(t, re, s, v)
			}
		}
	})
}

// BenchmarkCondRegex runs the hottest built-in regexes of a dense log
// (issue 20) on the lines that reach them, through regexp and through
// simpleRe, side by side.
func BenchmarkCondRegex(b *testing.B) {
	cases := []struct{ name, re, v string }{
		{"ssh-failed", `^Failed (?:password|keyboard-interactive/pam|publickey|none) for (?P<user>\S+) from (?P<addr>\S+) port \d+`,
			"Failed password for root from 203.0.113.9 port 52211 ssh2"},
		{"ssh-invalid", `^Invalid user (?P<user>.*?) from (?P<addr>\S+)(?: port \d+)?$`,
			"Invalid user oracle from 203.0.113.9 port 52211"},
		{"ssh-invalid-miss", `^Invalid user (?P<user>.*?) from (?P<addr>\S+)(?: port \d+)?$`,
			"Failed password for invalid user oracle from 203.0.113.9 port 52211 ssh2"},
		{"shim", `msg="shim disconnected" id=[0-9a-f]{12,64}`,
			`time="2020-12-29T18:00:00.654398801+09:00" level=info msg="shim disconnected" id=245e64284cb2434bfa0ca6b6743331ca7acb4e32727c9f41c00104dd4ae82c43 namespace=moby`},
		{"hung-task", `^INFO: task (?P<task>.+):(?P<pid>\d+) blocked for more than (?P<secs>\d+) seconds`,
			"INFO: task rsync:40211 blocked for more than 120 seconds."},
	}
	for _, c := range cases {
		re := regexp.MustCompile(c.re)
		s := compileSimple(re)
		b.Run(c.name+"/regexp", func(b *testing.B) {
			for b.Loop() {
				regexpAnswer(re, c.v)
			}
		})
		b.Run(c.name+"/simple", func(b *testing.B) {
			var caps Captures
			for b.Loop() {
				caps = caps[:0]
				if _, decided := s.match(c.v, &caps); !decided {
					b.Fatal("not decided")
				}
			}
		})
	}
}
