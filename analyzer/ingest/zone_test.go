package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// readerInUTC makes the reader's zone UTC for the rest of the test, as on
// the support engineer's laptop or CI box the bundle is read on.
func readerInUTC(t *testing.T) {
	old := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = old })
}

// seoulTZif is the system's TZif file of Asia/Seoul, as a sosreport copies
// it to etc/localtime.
func seoulTZif(t *testing.T) []byte {
	for _, dir := range zoneinfoDirs {
		if b, err := os.ReadFile(filepath.Join(dir, "Asia", "Seoul")); err == nil {
			return b
		}
	}
	testenv.Missing(t, "no system zoneinfo (tzdata) with Asia/Seoul")
	return nil
}

// kstSyslog is a syslog a host in Seoul wrote: zone-less RFC 3164 stamps.
const kstSyslog = "Jun 18 09:00:11 web3 kernel: [93011.120034] eth0: Link is Down\n" +
	"Jun 18 09:00:14 web3 systemd-networkd[611]: eth0: Lost carrier\n"

// kstSyslogUTC are its times in UTC.
var kstSyslogUTC = []string{"2024-06-18T00:00:11Z", "2024-06-18T00:00:14Z"}

var jun18 = time.Date(2024, 6, 18, 1, 0, 0, 0, time.UTC) // when sos packed the bundle

// timesOf returns the UTC times of the events of the source whose path
// ends in suffix.
func timesOf(r result, suffix string) []string {
	var out []string
	for _, ev := range r.events {
		if strings.HasSuffix(ev.Source.Path, suffix) {
			out = append(out, ev.Time.UTC().Format(time.RFC3339Nano))
		}
	}
	return out
}

func sourceOf(t *testing.T, r result, suffix string) SourceStats {
	t.Helper()
	for _, s := range r.sources {
		if strings.HasSuffix(s.Path, suffix) {
			return s
		}
	}
	t.Fatalf("no source %q in %+v", suffix, r.sources)
	return SourceStats{}
}

// TestZoneSignals reads a KST host's syslog with the reader in UTC: each
// piece of evidence alone puts its lines at the right instants and names
// itself in coverage.
func TestZoneSignals(t *testing.T) {
	readerInUTC(t)
	syslog := member{name: "sosreport-web3-2024-06-18/var/log/syslog", data: []byte(kstSyslog), mod: jun18}
	timedatectl := "               Local time: Tue 2024-06-18 10:00:02 KST\n" +
		"           Universal time: Tue 2024-06-18 01:00:02 UTC\n" +
		"                 RTC time: Tue 2024-06-18 01:00:02\n" +
		"                Time zone: Asia/Seoul (KST, +0900)\n" +
		"System clock synchronized: yes\n" +
		"              NTP service: active\n" +
		"          RTC in local TZ: no\n"
	journal := "-- Logs begin at Mon 2024-06-17 21:14:03 KST, end at Tue 2024-06-18 09:59:58 KST. --\n" +
		"Jun 18 09:00:12 web3 systemd[1]: Starting Daily apt download activities...\n" // not a line of the syslog: that one would be dropped as its copy
	tests := []struct {
		name     string
		evidence []member
		file     string    // a file of its own, outside any bundle, instead of the tar
		mtime    time.Time // the file's; zero: jun18
		zone     string
		from     string
		want     []string
	}{
		{name: "etc/localtime symlink", evidence: []member{{name: "sosreport-web3-2024-06-18/etc/localtime", link: "../usr/share/zoneinfo/Asia/Seoul"}},
			zone: "Asia/Seoul", from: "etc/localtime", want: kstSyslogUTC},
		{name: "etc/localtime TZif bytes", evidence: []member{{name: "sosreport-web3-2024-06-18/etc/localtime", data: seoulTZif(t)}},
			zone: "Asia/Seoul", from: "etc/localtime", want: kstSyslogUTC},
		{name: "etc/timezone", evidence: []member{{name: "sosreport-web3-2024-06-18/etc/timezone", data: []byte("Asia/Seoul\n")}},
			zone: "Asia/Seoul", from: "etc/timezone", want: kstSyslogUTC},
		{name: "sos date", evidence: []member{
			{name: "sosreport-web3-2024-06-18/sos_commands/date/date", data: []byte("Tue Jun 18 10:00:02 KST 2024\n")},
			{name: "sosreport-web3-2024-06-18/sos_commands/date/date_--utc", data: []byte("Tue Jun 18 01:00:02 UTC 2024\n")}},
			zone: "Asia/Seoul", from: "sos_commands/date/date", want: kstSyslogUTC},
		{name: "timedatectl", evidence: []member{{name: "sosreport-web3-2024-06-18/sos_commands/systemd/timedatectl", data: []byte(timedatectl)}},
			zone: "Asia/Seoul", from: "timedatectl", want: kstSyslogUTC},
		{name: "journalctl banner", evidence: []member{{name: "sosreport-web3-2024-06-18/sos_commands/logs/journalctl_--no-pager", data: []byte(journal), mod: jun18}},
			zone: "Asia/Seoul", from: "journal banner", want: kstSyslogUTC},
		{name: "dockerd time= with an offset", file: "Jun 18 09:00:11 web3 dockerd[1042]: time=\"2024-06-18T09:00:11.024311876+09:00\" level=info msg=\"Processing signal 'terminated'\"\n" +
			"Jun 18 09:00:14 web3 dockerd[1042]: time=\"2024-06-18T09:00:14.410208340+09:00\" level=info msg=\"Daemon shutdown complete\"\n",
			zone: "UTC+09:00", from: "message offsets", want: kstSyslogUTC},
		{name: "dockerd time= in UTC under a KST header", file: "Jun 18 09:00:11 web3 containerd[877]: time=\"2024-06-18T00:00:11.024311876Z\" level=info msg=\"Stop CRI service\"\n" +
			"Jun 18 09:00:14 web3 containerd[877]: time=\"2024-06-18T00:00:14.410208340Z\" level=info msg=\"Stop CRI service\"\n",
			zone: "UTC+09:00", from: "message offsets", want: kstSyslogUTC},
		{name: "nginx [..+0900]", file: "Jun 18 09:00:11 web3 nginx: 10.0.4.17 - - [18/Jun/2024:09:00:11 +0900] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.29\"\n" +
			"Jun 18 09:00:14 web3 nginx: 10.0.4.17 - - [18/Jun/2024:09:00:14 +0900] \"GET /healthz HTTP/1.1\" 502 157 \"-\" \"kube-probe/1.29\"\n",
			zone: "UTC+09:00", from: "message offsets", want: kstSyslogUTC},
		{name: "offsets across a daylight saving change name the zone", file: "Mar 31 01:59:58 fra1 dockerd[2210]: time=\"2024-03-31T01:59:58.100000000+01:00\" level=info msg=\"ignoring event\" module=libcontainerd\n" +
			"Mar 31 03:00:02 fra1 dockerd[2210]: time=\"2024-03-31T03:00:02.200000000+02:00\" level=info msg=\"ignoring event\" module=libcontainerd\n",
			mtime: time.Date(2024, 3, 31, 2, 0, 0, 0, time.UTC), zone: "Europe/Berlin", from: "message offsets", want: []string{"2024-03-31T00:59:58Z", "2024-03-31T01:00:02Z"}},
		{name: "a stamp about another moment is no sample", file: "Jun 18 09:00:11 web3 backup[3311]: next run at 2024-06-18T10:00:00+09:00\n" +
			"Jun 18 09:00:14 web3 backup[3311]: previous run ended 2024-06-18T01:59:40Z\n",
			zone: "UTC", from: "local zone", want: []string{"2024-06-18T09:00:11Z", "2024-06-18T09:00:14Z"}},
		{name: "no evidence: the reader's zone, assumed", zone: "UTC", from: "local zone", want: []string{"2024-06-18T09:00:11Z", "2024-06-18T09:00:14Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var p, suffix string
			if tt.file != "" {
				p, suffix = writeFile(t, dir, "syslog", []byte(tt.file)), "syslog"
				mtime := tt.mtime
				if mtime.IsZero() {
					mtime = jun18
				}
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			} else {
				// Zone files come first, as sos writes its tar in name order.
				p = writeFile(t, dir, "sosreport-web3-2024-06-18.tar", tarBytes(t, append(tt.evidence, syslog)...))
				suffix = "var/log/syslog"
			}
			r := run(t, Options{Paths: []string{p}})
			if got := timesOf(r, suffix); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("times %q, want %q", got, tt.want)
			}
			st := sourceOf(t, r, suffix)
			if st.Zone != tt.zone || st.ZoneFrom != tt.from {
				t.Errorf("zone %q from %q, want %q from %q", st.Zone, st.ZoneFrom, tt.zone, tt.from)
			}
			wantQ := "year_inferred from archive member time; zone_from " + tt.from + " (" + tt.zone + ")"
			switch {
			case tt.from == "local zone" && tt.file != "":
				wantQ = "year_inferred from file mtime"
			case tt.from == "local zone":
				wantQ = "year_inferred from archive member time"
			case tt.file != "":
				wantQ = "year_inferred from full date in message; zone_from " + tt.from + " (" + tt.zone + ")"
			}
			if st.TimeQuality != wantQ {
				t.Errorf("time quality %q, want %q", st.TimeQuality, wantQ)
			}
			checkWarnings(t, r.warnings, nil, nil)
		})
	}
}

// TestZoneDirectoryBundle reads an unpacked sosreport: its etc/localtime
// is a copy (TZif bytes), its etc/timezone agrees.
func TestZoneDirectoryBundle(t *testing.T) {
	readerInUTC(t)
	dir := t.TempDir()
	writeFile(t, dir, "etc/localtime", seoulTZif(t))
	writeFile(t, dir, "etc/timezone", []byte("Asia/Seoul\n"))
	p := writeFile(t, dir, "var/log/syslog", []byte(kstSyslog))
	if err := os.Chtimes(p, jun18, jun18); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Paths: []string{dir}})
	if got := timesOf(r, "syslog"); strings.Join(got, " ") != strings.Join(kstSyslogUTC, " ") {
		t.Errorf("times %q, want %q", got, kstSyslogUTC)
	}
	if st := sourceOf(t, r, "syslog"); st.TimeQuality != "year_inferred from file mtime; zone_from etc/localtime (Asia/Seoul)" {
		t.Errorf("time quality %q", st.TimeQuality)
	}
	checkWarnings(t, r.warnings, nil, nil)
}

// TestZoneDirectoryBundleLink reads an unpacked sosreport whose
// etc/localtime is the host's symlink: the zone is the name it links to,
// whether or not the bundle holds the target (here it does, with other
// rules: it is not what the link names and is not read).
func TestZoneDirectoryBundleLink(t *testing.T) {
	readerInUTC(t)
	for _, withTarget := range []bool{false, true} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../usr/share/zoneinfo/Asia/Seoul", filepath.Join(dir, "etc", "localtime")); err != nil {
			t.Fatal(err)
		}
		if withTarget {
			writeFile(t, dir, "usr/share/zoneinfo/Asia/Seoul", []byte("not TZif data\n"))
		}
		p := writeFile(t, dir, "var/log/syslog", []byte(kstSyslog))
		if err := os.Chtimes(p, jun18, jun18); err != nil {
			t.Fatal(err)
		}
		r := run(t, Options{Paths: []string{dir}})
		if got := timesOf(r, "syslog"); strings.Join(got, " ") != strings.Join(kstSyslogUTC, " ") {
			t.Errorf("target in the bundle %v: times %q, want %q", withTarget, got, kstSyslogUTC)
		}
		if st := sourceOf(t, r, "syslog"); st.Zone != "Asia/Seoul" || st.ZoneFrom != "etc/localtime" {
			t.Errorf("target in the bundle %v: zone %q from %q", withTarget, st.Zone, st.ZoneFrom)
		}
		checkWarnings(t, r.warnings, nil, nil)
	}
}

// TestZoneDaylightSavingInTail: a syslog whose head is in winter time and
// whose tail, past a daylight saving change, in summer time: the offsets
// of both name the zone, and lines after the change land right.
func TestZoneDaylightSavingInTail(t *testing.T) {
	readerInUTC(t)
	var b strings.Builder
	b.WriteString("Mar 30 22:00:01 fra1 dockerd[2210]: time=\"2024-03-30T22:00:01.100000000+01:00\" level=info msg=\"Container health status changed\" container=3f9a\n")
	for i := range 400 { // ~30 KB of lines without an offset of their own
		fmt.Fprintf(&b, "Mar 31 00:%02d:%02d fra1 kernel: [%d.000001] br-4c1e: port 2(veth9a1) entered forwarding state\n", i/60, i%60, 7000+i)
	}
	b.WriteString("Mar 31 09:00:02 fra1 dockerd[2210]: time=\"2024-03-31T09:00:02.200000000+02:00\" level=info msg=\"Container health status changed\" container=3f9a\n")
	p := writeFile(t, t.TempDir(), "syslog", []byte(b.String()))
	mod := time.Date(2024, 3, 31, 8, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Paths: []string{p}})
	got := timesOf(r, "syslog")
	if len(got) != 402 || got[0] != "2024-03-30T21:00:01Z" || got[401] != "2024-03-31T07:00:02Z" {
		t.Errorf("%d times, first %q last %q; want 402, 2024-03-30T21:00:01Z, 2024-03-31T07:00:02Z", len(got), got[0], got[len(got)-1])
	}
	if st := sourceOf(t, r, "syslog"); st.Zone != "Europe/Berlin" || st.ZoneFrom != "message offsets" {
		t.Errorf("zone %q from %q", st.Zone, st.ZoneFrom)
	}
	checkWarnings(t, r.warnings, nil, nil)
}

// TestZoneTicketFolder reads a folder of two unpacked sosreports from
// hosts in different zones: each host's logs take their own bundle's zone.
func TestZoneTicketFolder(t *testing.T) {
	readerInUTC(t)
	dir := t.TempDir()
	writeFile(t, dir, "sosreport-web3/etc/timezone", []byte("Asia/Seoul\n"))
	writeFile(t, dir, "sosreport-db1/etc/timezone", []byte("America/Chicago\n"))
	for _, host := range []string{"web3", "db1"} {
		p := writeFile(t, dir, "sosreport-"+host+"/var/log/syslog", []byte("Jun 18 09:00:11 "+host+" kernel: eth0: Link is Down\n"))
		if err := os.Chtimes(p, jun18, jun18); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, Options{Paths: []string{dir}})
	if got := timesOf(r, "sosreport-web3/var/log/syslog"); len(got) != 1 || got[0] != "2024-06-18T00:00:11Z" {
		t.Errorf("web3 times %q", got)
	}
	if got := timesOf(r, "sosreport-db1/var/log/syslog"); len(got) != 1 || got[0] != "2024-06-18T14:00:11Z" {
		t.Errorf("db1 times %q", got)
	}
	checkWarnings(t, r.warnings, nil, nil)
}

// TestZonePrecedence: --tz > the source's own offsets > the bundle's zone
// files > a banner > the reader's zone, and disagreeing evidence warns.
func TestZonePrecedence(t *testing.T) {
	readerInUTC(t)
	const root = "sosreport-web3-2024-06-18/"
	dockerd := member{name: root + "var/log/docker.log", mod: jun18,
		data: []byte("Jun 18 09:00:11 web3 dockerd[1042]: time=\"2024-06-18T09:00:11.024311876+09:00\" level=info msg=\"Processing signal 'terminated'\"\n")}
	syslog := member{name: root + "var/log/syslog", data: []byte(kstSyslog[:strings.IndexByte(kstSyslog, '\n')+1]), mod: jun18}
	localtimeNY := member{name: root + "etc/localtime", link: "/usr/share/zoneinfo/America/New_York"}
	localtimeSeoul := member{name: root + "etc/localtime", link: "/usr/share/zoneinfo/Asia/Seoul"}
	timezoneUTC := member{name: root + "etc/timezone", data: []byte("Etc/UTC\n")}
	banner := member{name: root + "sos_commands/logs/journalctl_--no-pager", mod: jun18,
		data: []byte("-- Logs begin at Mon 2024-06-17 21:14:03 KST, end at Tue 2024-06-18 09:59:58 KST. --\nJun 18 09:00:12 web3 systemd[1]: Starting Daily apt download activities...\n")} // no copy of a syslog line
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		members []member
		tz      *time.Location
		suffix  string
		want    string // the first event's UTC time
		from    string
		warn    []string // after the archive's path
	}{
		{name: "--tz beats message offsets", members: []member{dockerd}, tz: time.UTC, suffix: "docker.log",
			want: "2024-06-18T09:00:11Z", from: "--tz",
			warn: []string{":" + root + "var/log/docker.log: zone evidence disagrees: --tz (UTC, +00:00) vs message offsets (UTC+09:00, +09:00); using --tz"}},
		{name: "--tz that agrees is silent", members: []member{dockerd}, tz: seoul, suffix: "docker.log",
			want: "2024-06-18T00:00:11Z", from: "--tz"},
		{name: "message offsets beat etc/localtime", members: []member{localtimeNY, dockerd}, suffix: "docker.log",
			want: "2024-06-18T00:00:11Z", from: "message offsets",
			warn: []string{":" + root + "var/log/docker.log: zone evidence disagrees: message offsets (UTC+09:00, +09:00) vs etc/localtime (America/New_York, -04:00); using message offsets"}},
		{name: "etc/localtime beats etc/timezone", members: []member{localtimeSeoul, timezoneUTC, syslog}, suffix: "var/log/syslog",
			want: "2024-06-18T00:00:11Z", from: "etc/localtime",
			warn: []string{": zone evidence disagrees: etc/localtime (Asia/Seoul, +09:00) vs etc/timezone (Etc/UTC, +00:00); using etc/localtime"}},
		{name: "zone files beat a banner", members: []member{timezoneUTC, banner, syslog}, suffix: "var/log/syslog",
			want: "2024-06-18T09:00:11Z", from: "etc/timezone",
			warn: []string{":" + root + "sos_commands/logs/journalctl_--no-pager: zone evidence disagrees: etc/timezone (Etc/UTC, +00:00) vs journal banner (Asia/Seoul, +09:00); using etc/timezone"}},
		{name: "a banner beats the reader's zone", members: []member{banner, syslog}, suffix: "var/log/syslog",
			want: "2024-06-18T00:00:11Z", from: "journal banner"},
		{name: "the bundle's files beat a source's own banner, which warns", members: []member{timezoneUTC, banner}, suffix: "journalctl_--no-pager",
			want: "2024-06-18T09:00:12Z", from: "etc/timezone",
			warn: []string{":" + root + "sos_commands/logs/journalctl_--no-pager: zone evidence disagrees: etc/timezone (Etc/UTC, +00:00) vs journal banner (Asia/Seoul, +09:00); using etc/timezone"}},
		{name: "zone files after the logs still count", members: []member{syslog, localtimeSeoul}, suffix: "var/log/syslog",
			want: "2024-06-18T00:00:11Z", from: "etc/localtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "bundle.tar", tarBytes(t, tt.members...))
			r := run(t, Options{Paths: []string{p}, Location: tt.tz})
			if got := timesOf(r, tt.suffix); len(got) == 0 || got[0] != tt.want {
				t.Errorf("times %q, want %q first", got, tt.want)
			}
			if st := sourceOf(t, r, tt.suffix); st.ZoneFrom != tt.from {
				t.Errorf("zone from %q, want %q", st.ZoneFrom, tt.from)
			}
			var want []string
			for _, w := range tt.warn {
				want = append(want, p+w)
			}
			checkWarnings(t, r.warnings, want, nil)
		})
	}
}

// TestYearFromEvidence: a full date inside the messages fixes the year
// before the file's mtime does, and an mtime bounds the last line when the
// file crosses New Year.
func TestYearFromEvidence(t *testing.T) {
	readerInUTC(t)
	chicagoMod := time.Date(2022, 1, 1, 0, 10, 0, 0, time.UTC) // Dec 31 18:10 in Chicago
	newYear := "Dec 31 03:14:00 db1 systemd[1]: Starting Journal Service...\n" +
		"Jan  1 13:37:00 db1 systemd[1]: Stopped target Swap.\n"
	tests := []struct {
		name    string
		file    string // a plain file's name
		data    []byte
		mtime   time.Time
		want    string
		quality string
	}{
		{name: "full date in a message beats the mtime", file: "syslog", mtime: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			data: []byte("Mar  3 14:02:10 app2 dockerd[931]: time=\"2025-03-03T14:02:10.551092000+05:30\" level=warning msg=\"Health check for container 3f9a failed\"\n" +
				"Mar  3 14:02:40 app2 kernel: [81234.004411] oom-kill: task=java,pid=4411\n"),
			want:    "2025-03-03T08:32:10Z 2025-03-03T08:32:40Z",
			quality: "year_inferred from full date in message; zone_from message offsets (UTC+05:30)"},
		{name: "a file crossing New Year written on Dec 31 is from the year before", file: "messages", mtime: time.Date(2021, 12, 31, 18, 10, 0, 0, time.UTC),
			data: []byte(newYear), want: "2020-12-31T03:14:00Z 2021-01-01T13:37:00Z", quality: "year_inferred from file mtime"},
		{name: "the same file written on Jan 1", file: "messages", mtime: time.Date(2022, 1, 1, 14, 0, 0, 0, time.UTC),
			data: []byte(newYear), want: "2021-12-31T03:14:00Z 2022-01-01T13:37:00Z", quality: "year_inferred from file mtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), tt.file, tt.data)
			if err := os.Chtimes(p, tt.mtime, tt.mtime); err != nil {
				t.Fatal(err)
			}
			r := run(t, Options{Paths: []string{p}})
			if got := strings.Join(timesOf(r, tt.file), " "); got != tt.want {
				t.Errorf("times %s, want %s", got, tt.want)
			}
			if q := sourceOf(t, r, tt.file).TimeQuality; q != tt.quality {
				t.Errorf("quality %q, want %q", q, tt.quality)
			}
			checkWarnings(t, r.warnings, nil, nil)
		})
	}

	// The same pair in an archive member modified on Dec 31, in the
	// bundle's zone (dissect.target's case).
	p := writeFile(t, t.TempDir(), "messages.tar", tarBytes(t,
		member{name: "etc/timezone", data: []byte("America/Chicago\n")},
		member{name: "var/log/messages", data: []byte(newYear), mod: chicagoMod}))
	r := run(t, Options{Paths: []string{p}})
	if got, want := strings.Join(timesOf(r, "messages"), " "), "2020-12-31T09:14:00Z 2021-01-01T19:37:00Z"; got != want {
		t.Errorf("member times %s, want %s", got, want)
	}
	checkWarnings(t, r.warnings, nil, nil)
}

// TestKSTSosreport is the case end to end: a sosreport of a host
// in Seoul read on a UTC machine without --tz. Its zone-less sources land
// at the right UTC instants, in order with a source that carries offsets,
// and coverage says where each zone came from.
func TestKSTSosreport(t *testing.T) {
	readerInUTC(t)
	const root = "sosreport-web3-2024-06-18-qkzbnwe/"
	arch := tarBytes(t,
		member{name: root + "date", link: "sos_commands/date/date"},
		member{name: root + "etc/localtime", link: "../usr/share/zoneinfo/Asia/Seoul"},
		member{name: root + "sos_commands/date/date", data: []byte("Tue Jun 18 10:00:02 KST 2024\n")},
		member{name: root + "sos_commands/logs/journalctl_--no-pager", mod: jun18, data: []byte(
			"-- Logs begin at Mon 2024-06-17 21:14:03 KST, end at Tue 2024-06-18 09:59:58 KST. --\n" +
				"Jun 18 09:00:12 web3 systemd[1]: Stopping Docker Application Container Engine...\n")},
		member{name: root + "var/log/cloud-init.log", mod: jun18, data: []byte(
			"2024-06-18T00:00:13.000000+00:00 web3 cloud-init[512]: util.py[DEBUG]: Reading from /proc/uptime\n")},
		member{name: root + "var/log/syslog", mod: jun18, data: []byte(kstSyslog)},
	)
	p := writeFile(t, t.TempDir(), "sosreport-web3-2024-06-18-qkzbnwe.tar", arch)
	r := run(t, Options{Paths: []string{p}})
	var got []string
	for _, ev := range r.events {
		got = append(got, ev.Time.UTC().Format(time.RFC3339)+" "+ev.Source.Path[strings.LastIndexByte(ev.Source.Path, '/')+1:])
	}
	want := []string{
		"2024-06-18T00:00:11Z syslog",
		"2024-06-18T00:00:12Z journalctl_--no-pager",
		"2024-06-18T00:00:13Z cloud-init.log",
		"2024-06-18T00:00:14Z syslog",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range []struct{ suffix, quality, from string }{
		{"var/log/syslog", "year_inferred from archive member time; zone_from etc/localtime (Asia/Seoul)", "etc/localtime"},
		{"journalctl_--no-pager", "year_inferred from journal banner; zone_from etc/localtime (Asia/Seoul)", "etc/localtime"},
		{"cloud-init.log", "exact", ""},
	} {
		st := sourceOf(t, r, c.suffix)
		if st.TimeQuality != c.quality || st.ZoneFrom != c.from {
			t.Errorf("%s: quality %q from %q, want %q from %q", c.suffix, st.TimeQuality, st.ZoneFrom, c.quality, c.from)
		}
	}
	checkWarnings(t, r.warnings, nil, nil)
}

// TestZoneEvidenceReaders pins the readers of single signals.
func TestZoneEvidenceReaders(t *testing.T) {
	tests := []struct {
		name string
		sig  zoneSignal
		want string // zone name; "" for none
	}{
		{"date with date --utc", zoneFromDateOutput([]byte("Tue Jun 18 10:00:02 KST 2024\n"), []byte("Tue Jun 18 01:00:02 UTC 2024\n")), "Asia/Seoul"},
		{"date alone", zoneFromDateOutput([]byte("Tue Jun 18 10:00:02 KST 2024\n"), nil), "Asia/Seoul"},
		{"CST in June is Chicago's CDT, not China's", zoneFromDateOutput([]byte("Tue Jun 18 10:00:02 CST 2024\n"), nil), "Asia/Shanghai"},
		{"CST alone in January is ambiguous", zoneFromDateOutput([]byte("Thu Jan 18 10:00:02 CST 2024\n"), nil), ""},
		{"CST with date --utc is Chicago", zoneFromDateOutput([]byte("Thu Jan 18 10:00:02 CST 2024\n"), []byte("Thu Jan 18 16:00:03 UTC 2024\n")), "America/Chicago"},
		{"an unknown abbreviation with date --utc", zoneFromDateOutput([]byte("Tue Jun 18 10:00:02 XYZ 2024\n"), []byte("Tue Jun 18 04:30:02 UTC 2024\n")), "XYZ"},
		{"timedatectl", zoneFromTimedatectlOutput([]byte("               Local time: Tue 2024-06-18 10:00:02 CEST\n" +
			"           Universal time: Tue 2024-06-18 08:00:02 UTC\n" +
			"                 RTC time: Tue 2024-06-18 08:00:02\n" +
			"                Time zone: Europe/Berlin (CEST, +0200)\n" +
			"System clock synchronized: yes\n")), "Europe/Berlin"},
		{"banner with a numeric zone", bannerZone("-- Journal begins at Tue 2024-06-18 10:00:02 +0530, ends at Tue 2024-06-18 11:00:00 +0530. --"), "UTC+05:30"},
		{"banner in UTC", bannerZone("-- Logs begin at Tue 2024-06-18 10:00:02 UTC, end at Tue 2024-06-18 11:00:00 UTC. --"), "UTC"},
		{"no entries", bannerZone("-- No entries --"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if tt.sig.ok() {
				got = tt.sig.loc.String()
			}
			if got != tt.want {
				t.Errorf("zone %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMemberWarningsKept: an archive member's warnings about its times
// (here a wall clock skipped by daylight saving time, in the bundle's
// zone) reach the stream, whether or not its year was moved.
func TestMemberWarningsKept(t *testing.T) {
	readerInUTC(t)
	mod := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	p := writeFile(t, t.TempDir(), "fra1.tar", tarBytes(t,
		member{name: "etc/timezone", data: []byte("Europe/Berlin\n")},
		member{name: "var/log/syslog", mod: mod, data: []byte(
			"Mar 31 01:59:58 fra1 CRON[4410]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)\n" +
				"Mar 31 02:30:00 fra1 CRON[4411]: (root) CMD (test -x /usr/sbin/anacron || run-parts /etc/cron.daily)\n")}))
	r := run(t, Options{Paths: []string{p}})
	found := false
	for _, w := range r.warnings {
		found = found || strings.Contains(w.Msg, "does not exist in Europe/Berlin")
	}
	if !found || len(r.events) != 2 {
		t.Errorf("%d events, warnings %v: want the skipped wall clock warned about", len(r.events), r.warnings)
	}
}
