package testenv

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// VictoriaLogsBin returns the victoria-logs binary: $VICTORIALOGS_BIN,
// else $GOBIN, $GOPATH/bin (where scripts/deps.sh's go install puts it)
// or PATH; Missing when there is none.
func VictoriaLogsBin(t testing.TB) string {
	t.Helper()
	var paths []string
	if p := os.Getenv("VICTORIALOGS_BIN"); p != "" {
		paths = append(paths, p)
	}
	if p := os.Getenv("GOBIN"); p != "" {
		paths = append(paths, filepath.Join(p, "victoria-logs"))
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		paths = append(paths, filepath.Join(gp, "bin", "victoria-logs"))
	}
	if p, err := exec.LookPath("victoria-logs"); err == nil {
		paths = append(paths, p)
	}
	return FirstFile(t, "victoria-logs (go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2)", paths...)
}

// JournalUploadBin returns systemd-journal-upload (Debian's
// systemd-journal-remote package, installed by scripts/deps.sh), or
// calls Missing.
func JournalUploadBin(t testing.TB) string {
	t.Helper()
	paths := []string{"/lib/systemd/systemd-journal-upload", "/usr/lib/systemd/systemd-journal-upload"}
	if p, err := exec.LookPath("systemd-journal-upload"); err == nil {
		paths = append([]string{p}, paths...)
	}
	return FirstFile(t, "systemd-journal-upload (Debian package systemd-journal-remote)", paths...)
}

var vlStarted = regexp.MustCompile(`started server at (https?://127\.0\.0\.1:\d+)/`)

// VictoriaLogsServer is a victoria-logs process a test started: a
// single node, a cluster's storage node, or its vlinsert or vlselect
// (the same binary; the role comes from its flags).
type VictoriaLogsServer struct {
	URL  string // base URL, "http://127.0.0.1:PORT"
	Addr string // the HTTP listener, "127.0.0.1:PORT" (what -storageNode names)
	// SyslogTCP is the syslog TCP listener ("127.0.0.1:PORT"), when
	// VictoriaLogsOptions.SyslogTCP asked for one.
	SyslogTCP string

	cmd  *exec.Cmd
	once sync.Once
}

// VictoriaLogsOptions say how to start a server.
type VictoriaLogsOptions struct {
	// SyslogTCP also listens for syslog over TCP on a free loopback
	// port, with hostname and app_name as stream fields (the setting
	// the README recommends).
	SyslogTCP bool
	// StorageNodes makes the server a cluster's vlinsert or vlselect
	// in front of these storage nodes.
	StorageNodes []*VictoriaLogsServer
	// TLSCert and TLSKey (PEM files) make it serve https.
	TLSCert, TLSKey string
	// User and Password turn on basic auth (-httpAuth.*).
	User, Password string
	Args           []string // more flags
}

// StartVictoriaLogs starts a VictoriaLogs single node on a free loopback
// port with its data in a temporary directory, stopped when the test
// ends, and returns its base URL. args are extra flags.
func StartVictoriaLogs(t testing.TB, args ...string) string {
	t.Helper()
	return StartVictoriaLogsServer(t, VictoriaLogsOptions{Args: args}).URL
}

// StartVictoriaLogsServer starts a victoria-logs process as opts say,
// stopped when the test ends (or by Stop).
func StartVictoriaLogsServer(t testing.TB, opts VictoriaLogsOptions) *VictoriaLogsServer {
	t.Helper()
	bin := VictoriaLogsBin(t)
	// A syslog port is picked free here and handed over: the server does
	// not say which port it got for ":0". Another process may take it in
	// between, so a failed start is tried again.
	for attempt := 0; ; attempt++ {
		s, err := startVictoriaLogs(t, bin, opts)
		if err == nil {
			return s
		}
		if !opts.SyslogTCP || attempt == 2 {
			t.Fatal(err)
		}
	}
}

func startVictoriaLogs(t testing.TB, bin string, opts VictoriaLogsOptions) (*VictoriaLogsServer, error) {
	argv := []string{"-httpListenAddr=127.0.0.1:0", "-storageDataPath=" + t.TempDir(),
		"-retentionPeriod=100y", "-futureRetention=100y", "-loggerLevel=INFO"}
	s := &VictoriaLogsServer{}
	if opts.SyslogTCP {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s.SyslogTCP = l.Addr().String()
		l.Close()
		argv = append(argv, "-syslog.listenAddr.tcp="+s.SyslogTCP, `-syslog.streamFields.tcp=["hostname","app_name"]`)
	}
	if len(opts.StorageNodes) > 0 {
		nodes := make([]string, len(opts.StorageNodes))
		for i, n := range opts.StorageNodes {
			nodes[i] = n.Addr
		}
		argv = append(argv, "-storageNode="+strings.Join(nodes, ","))
	}
	if opts.TLSCert != "" {
		argv = append(argv, "-tls", "-tlsCertFile="+opts.TLSCert, "-tlsKeyFile="+opts.TLSKey)
	}
	if opts.User != "" {
		argv = append(argv, "-httpAuth.username="+opts.User, "-httpAuth.password="+opts.Password)
	}
	argv = append(argv, opts.Args...)
	s.cmd = exec.Command(bin, argv...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start victoria-logs: %w", err)
	}
	found := make(chan string, 1)
	var tail strings.Builder // the last lines, for a start that fails
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			if !sent {
				if tail.Len() < 4096 {
					tail.WriteString(sc.Text() + "\n")
				}
				if m := vlStarted.FindStringSubmatch(sc.Text()); m != nil {
					found <- m[1]
					sent = true
				}
			}
		}
		io.Copy(io.Discard, stderr)
		if !sent {
			close(found)
		}
	}()
	t.Cleanup(s.Stop)
	select {
	case u, ok := <-found:
		if !ok {
			s.Stop()
			return nil, fmt.Errorf("victoria-logs %s exited before serving:\n%s", strings.Join(argv, " "), tail.String())
		}
		s.URL = u
		_, s.Addr, _ = strings.Cut(u, "://")
	case <-time.After(30 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("victoria-logs did not start within 30s")
	}
	// The readiness probe trusts any certificate: the test checks TLS.
	probe := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for range 250 {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/health", nil)
		if opts.User != "" {
			req.SetBasicAuth(opts.User, opts.Password)
		}
		if resp, err := probe.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && (s.SyslogTCP == "" || dialable(s.SyslogTCP)) {
				return s, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("victoria-logs at %s never became ready", s.URL)
}

func dialable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Stop stops the server (SIGINT, as its own tests do) and waits for it;
// a second call does nothing.
func (s *VictoriaLogsServer) Stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	})
}
