// Command gen writes logsleuth's benchmark corpus: a deterministic,
// realistic syslog stream of a given size from a small fleet of Ubuntu
// hosts, with incidents injected at known places.
//
//	go run ./bench/gen -size 1GiB -dir /tmp/logsleuth-bench
//
// It writes, in -dir:
//
//	syslog          RFC 3164 (Ubuntu <= 22.04 default), year-less stamps
//	syslog.rfc3339  the same events as RSYSLOG_FileFormat (Debian 12 default)
//	syslog.gz       syslog, gzipped, header time = last event (as logrotate keeps it)
//	incidents.tsv   line, time, host, kind of every injected incident
//
// With -dense it writes a log from a bad day instead (dense.go): about 30%
// of its lines hold a prefilter literal, against 5%.
//
// The same -seed, -size and -dense always give the same bytes. Existing files are
// kept unless -force is given, so `make bench` generates only once.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

func main() {
	var (
		sizeFlag = flag.String("size", "1GiB", "approximate size of syslog (B, KiB, MiB, GiB, KB, MB, GB)")
		dir      = flag.String("dir", "/tmp/logsleuth-bench", "output directory")
		seed     = flag.Uint64("seed", 1, "random seed")
		force    = flag.Bool("force", false, "regenerate even if the files exist")
		dense    = flag.Bool("dense", false, "a bad day's log: about 30% of lines are candidates (SSH brute force, containerd chatter, kernel trouble)")
	)
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	if err := run(*dir, size, *seed, *force, *dense); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v, nil
}

func run(dir string, size int64, seed uint64, force, dense bool) error {
	names := []string{"syslog", "syslog.rfc3339", "incidents.tsv", "syslog.gz"}
	if !force {
		all := true
		for _, n := range names {
			if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
				all = false
			}
		}
		if all {
			fmt.Fprintf(os.Stderr, "gen: %s exists, keeping it (-force regenerates)\n", dir)
			return nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := make([]*os.File, len(names)-1)
	for i, n := range names[:len(files)] {
		// Write under a temporary name, so an interrupted run is not
		// mistaken for a finished corpus.
		f, err := os.Create(filepath.Join(dir, n+".tmp"))
		if err != nil {
			return err
		}
		defer f.Close()
		files[i] = f
	}
	plain := bufio.NewWriterSize(files[0], 1<<20)
	iso := bufio.NewWriterSize(files[1], 1<<20)
	inc := bufio.NewWriter(files[2])
	fmt.Fprintln(inc, "line\ttime\thost\tkind")

	g := newGen(seed)
	start := time.Now()
	var written int64
	incidentEvery := max(size/24, 1<<20) // about two dozen incidents, spread evenly
	var line, nextIncident int64 = 0, incidentEvery / 2
	var buf, ibuf []byte
	for written < size {
		var batch []record
		if written >= nextIncident {
			kind := incidentKinds[int(nextIncident/incidentEvery)%len(incidentKinds)]
			batch = g.incident(kind)
			fmt.Fprintf(inc, "%d\t%s\t%s\t%s\n", line+1, batch[0].t.Format(time.RFC3339), batch[0].host, kind)
			nextIncident += incidentEvery
		} else if dense {
			batch = g.denseNext()
		} else {
			batch = []record{g.noise()}
		}
		for _, r := range batch {
			line++
			buf = r.appendRFC3164(buf[:0])
			ibuf = r.appendRFC3339(ibuf[:0])
			written += int64(len(buf))
			if _, err := plain.Write(buf); err != nil {
				return err
			}
			if _, err := iso.Write(ibuf); err != nil {
				return err
			}
		}
	}
	last := g.now
	for _, err := range []error{plain.Flush(), iso.Flush(), inc.Flush()} {
		if err != nil {
			return err
		}
	}
	// The gzip copy is a second pass: its header carries the time of the
	// last event, known only now.
	if _, err := files[0].Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := gzipFile(files[0], filepath.Join(dir, "syslog.gz.tmp"), last); err != nil {
		return err
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, n := range names {
		final := filepath.Join(dir, n)
		if err := os.Rename(final+".tmp", final); err != nil {
			return err
		}
		// logrotate keeps mtimes; year inference may anchor on them.
		if err := os.Chtimes(final, last, last); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %d lines, %d bytes, %s .. %s, in %s\n",
		line, written, g.first.Format(time.RFC3339), last.Format(time.RFC3339), time.Since(start).Round(time.Millisecond))
	return nil
}

// gzipFile compresses src into dst, as logrotate's `gzip < file` does:
// no name in the header, the header time set to mtime.
func gzipFile(src io.Reader, dst string, mtime time.Time) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	zw, err := gzip.NewWriterLevel(f, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	zw.ModTime = mtime
	if _, err := io.Copy(zw, src); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
