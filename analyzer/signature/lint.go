package signature

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"text/template/parse"

	"go.yaml.in/yaml/v3"
)

// Lint warnings: legal signatures that are risky to run. They do not stop
// a signature from loading; `patterns lint` prints them.
const (
	// CodeUnquoted: a remediation prints a value read from the log into
	// a command without shq.
	CodeUnquoted = "unquoted_value"
	// CodeCost: a regex or template whose cost grows with a number in it.
	CodeCost = "cost_warning"
)

// maxRepeat is the largest counted repetition (nested ones multiplied)
// lint lets pass: RE2's time per byte grows with it, and `[a-y]{1,1000}z`
// spent 17 s on a 1 MiB line.
const maxRepeat = 100

// maxRangeLiteral is the largest `{{range N}}` lint lets pass; Render
// stops any template after maxTemplateSteps loop turns anyway.
const maxRangeLiteral = 1000

func (l *loader) warnf(n *yaml.Node, code, hint, format string, args ...any) {
	l.warns = append(l.warns, &Error{Code: code, File: l.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...), Hint: hint, Warning: true})
}

// lintRegexp warns about counted repetitions whose expansion exceeds
// maxRepeat.
func (l *loader) lintRegexp(n *yaml.Node, re *regexp.Regexp) {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return
	}
	if rep, total := largestRepeat(tree, 1); total > maxRepeat {
		l.warnf(n, CodeCost, "use + or * (RE2 never backtracks), or a bound of 100 or less",
			"regexp %q repeats %s %d times: matching costs time per byte in proportion", re.String(), rep, total)
	}
}

// largestRepeat returns the counted repetition with the largest expansion
// below re (mult: the product of the counts around it) and that product.
func largestRepeat(re *syntax.Regexp, mult int) (string, int) {
	best, bestN := "", 0
	if re.Op == syntax.OpRepeat {
		n := max(re.Max, re.Min)
		mult = min(mult*max(n, 1), 1<<30)
		best, bestN = re.String(), mult
	}
	for _, sub := range re.Sub {
		if s, n := largestRepeat(sub, mult); n > bestN {
			best, bestN = s, n
		}
	}
	return best, bestN
}

// lintRanges warns about `{{range N}}` with a large literal N.
func (l *loader) lintRanges(n *yaml.Node, name, text string, root parse.Node) {
	walkNodes(root, func(x parse.Node) {
		r, ok := x.(*parse.RangeNode)
		if !ok || r.Pipe == nil || len(r.Pipe.Cmds) != 1 || len(r.Pipe.Cmds[0].Args) != 1 {
			return
		}
		num, ok := r.Pipe.Cmds[0].Args[0].(*parse.NumberNode)
		if !ok || !num.IsInt || num.Int64 <= maxRangeLiteral {
			return
		}
		line, col := l.locate(n, text, int(num.Position()), num.Text)
		l.warns = append(l.warns, &Error{Code: CodeCost, File: l.file, Line: line, Col: col, Warning: true,
			Msg:  fmt.Sprintf("%s: {{range %s}} loops %d times", name, num.Text, num.Int64),
			Hint: fmt.Sprintf("rendering stops after %d loop turns and %d bytes; loop over the data instead", maxTemplateSteps, MaxTemplateOutput)})
	})
}

// walkNodes calls f for every node of a template tree.
func walkNodes(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		f(x)
		for _, c := range x.Nodes {
			walkNodes(c, f)
		}
		return
	case *parse.IfNode:
		f(x)
		walkNodes(x.List, f)
		walkNodes(x.ElseList, f)
		return
	case *parse.RangeNode:
		f(x)
		walkNodes(x.List, f)
		walkNodes(x.ElseList, f)
		return
	case *parse.WithNode:
		f(x)
		walkNodes(x.List, f)
		walkNodes(x.ElseList, f)
		return
	}
	f(n)
}

// cleanFuncs are the template functions whose result holds nothing of a
// logged value but its time, length or truth.
var cleanFuncs = map[string]bool{
	"shq": true, "ts": true, "since": true, "len": true, "urlquery": true,
	"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "not": true,
}

// cleanAttrs are the names whose values the log cannot choose: times,
// numbers, enums, and what the signature or the engine writes.
var cleanAttrs = map[string]bool{
	"time": true, "pid": true, "line": true, "lifecycle": true, "priority": true,
	"start": true, "end": true, "for": true, // an absent step's window, or the finding's
}

var cleanTop = map[string]bool{
	"outcome": true, "reason": true, "count": true, "start": true, "end": true, "signature": true, "title": true,
}

// taint tracks, while walking a remediation template, whether the dot
// and each variable hold a value read from the log.
type taint struct {
	dot  bool
	vars map[string]bool
}

func (t taint) chain(idents []string) bool {
	switch len(idents) {
	case 0:
		return true // the whole data
	case 1:
		return !cleanTop[idents[0]]
	}
	return !cleanAttrs[idents[1]]
}

// arg reports whether one argument of a command carries a logged value.
func (t taint) arg(n parse.Node) bool {
	switch x := n.(type) {
	case *parse.FieldNode:
		if t.dot {
			return true
		}
		return t.chain(x.Ident)
	case *parse.DotNode:
		return t.dot
	case *parse.VariableNode:
		if x.Ident[0] == "$" {
			return t.chain(x.Ident[1:])
		}
		return t.vars[x.Ident[0]]
	case *parse.ChainNode:
		return t.arg(x.Node)
	case *parse.PipeNode:
		return t.pipe(x)
	}
	return false
}

// pipe reports whether a pipeline's value carries a logged value: its
// last command does, unless that command is a clean function.
func (t taint) pipe(p *parse.PipeNode) bool {
	if p == nil {
		return false
	}
	tainted := false
	for _, c := range p.Cmds {
		if len(c.Args) == 0 {
			continue
		}
		if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
			if cleanFuncs[id.Ident] {
				tainted = false
				continue
			}
			// Other functions (print, printf, default, join, index, and,
			// or) pass their arguments, and a piped value, through.
			for _, a := range c.Args[1:] {
				tainted = tainted || t.arg(a)
			}
			continue
		}
		tainted = t.arg(c.Args[0])
	}
	return tainted
}

// firstTainted returns the first argument node of p that carries a
// logged value, to point at.
func (t taint) firstTainted(p *parse.PipeNode) parse.Node {
	var found parse.Node
	var visit func(n parse.Node)
	visit = func(n parse.Node) {
		if found != nil {
			return
		}
		switch x := n.(type) {
		case *parse.PipeNode:
			for _, c := range x.Cmds {
				for _, a := range c.Args {
					visit(a)
				}
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				visit(a)
			}
		default:
			if t.arg(n) {
				found = n
			}
		}
	}
	visit(p)
	return found
}

// lintRemediation warns about each action of a remediation template that
// prints a value read from the log (a capture, an event field, .host)
// without passing it through shq: the reader pastes remediation into a
// shell.
func (l *loader) lintRemediation(n *yaml.Node, name, text string, root *parse.ListNode) {
	var walk func(node parse.Node, t taint)
	walk = func(node parse.Node, t taint) {
		switch x := node.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c, t)
			}
		case *parse.ActionNode:
			if len(x.Pipe.Decl) > 0 {
				t.vars[x.Pipe.Decl[0].Ident[0]] = t.pipe(x.Pipe)
				return
			}
			if !t.pipe(x.Pipe) {
				return
			}
			at := t.firstTainted(x.Pipe)
			if at == nil {
				at = x
			}
			line, col := l.locate(n, text, int(at.Position()), at.String())
			l.warns = append(l.warns, &Error{Code: CodeUnquoted, File: l.file, Line: line, Col: col, Warning: true,
				Msg:  fmt.Sprintf("%s: %s prints a value from the log into a command unquoted", name, strings.TrimSpace(x.String())),
				Hint: fmt.Sprintf("write {{shq %s}}: a log line can hold \"; curl ... | sh\"", at.String())})
		case *parse.IfNode:
			walk(x.List, t)
			walk(x.ElseList, t)
		case *parse.WithNode:
			inner := taint{dot: t.pipe(x.Pipe), vars: t.vars}
			t.declare(x.Pipe)
			walk(x.List, inner)
			walk(x.ElseList, t)
		case *parse.RangeNode:
			inner := taint{dot: t.pipe(x.Pipe), vars: t.vars}
			t.declare(x.Pipe)
			walk(x.List, inner)
			walk(x.ElseList, t)
		}
	}
	walk(root, taint{vars: map[string]bool{}})
}

// declare marks the variables a with or range declares as carrying what
// its pipeline carries.
func (t taint) declare(p *parse.PipeNode) {
	if p == nil {
		return
	}
	v := t.pipe(p)
	for _, d := range p.Decl {
		t.vars[d.Ident[0]] = v
	}
}
