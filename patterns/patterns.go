// Package patterns holds logsleuth's built-in incident signatures
// (*.yaml, DESIGN §5), embedded in the binary so it works offline with
// nothing but itself.
package patterns

import "embed"

// FS holds the built-in signature files at its root.
//
//go:embed *.yaml
var FS embed.FS
