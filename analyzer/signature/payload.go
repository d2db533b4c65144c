package signature

import (
	"strings"
	"text/template"
	"text/template/parse"
)

// ReadsPayload reports whether s may read what the structured payload of
// a syslog message adds to its event (parse.CompletePayload): fields and
// the priority. A matcher may (fields.NAME, priority), a by or dedupe key
// (fields.NAME), and a template (.step.fields, .step.priority, or a
// whole step printed or handed on). An event that only signatures which
// do not read it match can keep its payload undecoded (engine.NewScreen):
// what the report shows of it is the same.
//
// It errs on the side of yes: any field test counts, though some fields
// come from the header ("subsystem"), and so does any template that
// names a whole step, or the dot, or a bare variable, which may be one.
func (s *Signature) ReadsPayload() bool {
	defs := append(append([]*EventDef{}, s.Events...), s.Match.Until...)
	if s.Match.Event != nil {
		defs = append(defs, s.Match.Event)
	}
	for _, st := range s.Match.Steps {
		if st.Event != nil {
			defs = append(defs, st.Event)
		}
	}
	for _, d := range defs {
		if d.Matcher.ReadsPayload() {
			return true
		}
	}
	for _, k := range append(append([]string{}, s.Match.By...), s.Match.DedupeBy...) {
		if strings.HasPrefix(k, "fields.") {
			return true
		}
	}
	steps := map[string]bool{}
	if e := s.Match.Event; e != nil {
		steps[e.Name], steps["first"], steps["last"] = true, true, true
	}
	for _, st := range s.Match.Steps {
		steps[st.As] = true
	}
	for _, t := range append([]*template.Template{s.Explain}, s.Remediation...) {
		if t != nil && templateReadsPayload(t, steps) {
			return true
		}
	}
	return false
}

// ReadsPayload reports whether m, or one of its not: and any: parts,
// tests a field or the priority.
func (m *Matcher) ReadsPayload() bool {
	for c := range m.AllConds() {
		if c.Field == FieldExtra || c.Field == FieldPriority {
			return true
		}
	}
	return false
}

// templateReadsPayload reports whether t, or a template it defines, may
// read a step's fields or priority: it names them, or names a whole step
// (steps), a bare variable or the dot where it may hold one.
func templateReadsPayload(t *template.Template, steps map[string]bool) bool {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && (payloadWalk{steps: steps}).reads(tt.Tree.Root) {
			return true
		}
	}
	return false
}

// payloadWalk walks a template's tree for templateReadsPayload. scalarDot
// says the dot holds a value of a step, not a step or the whole data:
// inside `with .down.svc` or `range .down.svc`.
type payloadWalk struct {
	steps     map[string]bool
	scalarDot bool
}

func (w payloadWalk) reads(n parse.Node) bool {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return false
		}
		for _, c := range x.Nodes {
			if w.reads(c) {
				return true
			}
		}
		return false
	case *parse.ActionNode:
		return w.reads(x.Pipe)
	case *parse.PipeNode:
		if x == nil {
			return false
		}
		for _, c := range x.Cmds {
			if w.reads(c) {
				return true
			}
		}
		return false
	case *parse.CommandNode:
		for _, a := range x.Args {
			if w.reads(a) {
				return true
			}
		}
		return false
	case *parse.FieldNode:
		return payloadIdent(x.Ident) || len(x.Ident) == 1 && w.steps[x.Ident[0]] && !w.scalarDot
	case *parse.VariableNode:
		// $ or $x alone may be the whole data, or a step.
		return len(x.Ident) == 1 || payloadIdent(x.Ident[1:]) ||
			len(x.Ident) == 2 && x.Ident[0] == "$" && w.steps[x.Ident[1]]
	case *parse.ChainNode:
		return payloadIdent(x.Field) || w.reads(x.Node)
	case *parse.DotNode:
		return !w.scalarDot
	case *parse.StringNode:
		// (index .down "fields")
		return strings.Contains(x.Text, "fields") || strings.Contains(x.Text, "priority")
	case *parse.IfNode:
		return w.reads(x.Pipe) || w.reads(x.List) || w.reads(x.ElseList)
	case *parse.RangeNode:
		return w.reads(x.Pipe) || w.within(x.Pipe).reads(x.List) || w.reads(x.ElseList)
	case *parse.WithNode:
		return w.reads(x.Pipe) || w.within(x.Pipe).reads(x.List) || w.reads(x.ElseList)
	case *parse.TemplateNode:
		// The template it calls is one of t.Templates(), walked with
		// the dot as the whole data.
		return w.reads(x.Pipe)
	case *parse.TextNode, *parse.IdentifierNode, *parse.BoolNode, *parse.NumberNode, *parse.NilNode,
		*parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
		return false
	}
	return true // a node this walk does not know
}

// within returns the walk of the body of a with or range over pipe: its
// dot is a step's value when pipe is one field chain two deep or more
// (.down.svc), which reads reports on by itself.
func (w payloadWalk) within(pipe *parse.PipeNode) payloadWalk {
	w.scalarDot = false
	if pipe != nil && len(pipe.Decl) == 0 && len(pipe.Cmds) == 1 && len(pipe.Cmds[0].Args) == 1 {
		if f, ok := pipe.Cmds[0].Args[0].(*parse.FieldNode); ok && len(f.Ident) >= 2 {
			w.scalarDot = true
		}
	}
	return w
}

func payloadIdent(idents []string) bool {
	for _, id := range idents {
		if id == "fields" || id == "priority" {
			return true
		}
	}
	return false
}
