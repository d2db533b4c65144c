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
		if tt.Tree != nil && payloadWalk(steps).Walk(tt.Tree.Root, false) {
			return true
		}
	}
	return false
}

// payloadWalk walks a template's tree for templateReadsPayload; its dot
// says whether the dot holds a value of a step (scalarDot), not a step
// or the whole data: inside `with .down.svc` or `range .down.svc`.
func payloadWalk(steps map[string]bool) TemplateWalk[bool] {
	return TemplateWalk[bool]{
		// The body's dot is a step's value when pipe is one field
		// chain two deep or more (.down.svc), which Visit reports on
		// by itself.
		Body: func(pipe *parse.PipeNode, _ bool) (scalarDot, ok bool) {
			if pipe != nil && len(pipe.Decl) == 0 && len(pipe.Cmds) == 1 && len(pipe.Cmds[0].Args) == 1 {
				if f, ok := pipe.Cmds[0].Args[0].(*parse.FieldNode); ok && len(f.Ident) >= 2 {
					return true, true
				}
			}
			return false, true
		},
		Visit: func(n parse.Node, scalarDot bool) bool {
			switch x := n.(type) {
			case *parse.FieldNode:
				return payloadIdent(x.Ident) || len(x.Ident) == 1 && steps[x.Ident[0]] && !scalarDot
			case *parse.VariableNode:
				// $ or $x alone may be the whole data, or a step.
				return len(x.Ident) == 1 || payloadIdent(x.Ident[1:]) ||
					len(x.Ident) == 2 && x.Ident[0] == "$" && steps[x.Ident[1]]
			case *parse.ChainNode:
				return payloadIdent(x.Field) // (its node is walked next)
			case *parse.DotNode:
				return !scalarDot
			case *parse.StringNode:
				// (index .down "fields")
				return strings.Contains(x.Text, "fields") || strings.Contains(x.Text, "priority")
			case *parse.TextNode, *parse.IdentifierNode, *parse.BoolNode, *parse.NumberNode, *parse.NilNode,
				*parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
				return false
			}
			return true // a node this walk does not know
		},
	}
}

func payloadIdent(idents []string) bool {
	for _, id := range idents {
		if id == "fields" || id == "priority" {
			return true
		}
	}
	return false
}
