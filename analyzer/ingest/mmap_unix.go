//go:build linux || darwin || freebsd

package ingest

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only. A mapped file is
// read without copying it from the kernel block by block, as ripgrep
// does for a single file.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("cannot map %d bytes", size)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	// Read once, front to back: the kernel may read further ahead.
	_ = syscall.Madvise(m, syscall.MADV_SEQUENTIAL)
	return m, nil
}

// unmapFile releases a mapping made by mapFile.
func unmapFile(m []byte) error { return syscall.Munmap(m) }

// dropPages unmaps b's pages from the process, not from the page cache:
// the parts of a mapped file already copied stop counting in its RSS.
// b must start on a page boundary.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
