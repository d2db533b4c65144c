package signature

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"
)

// RenderFields renders the common templates without text/template and
// without the data map Render needs: text, field chains (`.down.svc`,
// `$.jump.time`), `if`/`with`/`else`, and the calls ts, since, shq,
// default, join, print, not, eq, ne, lt, le, gt and ge. Executing them
// through reflection, over maps built per finding, was most of the
// run's serial tail on a dense log (2,709 findings; issue 20).
//
// It returns what Render returns for the same data, and false when it
// cannot tell: the template uses anything else, a value is not one it
// prints as text/template does, or Render would fail (a limit, a chain
// through a missing value). The caller then builds the map and calls
// Render.
func RenderFields(t *template.Template, d TemplateFields) (string, bool) {
	if t == nil {
		return "", true
	}
	if text, ok := plainText(t); ok {
		return text, true
	}
	if !fastTemplate(t) {
		return "", false
	}
	var buf [256]byte // (most summaries fit: no allocation but the result)
	e := fastEval{data: d, b: buf[:0]}
	if !e.list(t.Tree.Root, topDot{}) || len(e.b) > MaxTemplateOutput {
		return "", false
	}
	return strings.ReplaceAll(string(e.b), "<no value>", ""), true
}

// TemplateFields is the data of a template as RenderFields reads it.
type TemplateFields interface {
	// Field returns what text/template (missingkey=zero) reads at the
	// field chain idents (`.down.svc` is ["down", "svc"]) of the data
	// map: nil for a missing key, MapValue for a map, else the value. ok
	// is false when text/template would fail there (a chain through a
	// missing value or through text) or the value is of another kind.
	Field(idents []string) (v any, ok bool)
}

// MapValue stands for a map of that many entries in template data:
// true in an `if` when not empty; anything else done with it needs
// text/template.
type MapValue int

// topDot is the dot outside any `with`: the data map itself.
type topDot struct{}

// fastTemplates caches, per template, whether RenderFields can run it.
var fastTemplates sync.Map // *template.Template -> bool

// fastTemplate reports whether every node of t is one fastEval runs.
func fastTemplate(t *template.Template) bool {
	if ok, found := fastTemplates.Load(t); found {
		return ok.(bool)
	}
	ok := t.Tree != nil && t.Tree.Root != nil && len(t.Templates()) == 1 && fastNode(t.Tree.Root)
	fastTemplates.Store(t, ok)
	return ok
}

func fastNode(n parse.Node) bool {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return true
		}
		for _, c := range x.Nodes {
			if !fastNode(c) {
				return false
			}
		}
		return true
	case *parse.TextNode:
		return true
	case *parse.ActionNode:
		return fastPipe(x.Pipe)
	case *parse.IfNode:
		return fastPipe(x.Pipe) && fastNode(x.List) && fastNode(x.ElseList)
	case *parse.WithNode:
		return fastPipe(x.Pipe) && fastNode(x.List) && fastNode(x.ElseList)
	}
	return false
}

func fastPipe(p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) == 0 {
		return false
	}
	for _, c := range p.Cmds {
		if len(c.Args) == 0 {
			return false
		}
		args := c.Args
		if id, ok := args[0].(*parse.IdentifierNode); ok {
			if _, known := fastFuncs[id.Ident]; !known {
				return false
			}
			args = args[1:]
		} else if len(args) > 1 {
			return false // a method call
		}
		for _, a := range args {
			if !fastArg(a) {
				return false
			}
		}
	}
	return true
}

func fastArg(n parse.Node) bool {
	switch x := n.(type) {
	case *parse.FieldNode, *parse.DotNode, *parse.StringNode, *parse.BoolNode:
		return true
	case *parse.VariableNode:
		return len(x.Ident) > 1 && x.Ident[0] == "$"
	case *parse.NumberNode:
		// What text/template reads as an int: no float, complex,
		// hexadecimal or rune syntax to convert.
		if !x.IsInt {
			return false
		}
		s := strings.TrimPrefix(strings.TrimPrefix(x.Text, "-"), "+")
		return s != "" && strings.Trim(s, "0123456789") == "" && (s == "0" || s[0] != '0')
	case *parse.PipeNode:
		return fastPipe(x)
	}
	return false
}

// fastFuncs are the functions fastEval calls, with their arities.
var fastFuncs = map[string]int{
	"ts": 1, "since": 2, "shq": 1, "default": 2, "join": 2, "print": -1,
	"not": 1, "eq": 2, "ne": 2, "lt": 2, "le": 2, "gt": 2, "ge": 2,
}

// fastEval runs a template that fastTemplate accepted. Each method
// returns false when text/template must decide.
type fastEval struct {
	data TemplateFields
	b    []byte
}

func (e *fastEval) list(l *parse.ListNode, dot any) bool {
	if l == nil {
		return true
	}
	for _, n := range l.Nodes {
		if len(e.b) > MaxTemplateOutput {
			return false
		}
		switch x := n.(type) {
		case *parse.TextNode:
			e.b = append(e.b, x.Text...)
		case *parse.ActionNode:
			v, ok := e.pipe(x.Pipe, dot)
			if !ok || !e.print(v) {
				return false
			}
		case *parse.IfNode:
			if !e.branch(x.Pipe, x.List, x.ElseList, dot, false) {
				return false
			}
		case *parse.WithNode:
			if !e.branch(x.Pipe, x.List, x.ElseList, dot, true) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// branch runs an if (with false) or with: the list with the pipeline's
// value as dot (with) when it is true, else the else list.
func (e *fastEval) branch(p *parse.PipeNode, list, elseList *parse.ListNode, dot any, with bool) bool {
	v, ok := e.pipe(p, dot)
	if !ok {
		return false
	}
	truth, ok := fastTruth(v)
	if !ok {
		return false
	}
	if !truth {
		return e.list(elseList, dot)
	}
	if with {
		return e.list(list, v)
	}
	return e.list(list, dot)
}

// print writes v as an action prints it.
func (e *fastEval) print(v any) bool {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, "<no value>"...)
	case string:
		e.b = append(e.b, x...)
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case bool:
		e.b = strconv.AppendBool(e.b, x)
	case time.Time:
		e.b = append(e.b, x.String()...)
	default:
		return false
	}
	return true
}

func (e *fastEval) pipe(p *parse.PipeNode, dot any) (any, bool) {
	var v any
	for i, c := range p.Cmds {
		var ok bool
		if v, ok = e.command(c, dot, v, i > 0); !ok {
			return nil, false
		}
	}
	return v, true
}

// command runs c; final is the previous command's value in the
// pipeline, passed last to a function (hasFinal).
func (e *fastEval) command(c *parse.CommandNode, dot, final any, hasFinal bool) (any, bool) {
	id, isFunc := c.Args[0].(*parse.IdentifierNode)
	if !isFunc {
		if hasFinal {
			return nil, false // text/template: can't give argument to non-function
		}
		return e.arg(c.Args[0], dot)
	}
	var argv [4]any
	args := argv[:0]
	for _, a := range c.Args[1:] {
		v, ok := e.arg(a, dot)
		if !ok {
			return nil, false
		}
		args = append(args, v)
	}
	if hasFinal {
		args = append(args, final)
	}
	if n := fastFuncs[id.Ident]; n >= 0 && len(args) != n {
		return nil, false
	}
	for _, a := range args {
		if !fastPlain(a) {
			return nil, false
		}
	}
	switch id.Ident {
	case "ts":
		return Funcs["ts"].(func(any) string)(args[0]), true
	case "since":
		return Funcs["since"].(func(any, any) string)(args[0], args[1]), true
	case "shq":
		return Funcs["shq"].(func(any) string)(args[0]), true
	case "default":
		return Funcs["default"].(func(any, any) string)(args[0], args[1]), true
	case "join":
		sep, ok := args[1].(string)
		if !ok {
			return nil, false
		}
		return Funcs["join"].(func(any, string) string)(args[0], sep), true
	case "print":
		return fmt.Sprint(args...), true
	case "not":
		truth, ok := fastTruth(args[0])
		return !truth, ok
	}
	return fastCompare(id.Ident, args[0], args[1])
}

// arg is the value of an argument or lone command.
func (e *fastEval) arg(n parse.Node, dot any) (any, bool) {
	switch x := n.(type) {
	case *parse.FieldNode:
		if _, top := dot.(topDot); !top {
			return nil, false // a field of a with's value
		}
		return e.field(x.Ident)
	case *parse.VariableNode:
		return e.field(x.Ident[1:])
	case *parse.DotNode:
		if _, top := dot.(topDot); top {
			return nil, false
		}
		return dot, true
	case *parse.StringNode:
		return x.Text, true
	case *parse.BoolNode:
		return x.True, true
	case *parse.NumberNode:
		return int(x.Int64), true
	case *parse.PipeNode:
		return e.pipe(x, dot)
	}
	return nil, false
}

// field is the value of the chain idents; `.step.time.IsZero` calls
// the method of the time, as text/template does.
func (e *fastEval) field(idents []string) (any, bool) {
	if n := len(idents); n > 1 && idents[n-1] == "IsZero" {
		v, ok := e.data.Field(idents[:n-1])
		if t, isTime := v.(time.Time); ok && isTime {
			return t.IsZero(), true
		}
	}
	return e.data.Field(idents)
}

// fastPlain reports whether v is a value the functions see as
// text/template passes it.
func fastPlain(v any) bool {
	switch v.(type) {
	case nil, string, int, int64, bool, time.Time:
		return true
	}
	return false
}

// fastTruth is text/template's truth of v: false for no value, empty
// text and maps, zero numbers; true for a time.
func fastTruth(v any) (truth, ok bool) {
	switch x := v.(type) {
	case nil:
		return false, true
	case string:
		return x != "", true
	case int:
		return x != 0, true
	case int64:
		return x != 0, true
	case bool:
		return x, true
	case time.Time:
		return true, true
	case MapValue:
		return x > 0, true
	}
	return false, false
}

// fastCompare is eq, ne, lt, le, gt or ge of two strings, two integers
// or (eq, ne) two booleans; false for anything text/template compares
// otherwise or refuses.
func fastCompare(op string, a, b any) (any, bool) {
	c := 0
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return nil, false
		}
		c = strings.Compare(x, y)
	case int, int64:
		xi, yi, ok := fastInt(x), int64(0), true
		switch y := b.(type) {
		case int:
			yi = int64(y)
		case int64:
			yi = y
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
		c = compareInt(xi, yi)
	case bool:
		y, ok := b.(bool)
		if !ok || (op != "eq" && op != "ne") {
			return nil, false
		}
		if x != y {
			c = 1
		}
	default:
		return nil, false
	}
	switch op {
	case "eq":
		return c == 0, true
	case "ne":
		return c != 0, true
	case "lt":
		return c < 0, true
	case "le":
		return c <= 0, true
	case "gt":
		return c > 0, true
	case "ge":
		return c >= 0, true
	}
	return nil, false
}

func fastInt(v any) int64 {
	if i, ok := v.(int); ok {
		return int64(i)
	}
	return v.(int64)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
