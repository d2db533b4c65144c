package signature

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// StepAttrs are the attributes a bound step offers templates, besides the
// captures of its event: `.down.time`, `.down.message`, ...
var StepAttrs = []string{"time", "message", "host", "program", "unit", "pid", "line", "source", "lifecycle", "priority", "boot_id", "fields"}

// AbsentAttrs are what an absent step offers: its window.
var AbsentAttrs = []string{"start", "end", "for"}

// FindingAttrs are the top-level names every template may use.
var FindingAttrs = []string{"outcome", "reason", "host", "count", "start", "end", "signature", "title", "first", "last"}

// Funcs are the template functions; pure and deterministic.
var Funcs = template.FuncMap{
	"ts": func(t any) string {
		if tt, ok := t.(time.Time); ok && !tt.IsZero() {
			return string(appendTS(nil, tt))
		}
		if _, ok := t.(time.Time); ok {
			return "time unknown" // (a pasted line whose stamp was cut)
		}
		return ""
	},
	"since": func(a, b any) string {
		ta, ok1 := a.(time.Time)
		tb, ok2 := b.(time.Time)
		if !ok1 || !ok2 {
			return ""
		}
		if ta.IsZero() || tb.IsZero() {
			return "an unknown time" // (a pasted line whose stamp was cut)
		}
		return HumanDuration(tb.Sub(ta))
	},
	"default": func(def any, v any) string {
		if v == nil {
			return fmt.Sprint(def)
		}
		if s := fmt.Sprint(v); s != "" {
			return s
		}
		return fmt.Sprint(def)
	},
	// shq quotes a value for the shell: every remediation that pastes a
	// captured or logged value into a command goes through it, so a log
	// line cannot smuggle "; curl ... | sh" into what the reader pastes.
	"shq": func(v any) string { return ShellQuote(toString(v)) },
	"join": func(v any, sep string) string {
		switch x := v.(type) {
		case []string:
			return strings.Join(x, sep)
		case nil:
			return ""
		}
		return fmt.Sprint(v)
	},
}

// tsLayout is how ts prints a time.
const tsLayout = "2006-01-02 15:04:05 MST"

// appendTS appends t as t.AppendFormat(dst, tsLayout) does, digit by
// digit for the years 0 to 9999 in a zone with a name: the general
// formatter was a fifth of rendering a dense log's summaries.
func appendTS(dst []byte, t time.Time) []byte {
	zone, _ := t.Zone()
	if year := t.Year(); year < 0 || year > 9999 || zone == "" {
		return t.AppendFormat(dst, tsLayout)
	}
	dst = event.AppendDateClock(dst, t, ' ')
	return append(append(dst, ' '), zone...)
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// ShellQuote returns s as one word for a POSIX shell (and bash, zsh):
// unchanged when every byte is one no shell treats specially, so the
// usual unit names, addresses and versions read as they are; else in
// single quotes, with each ' written as '\”.
func ShellQuote(s string) string {
	if s != "" && shellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellSafe(s string) bool {
	// A leading '=' expands to a command's path in zsh.
	if s[0] == '=' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("@%+=:,./_-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// HumanDuration prints d the way people say it: "40s", "2m5s", "1h30m",
// "3d".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + HumanDuration(-d)
	}
	d = d.Round(time.Second)
	if d >= 48*time.Hour {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var b strings.Builder
	if h > 0 {
		b.WriteString(strconv.Itoa(h) + "h")
	}
	if m > 0 {
		b.WriteString(strconv.Itoa(m) + "m")
	}
	if s > 0 || b.Len() == 0 {
		b.WriteString(strconv.Itoa(s) + "s")
	}
	return b.String()
}

// scope is what a signature's templates may name.
type scope struct {
	steps map[string][]string // bound name -> allowed second-level names
	top   []string            // plain values besides FindingAttrs
}

func templateScope(s *Signature) scope {
	sc := scope{steps: map[string][]string{}}
	switch s.Match.Kind {
	case MatchSequence:
		for _, st := range s.Match.Steps {
			if st.Absent {
				sc.steps[st.As] = AbsentAttrs
				continue
			}
			sc.steps[st.As] = append(append([]string{}, StepAttrs...), st.Event.Matcher.CaptureNames()...)
		}
	default:
		if s.Match.Event != nil {
			attrs := append(append([]string{}, StepAttrs...), s.Match.Event.Matcher.CaptureNames()...)
			sc.steps[s.Match.Event.Name] = attrs
			if s.Match.Kind == MatchThreshold {
				sc.steps["first"] = attrs
				sc.steps["last"] = attrs
			}
		}
	}
	if s.Match.Kind == MatchThreshold {
		// A threshold's group keys are bound at top level: {{.svc}}
		// for by: [host, svc].
		s.Match.ByNames = make([]string, len(s.Match.By))
		for i, k := range s.Match.By {
			name := strings.TrimPrefix(k, "fields.")
			if _, taken := sc.steps[name]; taken || contains(FindingAttrs, name) || contains(sc.top, name) {
				continue
			}
			s.Match.ByNames[i] = name
			sc.top = append(sc.top, name)
		}
	}
	return sc
}

var (
	tmplPos     = regexp.MustCompile(`^template: [^:]*:(\d+):(?:(\d+):)? ?(.*)$`)
	tmplStarted = regexp.MustCompile(` ?started at [^:]*:(\d+)`)
)

// template parses a template-valued scalar and checks every `.name.attr`
// it uses against the signature's bindings.
func (l *loader) template(n *yaml.Node, name string, sc scope) *template.Template {
	text, ok := l.str(n, name)
	if !ok {
		return nil
	}
	t, err := template.New(name).Funcs(Funcs).Option("missingkey=zero").Parse(text)
	if err != nil {
		line, col, msg := n.Line, n.Column, err.Error()
		if m := tmplPos.FindStringSubmatch(msg); m != nil {
			off, _ := strconv.Atoi(m[1])
			msg = m[3]
			// "unclosed action started at explain:2": point at the start.
			if s := tmplStarted.FindStringSubmatchIndex(msg); s != nil {
				off, _ = strconv.Atoi(msg[s[2]:s[3]])
				msg = strings.TrimSpace(msg[:s[0]] + msg[s[1]:])
			}
			line += l.blockOffset(n) + off - 1
			if l.blockOffset(n) > 0 {
				col = 1
			}
		}
		l.errs = append(l.errs, &Error{Code: CodeTemplate, File: l.file, Line: line, Col: col, Msg: name + ": " + msg,
			Hint: "Go text/template syntax, e.g. {{.down.svc}} or {{if eq .outcome \"confirmed\"}}...{{end}}"})
		return nil
	}
	bad := false
	walkFields(t.Tree.Root, func(node parse.Node, idents []string) {
		if msg := sc.check(idents); msg != "" {
			bad = true
			line, col := l.locate(n, text, int(node.Position()), node.String())
			var names []string
			for k := range sc.steps {
				names = append(names, k)
			}
			sort.Strings(names)
			l.errs = append(l.errs, &Error{Code: CodeTemplate, File: l.file, Line: line, Col: col,
				Msg:  fmt.Sprintf("%s: {{.%s}} %s", name, strings.Join(idents, "."), msg),
				Hint: "bound: " + strings.Join(append(names, sc.top...), ", ") + "; and " + strings.Join(FindingAttrs, ", ")})
		}
	})
	if bad {
		return nil
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			l.lintRanges(n, name, text, tt.Tree.Root)
			if strings.HasPrefix(name, "remediation") {
				l.lintRemediation(n, name, text, tt.Tree.Root)
			}
		}
	}
	bound(t)
	return t
}

// locate finds the file position of needle, which starts at byte off of
// the scalar n's text: the same occurrence of it in the file's lines from
// the scalar's line on. Quoting, escapes and folding make offsets in the
// text differ from columns in the file; an identifier is spelt the same
// in both. When it is not found, the scalar's position.
func (l *loader) locate(n *yaml.Node, text string, off int, needle string) (int, int) {
	k := strings.Count(text[:off], needle)
	for i := n.Line - 1; i >= 0 && i < len(l.lines); i++ {
		line, from := l.lines[i], 0
		if i == n.Line-1 {
			from = min(max(n.Column-1, 0), len(line))
		}
		for {
			j := strings.Index(line[from:], needle)
			if j < 0 {
				break
			}
			if k == 0 {
				return i + 1, from + j + 1
			}
			k--
			from += j + len(needle)
		}
	}
	return n.Line, n.Column
}

// blockOffset is 1 for block scalars (| and >), whose text starts on the
// line after the key.
func (l *loader) blockOffset(n *yaml.Node) int {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 1
	}
	return 0
}

func (sc scope) check(idents []string) string {
	if len(idents) == 0 {
		return ""
	}
	root := idents[0]
	attrs, isStep := sc.steps[root]
	if !isStep {
		if contains(FindingAttrs, root) || contains(sc.top, root) {
			if len(idents) > 1 {
				return "has no attributes"
			}
			return ""
		}
		return "is not bound"
	}
	if len(idents) < 2 {
		return ""
	}
	if !contains(attrs, idents[1]) {
		return fmt.Sprintf("names %q, which step %q does not bind (it has %s)", idents[1], root, strings.Join(attrs, ", "))
	}
	return ""
}

// walkFields calls f for every `.a.b` field chain in the template at the
// top-level dot (not inside range/with, where the dot changes).
func walkFields(n parse.Node, f func(parse.Node, []string)) {
	TemplateWalk[struct{}]{
		Body: func(*parse.PipeNode, struct{}) (struct{}, bool) { return struct{}{}, false },
		Visit: func(n parse.Node, _ struct{}) bool {
			switch x := n.(type) {
			case *parse.FieldNode:
				f(x, x.Ident)
			case *parse.VariableNode:
				if len(x.Ident) > 1 && x.Ident[0] == "$" {
					f(x, x.Ident[1:])
				}
			}
			return false
		},
	}.Walk(n, struct{}{})
}

// Limits of one rendering (README "Limits"): a template that loops,
// recurses or prints past them stops with ErrTemplateLimit.
const (
	// MaxTemplateOutput bounds a rendered template, in bytes.
	MaxTemplateOutput = 64 << 10
	// maxTemplateSteps bounds the loop turns and template calls of one
	// rendering: `{{range 1000000000}}` must not spin for minutes.
	maxTemplateSteps = 100_000
	// maxTemplateTime bounds the time of one rendering, for steps that
	// are slow on their own (a printf a megabyte wide).
	maxTemplateTime = time.Second
)

// ErrTemplateLimit is the error a rendering that hit a limit wraps.
var ErrTemplateLimit = errors.New("template limit reached")

// turnFunc is the function injected at the top of every loop body and
// every defined template: it counts turns against the rendering's budget.
const turnFunc = "__turn"

func init() {
	// Bound at parse time so that injected calls resolve; Render binds
	// the real one, per rendering, on a clone.
	Funcs[turnFunc] = func() (string, error) { return "", nil }
}

// bound makes every loop body and defined template of t start with a
// call of turnFunc, so that Render can stop a template that runs too
// long.
func bound(t *template.Template) {
	turn, err := template.New("turn").Funcs(Funcs).Parse("{{" + turnFunc + "}}")
	if err != nil {
		panic(err) // a constant template
	}
	node := turn.Tree.Root.Nodes[0]
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		if tt.Name() != t.Name() { // {{define}}: each call is a turn
			tt.Tree.Root.Nodes = append([]parse.Node{node}, tt.Tree.Root.Nodes...)
		}
		walkNodes(tt.Tree.Root, func(n parse.Node) {
			if r, ok := n.(*parse.RangeNode); ok && r.List != nil {
				r.List.Nodes = append([]parse.Node{node}, r.List.Nodes...)
			}
		})
	}
}

// budget is what one rendering may still spend; err is the limit it hit.
type budget struct {
	turns    int
	deadline time.Time
	err      error
}

func (b *budget) turn() (string, error) {
	b.turns++
	if b.turns > maxTemplateSteps {
		b.err = fmt.Errorf("%w: more than %d loop turns", ErrTemplateLimit, maxTemplateSteps)
	} else if b.turns%64 == 0 && time.Now().After(b.deadline) {
		b.err = fmt.Errorf("%w: rendering took more than %s", ErrTemplateLimit, maxTemplateTime)
	}
	return "", b.err
}

// limitWriter keeps at most MaxTemplateOutput bytes and fails the write
// that would pass it, which stops the rendering.
type limitWriter struct {
	b   strings.Builder
	err error
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > MaxTemplateOutput {
		w.err = fmt.Errorf("%w: output longer than %d bytes", ErrTemplateLimit, MaxTemplateOutput)
		return 0, w.err
	}
	return w.b.Write(p)
}

// Render executes t over data, turning missing values into empty text.
// A rendering stops with an error wrapping ErrTemplateLimit past
// MaxTemplateOutput bytes, maxTemplateSteps loop turns or template
// calls, or maxTemplateTime.
func Render(t *template.Template, data map[string]any) (string, error) {
	if t == nil {
		return "", nil
	}
	if text, ok := plainText(t); ok {
		return text, nil
	}
	b := &budget{}
	if needsBudget(t) {
		b.deadline = time.Now().Add(maxTemplateTime)
		c, err := t.Clone()
		if err != nil {
			return "", fmt.Errorf("rendering %s: %w", t.Name(), err)
		}
		t = c.Funcs(template.FuncMap{turnFunc: b.turn})
	}
	var w limitWriter
	if err := t.Execute(&w, data); err != nil {
		// A limit says which; the injected call's name says nothing.
		if b.err != nil {
			err = b.err
		} else if w.err != nil {
			err = w.err
		}
		return "", fmt.Errorf("rendering %s: %w", t.Name(), err)
	}
	return strings.ReplaceAll(w.b.String(), "<no value>", ""), nil
}

// plainTexts holds, per template, what it renders to when it is text
// alone, without an action (most remediation steps): executing one cost
// as much as a template with actions (2,709 findings of the dense bench
// corpus render 5,418 such steps).
var plainTexts sync.Map // *template.Template -> plainResult

type plainResult struct {
	text  string
	plain bool
}

// plainText returns what t renders to, when it is text alone (as
// Execute writes it, missing values removed) within MaxTemplateOutput.
func plainText(t *template.Template) (string, bool) {
	if r, ok := plainTexts.Load(t); ok {
		return r.(plainResult).text, r.(plainResult).plain
	}
	var r plainResult
	if t.Tree != nil && t.Tree.Root != nil && len(t.Tree.Root.Nodes) > 0 {
		var b strings.Builder
		r.plain = true
		for _, n := range t.Tree.Root.Nodes {
			tn, ok := n.(*parse.TextNode)
			if !ok {
				r.plain = false
				break
			}
			b.Write(tn.Text)
		}
		r.plain = r.plain && b.Len() <= MaxTemplateOutput
		if r.plain {
			r.text = strings.ReplaceAll(b.String(), "<no value>", "")
		}
	}
	plainTexts.Store(t, r)
	return r.text, r.plain
}

// needsBudget reports whether t can loop: it has a range or defines
// templates.
func needsBudget(t *template.Template) bool {
	if len(t.Templates()) > 1 {
		return true
	}
	found := false
	walkNodes(t.Tree.Root, func(n parse.Node) {
		if _, ok := n.(*parse.RangeNode); ok {
			found = true
		}
	})
	return found
}
