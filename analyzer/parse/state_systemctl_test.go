package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

func TestSystemctlStatus(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	cases := []struct {
		name   string
		text   string
		loc    *time.Location
		unit   string
		fields map[string]string
		// logs are the messages of the log events around the block.
		logs []string
		msg  string
	}{{
		name: "failed with its journal tail",
		text: `● docker.service - Docker Application Container Engine
     Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)
     Active: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC; 2h 3min ago
TriggeredBy: ● docker.socket
       Docs: https://docs.docker.com
    Process: 1187 ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock (code=exited, status=1/FAILURE)
   Main PID: 1187 (code=exited, status=1/FAILURE)
        CPU: 152ms

Nov 14 06:20:22 web-3 systemd[1]: docker.service: Scheduled restart job, restart counter is at 3.
Nov 14 06:20:24 web-3 systemd[1]: docker.service: Start request repeated too quickly.
Nov 14 06:20:24 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.`,
		unit: "docker.service",
		fields: map[string]string{"command": "systemctl status", "description": "Docker Application Container Engine",
			"load_state": "loaded", "unit_file": "/lib/systemd/system/docker.service", "unit_file_state": "enabled",
			"vendor_preset": "enabled", "active_state": "failed", "result": "exit-code", "sub_state": "-",
			"since": "2023-11-14T06:20:24Z", "since_ago": "2h 3min", "main_pid": "1187", "main_code": "exited",
			"main_status": "1/FAILURE", "triggered_by": "docker.socket", "cpu": "152ms",
			"failed_process": "1187 ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock (code=exited, status=1/FAILURE)"},
		logs: []string{"docker.service: Scheduled restart job, restart counter is at 3.",
			"docker.service: Start request repeated too quickly.", "docker.service: Failed with result 'exit-code'."},
		msg: "docker.service: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC; main PID 1187 exited, status=1/FAILURE",
	}, {
		name: "running, old layout, Korean weekday and month",
		loc:  seoul,
		text: `● docker.service - Docker Application Container Engine
   Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)
   Active: active (running) since 수 2021-07-28 08:52:11 KST; 5min ago
     Docs: https://docs.docker.com
 Main PID: 12345 (dockerd)
    Tasks: 20 (limit: 4915)
   Memory: 80.0M
   CGroup: /system.slice/docker.service
           └─12345 /usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock

 7월 28 08:52:11 userver dockerd[12345]: time="2021-07-28T08:52:11.406Z" level=info msg="API listen on /run/docker.sock"`,
		unit: "docker.service",
		fields: map[string]string{"active_state": "active", "sub_state": "running", "result": "-",
			"since": "2021-07-28T08:52:11+09:00", "main_pid": "12345", "main_process": "dockerd", "tasks": "20",
			"memory": "80.0M", "cgroup": "/system.slice/docker.service", "main_code": "-"},
		logs: []string{`time="2021-07-28T08:52:11.406Z" level=info msg="API listen on /run/docker.sock"`},
		msg:  "docker.service: active (running) since 수 2021-07-28 08:52:11 KST",
	}, {
		name: "auto-restart, new bullets, preset and drop-in",
		text: `× containerd.service - containerd container runtime
     Loaded: loaded (/lib/systemd/system/containerd.service; enabled; preset: enabled)
    Drop-In: /etc/systemd/system/containerd.service.d
             └─override.conf
     Active: activating (auto-restart) (Result: exit-code) since Mon 2024-03-04 10:15:02 UTC; 3s ago
       Docs: https://containerd.io
    Process: 5521 ExecStartPre=/sbin/modprobe overlay (code=exited, status=0/SUCCESS)
    Process: 5522 ExecStart=/usr/bin/containerd (code=exited, status=1/FAILURE)
   Main PID: 5522 (code=exited, status=1/FAILURE)`,
		unit: "containerd.service",
		fields: map[string]string{"active_state": "activating", "sub_state": "auto-restart", "result": "exit-code",
			"vendor_preset": "enabled", "drop_in": "/etc/systemd/system/containerd.service.d override.conf",
			"failed_process": "5522 ExecStart=/usr/bin/containerd (code=exited, status=1/FAILURE)"},
	}, {
		name:   "start limit hit, inactive bullet",
		text:   "○ kubelet.service - kubelet: The Kubernetes Node Agent\n     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)\n     Active: failed (Result: start-limit-hit) since Wed 2024-05-01 02:00:00 UTC; 1 day 2h ago",
		unit:   "kubelet.service",
		fields: map[string]string{"active_state": "failed", "result": "start-limit-hit", "since_ago": "1 day 2h"},
	}, {
		name:   "unit not found",
		text:   "Unit dockerd.service could not be found.",
		unit:   "dockerd.service",
		fields: map[string]string{"load_state": "not-found"},
		msg:    "dockerd.service: not-found",
	}, {
		name:   "masked",
		text:   "● docker.service\n     Loaded: masked (Reason: Unit docker.service is masked.)\n     Active: inactive (dead)",
		unit:   "docker.service",
		fields: map[string]string{"load_state": "masked", "load_reason": "Unit docker.service is masked.", "active_state": "inactive", "sub_state": "dead", "description": "-"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := assembleText(t, tc.text, AssemblerConfig{Location: tc.loc})
			st := stateEvents(evs)
			if len(st) != 1 {
				t.Fatalf("state events = %d, want 1: %+v", len(st), evs)
			}
			ev := st[0]
			if ev.Unit != tc.unit || ev.Program != "systemctl" || ev.Source.Format != FormatSystemctlStatus || ev.Source.Line != 1 {
				t.Errorf("unit %q program %q format %q line %d", ev.Unit, ev.Program, ev.Source.Format, ev.Source.Line)
			}
			if ev.TimeQuality != event.TimeNone || !ev.Time.IsZero() {
				t.Errorf("time %v quality %v, want none", ev.Time, ev.TimeQuality)
			}
			if tc.msg != "" && ev.Message != tc.msg {
				t.Errorf("message %q, want %q", ev.Message, tc.msg)
			}
			checkFields(t, ev, tc.fields)
			var logs []string
			for _, e := range evs {
				if e.Kind == event.KindLog {
					logs = append(logs, e.Message)
				}
			}
			if strings.Join(logs, "\n") != strings.Join(tc.logs, "\n") {
				t.Errorf("log events:\n%s\nwant:\n%s", strings.Join(logs, "\n"), strings.Join(tc.logs, "\n"))
			}
		})
	}
}

func TestSystemctlStatusAll(t *testing.T) {
	text := `● ssh.service - OpenBSD Secure Shell server
     Loaded: loaded (/lib/systemd/system/ssh.service; enabled; vendor preset: enabled)
     Active: active (running) since Tue 2023-11-14 01:00:00 UTC; 5h ago

Nov 14 01:00:00 web-3 sshd[811]: Server listening on 0.0.0.0 port 22.

● docker.service - Docker Application Container Engine
     Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)
     Active: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC; 2h 3min ago

Nov 14 06:20:24 web-3 systemd[1]: Failed to start Docker Application Container Engine.
`
	evs := assembleText(t, text, AssemblerConfig{Snapshot: time.Date(2023, 11, 14, 8, 23, 0, 0, time.UTC), Host: "web-3"})
	var got []string
	for _, e := range evs {
		got = append(got, e.Kind.String()+" "+e.Unit+" "+e.Message)
	}
	want := []string{
		"state ssh.service ssh.service: active (running) since Tue 2023-11-14 01:00:00 UTC",
		"log  Server listening on 0.0.0.0 port 22.",
		"state docker.service docker.service: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC",
		"log docker.service Failed to start Docker Application Container Engine.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st := stateEvents(evs)
	for _, e := range st {
		if e.Host != "web-3" || e.TimeQuality != event.TimeExact || !e.Time.Equal(time.Date(2023, 11, 14, 8, 23, 0, 0, time.UTC)) {
			t.Errorf("%s: host %q time %v %v, want the snapshot's", e.Unit, e.Host, e.Time, e.TimeQuality)
		}
	}
	if st[1].Source.Line != 7 {
		t.Errorf("docker.service at line %d, want 7", st[1].Source.Line)
	}
}
