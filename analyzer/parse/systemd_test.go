package parse

import (
	"slices"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

var systemdCases = []struct {
	name    string
	program string
	unit    string // already on the event (journal UNIT=)
	msg     string
	wantLC  event.Lifecycle
	want    string // unit after deriveSystemd
	fields  []event.Field
}{
	{"old stopping", "systemd", "", "Stopping Docker Application Container Engine...", event.Stopping, "docker.service",
		kvs("description", "Docker Application Container Engine")},
	{"old stopped", "systemd", "", "Stopped containerd container runtime.", event.Stopped, "containerd.service",
		kvs("description", "containerd container runtime")},
	{"old starting apt", "systemd", "", "Starting Daily apt upgrade and clean activities...", event.Starting, "apt-daily-upgrade.service",
		kvs("description", "Daily apt upgrade and clean activities")},
	{"old started apt download", "systemd", "", "Started Daily apt download activities.", event.Started, "apt-daily.service",
		kvs("description", "Daily apt download activities")},
	{"finished", "systemd", "", "Finished Daily apt upgrade and clean activities.", event.Finished, "apt-daily-upgrade.service",
		kvs("description", "Daily apt upgrade and clean activities")},
	{"started md reminder", "systemd", "", "Started Reminder for degraded MD arrays.", event.Started, "mdmonitor-oneshot.service",
		kvs("description", "Reminder for degraded MD arrays")},
	{"starting motd", "systemd", "", "Starting Message of the Day...", event.Starting, "motd-news.service",
		kvs("description", "Message of the Day")},
	{"failed to start", "systemd", "", "Failed to start Docker Application Container Engine.", event.Failed, "docker.service",
		kvs("description", "Docker Application Container Engine")},
	{"reloading unit", "systemd", "", "Reloading The Apache HTTP Server...", event.Reloading, "apache2.service",
		kvs("description", "The Apache HTTP Server")},
	{"reloaded unit", "systemd", "", "Reloaded A high performance web server and a reverse proxy server.", event.Reloaded, "nginx.service",
		kvs("description", "A high performance web server and a reverse proxy server")},
	{"new style", "systemd", "", "Stopping docker.service - Docker Application Container Engine...", event.Stopping, "docker.service",
		kvs("description", "Docker Application Container Engine")},
	{"new style unknown description", "systemd", "", "Started myapp.service - My Little App.", event.Started, "myapp.service",
		kvs("description", "My Little App")},
	{"templated user manager", "systemd", "", "Started User Manager for UID 1000.", event.Started, "user@1000.service",
		kvs("description", "User Manager for UID 1000")},
	{"session scope", "systemd", "", "Started Session 5 of User ubuntu.", event.Started, "session-5.scope",
		kvs("description", "Session 5 of User ubuntu")},
	{"reached target", "systemd", "", "Reached target Multi-User System.", event.Started, "multi-user.target",
		kvs("description", "Multi-User System")},
	{"stopped target", "systemd", "", "Stopped target Network is Online.", event.Stopped, "network-online.target",
		kvs("description", "Network is Online")},
	{"description not in table", "systemd", "", "Starting Frobnicator Nightly Job...", event.Starting, "",
		kvs("description", "Frobnicator Nightly Job")},
	{"journal unit wins", "systemd", "containerd.service", "Stopping containerd container runtime...", event.Stopping, "containerd.service",
		kvs("description", "containerd container runtime")},
	{"daemon reload", "systemd", "", "Reloading.", event.Reloading, "", nil},
	{"daemon reload v256", "systemd", "", "Reloading requested from client PID 2113 ('systemctl') (unit session-3.scope)...", event.Reloading, "", nil},
	{"init program", "init", "", "Stopped containerd container runtime.", event.Stopped, "containerd.service",
		kvs("description", "containerd container runtime")},

	// unit-scoped
	{"succeeded", "systemd", "", "containerd.service: Succeeded.", event.Stopped, "containerd.service", nil},
	{"deactivated", "systemd", "", "apt-daily-upgrade.service: Deactivated successfully.", event.Stopped, "apt-daily-upgrade.service", nil},
	{"main exited failure", "systemd", "", "docker.service: Main process exited, code=exited, status=1/FAILURE", event.Failed, "docker.service",
		kvs("exit_code", "exited", "exit_status", "1/FAILURE")},
	{"main exited success", "systemd", "", "docker.service: Main process exited, code=exited, status=0/SUCCESS", event.LifecycleNone, "docker.service",
		kvs("exit_code", "exited", "exit_status", "0/SUCCESS")},
	{"main killed term", "systemd", "", "myapp.service: Main process exited, code=killed, status=15/TERM", event.LifecycleNone, "myapp.service",
		kvs("exit_code", "killed", "exit_status", "15/TERM")},
	{"main dumped", "systemd", "", "myapp.service: Main process exited, code=dumped, status=6/ABRT", event.Failed, "myapp.service",
		kvs("exit_code", "dumped", "exit_status", "6/ABRT")},
	{"failed with result", "systemd", "", "docker.service: Failed with result 'exit-code'.", event.Failed, "docker.service",
		kvs("result", "exit-code")},
	{"restart scheduled", "systemd", "", "docker.service: Scheduled restart job, restart counter is at 3.", event.Restarting, "docker.service",
		kvs("restart_count", "3")},
	{"start limit", "systemd", "", "docker.service: Start request repeated too quickly.", event.Failed, "docker.service",
		kvs("start_limit_hit", "true")},
	{"consumed cpu", "systemd", "", "docker.service: Consumed 1.234s CPU time.", event.LifecycleNone, "docker.service", nil},
	{"socket unit", "systemd", "", "docker.socket: Succeeded.", event.Stopped, "docker.socket", nil},

	// systemd < 236 (CentOS 7, Ubuntu 16.04)
	{"old main exited", "systemd", "", "systemd-logind.service: main process exited, code=exited, status=1/FAILURE", event.Failed, "systemd-logind.service",
		kvs("exit_code", "exited", "exit_status", "1/FAILURE")},
	{"old no holdoff", "systemd", "", "getty@tty1.service has no holdoff time, scheduling restart.", event.Restarting, "getty@tty1.service", nil},
	{"old holdoff over", "systemd", "", "nginx.service holdoff time over, scheduling restart.", event.Restarting, "nginx.service", nil},
	{"old start limit", "systemd", "", "start request repeated too quickly for systemd-logind.service", event.Failed, "systemd-logind.service",
		kvs("start_limit_hit", "true")},
	{"old entered failed state", "systemd", "", "Unit systemd-logind.service entered failed state.", event.Failed, "systemd-logind.service", nil},
	{"old unit failed", "systemd", "", "systemd-logind.service failed.", event.Failed, "systemd-logind.service", nil},
	{"old wording, no unit", "systemd", "", "Something else failed.", event.LifecycleNone, "", nil},
	{"old wording, two words", "systemd", "", "The job failed.", event.LifecycleNone, "", nil},
	{"old wording, limit without unit", "systemd", "", "start request repeated too quickly for a while", event.LifecycleNone, "", nil},
	{"old wording, other scheduling", "systemd", "", "nginx.service is scheduling restart.", event.LifecycleNone, "", nil},

	// near misses
	{"not systemd", "myapp", "", "Starting Docker Application Container Engine...", event.LifecycleNone, "", nil},
	{"not systemd unit-scoped", "dockerd", "", "docker.service: Succeeded.", event.LifecycleNone, "", nil},
	{"colon but no unit", "systemd", "", "Failed to open files: No such file or directory", event.LifecycleNone, "", nil},
	{"unknown verb", "systemd", "", "Startup finished in 2.5s (kernel) + 10.1s (userspace) = 12.6s.", event.LifecycleNone, "", nil},
}

func TestDeriveSystemd(t *testing.T) {
	for _, tc := range systemdCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := freshEvent()
			ev.Program, ev.Unit, ev.Message = tc.program, tc.unit, tc.msg
			deriveSystemd(ev)
			if ev.Lifecycle != tc.wantLC {
				t.Errorf("lifecycle = %v, want %v", ev.Lifecycle, tc.wantLC)
			}
			if ev.Unit != tc.want {
				t.Errorf("unit = %q, want %q", ev.Unit, tc.want)
			}
			if !slices.Equal(ev.Fields, tc.fields) {
				t.Errorf("fields\n got %q\nwant %q", ev.Fields, tc.fields)
			}
		})
	}
}

// A lifecycle the journal's MESSAGE_ID gave is not overridden by text.
func TestDeriveSystemdKeepsJournalLifecycle(t *testing.T) {
	ev := freshEvent()
	ev.Program, ev.Message, ev.Lifecycle = "systemd", "Stopped containerd container runtime.", event.Failed
	deriveSystemd(ev)
	if ev.Lifecycle != event.Failed || ev.Unit != "" || len(ev.Fields) != 0 {
		t.Errorf("changed: %+v", ev)
	}
}

func TestUnitDescriptions(t *testing.T) {
	if _, ok := UnitForDescription("Acme Widget Server"); ok {
		t.Fatal("unknown description resolved")
	}
	saved := unitDescriptions["Acme Widget Server"]
	AddUnitDescriptions(map[string]string{"Acme Widget Server": "acme-widget.service"})
	defer func() {
		if saved == "" {
			delete(unitDescriptions, "Acme Widget Server")
		}
	}()
	if u, ok := UnitForDescription("Acme Widget Server"); !ok || u != "acme-widget.service" {
		t.Errorf("after AddUnitDescriptions: %q, %v", u, ok)
	}
	ev := freshEvent()
	ev.Program, ev.Message = "systemd", "Stopping Acme Widget Server..."
	deriveSystemd(ev)
	if ev.Unit != "acme-widget.service" || ev.Lifecycle != event.Stopping {
		t.Errorf("unit %q lifecycle %v", ev.Unit, ev.Lifecycle)
	}
	for desc, want := range map[string]string{
		"Getty on tty1":               "getty@tty1.service",
		"Serial Getty on ttyS0":       "serial-getty@ttyS0.service",
		"Session c2 of user gdm":      "session-c2.scope",
		"OpenBSD Secure Shell server": "ssh.service",
	} {
		if u, ok := UnitForDescription(desc); !ok || u != want {
			t.Errorf("UnitForDescription(%q) = %q, %v; want %q", desc, u, ok, want)
		}
	}
}
