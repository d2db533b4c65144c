package parse

import (
	"fmt"
	"strings"
	"testing"
)

func TestIPRoute(t *testing.T) {
	text := `default via 192.168.10.1 dev enp3s0 proto dhcp src 192.168.10.23 metric 100
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
172.18.0.0/16 dev br-4f2a9c81d0e3 proto kernel scope link src 172.18.0.1
192.168.10.0/24 dev enp3s0 proto kernel scope link src 192.168.10.23 metric 100
192.168.10.1 dev enp3s0 proto dhcp scope link src 192.168.10.23 metric 100
fe80::/64 dev enp3s0 proto kernel metric 256 pref medium
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1`
	st := stateEvents(assembleText(t, text, AssemblerConfig{}))
	want := []map[string]string{
		{"command": "ip route", "destination": "default", "subnet": "-", "gateway": "192.168.10.1", "dev": "enp3s0", "dev_kind": "physical", "proto": "dhcp", "src": "192.168.10.23", "metric": "100"},
		{"destination": "172.17.0.0/16", "subnet": "172.17.0.0/16", "dev": "docker0", "dev_kind": "docker-bridge", "scope": "link", "linkdown": "true", "gateway": "-"},
		{"subnet": "172.18.0.0/16", "dev": "br-4f2a9c81d0e3", "dev_kind": "docker-bridge", "linkdown": "-"},
		{"subnet": "192.168.10.0/24", "dev_kind": "physical"},
		{"destination": "192.168.10.1", "subnet": "192.168.10.1/32"},
		{"subnet": "fe80::/64", "dev": "enp3s0"},
		{"type": "local", "subnet": "127.0.0.0/8", "dev_kind": "loopback", "table": "local"},
	}
	if len(st) != len(want) {
		t.Fatalf("%d routes, want %d", len(st), len(want))
	}
	for i, w := range want {
		checkFields(t, st[i], w)
		if st[i].Source.Line != int64(i+1) || st[i].Program != "ip" || st[i].Source.Format != FormatIPRoute {
			t.Errorf("route %d: line %d program %q format %q", i, st[i].Source.Line, st[i].Program, st[i].Source.Format)
		}
	}
	if st[1].Message != "172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown" {
		t.Errorf("message %q", st[1].Message)
	}
}

func TestRouteN(t *testing.T) {
	text := `Kernel IP routing table
Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
0.0.0.0         10.0.0.1        0.0.0.0         UG    100    0        0 eth0
10.0.0.0        0.0.0.0         255.255.255.0   U     100    0        0 eth0
172.17.0.0      0.0.0.0         255.255.0.0     U     0      0        0 docker0
192.168.0.0     0.0.0.0         255.255.240.0   U     0      0        0 br-0a1b2c3d4e5f`
	st := stateEvents(assembleText(t, text, AssemblerConfig{}))
	want := []map[string]string{
		{"command": "route -n", "destination": "default", "gateway": "10.0.0.1", "dev": "eth0", "dev_kind": "physical", "flags": "UG", "metric": "100"},
		{"subnet": "10.0.0.0/24", "gateway": "-", "dev": "eth0"},
		{"subnet": "172.17.0.0/16", "dev": "docker0", "dev_kind": "docker-bridge"},
		{"subnet": "192.168.0.0/20", "dev_kind": "docker-bridge"},
	}
	if len(st) != len(want) {
		t.Fatalf("%d routes, want %d", len(st), len(want))
	}
	for i, w := range want {
		checkFields(t, st[i], w)
		if st[i].Program != "route" || st[i].Source.Line != int64(i+3) {
			t.Errorf("row %d: program %q line %d", i, st[i].Program, st[i].Source.Line)
		}
	}
}

func TestIPAddr(t *testing.T) {
	cases := []struct {
		name, text string
		want       []map[string]string
	}{{
		name: "ip -br addr",
		text: "lo               UNKNOWN        127.0.0.1/8 ::1/128\nenp3s0           UP             192.168.10.23/24 fe80::5054:ff:fe12:3456/64\ndocker0          DOWN           172.17.0.1/16\nbr-4f2a9c81d0e3  UP             172.18.0.1/16\nveth1c2d3e4@if7  UP",
		want: []map[string]string{
			{"command": "ip addr", "dev": "lo", "dev_kind": "loopback", "state": "UNKNOWN", "address": "127.0.0.1/8", "subnet": "127.0.0.0/8", "family": "inet"},
			{"dev": "lo", "address": "::1/128", "family": "inet6"},
			{"dev": "enp3s0", "dev_kind": "physical", "state": "UP", "address": "192.168.10.23/24", "subnet": "192.168.10.0/24"},
			{"dev": "enp3s0", "family": "inet6", "subnet": "fe80::/64"},
			{"dev": "docker0", "dev_kind": "docker-bridge", "state": "DOWN", "subnet": "172.17.0.0/16"},
			{"dev": "br-4f2a9c81d0e3", "dev_kind": "docker-bridge", "subnet": "172.18.0.0/16"},
			{"dev": "veth1c2d3e4", "dev_kind": "virtual", "state": "UP", "address": "-"},
		},
	}, {
		name: "ip -o addr",
		text: `1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic eth0\       valid_lft 86353sec preferred_lft 86353sec
3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\       valid_lft forever preferred_lft forever`,
		want: []map[string]string{
			{"dev": "lo", "subnet": "127.0.0.0/8", "scope": "host"},
			{"dev": "eth0", "dev_kind": "physical", "address": "10.0.0.5/24", "subnet": "10.0.0.0/24", "scope": "global"},
			{"dev": "docker0", "subnet": "172.17.0.0/16", "state": "-"},
		},
	}, {
		name: "ip addr",
		text: `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    altname enp0s3
    inet 172.17.8.20/24 brd 172.17.8.255 scope global eth0
       valid_lft forever preferred_lft forever
3: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default
    link/ether 02:42:5e:6b:00:01 brd ff:ff:ff:ff:ff:ff
    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0
       valid_lft forever preferred_lft forever
4: br-0a1b2c3d4e5f: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default
    link/ether 02:42:aa:bb:cc:dd brd ff:ff:ff:ff:ff:ff`,
		want: []map[string]string{
			{"dev": "lo", "state": "UNKNOWN", "subnet": "127.0.0.0/8"},
			{"dev": "eth0", "dev_kind": "physical", "state": "UP", "address": "172.17.8.20/24", "subnet": "172.17.8.0/24"},
			{"dev": "docker0", "dev_kind": "docker-bridge", "state": "DOWN", "subnet": "172.17.0.0/16"},
			{"dev": "br-0a1b2c3d4e5f", "state": "DOWN", "address": "-"},
		},
	}}
	// Near misses: a status word after a word is no interface.
	for _, text := range []string{"link DOWN", "Server UP\nDatabase DOWN", "2: not an interface"} {
		if st := stateEvents(assembleText(t, text, AssemblerConfig{})); len(st) != 0 {
			t.Errorf("%q: %d state events", text, len(st))
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := assembleText(t, tc.text, AssemblerConfig{})
			st := stateEvents(evs)
			if len(st) != len(tc.want) || len(evs) != len(st) {
				t.Fatalf("%d events, %d state, want %d: %+v", len(evs), len(st), len(tc.want), evs)
			}
			for i, w := range tc.want {
				checkFields(t, st[i], w)
				if st[i].Source.Format != FormatIPAddr {
					t.Errorf("format %q", st[i].Source.Format)
				}
			}
		})
	}
}

// The cheap tests detectState runs before splitting a line agree with
// the slow forms they stand in for.
func TestLeadFieldsAddrAgree(t *testing.T) {
	for _, s := range []string{"", " ", "a", "  a  ", "a b", "a\u00a0b c", "\ta\u2003b\u0085c d", "10.0.0.0/8 dev eth0",
		"docker0          DOWN           172.17.0.1/16", "x\xffy z", "default via 1.2.3.4", "10", "fe80::1", "1.2.3.4", "1.2.3.4/33",
		"::", "10.0.0.1%eth0", "1.2.3/8", "2:", "a/b"} {
		f := strings.Fields(s)
		var want0, want1 string
		if len(f) > 0 {
			want0 = f[0]
		}
		if len(f) > 1 {
			want1 = f[1]
		}
		if got0, got1 := leadFields(s); got0 != want0 || got1 != want1 {
			t.Errorf("leadFields(%q) = %q, %q; want %q, %q", s, got0, got1, want0, want1)
		}
		if got, want := isAddrOrPrefix(s), subnetOf(s) != ""; got != want {
			t.Errorf("isAddrOrPrefix(%q) = %v, subnetOf says %v", s, got, want)
		}
	}
}

// A table longer than maxStateLines is closed there and the next row
// opens a block of its own: every row is still a state event.
func TestStateBlockBound(t *testing.T) {
	var b strings.Builder
	n := maxStateLines + 5
	for i := range n {
		fmt.Fprintf(&b, "10.%d.%d.0/24 dev eth0 proto kernel scope link\n", i>>8&255, i&255)
	}
	st := stateEvents(assembleText(t, strings.TrimSuffix(b.String(), "\n"), AssemblerConfig{}))
	if len(st) != n {
		t.Fatalf("%d route events, want %d", len(st), n)
	}
	if st[n-1].Source.Line != int64(n) {
		t.Errorf("last route at line %d, want %d", st[n-1].Source.Line, n)
	}
}

// A gateway of the other family is written with its family: "via inet6
// fe80::1" (RFC 5549). The gateway is the address, not the word.
func TestRouteViaFamily(t *testing.T) {
	for line, want := range map[string]string{
		"default via inet6 fe80::1 dev eth0 proto bird metric 32": "fe80::1",
		"10.1.0.0/16 via inet 192.0.2.1 dev eth0":                 "192.0.2.1",
		"10.2.0.0/16 via 192.0.2.1 dev eth0":                      "192.0.2.1",
	} {
		r, ok := parseRouteLine(line)
		if !ok || r.via != want || r.dev != "eth0" {
			t.Errorf("parseRouteLine(%q) = %+v, %v; want via %s dev eth0", line, r, ok, want)
		}
	}
}
