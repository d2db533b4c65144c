package signature

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Schema is the only `schema:` value this version reads.
const Schema = "logsleuth/v1"

// maxErrors stops a hopeless file from burying the first, real error.
const maxErrors = 50

// LoadFS loads every *.yaml and *.yml file below dir in fsys, in name
// order, and checks the set as a whole (duplicate ids, `explains`
// targets). It returns what loaded and an ErrorList of every problem.
func LoadFS(fsys fs.FS, dir string) ([]*Signature, error) {
	sigs, errs := LoadFiles(fsys, dir)
	errs = append(errs, Check(sigs)...)
	return sigs, errs.Err()
}

// LoadFiles is LoadFS without the set-wide Check, for callers that merge
// several directories into one set and check that.
func LoadFiles(fsys fs.FS, dir string) ([]*Signature, ErrorList) {
	var files, nonRegular []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			if t := d.Type(); !t.IsRegular() && t&fs.ModeSymlink == 0 {
				// A FIFO would block the read until a writer came.
				nonRegular = append(nonRegular, p)
				return nil
			}
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, ErrorList{{Code: CodeYAML, File: dir, Line: 1, Col: 1, Msg: "reading signatures: " + err.Error()}}
	}
	sort.Strings(files)
	var sigs []*Signature
	var errs ErrorList
	for _, f := range nonRegular {
		errs = append(errs, &Error{Code: CodeYAML, File: f, Line: 1, Col: 1, Msg: "not a regular file", Hint: "signatures are read from regular files only"})
	}
	// Files are parsed on every core (YAML and regex compiling were
	// nine tenths of a run's start, 19 ms for the built-in set on one),
	// their results kept in file order.
	type parsed struct {
		sigs []*Signature
		errs ErrorList
	}
	results := make([]parsed, len(files))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				f := files[i]
				data, err := fs.ReadFile(fsys, f)
				if err != nil {
					results[i].errs = ErrorList{{Code: CodeYAML, File: f, Line: 1, Col: 1, Msg: err.Error(), Hint: "check that the file is readable"}}
					continue
				}
				results[i].sigs, results[i].errs = Parse(f, data)
			}
		})
	}
	wg.Wait()
	for _, r := range results {
		sigs = append(sigs, r.sigs...)
		errs = append(errs, r.errs...)
	}
	return sigs, errs
}

// Check validates a whole set: ids are unique and every `explains` names a
// signature in the set.
func Check(sigs []*Signature) ErrorList {
	var errs ErrorList
	seen := map[string]*Signature{}
	for _, s := range sigs {
		if first, ok := seen[s.ID]; ok {
			errs = append(errs, &Error{Code: CodeDuplicate, File: s.Pos.File, Line: s.Pos.Line, Col: s.Pos.Col,
				Msg:  fmt.Sprintf("signature id %q is already defined at %s:%d", s.ID, first.Pos.File, first.Pos.Line),
				Hint: "ids must be unique across the built-in set and every --patterns directory"})
			continue
		}
		seen[s.ID] = s
	}
	for _, s := range sigs {
		for _, id := range s.Explains {
			if _, ok := seen[id]; !ok {
				errs = append(errs, &Error{Code: CodeReference, File: s.Pos.File, Line: s.Pos.Line, Col: s.Pos.Col,
					Msg:  fmt.Sprintf("explains names unknown signature %q", id),
					Hint: "explains lists ids of other signatures in the set (see `logsleuth patterns list`)"})
			}
		}
	}
	return errs
}

// Parse reads one file of one or more `---`-separated signatures.
func Parse(file string, data []byte) ([]*Signature, ErrorList) {
	l := &loader{file: file, lines: strings.SplitAfter(string(data), "\n")}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var sigs []*Signature
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			l.errs = append(l.errs, yamlError(file, err))
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		if !l.checkAliases(doc.Content[0]) {
			continue
		}
		if s := l.signature(doc.Content[0]); s != nil {
			sigs = append(sigs, s)
		}
		if len(l.errs) >= maxErrors {
			l.errs = append(l.errs, &Error{Code: CodeSchema, File: file, Line: doc.Line, Col: 1, Msg: "error limit reached", Hint: "fix the errors above first"})
			break
		}
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
	}
	for _, s := range sigs {
		s.Source = document(l.lines, s.Pos.Line)
	}
	return sigs, l.errs
}

// document returns the text of the YAML document whose top-level mapping
// starts on line (1-based): from after the previous document marker to
// before the next one.
func document(lines []string, line int) string {
	start := min(max(line-1, 0), len(lines))
	end := start
	if end < len(lines) && docMarker(lines[end]) { // "--- {id: ...}"
		end++
	} else {
		for start > 0 && !docMarker(lines[start-1]) {
			start--
		}
	}
	for end < len(lines) && !docMarker(lines[end]) {
		end++
	}
	return strings.Join(lines[start:end], "")
}

// docMarker reports whether a line starts or ends a YAML document: "---"
// or "..." at column 1, alone or followed by a space. Indented, the same
// text is part of a block scalar.
func docMarker(line string) bool {
	if !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "...") {
		return false
	}
	rest := line[3:]
	return rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// yamlHint is the hint of every YAML syntax error: nearly all are one of
// these.
const yamlHint = `check the indentation, and quote values that start with { [ * & ! or contain ": "`

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(file string, err error) *Error {
	e := &Error{Code: CodeYAML, File: file, Line: 1, Col: 1, Msg: err.Error(), Hint: yamlHint}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	return e
}

type loader struct {
	file  string
	lines []string // the file's lines, for positions inside scalars
	errs  ErrorList
	warns ErrorList // lint warnings of the signature being read
}

func (l *loader) errorf(n *yaml.Node, code, hint, format string, args ...any) {
	l.errs = append(l.errs, &Error{Code: code, File: l.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (l *loader) pos(n *yaml.Node) Pos { return Pos{l.file, n.Line, n.Column} }

// maxAliasNodes bounds the nodes a document reaches through aliases
// (README "Limits"): nine aliases nine deep would expand to 387 million.
const maxAliasNodes = 10_000

// checkAliases walks the document as the loader will, through its
// aliases, and reports an alias inside the node it names (a cycle, which
// would recurse forever) or more than maxAliasNodes nodes reached through
// aliases. Past it, resolve can follow aliases freely.
func (l *loader) checkAliases(root *yaml.Node) bool {
	expanded := 0
	open := map[*yaml.Node]bool{} // the nodes being walked: an alias to one is a cycle
	var walk func(n *yaml.Node, viaAlias bool) bool
	walk = func(n *yaml.Node, viaAlias bool) bool {
		if viaAlias {
			if expanded++; expanded > maxAliasNodes {
				l.errorf(n, CodeYAML, "write the repeated part out, or alias smaller pieces fewer times",
					"aliases expand to more than %d nodes", maxAliasNodes)
				return false
			}
		}
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return true
			}
			if open[n.Alias] {
				l.errorf(n, CodeYAML, "an alias cannot name the node that contains it",
					"alias *%s refers to its own anchor &%s (line %d): it would repeat forever", n.Value, n.Alias.Anchor, n.Alias.Line)
				return false
			}
			return walk(n.Alias, true)
		}
		open[n] = true
		defer delete(open, n)
		for _, c := range n.Content {
			if !walk(c, viaAlias) {
				return false
			}
		}
		return true
	}
	return walk(root, false)
}

// resolve follows aliases (checked by checkAliases) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// pairs returns a mapping's key/value nodes, or reports a type error.
func (l *loader) pairs(n *yaml.Node, what string) [][2]*yaml.Node {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		l.errorf(n, CodeSchema, "write key: value pairs, indented below it or as {key: value}", "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if seen[k.Value] {
			l.errorf(k, CodeSchema, "keep one of them", "key %q appears twice in %s", k.Value, what)
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, resolve(n.Content[i+1])})
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("the %s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
	}
	return "an alias"
}

func (l *loader) str(n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, CodeSchema, `one value; quote text that starts with { [ or contains ": "`, "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// strs accepts a scalar or a list of scalars.
func (l *loader) strs(n *yaml.Node, what string) ([]string, bool) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, true
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, CodeSchema, "one value, or a list such as [a, b]", "%s must be a string or a list of strings, not %s", what, kindName(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for _, c := range n.Content {
		s, good := l.str(c, what+" item")
		ok = ok && good
		out = append(out, s)
	}
	if len(out) == 0 {
		l.errorf(n, CodeSchema, "give at least one value, or drop the key", "%s must not be an empty list", what)
		return nil, false
	}
	return out, ok
}

// duration accepts Go durations plus days ("2d").
func (l *loader) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := l.str(n, what)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil || d <= 0 {
		l.errorf(n, CodeSchema, "use a positive duration such as 30s, 10m, 2h or 1d", "%s: invalid duration %q", what, s)
		return 0, false
	}
	return d, true
}

// ParseDuration is time.ParseDuration plus a "d" (24h) unit.
func ParseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

func (l *loader) unknownKey(k *yaml.Node, what string, allowed []string) {
	hint := "allowed: " + strings.Join(allowed, ", ")
	if s := closest(k.Value, allowed); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	l.errorf(k, CodeSchema, hint, "unknown key %q in %s", k.Value, what)
}

// closest returns the allowed word within edit distance 2 of s.
func closest(s string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := editDistance(s, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var topKeys = []string{"schema", "id", "title", "severity", "tags", "description", "references", "events", "match", "explain", "remediation", "explains", "status", "author", "units"}

func (l *loader) signature(n *yaml.Node) *Signature {
	nerr := len(l.errs)
	l.warns = nil
	s := &Signature{Severity: Medium, Pos: l.pos(n)}
	var explainNode *yaml.Node
	var remediationNodes []*yaml.Node
	var matchNode, eventsNode *yaml.Node
	var schemaSeen bool
	for _, kv := range l.pairs(n, "a signature") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "schema":
			schemaSeen = true
			if sv, ok := l.str(v, "schema"); ok && sv != Schema {
				l.errorf(v, CodeSchema, "this logsleuth reads schema: "+Schema, "unsupported schema %q", sv)
			}
		case "id":
			if id, ok := l.str(v, "id"); ok {
				if !validID(id) {
					l.errorf(v, CodeSchema, "use lower-case letters, digits, '-' and '.'", "invalid id %q", id)
				}
				s.ID = id
			}
		case "title":
			s.Title, _ = l.str(v, "title")
		case "description":
			s.Description, _ = l.str(v, "description")
		case "status", "author":
			l.str(v, k.Value)
		case "severity":
			if sv, ok := l.str(v, "severity"); ok {
				sev, good := ParseSeverity(sv)
				if !good {
					l.errorf(v, CodeSchema, "one of info, low, medium, high, critical", "unknown severity %q", sv)
				}
				s.Severity = sev
			}
		case "tags":
			s.Tags, _ = l.strs(v, "tags")
		case "explains":
			s.Explains, _ = l.strs(v, "explains")
		case "references":
			s.References = l.references(v)
		case "units":
			s.Units = l.units(v)
		case "events":
			eventsNode = v
		case "match":
			matchNode = v
		case "explain":
			explainNode = v
		case "remediation":
			if v.Kind == yaml.SequenceNode {
				remediationNodes = v.Content
			} else {
				remediationNodes = []*yaml.Node{v}
			}
		default:
			l.unknownKey(k, "a signature", topKeys)
		}
	}
	if !schemaSeen {
		l.errorf(n, CodeSchema, "add `schema: "+Schema+"` as the first line", "missing key \"schema\"")
	}
	for _, req := range []struct {
		val, key string
	}{{s.ID, "id"}, {s.Title, "title"}} {
		if req.val == "" {
			l.errorf(n, CodeSchema, "every signature needs an id: and a title:", "missing key %q", req.key)
		}
	}
	if eventsNode != nil {
		s.Events = l.events(eventsNode)
	} else {
		l.errorf(n, CodeSchema, "name single-event matchers under events:", "missing key \"events\"")
	}
	if matchNode != nil {
		l.match(s, matchNode)
	} else {
		l.errorf(n, CodeSchema, "one of match: {event: NAME}, {threshold: ...}, {sequence: ...}", "missing key \"match\"")
	}
	if len(l.errs) > nerr {
		return nil
	}
	scope := templateScope(s)
	if explainNode != nil {
		s.Explain = l.template(explainNode, "explain", scope)
	}
	for i, rn := range remediationNodes {
		if t := l.template(rn, fmt.Sprintf("remediation[%d]", i), scope); t != nil {
			s.Remediation = append(s.Remediation, t)
		}
	}
	if len(l.errs) > nerr {
		return nil
	}
	if len(l.warns) > 0 {
		l.warns.Sort()
		s.Warnings = l.warns
	}
	return s
}

func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func (l *loader) references(n *yaml.Node) []Reference {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, CodeSchema, "- {title: ..., url: https://...}", "references must be a list of {title, url}, not %s", kindName(n))
		return nil
	}
	var out []Reference
	for _, item := range n.Content {
		var r Reference
		for _, kv := range l.pairs(item, "a reference") {
			switch kv[0].Value {
			case "title":
				r.Title, _ = l.str(kv[1], "title")
			case "url":
				r.URL, _ = l.str(kv[1], "url")
			default:
				l.unknownKey(kv[0], "a reference", []string{"title", "url"})
			}
		}
		if r.URL == "" && r.Title == "" {
			l.errorf(item, CodeSchema, "- {title: ..., url: https://...}", "a reference needs a title or a url")
		}
		out = append(out, r)
	}
	return out
}

// units reads `units: {DESCRIPTION: UNIT, ...}`.
func (l *loader) units(n *yaml.Node) map[string]string {
	out := map[string]string{}
	for _, kv := range l.pairs(n, "units") {
		u, ok := l.str(kv[1], "units value")
		if !ok {
			continue
		}
		if !validUnit(u) {
			l.errorf(kv[1], CodeSchema, `the unit the description belongs to, e.g. "Acme Widget Server": acme-widget.service`, "invalid unit name %q", u)
			continue
		}
		out[kv[0].Value] = u
	}
	return out
}

// unitTypes are the suffixes of systemd unit names.
var unitTypes = []string{".service", ".socket", ".target", ".timer", ".mount", ".automount", ".swap", ".path", ".slice", ".scope", ".device"}

func validUnit(u string) bool {
	if strings.ContainsAny(u, " \t/") {
		return false
	}
	for _, t := range unitTypes {
		if len(u) > len(t) && strings.HasSuffix(u, t) {
			return true
		}
	}
	return false
}

func (l *loader) events(n *yaml.Node) []*EventDef {
	var out []*EventDef
	for _, kv := range l.pairs(n, "events") {
		m := l.matcher(kv[1], "event "+kv[0].Value, nil)
		if m == nil {
			// Keep the name so that references to it do not pile up
			// errors of their own; the signature is dropped anyway.
			m = &Matcher{}
		}
		out = append(out, &EventDef{Name: kv[0].Value, Matcher: m, Pos: l.pos(kv[0])})
	}
	if len(out) == 0 && n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		l.errorf(n, CodeSchema, "events: {NAME: {program: ..., message|contains: ...}}", "events must name at least one matcher")
	}
	return out
}

var matcherKeys = []string{"program", "unit", "host", "message", "lifecycle", "priority", "source", "kind", "fields.NAME", "not", "any"}

// matcher reads a single-event matcher. outer are the captures of the
// mappings around it (for a not: or any: inside one), which its capture
// tests may name as well as its own.
func (l *loader) matcher(n *yaml.Node, what string, outer []string) *Matcher {
	m := &Matcher{}
	pairs := l.pairs(n, what)
	if n.Kind == yaml.MappingNode && len(pairs) == 0 {
		l.errorf(n, CodeSchema, "a matcher with no conditions would match every line", "%s is empty", what)
		return nil
	}
	ok := true
	// Field conditions first: capture tests and sub-matchers come after,
	// when the mapping's regexes, and so its capture names, are known.
	var capKeys, subs [][2]*yaml.Node
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		if k.Value == "not" || k.Value == "any" {
			subs = append(subs, kv)
			continue
		}
		key, _, _ := strings.Cut(k.Value, "|")
		if _, isField := fieldNames[key]; !isField && !strings.HasPrefix(key, "fields.") {
			capKeys = append(capKeys, kv)
			continue
		}
		c, good := l.cond(k, v, false)
		if !good {
			ok = false
			continue
		}
		m.Conds = append(m.Conds, c)
	}
	visible := append((&Matcher{Conds: m.Conds}).CaptureNames(), outer...)
	for _, kv := range capKeys {
		k, v := kv[0], kv[1]
		key, _, _ := strings.Cut(k.Value, "|")
		if !contains(visible, key) {
			allowed := append(append([]string{}, matcherKeys...), visible...)
			hint := "allowed: " + strings.Join(allowed, ", ") + " (or a capture of a |re in this mapping or one around it)"
			if s := closest(key, allowed); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			l.errorf(k, CodeSchema, hint, "unknown key %q in a matcher", key)
			ok = false
			continue
		}
		c, good := l.cond(k, v, true)
		if !good {
			ok = false
			continue
		}
		m.Conds = append(m.Conds, c)
		m.capConds = true
	}
	for _, kv := range subs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "not":
			sub := l.matcher(v, what+" not", visible)
			if sub == nil {
				ok = false
				continue
			}
			m.Not = append(m.Not, sub)
			m.capConds = m.capConds || sub.capConds
		case "any":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				l.errorf(v, CodeSchema, "any: [{message|contains: a}, {message|contains: b}]", "any must be a non-empty list of matchers, not %s", kindName(v))
				ok = false
				continue
			}
			for _, item := range v.Content {
				sub := l.matcher(item, what+" any", visible)
				if sub == nil {
					ok = false
					continue
				}
				m.Any = append(m.Any, sub)
				m.capConds = m.capConds || sub.capConds
			}
		}
	}
	if !ok {
		return nil
	}
	m.orderAny()
	return m
}

// cond reads one `key|modifier: value(s)` condition; capture says key
// names a capture of a |re beside it.
func (l *loader) cond(k, v *yaml.Node, capture bool) (Cond, bool) {
	var c Cond
	key, mod, hasMod := strings.Cut(k.Value, "|")
	switch {
	case capture:
		c.Field, c.Name = FieldCapture, key
	case strings.HasPrefix(key, "fields."):
		c.Field, c.Name = FieldExtra, strings.TrimPrefix(key, "fields.")
		if c.Name == "" {
			l.errorf(k, CodeSchema, "write fields.NAME, e.g. fields.level", "empty field name")
			return c, false
		}
	default:
		f, ok := fieldNames[key]
		if !ok {
			l.unknownKey(k, "a matcher", matcherKeys)
			return c, false
		}
		c.Field = f
	}
	if hasMod {
		op, ok := opNames[mod]
		if !ok {
			names := modifierNames
			hint := "modifiers: " + strings.Join(names, ", ")
			if s := closest(mod, names); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			l.errorf(k, CodeSchema, hint, "unknown modifier %q", mod)
			return c, false
		}
		c.Op = op
	}
	vals, ok := l.strs(v, k.Value)
	if !ok {
		return c, false
	}
	c.Values = vals
	if (c.Op == OpLte || c.Op == OpGte) && c.Field != FieldPriority {
		hint := "|lte and |gte compare priorities"
		if c.Field == FieldExtra || c.Field == FieldCapture {
			hint += "; for versions use |version_lte or |version_gte"
		}
		l.errorf(k, CodeSchema, hint, "modifier %q on %q", mod, key)
		return c, false
	}
	if (c.Op == OpCIDR || c.Op.isVersion()) && c.Field != FieldExtra && c.Field != FieldCapture {
		l.errorf(k, CodeSchema, "|"+mod+" compares one value: a fields.NAME or a capture of a |re beside it (e.g. message|re: 'to (?P<peer>[0-9.]+)' with peer|"+mod+": ...)",
			"modifier %q on %q", mod, key)
		return c, false
	}
	if c.Field == FieldCapture && c.Op == OpRe {
		l.errorf(k, CodeSchema, "write the pattern into the |re that captures "+key, "modifier \"re\" on capture %q", key)
		return c, false
	}
	switch c.Op {
	case OpCIDR:
		c.Prefixes, ok = parseValues(l, v, vals, ParsePrefix, "a subnet such as 172.16.0.0/12 or fd00::/8, or one address", "invalid subnet %q for |cidr")
	case OpVersionLt, OpVersionLte, OpVersionGt, OpVersionGte:
		c.Versions, ok = parseValues(l, v, vals, ParseVersion, "a version starting with a digit: 29, 1.44, 5:29.0.0-1~ubuntu.24.04~noble, v1.28.3",
			"invalid version %q for |"+mod)
	}
	if (c.Field == FieldEventKind || c.Field == FieldLifecycle) && c.Op != OpEq {
		l.errorf(k, CodeSchema, key+" takes plain values", "modifier %q on %s", mod, key)
		return c, false
	}
	// (|cidr and the version modifiers go with no field below.)
	switch c.Field {
	case FieldEventKind:
		c.Kinds, ok = parseValues(l, v, vals, event.ParseKind, "one of log, state, command", "unknown kind %q")
	case FieldLifecycle:
		c.Life, ok = parseValues(l, v, vals, event.ParseLifecycle, "one of starting, started, stopping, stopped, failed, restarting, finished, reloading, reloaded", "unknown lifecycle %q")
	case FieldPriority:
		if c.Op != OpEq && c.Op != OpLte && c.Op != OpGte {
			l.errorf(k, CodeSchema, "priority takes plain values, |lte or |gte", "modifier %q on priority", mod)
			return c, false
		}
		c.Prio, ok = parseValues(l, v, vals, event.ParsePriority, "a syslog level name (emerg..debug) or 0-7", "unknown priority %q")
	case FieldSource:
		if c.Op == OpEq {
			for i, s := range vals {
				if !knownSource(s) {
					l.errorf(valueNode(v, i), CodeSchema, "a family (syslog, journal, kernel, dpkg, apt, app, kubernetes, text) or a format name such as rfc3164", "unknown source %q", s)
					return c, false
				}
			}
		}
	}
	if !ok {
		return c, false
	}
	if c.Op == OpRe {
		for i, s := range vals {
			re, err := regexp.Compile(s)
			if err != nil {
				l.errorf(valueNode(v, i), CodeRegexp, "RE2 syntax: https://github.com/google/re2/wiki/Syntax", "bad regexp %q: %v", s, unwrapRegexpErr(err))
				return c, false
			}
			for _, name := range re.SubexpNames() {
				if reservedCapture(name) {
					l.errorf(valueNode(v, i), CodeSchema, "rename the group, e.g. (?P<"+name+"_>...) or (?P<svc_"+name+">...)",
						"capture name %q is reserved: templates read it as the event's or the finding's own %s", name, name)
					return c, false
				}
			}
			c.Res = append(c.Res, re)
			c.simple = append(c.simple, compileSimple(re))
			l.lintRegexp(valueNode(v, i), re)
		}
	}
	return c, true
}

// parseValues parses each of a condition's values with parse; at the
// first it rejects, it reports format (with the value) at its node.
func parseValues[T any](l *loader, v *yaml.Node, vals []string, parse func(string) (T, bool), hint, format string) ([]T, bool) {
	out := make([]T, 0, len(vals))
	for i, s := range vals {
		x, ok := parse(s)
		if !ok {
			l.errorf(valueNode(v, i), CodeSchema, hint, format, s)
			return nil, false
		}
		out = append(out, x)
	}
	return out, true
}

// reservedCapture reports whether a capture of that name would hide a
// value templates read: the bound event's time, message, host, fields,
// source, line and boot id, or a top-level name (.count, .first, ...,
// where a threshold's by keys are bound too). pid, unit and program may
// be captured on purpose: the kernel names a crashed process's pid in
// its message, and that is the one a template wants.
func reservedCapture(name string) bool {
	switch name {
	case "time", "message", "host", "fields", "source", "line", "boot_id":
		return true
	}
	return contains(FindingAttrs, name)
}

func unwrapRegexpErr(err error) string {
	var se interface{ Error() string }
	if errors.As(err, &se) {
		return strings.TrimPrefix(se.Error(), "error parsing regexp: ")
	}
	return err.Error()
}

func valueNode(v *yaml.Node, i int) *yaml.Node {
	if v.Kind == yaml.SequenceNode && i < len(v.Content) {
		return v.Content[i]
	}
	return v
}

var formats = []string{
	parse.FormatRFC3164, parse.FormatRFC3339, parse.FormatRFC5424, parse.FormatJournalShort,
	parse.FormatJournalShortPrecise, parse.FormatJournalShortISO, parse.FormatJournalShortISOPrecise,
	parse.FormatJournalShortFull, parse.FormatJournalShortMonotonic, parse.FormatJournalShortUnix,
	parse.FormatJournalJSON, parse.FormatJournalJSONSeq, parse.FormatJournalExport, parse.FormatJournal,
	parse.FormatDmesg, parse.FormatDpkg, parse.FormatAptHistory, parse.FormatAptTerm, parse.FormatUnattended,
	parse.FormatJSONLine, parse.FormatLogfmt, parse.FormatCompose, parse.FormatCRI, parse.FormatText,
	parse.FormatSyslogCut, parse.FormatPrompt,
	parse.FormatZerolog, parse.FormatLogrus, parse.FormatGoLog, parse.FormatNginx, parse.FormatApache,
	parse.FormatKlog, parse.FormatJavaLog, parse.FormatDockerTimestamps, parse.FormatContainerTSV,
	parse.FormatKubectlEvents, parse.FormatKubectlDescribe,
}

func knownSource(s string) bool {
	for _, f := range formats {
		if s == f || s == parse.Family(f) {
			return true
		}
	}
	return false
}
