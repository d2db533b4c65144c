package main

import (
	"errors"
	"fmt"
)

// FlagError is a usage error: bad flags, bad arguments or a missing input.
// Main prints it with a pointer to --help and exits 2.
type FlagError struct {
	cmd string // the command path for the --help hint, e.g. "logsleuth events"
	err error
}

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// flagErrorf returns a usage error of the command cmdPath.
func flagErrorf(cmdPath, format string, args ...any) error {
	return &FlagError{cmd: cmdPath, err: fmt.Errorf(format, args...)}
}

// errNothingReadable ends a run in which no input could be read at all;
// the reasons were already reported as warnings.
var errNothingReadable = errors.New("nothing readable")

// ExitError ends a run with a given status after the command has printed
// everything it had to say (reserved for --fail-on, status 1).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
