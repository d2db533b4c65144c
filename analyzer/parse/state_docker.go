package parse

import (
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// dockerReader reads `docker info` and `docker version`, which share their
// shape: a "Client:" and a "Server:" section of indented "Key: value"
// lines, sub-keys one level deeper. Before Docker 17.06 `docker info`
// had no sections (keys at column 0, from "Containers: N" on). Which
// command it was, when no prompt said, follows from the keys.
//
//	Client: Docker Engine - Community         Server:
//	 Version:           24.0.7                 Containers: 5
//	 API version:       1.43                    Running: 3
//	...                                        Server Version: 24.0.7
//	Server: Docker Engine - Community          Storage Driver: overlay2
//	 Engine:                                   Docker Root Dir: /var/lib/docker
//	  Version:          24.0.7                 Security Options:
//	  API version:      1.43 (minimum version 1.12)   userns
//	                                          WARNING: No swap limit support
type dockerReader struct {
	command string // "docker info", "docker version"; "" until known
	lines   int
	section string // "client", "server"; "" in the flat layout
	flat    bool
	base    int    // indent of the section's keys
	top     string // the last key at base
	sub     string // the last key one level under a list (a plugin)
	vals    []dockerVal
	strong  bool // a key only docker prints was read
	known   int
}

type dockerVal struct {
	section, top, key, value string
}

func (r *dockerReader) add(raw string, gap bool, p *Parsed) bool {
	line := strings.TrimSpace(raw)
	indent := indentOf(raw)
	if line == "" {
		return r.lines > 0
	}
	if indent == 0 {
		switch {
		case line == "Client:" || strings.HasPrefix(line, "Client: "):
			if r.seen("client") || r.seen("server") {
				return false // the next command's output
			}
			r.section, r.base, r.top, r.flat = "client", 1, "", false
		case line == "Server:" || strings.HasPrefix(line, "Server: "):
			if r.seen("server") {
				return false
			}
			r.section, r.base, r.top, r.flat = "server", 1, "", false
			r.vals = append(r.vals, dockerVal{section: "server"})
		case strings.HasPrefix(line, "WARNING:") || strings.HasPrefix(line, "WARN:"):
			if r.lines == 0 {
				return false
			}
			_, w, _ := strings.Cut(line, ":")
			r.vals = append(r.vals, dockerVal{section: "warning", value: strings.TrimSpace(w)})
		case isDockerError(line):
			r.vals = append(r.vals, dockerVal{section: "error", value: line})
		case (r.section == "" && strings.HasPrefix(line, "Containers: ")) || r.flat:
			k, v, ok := cutKey(line)
			if !ok || !flatInfoKey(k) {
				return false
			}
			r.flat, r.section, r.base = true, "server", 0
			r.key(k, v)
		default:
			return false
		}
		r.lines++
		return true
	}
	if r.section == "" {
		return false
	}
	if r.section == "server" && isDockerError(line) {
		// "Server:" then "ERROR: Cannot connect to the Docker daemon ..."
		r.vals = append(r.vals, dockerVal{section: "error", value: line})
		r.lines++
		return true
	}
	if indent <= r.base {
		k, v, ok := cutKey(line)
		if !ok {
			return false
		}
		r.key(k, v)
	} else {
		k, v, ok := cutKey(line)
		if r.top == "Default Address Pools" || !ok {
			k, v = "", line
		} else if indent > r.base+1 && r.top == "Plugins" && r.sub != "" {
			k = r.sub + " " + k
		} else if r.top == "Plugins" {
			r.sub = k
		}
		r.vals = append(r.vals, dockerVal{section: r.section, top: r.top, key: k, value: v})
	}
	r.lines++
	return true
}

func (r *dockerReader) key(k, v string) {
	r.top, r.sub = k, ""
	r.vals = append(r.vals, dockerVal{section: r.section, top: k, value: v})
	switch k {
	case "Docker Root Dir", "Server Version", "API version", "Storage Driver", "Cgroup Driver", "Containers":
		r.strong = true
	}
	r.known++
}

func (r *dockerReader) seen(section string) bool {
	for _, v := range r.vals {
		if v.section == section {
			return true
		}
	}
	return r.section == section
}

func isDockerError(line string) bool {
	return strings.HasPrefix(line, "Cannot connect to the Docker daemon") ||
		strings.HasPrefix(line, "Error response from daemon:") ||
		strings.HasPrefix(line, "error during connect:") ||
		strings.HasPrefix(line, "ERROR: ") ||
		strings.HasPrefix(line, "permission denied while trying to connect to the Docker daemon") ||
		strings.HasPrefix(line, "Got permission denied while trying to connect to the Docker daemon")
}

// flatInfoKey lists the top-level keys of `docker info` before 17.06,
// printed at column 0: a line merely shaped "Key: value" does not
// continue it.
func flatInfoKey(k string) bool {
	switch k {
	case "Containers", "Running", "Paused", "Stopped", "Images", "Server Version", "Storage Driver",
		"Logging Driver", "Cgroup Driver", "Cgroup Version", "Plugins", "Volume", "Network", "Log",
		"Swarm", "Runtimes", "Default Runtime", "Init Binary", "containerd version", "runc version",
		"init version", "Security Options", "Kernel Version", "Operating System", "OSType",
		"Architecture", "CPUs", "Total Memory", "Name", "ID", "Docker Root Dir", "Debug Mode (client)",
		"Debug Mode (server)", "Debug Mode", "File Descriptors", "Goroutines", "System Time",
		"EventsListeners", "Registry", "Labels", "Experimental", "Insecure Registries",
		"Registry Mirrors", "Live Restore Enabled", "Execution Driver", "Http Proxy", "Https Proxy",
		"No Proxy", "HTTP Proxy", "HTTPS Proxy", "Username", "WARNING", "Product License",
		"Default Address Pools", "Kernel Memory", "Backing Filesystem":
		return true
	}
	return false
}

// get returns the value of key at the top of section (top == "") or
// under top.
func (r *dockerReader) get(section, top, key string) string {
	for _, v := range r.vals {
		if v.section != section {
			continue
		}
		if top == "" && v.key == "" && v.top == key {
			return v.value
		}
		if top != "" && v.top == top && v.key == key {
			return v.value
		}
	}
	return ""
}

func (r *dockerReader) list(section, top string) []string {
	var out []string
	for _, v := range r.vals {
		if v.section == section && v.top == top && v.key == "" && v.value != "" {
			out = append(out, v.value)
		}
	}
	return out
}

func (r *dockerReader) finish(out []event.Event) ([]event.Event, bool) {
	cmd := r.command
	server := func(k string) string { return r.get("server", "", k) }
	if cmd == "" {
		switch {
		case server("Containers") != "" || server("Server Version") != "" || server("Docker Root Dir") != "" ||
			server("Storage Driver") != "" || r.get("client", "", "Debug Mode") != "" ||
			r.get("client", "", "Plugins") != "" || server("Debug Mode") != "":
			cmd = "docker info"
		case r.get("client", "", "API version") != "" || server("Engine") != "" || r.get("server", "Engine", "Version") != "" ||
			server("API version") != "" || r.get("client", "", "Go version") != "":
			cmd = "docker version"
		}
	}
	var errs, warns []string
	for _, v := range r.vals {
		switch v.section {
		case "error":
			errs = append(errs, v.value)
		case "warning":
			warns = append(warns, v.value)
		}
	}
	if cmd == "" || (r.known < 2 && !r.strong && (len(errs) == 0 || r.command == "")) {
		return out, false
	}
	format := FormatDockerInfo
	if cmd == "docker version" {
		format = FormatDockerVersion
	}
	ev := newStateEvent("docker", cmd, format, 0)
	e := &ev
	client := func(k string) string { return r.get("client", "", k) }
	setField(e, "client_version", client("Version"))
	if cmd == "docker version" {
		engine := func(k string) string {
			if v := r.get("server", "Engine", k); v != "" {
				return v
			}
			return server(k)
		}
		setField(e, "client_api_version", client("API version"))
		setField(e, "server_version", engine("Version"))
		api := engine("API version")
		v, minimum, _ := strings.Cut(api, " (minimum version ")
		setField(e, "api_version", strings.TrimSpace(v))
		setField(e, "min_api_version", strings.TrimSuffix(minimum, ")"))
		setField(e, "go_version", engine("Go version"))
		setField(e, "git_commit", engine("Git commit"))
		setField(e, "built", engine("Built"))
		setField(e, "os_arch", engine("OS/Arch"))
		setField(e, "experimental", engine("Experimental"))
		setField(e, "containerd_version", r.get("server", "containerd", "Version"))
		setField(e, "runc_version", r.get("server", "runc", "Version"))
		setField(e, "docker_init_version", r.get("server", "docker-init", "Version"))
		setField(e, "context", client("Context"))
	} else {
		setField(e, "context", client("Context"))
		mapped := map[string]bool{}
		put := func(field, key string) {
			mapped[key] = true
			setField(e, field, server(key))
		}
		put("server_version", "Server Version")
		put("docker_root_dir", "Docker Root Dir")
		put("storage_driver", "Storage Driver")
		setField(e, "backing_filesystem", r.get("server", "Storage Driver", "Backing Filesystem"))
		put("containers", "Containers")
		setField(e, "containers_running", firstNonEmpty(r.get("server", "Containers", "Running"), server("Running")))
		setField(e, "containers_paused", firstNonEmpty(r.get("server", "Containers", "Paused"), server("Paused")))
		setField(e, "containers_stopped", firstNonEmpty(r.get("server", "Containers", "Stopped"), server("Stopped")))
		mapped["Running"], mapped["Paused"], mapped["Stopped"] = true, true, true
		put("images", "Images")
		put("logging_driver", "Logging Driver")
		put("cgroup_driver", "Cgroup Driver")
		put("cgroup_version", "Cgroup Version")
		put("kernel_version", "Kernel Version")
		put("operating_system", "Operating System")
		put("name", "Name")
		put("live_restore_enabled", "Live Restore Enabled")
		put("default_runtime", "Default Runtime")
		sec := r.list("server", "Security Options")
		if len(sec) > 0 {
			// "seccomp" is followed by its "Profile: default" sub-key,
			// kept apart.
			setField(e, "security_options", strings.Join(sec, ","))
		}
		mapped["Security Options"] = true
		root := server("Docker Root Dir")
		switch {
		case containsWord(sec, "userns") || userNSRoot(root):
			setField(e, "userns", "true")
		case len(sec) > 0 || root != "":
			setField(e, "userns", "false")
		}
		var pools []string
		for _, p := range r.list("server", "Default Address Pools") {
			// "Base: 10.10.0.0/16, Size: 24"
			base, size, _ := strings.Cut(p, ", ")
			base = strings.TrimSpace(strings.TrimPrefix(base, "Base:"))
			size = strings.TrimSpace(strings.TrimPrefix(size, "Size:"))
			if size != "" {
				base += " size " + size
			}
			pools = append(pools, base)
		}
		setField(e, "default_address_pools", strings.Join(pools, ", "))
		mapped["Default Address Pools"] = true
		setField(e, "insecure_registries", strings.Join(r.list("server", "Insecure Registries"), ","))
		setField(e, "registry_mirrors", strings.Join(r.list("server", "Registry Mirrors"), ","))
		mapped["Insecure Registries"], mapped["Registry Mirrors"] = true, true
		// Every other server key with a value, in snake_case.
		for _, v := range r.vals {
			if v.section != "server" || v.key != "" || v.value == "" || mapped[v.top] {
				continue
			}
			if name := snakeKey(v.top); name != "" {
				if _, dup := e.Field(name); !dup {
					setField(e, name, v.value)
				}
			}
		}
	}
	setField(e, "warnings", strings.Join(warns, "\n"))
	setField(e, "server_error", strings.Join(errs, "\n"))
	e.Message = dockerSummary(e, cmd)
	if len(errs) > 0 {
		e.Priority = 3
	}
	return append(out, ev), true
}

func dockerSummary(e *event.Event, cmd string) string {
	var parts []string
	add := func(label, key string) {
		if v, ok := e.Field(key); ok {
			parts = append(parts, label+v)
		}
	}
	add("server ", "server_version")
	if cmd == "docker version" {
		add("API ", "api_version")
		add("minimum API ", "min_api_version")
		add("client ", "client_version")
		add("client API ", "client_api_version")
	} else {
		add("root ", "docker_root_dir")
		add("storage ", "storage_driver")
		if _, ok := e.Field("server_version"); !ok {
			add("client ", "client_version")
		}
		if v, _ := e.Field("userns"); v == "true" {
			parts = append(parts, "userns-remap")
		}
	}
	if v, ok := e.Field("server_error"); ok {
		v, _, _ = strings.Cut(v, "\n")
		parts = append(parts, v)
	}
	return cmd + ": " + strings.Join(parts, ", ")
}

// userNSRoot reports a data root of userns-remap: "/var/lib/docker/493216.493216".
func userNSRoot(root string) bool {
	i := strings.LastIndexByte(root, '/')
	if i < 0 {
		return false
	}
	a, b, ok := strings.Cut(root[i+1:], ".")
	_, ok1 := atoiN([]byte(a))
	_, ok2 := atoiN([]byte(b))
	return ok && ok1 && ok2
}

func containsWord(list []string, w string) bool {
	for _, s := range list {
		if s == w {
			return true
		}
	}
	return false
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// snakeKey turns "Total Memory" into "total_memory"; "" for a key with
// anything but letters, digits, spaces, '-' and '/'.
func snakeKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '/':
			b.WriteByte('_')
		case c == '(' || c == ')':
		default:
			return ""
		}
	}
	return strings.Trim(b.String(), "_")
}
