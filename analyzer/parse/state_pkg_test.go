package parse

import "testing"

func TestDpkgList(t *testing.T) {
	text := `Desired=Unknown/Install/Remove/Purge/Hold
| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
||/ Name           Version                       Architecture Description
+++-==============-=============================-============-==================================================
ii  containerd.io  1.6.24-1                      amd64        An open and reliable container runtime
hi  docker-ce      5:24.0.7-1~ubuntu.22.04~jammy amd64        Docker: the open-source application container engine
rc  docker.io      20.10.21-0ubuntu1~22.04.3     amd64        Linux container runtime
ii  libc6:amd64    2.35-0ubuntu3.4               amd64        GNU C Library: Shared libraries`
	st := stateEvents(assembleText(t, text, AssemblerConfig{}))
	want := []map[string]string{
		{"command": "dpkg -l", "package": "containerd.io", "version": "1.6.24-1", "arch": "amd64", "status": "ii", "desired": "install", "description": "An open and reliable container runtime"},
		{"package": "docker-ce", "version": "5:24.0.7-1~ubuntu.22.04~jammy", "status": "hi", "desired": "hold", "description": "Docker: the open-source application container engine"},
		{"package": "docker.io", "status": "rc", "desired": "remove"},
		{"package": "libc6", "arch": "amd64", "version": "2.35-0ubuntu3.4"},
	}
	if len(st) != len(want) {
		t.Fatalf("%d packages, want %d", len(st), len(want))
	}
	for i, w := range want {
		checkFields(t, st[i], w)
		if st[i].Program != "dpkg" || st[i].Source.Line != int64(i+6) {
			t.Errorf("row %d: program %q line %d", i, st[i].Program, st[i].Source.Line)
		}
	}
	if st[1].Message != "docker-ce 5:24.0.7-1~ubuntu.22.04~jammy (hi)" {
		t.Errorf("message %q", st[1].Message)
	}
	// `dpkg -l | grep docker`: rows without the legend.
	st = stateEvents(assembleText(t, "ii  docker-ce      5:24.0.7-1~ubuntu.22.04~jammy amd64        Docker: the open-source application container engine", AssemblerConfig{}))
	if len(st) != 1 {
		t.Fatalf("grep'd row: %d events", len(st))
	}
}

func TestAptList(t *testing.T) {
	text := `WARNING: apt does not have a stable CLI interface. Use with caution in scripts.

Listing... Done
containerd.io/jammy,now 1.6.24-1 amd64 [installed,upgradable to: 1.6.25-1]
docker-ce/jammy,now 5:24.0.7-1~ubuntu.22.04~jammy amd64 [installed]
docker-compose-plugin/jammy 2.21.0-1~ubuntu.22.04~jammy amd64 [upgradable from: 2.20.3-1~ubuntu.22.04~jammy]`
	st := stateEvents(assembleText(t, text, AssemblerConfig{}))
	want := []map[string]string{
		{"command": "apt list", "package": "containerd.io", "version": "1.6.24-1", "suite": "jammy,now", "status": "installed,upgradable to: 1.6.25-1", "upgradable_to": "1.6.25-1"},
		{"package": "docker-ce", "version": "5:24.0.7-1~ubuntu.22.04~jammy", "arch": "amd64", "status": "installed"},
		{"package": "docker-compose-plugin", "upgradable_from": "2.20.3-1~ubuntu.22.04~jammy"},
	}
	if len(st) != len(want) {
		t.Fatalf("%d packages, want %d", len(st), len(want))
	}
	for i, w := range want {
		checkFields(t, st[i], w)
	}
}

func TestSnap(t *testing.T) {
	list := `Name      Version        Rev    Tracking       Publisher   Notes
core20    20231123       2105   latest/stable  canonical✓  base
microk8s  v1.28.3        6089   1.28/stable    canonical✓  classic
snapd     2.60.4         20290  latest/stable  canonical✓  snapd`
	st := stateEvents(assembleText(t, list, AssemblerConfig{}))
	if len(st) != 3 {
		t.Fatalf("%d snaps", len(st))
	}
	checkFields(t, st[1], map[string]string{"command": "snap list", "snap": "microk8s", "version": "v1.28.3", "rev": "6089",
		"tracking": "1.28/stable", "publisher": "canonical✓", "notes": "classic"})

	changes := `ID   Status  Spawn                   Ready                   Summary
141  Done    yesterday at 06:12 UTC  yesterday at 06:14 UTC  Auto-refresh snap "microk8s"
142  Error   today at 06:20 UTC      today at 06:21 UTC      Auto-refresh snaps "core20", "lxd"`
	st = stateEvents(assembleText(t, changes, AssemblerConfig{}))
	if len(st) != 2 {
		t.Fatalf("%d changes", len(st))
	}
	checkFields(t, st[0], map[string]string{"command": "snap changes", "id": "141", "status": "Done", "spawn": "yesterday at 06:12 UTC",
		"ready": "yesterday at 06:14 UTC", "summary": `Auto-refresh snap "microk8s"`})
	checkFields(t, st[1], map[string]string{"status": "Error", "summary": `Auto-refresh snaps "core20", "lxd"`})
	if st[1].Source.Format != FormatSnapChanges {
		t.Errorf("format %q", st[1].Source.Format)
	}
}
