package main

import (
	"fmt"
	"time"
)

// The dense corpus (-dense) is a log from a bad day: about 30% of its
// lines hold a prefilter literal, against about 5% in the everyday
// corpus. Most of them come from an SSH brute force from a handful of
// addresses (sshd's full sequence of lines per attempt, as OpenSSH 8
// and pam_unix write them), the rest from containerd's shim chatter and
// kernel lines about a crashing program and a hung NFS server. The
// everyday noise fills the other lines, so both corpora share their
// shapes.

// attacker is one address guessing passwords, with the user names it
// tries in turn.
type attacker struct {
	ip   string
	left int // attempts before another address takes its place
	next int // index into badUsers (or root)
}

// denseShare is the share of a dense corpus's lines, in percent, made by
// each source below; the rest is everyday noise.
const (
	denseSSH        = 32 // brute-force attempts (several lines each)
	denseContainerd = 10 // containerd shim chatter
	denseKernel     = 3  // segfaults, hung tasks, NFS
)

// denseNext returns the next lines of a dense corpus: one attempt of a
// brute force, a containerd or kernel line, or everyday noise.
func (g *gen) denseNext() []record {
	n := g.rng.IntN(100)
	switch {
	case n < denseSSH/4: // an attempt writes four lines on average
		return g.sshAttempt()
	case n < denseSSH/4+denseContainerd:
		return []record{g.containerdChatter()}
	case n < denseSSH/4+denseContainerd+denseKernel:
		return []record{g.kernelTrouble()}
	}
	return []record{g.noise()}
}

// sshAttempt returns the lines of one failed login of a brute force:
// sshd logs an unknown user ("Invalid user", then pam_unix's check and
// failure, then "Failed password for invalid user") differently from an
// existing one (pam_unix's failure with user=, then "Failed password
// for root"), and ends with the disconnect.
func (g *gen) sshAttempt() []record {
	h := g.hosts[g.rng.IntN(3)] // the web hosts face the internet
	if len(g.attackers) == 0 {
		for range 4 {
			g.attackers = append(g.attackers, &attacker{})
		}
	}
	a := g.attackers[g.rng.IntN(len(g.attackers))]
	if a.left <= 0 {
		a.ip, a.left, a.next = g.ip(), 20+g.rng.IntN(400), g.rng.IntN(len(badUsers))
	}
	a.left--
	pid, port := g.nextPID(), 1024+g.rng.IntN(64000)
	var out []record
	add := func(msg string) {
		out = append(out, record{t: g.tick(40 * time.Millisecond), host: h.name, prog: "sshd", pid: pid, msg: msg})
	}
	if g.rng.IntN(3) == 0 {
		add(fmt.Sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root", a.ip))
		add(fmt.Sprintf("Failed password for root from %s port %d ssh2", a.ip, port))
		add(fmt.Sprintf("Connection closed by authenticating user root %s port %d [preauth]", a.ip, port))
		return out
	}
	user := badUsers[a.next%len(badUsers)]
	a.next++
	add(fmt.Sprintf("Invalid user %s from %s port %d", user, a.ip, port))
	add("pam_unix(sshd:auth): check pass; user unknown")
	add(fmt.Sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s", a.ip))
	add(fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", user, a.ip, port))
	if g.rng.IntN(2) == 0 {
		add(fmt.Sprintf("Received disconnect from %s port %d:11: Bye Bye [preauth]", a.ip, port))
	}
	add(fmt.Sprintf("Disconnected from invalid user %s %s port %d [preauth]", user, a.ip, port))
	return out
}

// containerdChatter is containerd 1.6's info lines as containers of a
// crash-looping service come and go.
func (g *gen) containerdChatter() record {
	h := g.hosts[g.rng.IntN(len(g.hosts))]
	r := record{t: g.tick(45 * time.Millisecond), host: h.name, prog: "containerd", pid: h.containerd}
	id := g.hex(64)
	switch g.rng.IntN(4) {
	case 0, 1:
		r.msg = fmt.Sprintf(`time="%s" level=info msg="shim disconnected" id=%s namespace=moby`, g.logfmtTime(), id)
	case 2:
		r.msg = fmt.Sprintf(`time="%s" level=info msg="loading plugin \"io.containerd.event.v1.publisher\"..." runtime=io.containerd.runc.v2 type=io.containerd.event.v1`, g.logfmtTime())
	default:
		r.msg = fmt.Sprintf(`time="%s" level=info msg="starting signal loop" namespace=moby path=/run/containerd/io.containerd.runtime.v2.task/moby/%s pid=%d runtime=io.containerd.runc.v2`, g.logfmtTime(), id, g.nextPID())
	}
	return r
}

// kernelTrouble is a kernel line of a bad day: a worker segfaulting in
// libc, a task stuck on a dead NFS server, the server not responding.
func (g *gen) kernelTrouble() record {
	h := g.hosts[g.rng.IntN(len(g.hosts))]
	r := record{t: g.tick(45 * time.Millisecond), host: h.name, prog: "kernel"}
	switch g.rng.IntN(3) {
	case 0:
		r.msg = fmt.Sprintf("%s php-fpm8.1[%d]: segfault at 0 ip 00007f%s sp 00007ffd%s error 4 in libc.so.6[7f%s+195000]",
			g.uptime(h), g.nextPID(), g.hex(6), g.hex(8), g.hex(6))
	case 1:
		r.msg = fmt.Sprintf("%s INFO: task rsync:%d blocked for more than 120 seconds.", g.uptime(h), g.nextPID())
	default:
		r.msg = g.uptime(h) + " nfs: server nas-1.internal not responding, still trying"
	}
	return r
}
