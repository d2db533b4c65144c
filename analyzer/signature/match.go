package signature

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

func (l *loader) eventRef(s *Signature, n *yaml.Node, what string) *EventDef {
	name, ok := l.str(n, what)
	if !ok {
		return nil
	}
	if e := s.Event(name); e != nil {
		return e
	}
	var names []string
	for _, e := range s.Events {
		names = append(names, e.Name)
	}
	hint := "events: " + strings.Join(names, ", ")
	if c := closest(name, names); c != "" {
		hint = fmt.Sprintf("did you mean %q?", c)
	}
	l.errorf(n, CodeReference, hint, "%s names unknown event %q", what, name)
	return nil
}

func (l *loader) match(s *Signature, n *yaml.Node) {
	pairs := l.pairs(n, "match")
	kinds := 0
	var dedupe *yaml.Node
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "event":
			kinds++
			s.Match.Kind = MatchEvent
			s.Match.Event = l.eventRef(s, v, "match.event")
		case "dedupe":
			dedupe = v
		case "threshold":
			kinds++
			s.Match.Kind = MatchThreshold
			l.threshold(s, v)
		case "sequence":
			kinds++
			s.Match.Kind = MatchSequence
			l.sequence(s, v)
		default:
			l.unknownKey(k, "match", []string{"event", "dedupe", "threshold", "sequence"})
		}
	}
	if kinds != 1 && n.Kind == yaml.MappingNode {
		l.errorf(n, CodeSchema, "write exactly one of event:, threshold:, sequence:", "match must have exactly one kind, found %d", kinds)
		return
	}
	if e := s.Match.Event; e != nil && contains(FindingAttrs, e.Name) {
		l.errorf(n, CodeSchema, "templates use ."+e.Name+" for the finding itself; rename the event", "event name %q is reserved in match", e.Name)
	}
	if dedupe != nil {
		if s.Match.Kind != MatchEvent {
			l.errorf(dedupe, CodeSchema, "threshold and sequence findings are one per burst or instance already", "dedupe goes with match.event only")
			return
		}
		for _, kv := range l.pairs(dedupe, "dedupe") {
			switch kv[0].Value {
			case "by":
				s.Match.DedupeBy, _ = l.strs(kv[1], "dedupe.by")
			case "window":
				s.Match.DedupeWindow, _ = l.duration(kv[1], "dedupe.window")
			default:
				l.unknownKey(kv[0], "dedupe", []string{"by", "window"})
			}
		}
		if s.Match.DedupeWindow == 0 {
			l.errorf(dedupe, CodeSchema, "e.g. window: 10m", "dedupe needs a window")
		}
		if s.Match.Event != nil {
			l.checkKeys(dedupe, s.Match.DedupeBy, s.Match.Event.Matcher.CaptureNames(), "dedupe.by")
		}
	}
}

// MaxThresholdCount bounds threshold.count (README "Limits"): a group
// keeps the time of every event of its window until the count is
// reached.
const MaxThresholdCount = 100_000

func (l *loader) threshold(s *Signature, n *yaml.Node) {
	var byNode, untilNode *yaml.Node
	for _, kv := range l.pairs(n, "threshold") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "event":
			s.Match.Event = l.eventRef(s, v, "threshold.event")
		case "by":
			byNode = v
			s.Match.By, _ = l.strs(v, "threshold.by")
		case "count":
			var c int
			if err := v.Decode(&c); err != nil || c < 1 {
				l.errorf(v, CodeSchema, "a whole number >= 1", "threshold.count must be a positive number, not %s", kindName(v))
			} else if c > MaxThresholdCount {
				l.errorf(v, CodeSchema, fmt.Sprintf("at most %d; a shorter window says the same with fewer events", MaxThresholdCount),
					"threshold.count %d is above the limit", c)
			}
			s.Match.Count = c
		case "window":
			s.Match.Window, _ = l.duration(v, "threshold.window")
		case "until":
			untilNode = v
			names, _ := l.strs(v, "threshold.until")
			for i := range names {
				if e := l.eventRef(s, valueNode(v, i), "threshold.until"); e != nil {
					s.Match.Until = append(s.Match.Until, e)
				}
			}
		default:
			l.unknownKey(k, "threshold", []string{"event", "by", "count", "window", "until"})
		}
	}
	if s.Match.Event == nil || s.Match.Count == 0 || s.Match.Window == 0 {
		l.errorf(n, CodeSchema, "threshold: {event: NAME, count: N, window: 5m, by: [host]}", "threshold needs event, count and window")
		return
	}
	if byNode != nil {
		l.checkKeys(byNode, s.Match.By, s.Match.Event.Matcher.CaptureNames(), "threshold.by")
		// An until event resets the group it belongs to: it must
		// capture the captures among the by keys too.
		for i, u := range s.Match.Until {
			own := u.Matcher.CaptureNames()
			for _, k := range s.Match.By {
				if contains(s.Match.Event.Matcher.CaptureNames(), k) && !contains(own, k) && !contains(eventKeys, k) {
					l.errorf(valueNode(untilNode, i), CodeReference, "an until event names its group by the same by keys: capture "+k+" in its |re",
						"threshold.until event %q does not capture by key %q", u.Name, k)
				}
			}
		}
	}
}

var eventKeys = []string{"host", "unit", "program", "boot_id", "message", "source"}

// checkKeys reports group keys that are neither event fields nor captures.
func (l *loader) checkKeys(n *yaml.Node, keys, captures []string, what string) {
	for i, k := range keys {
		if strings.HasPrefix(k, "fields.") || contains(eventKeys, k) || contains(captures, k) {
			continue
		}
		l.errorf(valueNode(n, i), CodeReference, "an event field (host, unit, program, boot_id, fields.NAME) or a capture of the event's |re",
			"%s names unknown key %q", what, k)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var stepKeys = []string{"event", "absent", "as", "within", "after", "for", "optional", "join"}

func (l *loader) sequence(s *Signature, n *yaml.Node) {
	var stepsNode, byNode *yaml.Node
	for _, kv := range l.pairs(n, "sequence") {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "by":
			byNode = v
			s.Match.By, _ = l.strs(v, "sequence.by")
		case "maxspan":
			s.Match.MaxSpan, _ = l.duration(v, "sequence.maxspan")
		case "until":
			names, _ := l.strs(v, "sequence.until")
			for i := range names {
				if e := l.eventRef(s, valueNode(v, i), "sequence.until"); e != nil {
					s.Match.Until = append(s.Match.Until, e)
				}
			}
		case "steps":
			stepsNode = v
		default:
			l.unknownKey(k, "sequence", []string{"by", "maxspan", "until", "steps"})
		}
	}
	if stepsNode == nil || stepsNode.Kind != yaml.SequenceNode || len(stepsNode.Content) < 2 {
		where := n
		if stepsNode != nil {
			where = stepsNode
		}
		l.errorf(where, CodeSchema, "a sequence has two or more steps; for one event use match: {event: NAME}", "sequence.steps must be a list of at least two steps")
		return
	}
	byName := map[string]*Step{}
	var allCaptures []string
	for i, sn := range stepsNode.Content {
		st := l.step(s, sn, i, byName)
		if st == nil {
			continue
		}
		if i == 0 && (st.Absent || st.Optional) {
			l.errorf(sn, CodeSchema, "the first step anchors every window; make it a positive, required step", "step 1 cannot be absent or optional")
		}
		if contains(FindingAttrs, st.As) {
			l.errorf(sn, CodeSchema, "templates use ."+st.As+" for the finding itself; name the step with `as:`", "step name %q is reserved", st.As)
			continue
		}
		if _, dup := byName[st.As]; dup {
			l.errorf(sn, CodeSchema, "give the step a distinct `as:` name", "step name %q is used twice", st.As)
			continue
		}
		byName[st.As] = st
		s.Match.Steps = append(s.Match.Steps, st)
		if !st.Absent {
			allCaptures = append(allCaptures, st.Event.Matcher.CaptureNames()...)
		}
	}
	if byNode != nil {
		l.checkKeys(byNode, s.Match.By, allCaptures, "sequence.by")
	}
}

func (l *loader) step(s *Signature, n *yaml.Node, i int, earlier map[string]*Step) *Step {
	st := &Step{Index: i, Pos: l.pos(n)}
	var joinNode *yaml.Node
	kinds := 0
	for _, kv := range l.pairs(n, fmt.Sprintf("step %d", i+1)) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "event":
			kinds++
			st.Event = l.eventRef(s, v, "step event")
		case "absent":
			kinds++
			st.Absent = true
			st.Event = l.eventRef(s, v, "step absent")
		case "as":
			st.As, _ = l.str(v, "as")
		case "within":
			st.Within, _ = l.duration(v, "within")
		case "for":
			st.For, _ = l.duration(v, "for")
		case "after":
			st.After, _ = l.str(v, "after")
			if _, ok := earlier[st.After]; !ok {
				l.errorf(v, CodeReference, "after names an earlier step's `as`", "after names unknown step %q", st.After)
			}
		case "optional":
			if err := v.Decode(&st.Optional); err != nil {
				l.errorf(v, CodeSchema, "optional: true", "optional must be true or false, not %s", kindName(v))
			}
		case "join":
			joinNode = v
		default:
			l.unknownKey(k, "a step", stepKeys)
		}
	}
	if kinds != 1 {
		l.errorf(n, CodeSchema, "write event: NAME or absent: NAME", "step %d needs exactly one of event or absent", i+1)
		return nil
	}
	if st.Event == nil {
		return nil
	}
	if st.As == "" {
		st.As = st.Event.Name
	}
	if st.Absent && st.For == 0 {
		l.errorf(n, CodeSchema, "e.g. for: 30m", "absent step %q needs a `for:` window", st.As)
	}
	if !st.Absent && st.For != 0 {
		l.errorf(n, CodeSchema, "use within: to bound a positive step", "`for:` goes with absent steps only")
	}
	if st.Absent && st.Optional {
		l.errorf(n, CodeSchema, "drop optional: an absence is already a condition on nothing happening", "an absent step cannot be optional")
	}
	if joinNode != nil {
		own := st.Event.Matcher.CaptureNames()
		for _, kv := range l.pairs(joinNode, "join") {
			k, v := kv[0], kv[1]
			key, opName, hasOp := strings.Cut(k.Value, "|")
			op := JoinEq
			if hasOp {
				var good bool
				if op, good = parseJoinOp(opName); !good {
					hint := "join modifiers: " + strings.Join(joinOpNames[1:], ", ")
					if c := closest(opName, joinOpNames[:]); c != "" {
						hint = fmt.Sprintf("did you mean %q?", c)
					}
					l.errorf(k, CodeSchema, hint, "unknown join modifier %q", opName)
					continue
				}
			}
			if !contains(own, key) && !contains(eventKeys, key) {
				l.errorf(k, CodeReference, "join keys are captures of this step's event (named groups in its |re) or host/unit/program/boot_id",
					"join key %q is not captured by event %q", key, st.Event.Name)
				continue
			}
			ref, ok := l.str(v, "join value")
			if !ok {
				continue
			}
			stepName, capName, found := strings.Cut(ref, ".")
			prev, known := earlier[stepName]
			switch {
			case !found:
				l.errorf(v, CodeReference, "write STEP.CAPTURE, e.g. down.svc", "join value %q is not STEP.CAPTURE", ref)
			case !known:
				l.errorf(v, CodeReference, "join refers to an earlier step's `as`", "join refers to unknown or later step %q", stepName)
			case prev.Absent:
				l.errorf(v, CodeReference, "an absent step binds no event", "join refers to absent step %q", stepName)
			case !contains(prev.Event.Matcher.CaptureNames(), capName) && !contains(eventKeys, capName):
				l.errorf(v, CodeReference, fmt.Sprintf("step %q captures: %s", stepName, strings.Join(prev.Event.Matcher.CaptureNames(), ", ")),
					"join on capture %q that step %q does not define", capName, stepName)
			default:
				st.Join = append(st.Join, Join{Capture: key, Step: stepName, Other: capName, Op: op})
			}
		}
	}
	return st
}
