//go:build !(linux || darwin || freebsd)

package ingest

import (
	"errors"
	"os"
)

// mapFile is not available here: files are read.
func mapFile(*os.File, int64) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapFile([]byte) error { return nil }

func dropPages([]byte) {}
