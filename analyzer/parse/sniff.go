package parse

// Sniff looks at the first bytes of a decompressed input and says which
// format it is (the Hint for its lines) and whether it looks like a log at
// all. Binary data is not a log. (Stub.)
func Sniff(head []byte) (format string, isLog bool) {
	return FormatText, true
}
