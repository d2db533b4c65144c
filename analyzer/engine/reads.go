package engine

import (
	"slices"
	"text/template"
	"text/template/parse"

	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// readsOnlyTime reports whether sig's templates read nothing of the
// bound name but its time and its captures: what a threshold keeps of
// its burst's latest event (.last) without a copy of the event, which
// every event of a burst past its evidence made, only to drop it at the
// next (ssh-bruteforce's {{ts .last.time}}).
//
// It errs towards false: the name read whole ({{with .last}}, a
// variable holding it), the whole data read ({{index . "last"}},
// {{template "x" .}}, a bare $), or a name under it other than time
// and the captures all count as reading the event. Inside with and
// range, dot is something else, whose fields cannot be the data's; a
// .last.message there is taken as a read all the same.
func readsOnlyTime(sig *signature.Signature, name string, caps []string) bool {
	// The walk's dot is true where it is the data (outside range and
	// with bodies); Visit stops at the first read of more.
	w := signature.TemplateWalk[bool]{
		Body: func(*parse.PipeNode, bool) (bool, bool) { return false, true },
		Visit: func(n parse.Node, root bool) bool {
			switch x := n.(type) {
			case *parse.DotNode:
				return root
			case *parse.FieldNode:
				return !cheapRead(x.Ident, name, caps)
			case *parse.VariableNode:
				return x.Ident[0] == "$" && !(len(x.Ident) > 1 && cheapRead(x.Ident[1:], name, caps))
			}
			return false
		},
	}
	for _, t := range append([]*template.Template{sig.Explain}, sig.Remediation...) {
		if t == nil {
			continue
		}
		// A {{define}}d template is walked as if its dot were the data.
		for _, tt := range t.Templates() {
			if tt.Tree != nil && w.Walk(tt.Tree.Root, true) {
				return false
			}
		}
	}
	return true
}

// cheapRead reports whether the field chain idents reads of name at most
// its time or a capture.
func cheapRead(idents []string, name string, caps []string) bool {
	if idents[0] != name {
		return true
	}
	return len(idents) == 2 && (idents[1] == "time" || slices.Contains(caps, idents[1]))
}
