package signature

import (
	"net/netip"
	"strings"

	debversion "pault.ag/go/debian/version"
)

// Version is a package, engine or API version, ordered the way dpkg
// orders them (epoch, then upstream, then revision; '~' sorts before
// everything, even the end), with two semver habits on top: a leading
// "v" is dropped ("v1.28.3"), and a suffix after a hyphen that starts
// with a letter ("1.29.0-rc.1") is a pre-release, which sorts before the
// release (dpkg would read it as a revision, which sorts after).
type Version struct {
	v debversion.Version
}

// ParseVersion reads s as a Version; false when s is not one (empty,
// spaces, no leading digit).
func ParseVersion(s string) (Version, bool) {
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && s[1] >= '0' && s[1] <= '9' {
		s = s[1:]
	}
	v, err := debversion.Parse(s)
	if err != nil {
		return Version{}, false
	}
	if r := v.Revision; v.Epoch == 0 && r != "" && (r[0] >= 'a' && r[0] <= 'z' || r[0] >= 'A' && r[0] <= 'Z') {
		v.Version, v.Revision = v.Version+"~"+r, ""
	}
	return Version{v}, true
}

// Compare returns -1, 0 or +1 as a sorts before, with or after b.
func (a Version) Compare(b Version) int {
	switch c := debversion.Compare(a.v, b.v); {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// ParsePrefix reads a subnet ("172.16.0.0/12", "fd00::/8", also with
// host bits set, "172.17.0.1/16") or a single address (its host
// prefix). The prefix comes back masked.
func ParsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') < 0 {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// parseAddr reads an address for containment tests; an IPv4-mapped IPv6
// address ("::ffff:172.17.0.5") is its IPv4 address.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// JoinOp is how a join compares this step's value with an earlier
// step's.
type JoinOp uint8

const (
	JoinEq         JoinOp = iota // equal (the default)
	JoinNe                       // both set and different
	JoinIn                       // an address inside the other's subnet
	JoinVersionLt                // a lower version than the other's
	JoinVersionLte               // lower or equal
	JoinVersionGt                // higher
	JoinVersionGte               // higher or equal
	JoinHolds                    // a subnet holding the other's address
)

var joinOpNames = [...]string{"eq", "ne", "in", "version_lt", "version_lte", "version_gt", "version_gte", "holds"}

func (o JoinOp) String() string {
	if int(o) < len(joinOpNames) {
		return joinOpNames[o]
	}
	return "eq"
}

func parseJoinOp(s string) (JoinOp, bool) {
	for i, n := range joinOpNames {
		if n == s {
			return JoinOp(i), true
		}
	}
	return JoinEq, false
}

// Holds reports whether the join holds for this step's value a and the
// earlier step's value b. A value that is not an address or a version
// where one is needed makes it fail: a join never holds on a guess.
func (o JoinOp) Holds(a, b string) bool {
	switch o {
	case JoinEq:
		return a == b
	case JoinNe:
		return a != "" && b != "" && a != b
	case JoinIn:
		addr, ok1 := parseAddr(a)
		p, ok2 := ParsePrefix(b)
		return ok1 && ok2 && p.Contains(addr)
	case JoinHolds:
		return JoinIn.Holds(b, a)
	}
	va, ok1 := ParseVersion(a)
	vb, ok2 := ParseVersion(b)
	if !ok1 || !ok2 {
		return false
	}
	return versionHolds(o, va.Compare(vb))
}

// versionHolds applies a version join op, or the same-named modifier, to
// a comparison result.
func versionHolds(o JoinOp, c int) bool {
	switch o {
	case JoinVersionLt:
		return c < 0
	case JoinVersionLte:
		return c <= 0
	case JoinVersionGt:
		return c > 0
	case JoinVersionGte:
		return c >= 0
	}
	return false
}
