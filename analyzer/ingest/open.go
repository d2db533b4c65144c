package ingest

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// errNotRegular refuses a file a walk found that is no regular file.
var errNotRegular = errors.New("not a regular file")

// openRegular opens path for reading only if it is a regular file. It
// never blocks: a FIFO put where a walk found a file (or a bundle's
// etc/localtime that is one) would block open() until a writer came.
// Files found by walking directories and bundles are opened this way;
// only inputs the user named (stdin, an explicit FIFO) may be anything
// else (openInput).
func openRegular(path string) (*os.File, error) {
	f, err := openFile(path, syscall.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return f, nil
}

// openInput opens an input the user named. A FIFO's open() blocks until
// a writer opens it, and its reads until the writer writes: both end
// when done is closed (the stream was stopped), open by opening the
// FIFO for writing ourselves, reads by closing the file (a FIFO's reads
// go through the runtime's poller).
func openInput(path string, done <-chan struct{}) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		return openFile(path, 0)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := openFile(path, 0)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err == nil {
			watchClose(o.f, done)
		}
		return o.f, o.err
	case <-done:
		// A writer that opens and closes at once lets the blocked open
		// return; its reader then sees the end of the input.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		if o := <-ch; o.f != nil {
			o.f.Close()
		}
		return nil, errStopped
	}
}

// watchClose closes f once done is closed, which ends a read blocked on
// it; the caller's own Close then fails harmlessly.
func watchClose(f *os.File, done <-chan struct{}) {
	go func() {
		<-done
		f.Close()
	}()
}
