// Command regexes prints the message regexes (message|re) of the built-in
// signatures, one per line, each once: a pattern file for `rg -c -f`,
// the yardstick of a tool that runs the incident regexes themselves over
// every line (bench/run.sh).
//
// A regex anchored with ^ at the start of the message is printed without
// the ^: in a syslog file the message follows the header, so with it rg
// would match nothing and do less than logsleuth does. A $ stays: the
// message ends where the line does. Capture names are dropped (rg joins
// the patterns into one regex, where two groups may not share a name);
// the groups stay.
//
//	go run ./bench/regexes > regexes.txt && rg -c -f regexes.txt /var/log/syslog
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

// captureName is the start of a named group, (?P<name>.
var captureName = regexp.MustCompile(`\(\?P<\w+>`)

func main() {
	sigs, err := signature.LoadFS(patterns.FS, ".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "regexes:", err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	for _, s := range sigs {
		for _, d := range s.Events {
			for c := range d.Matcher.AllConds() {
				if c.Field != signature.FieldMessage || c.Op != signature.OpRe {
					continue
				}
				for _, re := range c.Res {
					s := captureName.ReplaceAllString(strings.TrimPrefix(re.String(), "^"), "(")
					if !seen[s] {
						seen[s] = true
						fmt.Println(s)
					}
				}
			}
		}
	}
}
