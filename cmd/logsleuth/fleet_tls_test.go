package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// selfSigned writes a certificate for 127.0.0.1 signed by itself, and
// its key, as PEM files in dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "logsleuth test VictoriaLogs"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestFleetTLSAndAuth: a VictoriaLogs server on https with a
// self-signed certificate and basic auth is read with --victorialogs-ca
// and the user in the URL; without the CA, or with a wrong password,
// the run fails with exit 2 and says why.
func TestFleetTLSAndAuth(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	srv := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{TLSCert: certFile, TLSKey: keyFile, User: "ops", Password: "s3cret"})
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server at %s, want https", srv.URL)
	}

	// Ship two rows over the same TLS and auth.
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body := `{"_time":"2021-10-07T06:20:21Z","_msg":"Stopping containerd container runtime...","hostname":"web-3","app_name":"systemd","proc_id":"1"}
{"_time":"2021-10-07T06:20:22Z","_msg":"Out of memory: Killed process 9121 (java)","hostname":"web-3","app_name":"kernel"}
`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/insert/jsonline?_stream_fields=hostname,app_name", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/stream+json")
	req.SetBasicAuth("ops", "s3cret")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("insert: %s", resp.Status)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/internal/force_flush", nil)
	req.SetBasicAuth("ops", "s3cret")
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	withUser := func(user string) string { return strings.Replace(srv.URL, "https://", "https://"+user+"@", 1) }
	events := func(args ...string) (int, string, string) {
		ios, _, out, stderr := Test()
		argv := append([]string{"events", "--format", "text", "--tz", "UTC", "--since", "2021-10-07 06:00", "--until", "2021-10-07 07:00"}, args...)
		return run(context.Background(), ios, argv), out.String(), stderr.String()
	}
	const want = "2021-10-07T06:20:21Z web-3 systemd[1]: Stopping containerd container runtime...\n" +
		"2021-10-07T06:20:22Z web-3 kernel: Out of memory: Killed process 9121 (java)\n"
	if code, out, stderr := events("--victorialogs", withUser("ops:s3cret"), "--victorialogs-ca", certFile); code != exitOK || out != want {
		t.Errorf("with the CA: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no CA", []string{"--victorialogs", withUser("ops:s3cret")}, "certificate signed by unknown authority"},
		{"wrong password", []string{"--victorialogs", withUser("ops:guess"), "--victorialogs-ca", certFile}, "HTTP 401"},
		{"no user", []string{"--victorialogs", srv.URL, "--victorialogs-ca", certFile}, "HTTP 401"},
		{"plain http", []string{"--victorialogs", strings.Replace(srv.URL, "https", "http", 1), "--victorialogs-ca", certFile}, "need an https://"},
		{"cert without key", []string{"--victorialogs", srv.URL, "--victorialogs-cert", certFile}, "go together"},
		{"not a CA file", []string{"--victorialogs", srv.URL, "--victorialogs-ca", keyFile}, "no PEM certificate"},
	} {
		code, out, stderr := events(tc.args...)
		if code != exitError || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 saying %q", tc.name, code, out, stderr, tc.want)
		}
		if strings.Contains(stderr, "s3cret") || strings.Contains(stderr, "guess") {
			t.Errorf("%s: the password is in the message: %s", tc.name, stderr)
		}
	}
}
