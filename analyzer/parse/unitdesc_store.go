package parse

import "sort"

// DescriptionsOf returns the descriptions old-style systemd messages name
// unit by ("Stopping Docker Application Container Engine..."), sorted:
// the reverse of UnitForDescription's table, for a log store that
// searches the text (fleet mode). Templated units are not covered. Not
// safe to call concurrently with AddUnitDescriptions.
func DescriptionsOf(unit string) []string {
	var ds []string
	for d, u := range unitDescriptions {
		if u == unit {
			ds = append(ds, d)
		}
	}
	sort.Strings(ds)
	return ds
}
