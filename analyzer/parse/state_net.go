package parse

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Network state: which subnets sit on which interface. Every route and
// every address is an event of its own, with the interface's kind
// (field dev_kind): docker-bridge (docker0, br-<id>, docker_gwbridge),
// bridge (other bridges: virbr0, lxdbr0, cni0, ...), physical, virtual
// (veth, tunnels, overlays), loopback, or other.

// devKind classifies an interface by its name.
func devKind(dev string) string {
	switch {
	case dev == "":
		return ""
	case dev == "docker0" || dev == "docker_gwbridge" || isDockerBridge(dev):
		return "docker-bridge"
	case dev == "lo":
		return "loopback"
	}
	for _, p := range []string{"virbr", "lxdbr", "lxcbr", "cni", "cbr", "vmbr", "br", "bridge", "kube-bridge", "podman"} {
		if strings.HasPrefix(dev, p) {
			return "bridge"
		}
	}
	for _, p := range []string{"veth", "tun", "tap", "wg", "tailscale", "zt", "flannel", "cali", "vxlan",
		"kube-ipvs", "cilium", "weave", "tunl", "gre", "ipip", "sit", "vnet", "macvtap", "nodelocaldns", "dummy"} {
		if strings.HasPrefix(dev, p) {
			return "virtual"
		}
	}
	for _, p := range []string{"eth", "en", "wl", "em", "bond", "ib", "team", "p1p", "p2p", "ww"} {
		if strings.HasPrefix(dev, p) {
			return "physical"
		}
	}
	return "other"
}

// isDockerBridge: a compose or user network's bridge, "br-" and the
// first 12 hex digits of the network id.
func isDockerBridge(dev string) bool {
	id, ok := strings.CutPrefix(dev, "br-")
	if !ok || len(id) != 12 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// subnetOf returns the network of an address or prefix in CIDR form
// ("172.17.0.1/16" -> "172.17.0.0/16", "10.0.0.1" -> "10.0.0.1/32").
func subnetOf(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return ""
}

// isAddrOrPrefix reports whether subnetOf reads s, without formatting
// the subnet or making an error for a word that is no address (one
// without '.' or ':' never is).
func isAddrOrPrefix(s string) bool {
	if !strings.ContainsAny(s, ".:") {
		return false
	}
	var err error
	if strings.Contains(s, "/") {
		_, err = netip.ParsePrefix(s)
	} else {
		_, err = netip.ParseAddr(s)
	}
	return err == nil
}

// route is one line of `ip route`.
type route struct {
	typ, dest, via, dev, proto, scope, src, metric, table string
	linkdown                                              bool
}

var routeTypes = map[string]bool{"unicast": true, "local": true, "broadcast": true, "multicast": true,
	"unreachable": true, "prohibit": true, "blackhole": true, "throw": true, "nat": true, "anycast": true}

// parseRouteLine reads a line of `ip route` (any table):
// "[type] PREFIX [via GW] [dev DEV] [proto P] [scope S] [src A] [metric N] ...".
func parseRouteLine(raw string) (route, bool) {
	var r route
	w0, w1 := leadFields(raw)
	if routeTypes[w0] {
		w0 = w1
	}
	if w0 != "default" && !isAddrOrPrefix(w0) {
		return r, false // before splitting the line
	}
	f := strings.Fields(raw)
	if routeTypes[f[0]] {
		r.typ, f = f[0], f[1:]
	}
	if len(f) < 2 || (f[0] != "default" && !isAddrOrPrefix(f[0])) {
		return r, false
	}
	r.dest = f[0]
	for i := 1; i < len(f); i++ {
		val := ""
		if i+1 < len(f) {
			val = f[i+1]
		}
		switch f[i] {
		case "via":
			if (val == "inet" || val == "inet6") && i+2 < len(f) {
				i++ // "via inet6 fe80::1": a gateway of the other family
				val = f[i+1]
			}
			r.via = val
			i++
		case "dev":
			r.dev = val
			i++
		case "proto":
			r.proto = val
			i++
		case "scope":
			r.scope = val
			i++
		case "src":
			r.src = val
			i++
		case "metric":
			r.metric = val
			i++
		case "table":
			r.table = val
			i++
		case "linkdown":
			r.linkdown = true
		case "pref", "mtu", "advmss", "expires", "realm", "onlink", "hoplimit", "initcwnd", "rtt":
			if f[i] != "onlink" {
				i++
			}
		}
	}
	if r.dev == "" && r.via == "" && r.typ == "" {
		return r, false
	}
	return r, true
}

// routeReader reads `ip route` (and `ip route show table all`).
type routeReader struct {
	rows
}

func (r *routeReader) add(raw string, gap bool, p *Parsed) bool {
	rt, ok := parseRouteLine(raw)
	if !ok {
		return false
	}
	ev := newStateEvent("ip", "ip route", FormatIPRoute, p.Line)
	setField(&ev, "destination", rt.dest)
	if rt.dest != "default" {
		setField(&ev, "subnet", subnetOf(rt.dest))
	}
	setField(&ev, "gateway", rt.via)
	setField(&ev, "dev", rt.dev)
	setField(&ev, "dev_kind", devKind(rt.dev))
	setField(&ev, "type", rt.typ)
	setField(&ev, "proto", rt.proto)
	setField(&ev, "scope", rt.scope)
	setField(&ev, "src", rt.src)
	setField(&ev, "metric", rt.metric)
	setField(&ev, "table", rt.table)
	if rt.linkdown {
		setField(&ev, "linkdown", "true")
	}
	ev.Message = strings.TrimSpace(raw)
	r.evs = append(r.evs, ev)
	return true
}

// routeNReader reads net-tools' `route -n`:
//
//	Kernel IP routing table
//	Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
//	0.0.0.0         192.168.1.1     0.0.0.0         UG    100    0        0 eth0
//	172.17.0.0      0.0.0.0         255.255.0.0     U     0      0        0 docker0
type routeNReader struct {
	header bool
	rows
}

func (r *routeNReader) add(raw string, gap bool, p *Parsed) bool {
	if strings.HasPrefix(raw, "Kernel IP routing table") && !r.header && len(r.evs) == 0 {
		return true
	}
	if strings.HasPrefix(raw, "Destination ") && strings.Contains(raw, "Iface") {
		if r.header || len(r.evs) > 0 {
			return false
		}
		r.header = true
		return true
	}
	f := strings.Fields(raw)
	if !r.header || len(f) != 8 {
		return false
	}
	dest, gw, mask, flags, metric, dev := f[0], f[1], f[2], f[3], f[4], f[7]
	ev := newStateEvent("route", "route -n", FormatRouteN, p.Line)
	subnet := ""
	if dest == "default" {
		dest = "0.0.0.0"
	}
	d, err1 := netip.ParseAddr(dest)
	m, err2 := netip.ParseAddr(mask)
	if err1 != nil || err2 != nil || !d.Is4() || !m.Is4() {
		return false
	}
	bits := maskBits(m)
	if bits < 0 {
		return false
	}
	if bits > 0 {
		subnet = netip.PrefixFrom(d, bits).Masked().String()
		setField(&ev, "destination", subnet)
		setField(&ev, "subnet", subnet)
	} else {
		setField(&ev, "destination", "default")
	}
	if gw != "0.0.0.0" && gw != "*" {
		setField(&ev, "gateway", gw)
	}
	setField(&ev, "dev", dev)
	setField(&ev, "dev_kind", devKind(dev))
	setField(&ev, "flags", flags)
	setField(&ev, "metric", metric)
	ev.Message = strings.TrimSpace(raw)
	r.evs = append(r.evs, ev)
	return true
}

// maskBits counts the leading ones of an IPv4 netmask; -1 if it is none.
func maskBits(m netip.Addr) int {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return n
}

// addrReader reads the addresses of interfaces in the three shapes `ip`
// prints them:
//
//	ip -br addr:  docker0          DOWN           172.17.0.1/16 fe80::42:5eff:fe6b:1/64
//	ip -o addr:   3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\       valid_lft forever ...
//	ip addr:      3: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default
//	                  link/ether 02:42:5e:6b:00:01 brd ff:ff:ff:ff:ff:ff
//	                  inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0
//	                     valid_lft forever preferred_lft forever
type addrReader struct {
	rows
	// ip addr: the interface of the header read last, its state, and
	// whether an address of it was read.
	dev, state string
	devLine    int64
	devAddrs   bool
}

// ipHeader reads "3: docker0: <FLAGS> ... state DOWN ..." of `ip addr` and
// `ip link`, and returns the interface.
func ipHeader(raw string) (dev string, ok bool) {
	idx, rest, ok := strings.Cut(raw, ": ")
	if !ok || idx == "" || len(idx) > 5 {
		return "", false
	}
	if _, ok := atoiN([]byte(idx)); !ok {
		return "", false
	}
	dev, rest, ok = strings.Cut(rest, ": <")
	if !ok || dev == "" || strings.ContainsAny(dev, " \t") {
		return "", false
	}
	dev, _, _ = strings.Cut(dev, "@")
	return dev, true
}

// parseBriefAddr reads a line of `ip -br addr`.
func parseBriefAddr(raw string) (f []string, ok bool) {
	dev, state := leadFields(raw)
	if len(dev) > 32 {
		return nil, false
	}
	switch state {
	case "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING":
	default:
		return nil, false
	}
	f = strings.Fields(raw)
	for _, a := range f[2:] {
		if _, err := netip.ParsePrefix(a); err != nil {
			return nil, false
		}
	}
	return f, true
}

func (r *addrReader) addrEvent(dev, state, family, addr, scope string, line int64) {
	ev := newStateEvent("ip", "ip addr", FormatIPAddr, line)
	setField(&ev, "dev", dev)
	setField(&ev, "dev_kind", devKind(dev))
	setField(&ev, "state", state)
	if addr != "" {
		if family == "" {
			family = "inet"
			if strings.Contains(addr, ":") {
				family = "inet6"
			}
		}
		setField(&ev, "family", family)
		setField(&ev, "address", addr)
		setField(&ev, "subnet", subnetOf(addr))
	}
	setField(&ev, "scope", scope)
	ev.Message = dev
	if addr != "" {
		ev.Message += " " + addr
	}
	if state != "" {
		ev.Message += " (" + state + ")"
	}
	r.evs = append(r.evs, ev)
}

func (r *addrReader) add(raw string, gap bool, p *Parsed) bool {
	if len(r.evs) >= maxStateLines {
		return false
	}
	if f, ok := parseBriefAddr(raw); ok && raw[0] != ' ' && (len(f) > 2 || strings.Contains(raw, "  ")) {
		// An interface without an address is padded to its column.
		dev, _, _ := strings.Cut(f[0], "@")
		if len(f) == 2 {
			r.addrEvent(dev, f[1], "", "", "", p.Line)
		}
		for _, a := range f[2:] {
			r.addrEvent(dev, f[1], "", a, "", p.Line)
		}
		return true
	}
	if dev, ok := ipHeader(raw); ok {
		r.closeDev()
		r.dev, r.devLine, r.devAddrs, r.state = dev, p.Line, false, ""
		if _, st, ok := strings.Cut(raw, " state "); ok {
			r.state, _, _ = strings.Cut(st, " ")
		}
		return true
	}
	f := strings.Fields(raw)
	if isOneLineAddr(f) && raw[0] != ' ' {
		r.closeDev()
		dev, _, _ := strings.Cut(f[1], "@")
		r.addrEvent(dev, "", f[2], f[3], wordAfter(f, "scope"), p.Line)
		return true
	}
	if r.dev == "" || len(f) == 0 || raw[0] != ' ' {
		return false
	}
	// Lines under an `ip addr` header.
	switch {
	case (f[0] == "inet" || f[0] == "inet6") && len(f) > 1 && isAddrOrPrefix(f[1]):
		r.addrEvent(r.dev, r.state, f[0], f[1], wordAfter(f, "scope"), p.Line)
		r.devAddrs = true
	case strings.HasPrefix(f[0], "link/"), f[0] == "valid_lft", f[0] == "altname", f[0] == "vlan",
		f[0] == "bridge", f[0] == "veth", f[0] == "bond", f[0] == "vxlan", f[0] == "RX:", f[0] == "TX:",
		f[0] == "inet" || f[0] == "inet6", len(f) > 0 && allDigitsStr(f[0]):
	default:
		return false
	}
	return true
}

// closeDev records an `ip addr` interface that showed no address.
func (r *addrReader) closeDev() {
	if r.dev != "" && !r.devAddrs {
		r.addrEvent(r.dev, r.state, "", "", "", r.devLine)
	}
	r.dev = ""
}

func wordAfter(f []string, w string) string {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == w {
			return f[i+1]
		}
	}
	return ""
}

func allDigitsStr(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func (r *addrReader) finish(out []event.Event) ([]event.Event, bool) {
	r.closeDev()
	return r.rows.finish(out)
}

// isOneLineAddr recognizes the fields of a line of `ip -o addr`:
// "2: eth0    inet 10.0.0.5/24 brd ... scope global eth0\ ...".
func isOneLineAddr(f []string) bool {
	if len(f) < 4 || !strings.HasSuffix(f[0], ":") || (f[2] != "inet" && f[2] != "inet6") {
		return false
	}
	_, ok := atoiN([]byte(strings.TrimSuffix(f[0], ":")))
	return ok && isAddrOrPrefix(f[3])
}
