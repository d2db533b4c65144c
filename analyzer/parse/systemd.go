package parse

import (
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// deriveSystemd sets Unit and Lifecycle from systemd's own messages
// (DESIGN §3). It looks only at events whose Program is "systemd" (or
// "init") and that have no lifecycle yet (the journal's MESSAGE_ID
// already gave one); Unit is set only when empty, so the journal's UNIT=
// wins over text.
//
//	Stopping Docker Application Container Engine...        old style: description, unit from the table
//	Stopping docker.service - Docker Application ...      new style: unit named
//	docker.service: Deactivated successfully.             unit-scoped
//	Reloading.                                            daemon reload: no unit
//
// Field values are substrings of the message: no allocation.
func deriveSystemd(ev *event.Event) {
	if ev.Lifecycle != event.LifecycleNone || (ev.Program != "systemd" && ev.Program != "init") {
		return
	}
	m := ev.Message
	if len(m) < 8 {
		return
	}
	if i := strings.Index(m, ": "); i > 0 && isUnitName(m[:i]) {
		unitScoped(ev, m[:i], m[i+2:])
		return
	}
	if m[len(m)-1] == '.' || m[0] == 's' {
		if oldUnitMessage(ev, m) {
			return
		}
	}
	switch m[0] {
	case 'S', 'F', 'R':
	default:
		return
	}
	for _, v := range systemdVerbs {
		if !strings.HasPrefix(m, v.prefix) {
			continue
		}
		rest := strings.TrimSuffix(m[len(v.prefix):], v.suffix)
		if v.lc == event.Reloading && strings.HasPrefix(rest, "requested from client PID") {
			rest = "" // systemd >= 256 daemon reload
		}
		ev.Lifecycle = v.lc
		describe(ev, rest, v.target)
		return
	}
	if m == "Reloading." {
		ev.Lifecycle = event.Reloading
	}
}

type systemdVerb struct {
	prefix, suffix string
	lc             event.Lifecycle
	target         bool // the description names a target
}

// systemdVerbs are the job messages, longest prefix first where one
// prefix extends another ("Stopped target " before "Stopped ").
var systemdVerbs = [...]systemdVerb{
	{"Starting ", "...", event.Starting, false},
	{"Started ", ".", event.Started, false},
	{"Stopping ", "...", event.Stopping, false},
	{"Stopped target ", ".", event.Stopped, true},
	{"Stopped ", ".", event.Stopped, false},
	{"Finished ", ".", event.Finished, false},
	{"Failed to start ", ".", event.Failed, false},
	{"Reloading ", "...", event.Reloading, false},
	{"Reloaded ", ".", event.Reloaded, false},
	{"Reached target ", ".", event.Started, true},
}

// describe sets Unit and the description field from the object of a job
// message: "docker.service - Docker Application Container Engine" or
// just the description.
func describe(ev *event.Event, rest string, target bool) {
	if rest == "" {
		return
	}
	desc := rest
	unit := ""
	if i := strings.Index(rest, " - "); i > 0 && isUnitName(rest[:i]) {
		unit, desc = rest[:i], rest[i+3:]
	} else if u, ok := UnitForDescription(desc); ok {
		unit = u
	} else if target {
		unit = targetUnits[desc]
	}
	if ev.Unit == "" {
		ev.Unit = unit
	}
	ev.Fields = append(ev.Fields, event.Field{Key: "description", Value: desc})
}

// unitScoped handles "<unit>: <what happened>".
func unitScoped(ev *event.Event, unit, what string) {
	if ev.Unit == "" {
		ev.Unit = unit
	}
	switch {
	case what == "Succeeded." || what == "Deactivated successfully.":
		ev.Lifecycle = event.Stopped
	case strings.HasPrefix(what, "Main process exited, ") || strings.HasPrefix(what, "Control process exited, ") ||
		strings.HasPrefix(what, "main process exited, ") || strings.HasPrefix(what, "control process exited, "): // lower case: systemd < 236
		code, status := exitStatus(what)
		if code != "" {
			ev.Fields = append(ev.Fields,
				event.Field{Key: "exit_code", Value: code},
				event.Field{Key: "exit_status", Value: status})
		}
		if exitFailed(code, status) {
			ev.Lifecycle = event.Failed
		}
	case strings.HasPrefix(what, "Failed with result '"):
		ev.Lifecycle = event.Failed
		r := what[len("Failed with result '"):]
		if i := strings.IndexByte(r, '\''); i > 0 {
			ev.Fields = append(ev.Fields, event.Field{Key: "result", Value: r[:i]})
		}
	case what == "Unit entered failed state.": // systemd < 236
		ev.Lifecycle = event.Failed
	case strings.HasPrefix(what, "Scheduled restart job, restart counter is at "):
		ev.Lifecycle = event.Restarting
		n := strings.TrimSuffix(what[len("Scheduled restart job, restart counter is at "):], ".")
		if _, ok := atoiN(bytesOf(n)); ok {
			ev.Fields = append(ev.Fields, event.Field{Key: "restart_count", Value: n})
		}
	case what == "Service hold-off time over, scheduling restart.", // systemd < 236
		what == "Service RestartSec=100ms expired, scheduling restart.":
		ev.Lifecycle = event.Restarting
	case strings.HasPrefix(what, "Start request repeated too quickly."):
		ev.Lifecycle = event.Failed
		ev.Fields = append(ev.Fields, event.Field{Key: "start_limit_hit", Value: "true"})
	}
}

// oldUnitMessage handles the wording of systemd before 236 (CentOS 7's
// 219, Ubuntu 16.04's 229), which names the unit inside the sentence:
//
//	nginx.service has no holdoff time, scheduling restart.
//	nginx.service holdoff time over, scheduling restart.
//	start request repeated too quickly for nginx.service
//	Unit nginx.service entered failed state.
//	nginx.service failed.
func oldUnitMessage(ev *event.Event, m string) bool {
	const limit = "start request repeated too quickly for "
	var unit string
	lc, limitHit := event.Failed, false
	switch {
	case strings.HasSuffix(m, ", scheduling restart."):
		u, what, _ := strings.Cut(m, " ")
		if what != "has no holdoff time, scheduling restart." && what != "holdoff time over, scheduling restart." {
			return false
		}
		unit, lc = u, event.Restarting
	case strings.HasPrefix(m, limit):
		unit, limitHit = m[len(limit):], true
	case strings.HasPrefix(m, "Unit ") && strings.HasSuffix(m, " entered failed state."):
		unit = m[len("Unit ") : len(m)-len(" entered failed state.")]
	case strings.HasSuffix(m, " failed.") && strings.IndexByte(m, ' ') == len(m)-len(" failed."):
		unit = m[:len(m)-len(" failed.")]
	default:
		return false
	}
	if !isUnitName(unit) {
		return false
	}
	ev.Lifecycle = lc
	if limitHit {
		ev.Fields = append(ev.Fields, event.Field{Key: "start_limit_hit", Value: "true"})
	}
	if ev.Unit == "" {
		ev.Unit = unit
	}
	return true
}

// exitStatus reads "code=exited, status=1/FAILURE" from a process-exit
// message.
func exitStatus(s string) (code, status string) {
	i := strings.Index(s, "code=")
	if i < 0 {
		return "", ""
	}
	s = s[i+len("code="):]
	if j := strings.IndexByte(s, ','); j >= 0 {
		code, s = s[:j], s[j+1:]
	} else {
		return s, ""
	}
	if i := strings.Index(s, "status="); i >= 0 {
		status = s[i+len("status="):]
		if j := strings.IndexAny(status, " ,"); j >= 0 {
			status = status[:j]
		}
	}
	return code, status
}

// exitFailed says whether a process exit counts as a failure under
// systemd's defaults: a non-zero exit, or death by a signal other than
// the clean-stop ones (SIGTERM, SIGINT, SIGHUP, SIGPIPE).
func exitFailed(code, status string) bool {
	switch code {
	case "exited":
		return !strings.HasPrefix(status, "0/") && status != "0"
	case "killed":
		switch status {
		case "15/TERM", "2/INT", "1/HUP", "13/PIPE", "TERM", "INT", "HUP", "PIPE":
			return false
		}
		return true
	case "dumped":
		return true
	}
	return false
}

// unitTypes are the unit name suffixes systemd knows.
var unitTypes = [...]string{".service", ".socket", ".timer", ".mount", ".target", ".scope",
	".slice", ".path", ".device", ".swap", ".automount"}

// isUnitName reports whether s looks like a unit name ("docker.service",
// "user@1000.service", "sys-devices-...device"): the characters systemd
// allows in unit names and a known type suffix.
func isUnitName(s string) bool {
	if len(s) < 3 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '@' || c == ':' || c == '\\') {
			return false
		}
	}
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 {
		return false
	}
	suffix := s[dot:]
	for _, t := range unitTypes {
		if suffix == t {
			return true
		}
	}
	return false
}

// unitDescriptions maps the Description= of well-known units to the unit,
// so that old-style messages ("Stopping Docker Application Container
// Engine...") name their unit. Where a service and its timer share a
// description, the service is meant: timers log no start jobs worth a
// lifecycle.
var unitDescriptions = map[string]string{
	"Docker Application Container Engine":                      "docker.service",
	"Docker Socket for the API":                                "docker.socket",
	"containerd container runtime":                             "containerd.service",
	"Daily apt upgrade and clean activities":                   "apt-daily-upgrade.service",
	"Daily apt download activities":                            "apt-daily.service",
	"kubelet: The Kubernetes Node Agent":                       "kubelet.service",
	"Unattended Upgrades Shutdown":                             "unattended-upgrades.service",
	"Message of the Day":                                       "motd-news.service",
	"OpenBSD Secure Shell server":                              "ssh.service",
	"OpenSSH server daemon":                                    "sshd.service",
	"Regular background program processing daemon":             "cron.service",
	"Command Scheduler":                                        "crond.service",
	"System Logging Service":                                   "rsyslog.service",
	"Journal Service":                                          "systemd-journald.service",
	"Login Service":                                            "systemd-logind.service",
	"User Login Management":                                    "systemd-logind.service",
	"Network Time Synchronization":                             "systemd-timesyncd.service",
	"Network Name Resolution":                                  "systemd-resolved.service",
	"Network Service":                                          "systemd-networkd.service",
	"Network Manager":                                          "NetworkManager.service",
	"Dispatcher daemon for systemd-networkd":                   "networkd-dispatcher.service",
	"Snap Daemon":                                              "snapd.service",
	"Rotate log files":                                         "logrotate.service",
	"Daily rotation of log files":                              "logrotate.timer",
	"Daily man-db regeneration":                                "man-db.service",
	"Cleanup of Temporary Directories":                         "systemd-tmpfiles-clean.service",
	"Daily Cleanup of Temporary Directories":                   "systemd-tmpfiles-clean.timer",
	"A high performance web server and a reverse proxy server": "nginx.service",
	"The Apache HTTP Server":                                   "apache2.service",
	"chrony, an NTP client/server":                             "chrony.service",
	"NTP client/server":                                        "chronyd.service",
	"Reminder for degraded MD arrays":                          "mdmonitor-oneshot.service",
	"Discard unused blocks on filesystems from /etc/fstab":     "fstrim.service",
	"Discard unused blocks once a week":                        "fstrim.timer",
	"Refresh fwupd metadata and update motd":                   "fwupd-refresh.service",
	"Firmware update daemon":                                   "fwupd.service",
	"Update APT News":                                          "apt-news.service",
	"Update the local ESM caches":                              "esm-cache.service",
	"Ubuntu Advantage Timer for running repeated jobs":         "ua-timer.service",
	"D-Bus System Message Bus":                                 "dbus.service",
	"Authorization Manager":                                    "polkit.service",
	"Accounts Service":                                         "accounts-daemon.service",
	"Permit User Sessions":                                     "systemd-user-sessions.service",
	"Record System Boot/Shutdown in UTMP":                      "systemd-update-utmp.service",
	"Hostname Service":                                         "systemd-hostnamed.service",
	"Time & Date Service":                                      "systemd-timedated.service",
	"Locale Service":                                           "systemd-localed.service",
	"Load Kernel Modules":                                      "systemd-modules-load.service",
	"Apply Kernel Variables":                                   "systemd-sysctl.service",
	"Rule-based Manager for Device Events and Files":           "systemd-udevd.service",
	"Postfix Mail Transport Agent":                             "postfix.service",
	"PostgreSQL RDBMS":                                         "postgresql.service",
	"Fail2Ban Service":                                         "fail2ban.service",
	"irqbalance daemon":                                        "irqbalance.service",
	"Disk Manager":                                             "udisks2.service",
	"Modem Manager":                                            "ModemManager.service",
	"Availability of block devices":                            "blk-availability.service",
	"Tailscale node agent":                                     "tailscaled.service",
	"Load/Save Random Seed":                                    "systemd-random-seed.service",
	"Create Volatile Files and Directories":                    "systemd-tmpfiles-setup.service",
	"Flush Journal to Persistent Storage":                      "systemd-journal-flush.service",
	"Remount Root and Kernel File Systems":                     "systemd-remount-fs.service",
	"Coldplug All udev Devices":                                "systemd-udev-trigger.service",
	"Wait for Network to be Configured":                        "systemd-networkd-wait-online.service",
	"Raise network interfaces":                                 "networking.service",
	"Helper to synchronize boot up for ifupdown":               "ifupdown-pre.service",
	"Pollinate to seed the pseudo random number generator":     "pollinate.service",
	"Initial cloud-init job (pre-networking)":                  "cloud-init-local.service",
	"Initial cloud-init job (metadata service crawler)":        "cloud-init.service",
	"Apply the settings specified in cloud-config":             "cloud-config.service",
	"Execute cloud user/final scripts":                         "cloud-final.service",
}

// targetUnits maps the descriptions of common targets, for "Reached
// target X." and "Stopped target X.".
var targetUnits = map[string]string{
	"Multi-User System":             "multi-user.target",
	"Graphical Interface":           "graphical.target",
	"Network":                       "network.target",
	"Network is Online":             "network-online.target",
	"Basic System":                  "basic.target",
	"Sockets":                       "sockets.target",
	"Timers":                        "timers.target",
	"Paths":                         "paths.target",
	"Local File Systems":            "local-fs.target",
	"Remote File Systems":           "remote-fs.target",
	"System Initialization":         "sysinit.target",
	"Swaps":                         "swap.target",
	"Shutdown":                      "shutdown.target",
	"System Reboot":                 "reboot.target",
	"System Power Off":              "poweroff.target",
	"Cloud-init target":             "cloud-init.target",
	"Host and Network Name Lookups": "nss-lookup.target",
}

// AddUnitDescriptions adds description -> unit pairs (a signature pack's
// own services) to the table old-style systemd messages are resolved
// with, replacing existing descriptions. Call it before parsing starts:
// it is not safe to call concurrently with parsing.
func AddUnitDescriptions(m map[string]string) {
	for d, u := range m {
		unitDescriptions[d] = u
	}
}

// UnitForDescription returns the unit whose Description= is desc, from
// the built-in table, AddUnitDescriptions, or the patterns of templated
// units ("User Manager for UID 1000" -> user@1000.service, "Session 5 of
// User ubuntu" -> session-5.scope, "Getty on tty1" -> getty@tty1.service).
func UnitForDescription(desc string) (string, bool) {
	if u, ok := unitDescriptions[desc]; ok {
		return u, true
	}
	for _, t := range unitTemplates {
		if !strings.HasPrefix(desc, t.prefix) {
			continue
		}
		inst := desc[len(t.prefix):]
		if t.prefix == "Session " {
			i := strings.Index(inst, " of ")
			if i <= 0 || !strings.EqualFold(inst[i:min(len(inst), i+9)], " of user ") {
				return "", false
			}
			inst = inst[:i]
		}
		u := t.unit + inst + t.suffix
		if inst == "" || strings.ContainsAny(inst, " \t/") || !isUnitName(u) {
			return "", false
		}
		return u, true
	}
	return "", false
}

// unitTemplates are the descriptions of templated units, whose instance
// follows a fixed prefix.
var unitTemplates = [...]struct{ prefix, unit, suffix string }{
	{"User Manager for UID ", "user@", ".service"},
	{"User Runtime Directory /run/user/", "user-runtime-dir@", ".service"},
	{"Session ", "session-", ".scope"},
	{"Getty on ", "getty@", ".service"},
	{"Serial Getty on ", "serial-getty@", ".service"},
}
