package signature

import "text/template/parse"

// TemplateWalk walks a text/template tree for the questions the loader
// and the engine ask of a signature's templates (which fields they name,
// whether they read a step's payload or more than .last's time). It
// walks the structure (lists, actions, pipes, commands, chains, if,
// range, with, template calls) itself and hands every other node to
// Visit with the dot it sees there; D is what the caller knows of that
// dot.
type TemplateWalk[D any] struct {
	// Body gives the dot inside a range or with over pipe, from the dot
	// outside it; ok false skips the body and its else branch.
	Body func(pipe *parse.PipeNode, outer D) (inner D, ok bool)
	// Visit looks at one node; true stops the walk. A chain node is
	// visited before the node it chains from is walked.
	Visit func(n parse.Node, dot D) (stop bool)
}

// Walk walks n with the given dot and reports whether Visit stopped it.
func (w TemplateWalk[D]) Walk(n parse.Node, dot D) bool {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return false
		}
		for _, c := range x.Nodes {
			if w.Walk(c, dot) {
				return true
			}
		}
		return false
	case *parse.ActionNode:
		return w.Walk(x.Pipe, dot)
	case *parse.PipeNode:
		if x == nil {
			return false
		}
		for _, c := range x.Cmds {
			if w.Walk(c, dot) {
				return true
			}
		}
		return false
	case *parse.CommandNode:
		for _, a := range x.Args {
			if w.Walk(a, dot) {
				return true
			}
		}
		return false
	case *parse.ChainNode:
		return w.Visit(x, dot) || w.Walk(x.Node, dot)
	case *parse.IfNode:
		return w.Walk(x.Pipe, dot) || w.Walk(x.List, dot) || w.Walk(x.ElseList, dot)
	case *parse.RangeNode:
		return w.Walk(x.Pipe, dot) || w.body(&x.BranchNode, dot)
	case *parse.WithNode:
		return w.Walk(x.Pipe, dot) || w.body(&x.BranchNode, dot)
	case *parse.TemplateNode:
		// The template it calls is walked on its own, as one of the
		// set's templates.
		return w.Walk(x.Pipe, dot)
	}
	return w.Visit(n, dot)
}

// body walks the body of a range or with (its dot given by Body) and its
// else branch (the dot outside).
func (w TemplateWalk[D]) body(b *parse.BranchNode, dot D) bool {
	inner, ok := w.Body(b.Pipe, dot)
	if !ok {
		return false
	}
	return w.Walk(b.List, inner) || w.Walk(b.ElseList, dot)
}
