package ingest

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// sniffSize is how much decompressed data Sniff and the tar check see.
const sniffSize = 8 << 10

// decoded is an input with its compression removed.
type decoded struct {
	r      *bufio.Reader // the decompressed bytes
	head   []byte        // up to sniffSize bytes peeked from r; valid until r is read
	compr  string        // "gzip", "zstd", "xz", "bzip2"; "" for none
	gzTime time.Time     // gzip header MTIME; zero when unset
	isTar  bool          // the data is a tar archive
	close  func()        // releases the decompressor
}

var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicBzip2 = []byte("BZh")
	// magicJournal starts a native systemd journal file.
	magicJournal = []byte("LPKSHHRH")
)

// decode recognizes compression by its magic bytes (never by name) and
// returns the decompressed stream, peeked for sniffing. A compressed
// stream is decoded once: a compressed file inside is not unpacked again
// (logrotate never nests), but a tar inside is recognized.
func decode(raw io.Reader) (*decoded, error) {
	br := bufio.NewReaderSize(raw, 64<<10)
	magic, _ := br.Peek(6)
	d := &decoded{close: func() {}}
	var r io.Reader
	switch {
	case bytes.HasPrefix(magic, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		d.compr, d.gzTime, r = "gzip", zr.Header.ModTime, zr
		if d.gzTime.Unix() <= 0 {
			d.gzTime = time.Time{} // `cat f | gzip` stores 0: unknown
		}
		d.close = func() { zr.Close() }
	case bytes.HasPrefix(magic, magicZstd):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		d.compr, r = "zstd", zr
		d.close = zr.Close
	case bytes.HasPrefix(magic, magicXz):
		zr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("xz header: %w", err)
		}
		d.compr, r = "xz", zr
	case len(magic) >= 4 && bytes.HasPrefix(magic, magicBzip2) && magic[3] >= '1' && magic[3] <= '9':
		d.compr, r = "bzip2", bzip2.NewReader(br)
	}
	if r == nil {
		d.r = br
	} else {
		d.r = bufio.NewReaderSize(r, 64<<10)
	}
	d.head, _ = d.r.Peek(sniffSize)
	d.isTar = len(d.head) >= 262 && bytes.Equal(d.head[257:262], []byte("ustar"))
	return d, nil
}

// isTruncation reports a decompressor's way of saying its input ended
// early, for decompressors that do not use io.ErrUnexpectedEOF.
func isTruncation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "unexpected EOF") || strings.Contains(s, "unexpected end")
}

// looksBinary is a cheap test for files that are not text at all.
func looksBinary(head []byte) bool {
	return bytes.IndexByte(head, 0) >= 0
}
