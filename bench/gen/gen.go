package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// record is one syslog message before it is rendered.
type record struct {
	t    time.Time
	host string
	prog string
	pid  int // 0: no [pid]
	msg  string
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendRFC3164 renders "Oct  7 06:20:21 host prog[pid]: msg\n".
func (r *record) appendRFC3164(b []byte) []byte {
	_, mo, d := r.t.Date()
	h, mi, s := r.t.Clock()
	b = append(b, months[mo-1]...)
	b = append(b, ' ')
	if d < 10 {
		b = append(b, ' ')
	}
	b = fmt.Appendf(b, "%d %02d:%02d:%02d ", d, h, mi, s)
	return r.appendTail(b)
}

// appendRFC3339 renders RSYSLOG_FileFormat: microseconds and a colon offset.
func (r *record) appendRFC3339(b []byte) []byte {
	b = r.t.AppendFormat(b, "2006-01-02T15:04:05.000000-07:00")
	b = append(b, ' ')
	return r.appendTail(b)
}

func (r *record) appendTail(b []byte) []byte {
	b = append(b, r.host...)
	b = append(b, ' ')
	b = append(b, r.prog...)
	if r.pid != 0 {
		b = fmt.Appendf(b, "[%d]", r.pid)
	}
	b = append(b, ':', ' ')
	b = append(b, r.msg...)
	return append(b, '\n')
}

// host is one machine of the fleet, with its long-running daemons' PIDs.
type host struct {
	name                               string
	k8s                                bool
	boot                               time.Time
	dockerd, containerd, kubelet, qmgr int
	resolved                           int
	dockerDownUntil                    time.Time // dockerd is stopped until then
}

type gen struct {
	rng   *rand.Rand
	now   time.Time
	first time.Time
	hosts []*host
	pid   int
	// attackers are the addresses of the dense corpus's brute force.
	attackers []*attacker
}

var kst = time.FixedZone("KST", 9*3600)

func newGen(seed uint64) *gen {
	// Starts three days before a new year, so the year-less stamps roll over.
	start := time.Date(2020, 12, 29, 18, 0, 0, 0, kst)
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x6c6f67736c657568)), now: start, first: start, pid: 20000}
	for i, n := range []string{"web-1", "web-2", "web-3", "db-1", "k8s-node-1", "k8s-node-2"} {
		h := &host{name: n, k8s: i >= 4, boot: start.Add(-time.Duration(3+i*5) * 24 * time.Hour)}
		h.dockerd, h.containerd, h.kubelet, h.qmgr, h.resolved = g.nextPID(), g.nextPID(), g.nextPID(), g.nextPID(), 600+i
		g.hosts = append(g.hosts, h)
	}
	return g
}

func (g *gen) nextPID() int {
	g.pid += 1 + g.rng.IntN(40)
	if g.pid > 4_000_000 {
		g.pid = 1000
	}
	return g.pid
}

// tick advances the clock by an exponential gap of the given mean.
func (g *gen) tick(mean time.Duration) time.Time {
	g.now = g.now.Add(time.Duration(g.rng.ExpFloat64() * float64(mean)))
	return g.now
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", []int{10, 172, 192, 203, 198}[g.rng.IntN(5)], g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *gen) uptime(h *host) string {
	up := g.now.Sub(h.boot)
	return fmt.Sprintf("[%5d.%06d]", int64(up/time.Second), int64(up%time.Second/time.Microsecond))
}

// logfmtTime is dockerd's RFC3339NanoFixed in the host's zone.
func (g *gen) logfmtTime() string {
	return g.now.Add(-time.Duration(g.rng.IntN(900)) * time.Microsecond).Format("2006-01-02T15:04:05.000000000Z07:00")
}

// klog renders a kubelet header "I1007 06:20:21.433183    1234 file:line] ".
func (g *gen) klog(sev byte, h *host, loc string) string {
	return fmt.Sprintf("%c%s %s %8d %s] ", sev, g.now.Format("0102"), g.now.Format("15:04:05.000000"), h.kubelet, loc)
}

var (
	users     = []string{"ubuntu", "deploy", "admin", "jenkins", "backup"}
	badUsers  = []string{"admin", "test", "oracle", "user", "ftpuser", "pi", "postgres", "git"}
	units     = [][2]string{{"apt-daily.service", "Daily apt download activities"}, {"logrotate.service", "Rotate log files"}, {"man-db.service", "Daily man-db regeneration"}, {"motd-news.service", "Message of the Day"}, {"systemd-tmpfiles-clean.service", "Cleanup of Temporary Directories"}, {"fstrim.service", "Discard unused blocks on filesystems from /etc/fstab"}, {"certbot.service", "Certbot"}, {"sysstat-collect.service", "system activity accounting tool"}}
	pods      = []string{"default/web-7d4b9c8f6-x2k9p", "default/api-5f6c7d8b9-q8w7e", "kube-system/coredns-558bd4d5db-zx4lm", "monitoring/node-exporter-9k2lp", "default/worker-6b7c8d9e0-m3n4b"}
	kernelMsg = []string{
		"br-4f0a7c2e9d11: port %d(veth%s) entered forwarding state",
		"br-4f0a7c2e9d11: port %d(veth%s) entered disabled state",
		"IPv6: ADDRCONF(NETDEV_CHANGE): veth%[2]s: link becomes ready",
	}
)

// noise returns one everyday message from a random host.
func (g *gen) noise() record {
	h := g.hosts[g.rng.IntN(len(g.hosts))]
	t := g.tick(45 * time.Millisecond)
	r := record{t: t, host: h.name}
	switch n := g.rng.IntN(100); {
	case n < 12: // sshd: mostly the internet knocking
		r.prog, r.pid = "sshd", g.nextPID()
		ip, port := g.ip(), 1024+g.rng.IntN(64000)
		switch g.rng.IntN(5) {
		case 0:
			r.msg = fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: RSA SHA256:%s", g.pick(users), ip, port, g.hex(43))
		case 1:
			r.msg = fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", g.pick(badUsers), ip, port)
		case 2:
			r.msg = fmt.Sprintf("Invalid user %s from %s port %d", g.pick(badUsers), ip, port)
		case 3:
			r.msg = fmt.Sprintf("Connection closed by %s port %d [preauth]", ip, port)
		default:
			r.msg = fmt.Sprintf("pam_unix(sshd:session): session opened for user %s by (uid=0)", g.pick(users))
		}
	case n < 20: // cron
		r.prog, r.pid = "CRON", g.nextPID()
		switch g.rng.IntN(3) {
		case 0:
			r.msg = "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)"
		case 1:
			r.msg = "pam_unix(cron:session): session opened for user root by (uid=0)"
		default:
			r.msg = "pam_unix(cron:session): session closed for user root"
		}
	case n < 30: // systemd lifecycle
		r.prog, r.pid = "systemd", 1
		u := units[g.rng.IntN(len(units))]
		switch g.rng.IntN(4) {
		case 0:
			r.msg = "Starting " + u[1] + "..."
		case 1:
			r.msg = u[0] + ": Succeeded."
		case 2:
			r.msg = "Finished " + u[1] + "."
		default:
			r.msg = "Started " + u[1] + "."
		}
	case n < 40: // kernel, with the printk uptime
		r.prog = "kernel"
		if g.rng.IntN(2) == 0 {
			r.msg = fmt.Sprintf("%s [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:%s SRC=%s DST=10.0.0.%d LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=%d PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0",
				g.uptime(h), "12:34:56:52:54:00:ab:cd:ef:08:00", g.ip(), 2+g.rng.IntN(200), g.rng.IntN(65536), 1024+g.rng.IntN(64000), []int{23, 445, 3389, 8080, 5900}[g.rng.IntN(5)])
		} else {
			r.msg = g.uptime(h) + " " + fmt.Sprintf(g.pick(kernelMsg), 1+g.rng.IntN(8), g.hex(7))
		}
	case n < 52 && t.After(h.dockerDownUntil): // dockerd logfmt
		r.prog, r.pid = "dockerd", h.dockerd
		if g.rng.IntN(4) == 0 {
			r.msg = fmt.Sprintf(`time="%s" level=warning msg="Health check for container %s error: context deadline exceeded"`, g.logfmtTime(), g.hex(64))
		} else {
			r.msg = fmt.Sprintf(`time="%s" level=info msg="ignoring event" container=%s module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"`, g.logfmtTime(), g.hex(64))
		}
	case n < 60: // containerd logfmt
		r.prog, r.pid = "containerd", h.containerd
		id := g.hex(64)
		switch g.rng.IntN(3) {
		case 0:
			r.msg = fmt.Sprintf(`time="%s" level=info msg="shim disconnected" id=%s`, g.logfmtTime(), id)
		case 1:
			r.msg = fmt.Sprintf(`time="%s" level=warning msg="cleaning up after shim disconnected" id=%s namespace=moby`, g.logfmtTime(), id)
		default:
			r.msg = fmt.Sprintf(`time="%s" level=info msg="cleaning up dead shim"`, g.logfmtTime())
		}
	case n < 78: // kubelet klog, on the k8s nodes; elsewhere resolved
		if !h.k8s {
			r.prog, r.pid = "systemd-resolved", h.resolved
			r.msg = "Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2."
			break
		}
		r.prog, r.pid = "kubelet", h.kubelet
		pod := g.pick(pods)
		switch g.rng.IntN(4) {
		case 0:
			r.msg = g.klog('I', h, "kubelet.go:2000") + fmt.Sprintf(`"SyncLoop ADD" source="api" pods=[%s]`, pod)
		case 1:
			r.msg = g.klog('I', h, "kubelet.go:2076") + fmt.Sprintf(`"SyncLoop (PLEG): event for pod" pod="%s" event=&{ID:%s-%s Type:ContainerStarted Data:%s}`, pod, g.hex(8), g.hex(4), g.hex(64))
		case 2:
			r.msg = g.klog('I', h, "prober.go:116") + fmt.Sprintf(`"Probe failed" probeType="Readiness" pod="%s" podUID=%s-%s containerName="app" probeResult=failure output="Get \"http://10.244.1.%d:8080/healthz\": dial tcp 10.244.1.%[4]d:8080: connect: connection refused"`, pod, g.hex(8), g.hex(4), 2+g.rng.IntN(250))
		default:
			r.msg = g.klog('E', h, "pod_workers.go:951") + fmt.Sprintf(`"Error syncing pod, skipping" err="failed to \"StartContainer\" for \"app\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container=app pod=%s\"" pod="%[1]s"`, pod)
		}
	case n < 92: // postfix
		q := fmt.Sprintf("%X", g.rng.Uint64()&0xFFFFFFFFFF)
		switch g.rng.IntN(3) {
		case 0:
			r.prog, r.pid = "postfix/smtpd", g.nextPID()
			r.msg = fmt.Sprintf("connect from unknown[%s]", g.ip())
		case 1:
			r.prog, r.pid = "postfix/qmgr", h.qmgr
			r.msg = fmt.Sprintf("%s: from=<noreply@%s.example.com>, size=%d, nrcpt=1 (queue active)", q, h.name, 900+g.rng.IntN(20000))
		default:
			r.prog, r.pid = "postfix/smtp", g.nextPID()
			r.msg = fmt.Sprintf("%s: to=<ops@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=0.%d, delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)", q, 10+g.rng.IntN(89), g.hex(10))
		}
	case n < 99:
		r.prog = "rsyslogd"
		r.msg = `[origin software="rsyslogd" swVersion="8.2001.0" x-pid="` + fmt.Sprint(500+g.rng.IntN(100)) + `" x-info="https://www.rsyslog.com"] rsyslogd was HUPed`
	default: // an application panic, escaped by rsyslog into one line
		r.prog, r.pid = "myapp", g.nextPID()
		r.msg = "panic: runtime error: index out of range [3] with length 3#012#012goroutine 1 [running]:#012main.main()#012#011/src/main.go:9 +0x1d"
	}
	return r
}

var incidentKinds = []string{"docker-stopped-by-unattended-upgrade", "oom-kill", "disk-full", "kubelet-runtime-down"}

// incident returns the messages of one injected incident, in time order.
func (g *gen) incident(kind string) []record {
	h := g.hosts[g.rng.IntN(len(g.hosts))]
	if kind == "kubelet-runtime-down" {
		h = g.hosts[4+g.rng.IntN(2)]
	}
	var out []record
	add := func(prog string, pid int, msg string) {
		out = append(out, record{t: g.tick(300 * time.Millisecond), host: h.name, prog: prog, pid: pid, msg: msg})
	}
	switch kind {
	case "docker-stopped-by-unattended-upgrade":
		add("systemd", 1, "Starting Daily apt upgrade and clean activities...")
		add("systemd", 1, "Stopping containerd container runtime...")
		add("containerd", h.containerd, fmt.Sprintf(`time="%s" level=info msg="Stop CRI service"`, g.logfmtTime()))
		add("dockerd", h.dockerd, fmt.Sprintf(`time="%s" level=error msg="failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`, g.logfmtTime()))
		add("systemd", 1, "containerd.service: Succeeded.")
		add("systemd", 1, "Stopped containerd container runtime.")
		add("systemd", 1, "Stopping Docker Application Container Engine...")
		add("dockerd", h.dockerd, fmt.Sprintf(`time="%s" level=info msg="Processing signal 'terminated'"`, g.logfmtTime()))
		add("systemd", 1, "docker.service: Succeeded.")
		add("systemd", 1, "Stopped Docker Application Container Engine.")
		h.containerd = g.nextPID()
		add("systemd", 1, "Started containerd container runtime.")
		add("systemd", 1, "apt-daily-upgrade.service: Succeeded.")
		add("systemd", 1, "Finished Daily apt upgrade and clean activities.")
		// Nobody starts docker again for two hours; then an admin does,
		// silently as far as this corpus goes (a new PID).
		h.dockerDownUntil = g.now.Add(2 * time.Hour)
		h.dockerd = g.nextPID()
	case "oom-kill":
		victim := g.nextPID()
		add("kernel", 0, g.uptime(h)+" java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0")
		add("kernel", 0, g.uptime(h)+fmt.Sprintf(" oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=%d,uid=1001", victim))
		add("kernel", 0, g.uptime(h)+fmt.Sprintf(" Out of memory: Killed process %d (java) total-vm:8123456kB, anon-rss:6012345kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:12345kB oom_score_adj:0", victim))
		add("systemd", 1, "app.service: Main process exited, code=killed, status=9/KILL")
		add("systemd", 1, "app.service: Failed with result 'signal'.")
		add("systemd", 1, "app.service: Scheduled restart job, restart counter is at 1.")
		add("systemd", 1, "Stopped Application server.")
		add("systemd", 1, "Started Application server.")
	case "disk-full":
		add("kernel", 0, g.uptime(h)+" EXT4-fs warning (device sda1): ext4_dx_add_entry:2351: Directory (ino: 1572867) index full, reach max htree level :2")
		add("dockerd", h.dockerd, fmt.Sprintf(`time="%s" level=error msg="Handler for POST /v1.41/containers/create returned error: write /var/lib/docker/tmp/GetImageBlob123: no space left on device"`, g.logfmtTime()))
		add("postgres", g.nextPID(), `[1942] LOG:  could not write to file "pg_wal/xlogtemp.1942": No space left on device`)
		add("rsyslogd", 0, `file '/var/log/syslog'[7] write error - see https://www.rsyslog.com/solving-rsyslog-write-errors/ for help OS error: No space left on device [v8.2001.0 try https://www.rsyslog.com/e/2027 ]`)
	case "kubelet-runtime-down":
		add("systemd", 1, "containerd.service: Main process exited, code=killed, status=6/ABRT")
		add("systemd", 1, "containerd.service: Failed with result 'signal'.")
		for range 3 {
			add("kubelet", h.kubelet, g.klog('E', h, "remote_runtime.go:207")+`"ListPodSandbox with filter from runtime service failed" err="rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: connection refused\"" filter="nil"`)
		}
		add("kubelet", h.kubelet, g.klog('E', h, "kubelet.go:2211")+`"Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"`)
		add("systemd", 1, "containerd.service: Scheduled restart job, restart counter is at 1.")
		h.containerd = g.nextPID()
		add("systemd", 1, "Started containerd container runtime.")
	}
	return out
}
