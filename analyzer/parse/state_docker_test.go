package parse

import (
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

const dockerInfo2410 = `Client: Docker Engine - Community
 Version:    24.0.7
 Context:    default
 Debug Mode: false
 Plugins:
  buildx: Docker Buildx (Docker Inc.)
    Version:  v0.11.2
    Path:     /usr/libexec/docker/cli-plugins/docker-buildx
  compose: Docker Compose (Docker Inc.)
    Version:  v2.21.0
    Path:     /usr/libexec/docker/cli-plugins/docker-compose

Server:
 Containers: 7
  Running: 0
  Paused: 0
  Stopped: 7
 Images: 0
 Server Version: 24.0.7
 Storage Driver: overlay2
  Backing Filesystem: extfs
  Supports d_type: true
  Using metacopy: false
  Native Overlay Diff: true
  userxattr: false
 Logging Driver: json-file
 Cgroup Driver: systemd
 Cgroup Version: 2
 Plugins:
  Volume: local
  Network: bridge host ipvlan macvlan null overlay
  Log: awslogs fluentd gcplogs gelf journald json-file local logentries splunk syslog
 Swarm: inactive
 Runtimes: io.containerd.runc.v2 runc
 Default Runtime: runc
 Init Binary: docker-init
 containerd version: 61f9fd88f79f081d64d6fa3bb1a0dc71ec870523
 runc version: v1.1.9-0-gccaecfc
 init version: de40ad0
 Security Options:
  apparmor
  seccomp
   Profile: builtin
  userns
  cgroupns
 Kernel Version: 5.15.0-88-generic
 Operating System: Ubuntu 22.04.3 LTS
 OSType: linux
 Architecture: x86_64
 CPUs: 4
 Total Memory: 7.751GiB
 Name: nas-1
 ID: 9d1c2f3e-55aa-4b7e-9f01-2c3d4e5f6a7b
 Docker Root Dir: /var/lib/docker/493216.493216
 Debug Mode: false
 Experimental: false
 Insecure Registries:
  127.0.0.0/8
 Live Restore Enabled: false
 Default Address Pools:
   Base: 10.210.0.0/16, Size: 24
   Base: 10.211.0.0/16, Size: 24

WARNING: No swap limit support`

const dockerInfo1706 = `Containers: 3
Running: 2
Paused: 0
Stopped: 1
Images: 14
Server Version: 17.03.2-ce
Storage Driver: aufs
 Root Dir: /data/docker/aufs
 Backing Filesystem: extfs
 Dirs: 52
Logging Driver: json-file
Cgroup Driver: cgroupfs
Plugins:
 Volume: local
 Network: bridge host macvlan null overlay
Swarm: inactive
Security Options:
 apparmor
 seccomp
  Profile: default
Kernel Version: 4.4.0-87-generic
Operating System: Ubuntu 16.04.3 LTS
Name: build-2
Docker Root Dir: /data/docker
Debug Mode (client): false
Debug Mode (server): false
Registry: https://index.docker.io/v1/
Live Restore Enabled: false
WARNING: No swap limit support`

const dockerVersion = `Client: Docker Engine - Community
 Version:           29.0.1
 API version:       1.52
 Go version:        go1.25.4
 Git commit:        eedd969
 Built:             Fri Nov 14 16:17:29 2025
 OS/Arch:           linux/amd64
 Context:           default

Server: Docker Engine - Community
 Engine:
  Version:          29.0.1
  API version:      1.52 (minimum version 1.44)
  Go version:       go1.25.4
  Git commit:       198b5e3
  Built:            Fri Nov 14 16:17:29 2025
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          v2.1.5
  GitCommit:        fcd43222d6b07379a4be9786bda52438f0dd16a1
 runc:
  Version:          1.3.3
  GitCommit:        v1.3.3-0-gd842d771
 docker-init:
  Version:          0.19.0
  GitCommit:        de40ad0`

func TestDockerInfo(t *testing.T) {
	cases := []struct {
		name, text, cmdPrompt string
		fields                map[string]string
		msg                   string
	}{{
		name: "24.x with sections, userns-remap",
		text: dockerInfo2410,
		fields: map[string]string{"command": "docker info", "client_version": "24.0.7", "server_version": "24.0.7",
			"docker_root_dir": "/var/lib/docker/493216.493216", "storage_driver": "overlay2", "backing_filesystem": "extfs",
			"containers": "7", "containers_running": "0", "containers_stopped": "7", "images": "0",
			"cgroup_driver": "systemd", "cgroup_version": "2", "logging_driver": "json-file", "name": "nas-1",
			"userns": "true", "security_options": "apparmor,seccomp,userns,cgroupns",
			"default_address_pools": "10.210.0.0/16 size 24, 10.211.0.0/16 size 24",
			"insecure_registries":   "127.0.0.0/8", "warnings": "No swap limit support", "kernel_version": "5.15.0-88-generic",
			"operating_system": "Ubuntu 22.04.3 LTS", "total_memory": "7.751GiB", "live_restore_enabled": "false",
			"runc_version": "v1.1.9-0-gccaecfc", "context": "default", "server_error": "-"},
		msg: "docker info: server 24.0.7, root /var/lib/docker/493216.493216, storage overlay2, userns-remap",
	}, {
		name: "17.03 without sections",
		text: dockerInfo1706,
		fields: map[string]string{"server_version": "17.03.2-ce", "docker_root_dir": "/data/docker", "storage_driver": "aufs",
			"backing_filesystem": "extfs", "containers": "3", "containers_running": "2", "userns": "false",
			"security_options": "apparmor,seccomp", "warnings": "No swap limit support", "name": "build-2", "client_version": "-"},
	}, {
		name:   "the seed's cut paste",
		text:   "Server:\n Docker Root Dir: /var/lib/docker\n Debug Mode: false",
		fields: map[string]string{"docker_root_dir": "/var/lib/docker", "userns": "false", "debug_mode": "false"},
		msg:    "docker info: root /var/lib/docker",
	}, {
		name:      "daemon down, after a prompt",
		cmdPrompt: "docker info",
		text:      "Client:\n Version:    24.0.7\n Context:    default\n Debug Mode: false\n\nServer:\nERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\nerrors pretty printing info",
		fields: map[string]string{"client_version": "24.0.7",
			"server_error": "ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"},
		msg: "docker info: client 24.0.7, ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var evs []event.Event
			if tc.cmdPrompt != "" {
				evs = assembleWithPrompt(t, tc.cmdPrompt, tc.text)
			} else {
				evs = assembleText(t, tc.text, AssemblerConfig{})
			}
			st := stateEvents(evs)
			if len(st) != 1 {
				t.Fatalf("state events = %d, want 1: %+v", len(st), evs)
			}
			ev := st[0]
			if ev.Program != "docker" || ev.Source.Format != FormatDockerInfo {
				t.Errorf("program %q format %q", ev.Program, ev.Source.Format)
			}
			checkFields(t, ev, tc.fields)
			if tc.msg != "" && ev.Message != tc.msg {
				t.Errorf("message %q, want %q", ev.Message, tc.msg)
			}
		})
	}
}

// assembleWithPrompt feeds a command event (what a pasted prompt line
// becomes) before text.
func assembleWithPrompt(t *testing.T, cmd, text string) []event.Event {
	t.Helper()
	a := NewAssembler(AssemblerConfig{Path: "paste.txt"})
	ps := []Parsed{{Kind: KindEntry, Line: 1, Raw: "$ " + cmd, Event: event.Event{Kind: event.KindCommand, Message: cmd, Priority: event.NoPriority}}}
	var p Parser
	o := Options{Location: a.cfg.Location, Year: 2023}
	for i, line := range strings.Split(text, "\n") {
		var pp Parsed
		pp.Event = event.Event{Priority: event.NoPriority}
		pp.Line, pp.Raw = int64(i+2), line
		if pp.Kind = p.ParseLine([]byte(line), &o, &pp.Event); pp.Kind != KindSkip {
			ps = append(ps, pp)
		}
	}
	return a.Flush(a.AddAll(nil, ps))
}

func TestDockerVersion(t *testing.T) {
	evs := assembleText(t, dockerVersion, AssemblerConfig{})
	st := stateEvents(evs)
	if len(st) != 1 || len(evs) != 1 {
		t.Fatalf("events %d, state %d, want 1 state event: %+v", len(evs), len(st), evs)
	}
	ev := st[0]
	if ev.Source.Format != FormatDockerVersion {
		t.Errorf("format %q", ev.Source.Format)
	}
	checkFields(t, ev, map[string]string{"command": "docker version", "client_version": "29.0.1", "client_api_version": "1.52",
		"server_version": "29.0.1", "api_version": "1.52", "min_api_version": "1.44", "go_version": "go1.25.4",
		"git_commit": "198b5e3", "os_arch": "linux/amd64", "containerd_version": "v2.1.5", "runc_version": "1.3.3",
		"docker_init_version": "0.19.0"})
	if want := "docker version: server 29.0.1, API 1.52, minimum API 1.44, client 29.0.1, client API 1.52"; ev.Message != want {
		t.Errorf("message %q, want %q", ev.Message, want)
	}

	// Before 17.06 the server section has no Engine: sub-section; a
	// client too new for the daemon ends in an error.
	old := "Client:\n Version:      17.03.2-ce\n API version:  1.27\n Go version:   go1.7.5\n\nServer:\n Version:      17.03.2-ce\n API version:  1.27 (minimum version 1.12)\n Go version:   go1.7.5"
	st = stateEvents(assembleText(t, old, AssemblerConfig{}))
	if len(st) != 1 {
		t.Fatalf("old layout: %d state events", len(st))
	}
	checkFields(t, st[0], map[string]string{"server_version": "17.03.2-ce", "api_version": "1.27", "min_api_version": "1.12", "client_api_version": "1.27"})

	tooNew := "Client:\n Version:           29.0.1\n API version:       1.52\n Go version:        go1.25.4\nError response from daemon: client version 1.52 is too new. Maximum supported API version is 1.43"
	st = stateEvents(assembleText(t, tooNew, AssemblerConfig{}))
	if len(st) != 1 {
		t.Fatalf("too new: %d state events", len(st))
	}
	checkFields(t, st[0], map[string]string{"client_api_version": "1.52", "server_version": "-",
		"server_error": "Error response from daemon: client version 1.52 is too new. Maximum supported API version is 1.43"})
	if st[0].Priority != 3 {
		t.Errorf("priority %v, want err", st[0].Priority)
	}
}

// Two outputs pasted one after the other are two events; a line that only
// looks like a docker section is read as the text it is.
func TestDockerBlocksAndNearMisses(t *testing.T) {
	evs := assembleText(t, dockerVersion+"\n"+dockerInfo2410, AssemblerConfig{})
	if len(evs) != 2 || evs[0].Source.Format != FormatDockerVersion || evs[1].Source.Format != FormatDockerInfo {
		t.Fatalf("version then info: %+v", evs)
	}
	if evs[1].Source.Line != int64(strings.Count(dockerVersion, "\n")+2) {
		t.Errorf("docker info at line %d", evs[1].Source.Line)
	}

	// curl -I: "Server: nginx" is an HTTP header.
	curl := "HTTP/1.1 502 Bad Gateway\nServer: nginx/1.18.0 (Ubuntu)\nDate: Tue, 14 Nov 2023 06:20:24 GMT\nContent-Type: text/html\n  indented continuation"
	evs = assembleText(t, curl, AssemblerConfig{})
	if n := len(stateEvents(evs)); n != 0 {
		t.Fatalf("curl output: %d state events", n)
	}
	var msgs []string
	for _, e := range evs {
		msgs = append(msgs, e.Message)
	}
	want := []string{"HTTP/1.1 502 Bad Gateway", "Server: nginx/1.18.0 (Ubuntu)", "Date: Tue, 14 Nov 2023 06:20:24 GMT", "Content-Type: text/html\nindented continuation"}
	if strings.Join(msgs, "|") != strings.Join(want, "|") {
		t.Errorf("curl lines:\n%q\nwant\n%q", msgs, want)
	}
}
