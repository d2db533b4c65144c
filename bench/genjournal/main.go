// Command genjournal writes the journal benchmark corpus: journal export
// text (`journalctl -o export` format) of a small fleet, one file per
// host, that bench/journal.sh turns into real .journal files with
// systemd-journal-remote.
//
//	go run ./bench/genjournal -entries 1000000 -hosts 2 -dir /tmp/logsleuth-bench/journal-export
//
// Entries carry the fields journald writes for real daemons (about 20
// each), boots change every 200k entries, and systemd unit messages
// carry their catalog MESSAGE_ID. The same flags always give the same
// bytes.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

type daemon struct {
	ident, comm, exe, unit string
	pid                    int
	uid                    string
	msgs                   []string
}

var daemons = []daemon{
	{"sshd", "sshd", "/usr/sbin/sshd", "ssh.service", 1201, "0", []string{
		"Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:Qm9vZGxlcw",
		"pam_unix(sshd:session): session opened for user ubuntu(uid=1000) by (uid=0)",
		"Connection closed by authenticating user root 203.0.113.7 port 41922 [preauth]",
	}},
	{"dockerd", "dockerd", "/usr/bin/dockerd", "docker.service", 1042, "0", []string{
		`time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`,
		`time="2021-10-07T06:20:22.100000000+09:00" level=info msg="ignoring event" container=3f2a1b topic=/tasks/delete type="*events.TaskDelete"`,
	}},
	{"kubelet", "kubelet", "/usr/bin/kubelet", "kubelet.service", 1020, "0", []string{
		`E1007 06:20:22.498765    1020 kubelet.go:2183] Container runtime not ready: RuntimeReady=false reason:DockerDaemonNotReady`,
		`I1007 06:20:23.000100    1020 kubelet_node_status.go:71] "Attempting to register node" node="web-3"`,
	}},
	{"CRON", "cron", "/usr/sbin/cron", "cron.service", 7001, "0", []string{
		"(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
		"pam_unix(cron:session): session closed for user root",
	}},
}

type sdMsg struct{ msg, unit, id string }

var systemdMsgs = []sdMsg{
	{"Starting Daily apt upgrade and clean activities...", "apt-daily-upgrade.service", "7d4958e842da4a758f6c1cdc7b36dcc5"},
	{"Stopping containerd container runtime...", "containerd.service", "de5b426a63be47a7b6ac3eaac82e2f6f"},
	{"containerd.service: Deactivated successfully.", "containerd.service", "7ad2d189f7e94e70a38c781354912448"},
	{"Stopped containerd container runtime.", "containerd.service", "9d1aaa27d60140bd96365438aad20286"},
	{"Started containerd container runtime.", "containerd.service", "39f53479d3a045ac8e11786248231fbf"},
	{"Finished Daily apt upgrade and clean activities.", "apt-daily-upgrade.service", "39f53479d3a045ac8e11786248231fbf"},
}

func main() {
	entries := flag.Int("entries", 1_000_000, "total entries over all hosts")
	hosts := flag.Int("hosts", 2, "hosts, one export file each")
	dir := flag.String("dir", "/tmp/logsleuth-bench/journal-export", "output directory")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*entries, *hosts, *dir, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genjournal:", err)
		os.Exit(1)
	}
}

func run(entries, hosts int, dir string, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for h := range hosts {
		host := fmt.Sprintf("web-%d", h+1)
		f, err := os.Create(filepath.Join(dir, host+".export"))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		write(w, host, h, entries/hosts, rand.New(rand.NewPCG(seed, uint64(h))))
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// write appends n entries of one host: 20 a second from 2021-10-07
// 00:00 UTC, a reboot every 200k entries.
func write(w *bufio.Writer, host string, h, n int, rng *rand.Rand) {
	machine := fmt.Sprintf("%032x", uint64(0x0f1e2d3c4b5a6978)+uint64(h))
	start := int64(1633564800000000) + int64(h)*7919
	var boot string
	var bootAt int64
	var b []byte
	field := func(k, v string) {
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
		b = append(b, '\n')
	}
	for i := range n {
		rt := start + int64(i)*50000 + int64(rng.IntN(1000))
		if i%200_000 == 0 {
			boot = fmt.Sprintf("%016x%016x", uint64(h+1), uint64(i/200_000+1))
			bootAt = rt - 1_000_000
		}
		b = b[:0]
		field("__REALTIME_TIMESTAMP", strconv.FormatInt(rt, 10))
		field("__MONOTONIC_TIMESTAMP", strconv.FormatInt(rt-bootAt, 10))
		field("_BOOT_ID", boot)
		field("_MACHINE_ID", machine)
		field("_HOSTNAME", host)
		switch r := rng.IntN(100); {
		case r < 8: // systemd about a unit
			m := systemdMsgs[rng.IntN(len(systemdMsgs))]
			field("PRIORITY", "6")
			field("SYSLOG_FACILITY", "3")
			field("SYSLOG_IDENTIFIER", "systemd")
			field("_PID", "1")
			field("_UID", "0")
			field("_GID", "0")
			field("_COMM", "systemd")
			field("_EXE", "/usr/lib/systemd/systemd")
			field("_CMDLINE", "/sbin/init")
			field("_CAP_EFFECTIVE", "1ffffffffff")
			field("_SYSTEMD_CGROUP", "/init.scope")
			field("_SYSTEMD_UNIT", "init.scope")
			field("_SYSTEMD_SLICE", "-.slice")
			field("_TRANSPORT", "journal")
			field("CODE_FILE", "src/core/job.c")
			field("CODE_LINE", "768")
			field("CODE_FUNC", "job_emit_done_message")
			field("UNIT", m.unit)
			field("MESSAGE_ID", m.id)
			field("INVOCATION_ID", fmt.Sprintf("%032x", rng.Uint64()))
			field("MESSAGE", m.msg)
		case r < 12: // kernel
			field("PRIORITY", "6")
			field("SYSLOG_FACILITY", "0")
			field("SYSLOG_IDENTIFIER", "kernel")
			field("_TRANSPORT", "kernel")
			field("_SOURCE_MONOTONIC_TIMESTAMP", strconv.FormatInt(rt-bootAt-120, 10))
			field("MESSAGE", "docker0: port 1(veth3a1b2c4) entered disabled state")
		default:
			d := daemons[rng.IntN(len(daemons))]
			prio := "6"
			if rng.IntN(10) == 0 {
				prio = "3"
			}
			field("PRIORITY", prio)
			field("SYSLOG_FACILITY", "3")
			field("SYSLOG_IDENTIFIER", d.ident)
			field("_PID", strconv.Itoa(d.pid))
			field("_UID", d.uid)
			field("_GID", "0")
			field("_COMM", d.comm)
			field("_EXE", d.exe)
			field("_CMDLINE", d.exe)
			field("_CAP_EFFECTIVE", "1ffffffffff")
			field("_SYSTEMD_CGROUP", "/system.slice/"+d.unit)
			field("_SYSTEMD_UNIT", d.unit)
			field("_SYSTEMD_SLICE", "system.slice")
			field("_SYSTEMD_INVOCATION_ID", fmt.Sprintf("%032x", uint64(d.pid)*0x9e3779b97f4a7c15))
			field("_STREAM_ID", fmt.Sprintf("%032x", uint64(d.pid)))
			field("_TRANSPORT", "stdout")
			field("MESSAGE", d.msgs[rng.IntN(len(d.msgs))])
		}
		b = append(b, '\n') // every entry ends with a blank line, the last one too
		w.Write(b)
	}
}
