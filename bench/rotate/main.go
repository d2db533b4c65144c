// Command rotate writes a logrotate-style set (syslog, syslog.1,
// syslog.2.gz, ...) of about -size bytes from the benchmark corpus's
// RFC 3164 syslog (bench/gen), for timing --since on a set of many days:
//
//	go run ./bench/rotate -from /tmp/logsleuth-bench/1GiB/syslog -size 4GiB -dir /tmp/logsleuth-bench/rotated-4GiB
//
// The corpus is repeated as often as -size needs, each copy shifted in
// time to follow the one before, and cut into days at 06:25 (cron.daily)
// in the corpus's zone (KST); the set ends at 18:25, so its live file
// holds twelve hours whatever its size. As logrotate with delaycompress leaves
// them: the live file and syslog.1 plain, the older days gzipped with the
// header time of their last write, and every file's mtime its last line's
// time. It also writes last.txt: the Unix time of the last line. Existing
// sets are kept unless -force is given.
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
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// kst is the corpus's zone (bench/gen).
var kst = time.FixedZone("KST", 9*3600)

func main() {
	var (
		from  = flag.String("from", "/tmp/logsleuth-bench/1GiB/syslog", "the corpus's RFC 3164 syslog (bench/gen)")
		size  = flag.String("size", "1GiB", "approximate size of the set, uncompressed (MiB, GiB)")
		dir   = flag.String("dir", "", "output directory (required)")
		force = flag.Bool("force", false, "regenerate even if the set exists")
	)
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "rotate: -dir and a -size like 1GiB are required")
		os.Exit(2)
	}
	if err := run(*from, *dir, n, *force); err != nil {
		fmt.Fprintln(os.Stderr, "rotate:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(f * float64(u.mult)), nil
		}
	}
	return 0, fmt.Errorf("bad size %q", s)
}

// day is one rotated file being written: plain, under a temporary name.
type day struct {
	path string
	f    *os.File
	w    *bufio.Writer
	last time.Time
}

func run(from, dir string, size int64, force bool) error {
	if _, err := os.Stat(filepath.Join(dir, "last.txt")); err == nil && !force {
		fmt.Fprintf(os.Stderr, "rotate: %s exists, keeping it (-force regenerates)\n", dir)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	var days []*day
	var cur *day
	var next time.Time // the next rotation
	var written int64
	var shift time.Duration
	var span time.Duration // of one copy of the corpus
	// Once -size is written, the set runs on to the next 18:25, so the
	// live file holds the same twelve hours whatever the set's size.
	var stop time.Time
	done := func(t time.Time) bool {
		if stop.IsZero() && written >= size {
			stop = rotationAfter(t.Add(-12 * time.Hour)).Add(12 * time.Hour)
		}
		return !stop.IsZero() && !t.Before(stop)
	}
	for finished := false; !finished; {
		in, err := os.Open(from)
		if err != nil {
			return err
		}
		r := bufio.NewReaderSize(in, 1<<20)
		clock := stampClock{year: 2020}
		var first time.Time
		for {
			line, err := r.ReadSlice('\n')
			if err == io.EOF {
				break
			}
			if err != nil {
				in.Close()
				return err
			}
			t, ok := clock.read(line)
			if !ok {
				continue
			}
			if first.IsZero() {
				first = t
			}
			span = t.Sub(first)
			t = t.Add(shift)
			if finished = done(t); finished {
				break
			}
			if cur == nil || !t.Before(next) {
				if cur != nil {
					if err := cur.w.Flush(); err != nil {
						return err
					}
				}
				cur = &day{path: filepath.Join(dir, fmt.Sprintf("day-%04d.tmp", len(days)))}
				if cur.f, err = os.Create(cur.path); err != nil {
					return err
				}
				cur.w = bufio.NewWriterSize(cur.f, 1<<20)
				days = append(days, cur)
				next = rotationAfter(t)
			}
			copy(line, t.In(kst).Format(time.Stamp))
			cur.w.Write(line)
			cur.last = t
			written += int64(len(line))
		}
		in.Close()
		shift += span + time.Second
	}
	if err := cur.w.Flush(); err != nil {
		return err
	}
	return finish(dir, days, written, start)
}

// finish names the days as logrotate would, newest first, gzipping all
// but the two newest (on two cores).
func finish(dir string, days []*day, written int64, start time.Time) error {
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	errs := make([]error, len(days))
	for i, d := range days {
		age := len(days) - 1 - i
		name := "syslog"
		if age > 0 {
			name = "syslog." + strconv.Itoa(age)
		}
		if age >= 2 {
			name += ".gz"
		}
		final := filepath.Join(dir, name)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = d.close(final, age >= 2)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	last := days[len(days)-1].last
	if err := os.WriteFile(filepath.Join(dir, "last.txt"), []byte(strconv.FormatInt(last.Unix(), 10)+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "rotate: %d files, %d bytes, last line %s, in %s\n",
		len(days), written, last.In(kst).Format(time.RFC3339), time.Since(start).Round(time.Millisecond))
	return nil
}

// close renames d to final, or gzips it there, and sets its mtime (and
// header time) to its last line's, as logrotate keeps them.
func (d *day) close(final string, gz bool) error {
	if !gz {
		if err := d.f.Close(); err != nil {
			return err
		}
		if err := os.Rename(d.path, final); err != nil {
			return err
		}
		return os.Chtimes(final, d.last, d.last)
	}
	defer os.Remove(d.path)
	if _, err := d.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	out, err := os.Create(final)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(out, gzip.BestSpeed)
	if err != nil {
		return err
	}
	zw.ModTime = d.last
	if _, err := io.Copy(zw, d.f); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	d.f.Close()
	return os.Chtimes(final, d.last, d.last)
}

// rotationAfter is the first 06:25 KST after t.
func rotationAfter(t time.Time) time.Time {
	k := t.In(kst)
	r := time.Date(k.Year(), k.Month(), k.Day(), 6, 25, 0, 0, kst)
	if !r.After(t) {
		r = r.AddDate(0, 0, 1)
	}
	return r
}

// stampClock reads the year-less stamps of one copy of the corpus in
// order, counting years at New Year.
type stampClock struct {
	year int
	prev time.Month
}

func (c *stampClock) read(line []byte) (time.Time, bool) {
	if len(line) < 16 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.Stamp, string(line[:15])) // (year 0: only its fields are used)
	if err != nil {
		return time.Time{}, false
	}
	if c.prev != 0 && t.Month() < c.prev {
		c.year++
	}
	c.prev = t.Month()
	return time.Date(c.year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, kst), true
}
