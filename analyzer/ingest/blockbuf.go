package ingest

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
)

// blockBuf is a parse worker's copy of one block of lines. The events
// parsed from the block are slices of it (parseChunk), so it is handed
// back for another block only once none of them can be read any more:
//
//   - the chunk holds a reference until it is assembled, then its batch
//     does until the merge is done with the batch (putBatch);
//   - the entry the Assembler holds back at the end of a block, and any
//     block whose continuation lines joined it, are referenced by the
//     source (srcRun.heldTexts) until the batch that takes the entry;
//   - a block read while the Assembler keeps lines of an open command
//     output block (parse.Assembler.Holding) is left to the collector:
//     nothing says when the lines it keeps let go.
//
// Whatever outlives its batch is a copy (Stream.Event's contract): the
// engine clones what it keeps. A stream whose sources are compared for
// duplicates keeps recent events in its window: its blocks are left to
// the collector too.
//
// Recycling saves the copy of every block a fresh allocation, and the
// collector the cycles a heap of block copies costs: on the dense bench
// corpus most of the bytes allocated (README "Speed").
type blockBuf struct {
	data []byte
	refs atomic.Int32
	// gc: not handed back; the collector frees it once nothing points
	// into it.
	gc atomic.Bool
}

var blockBufPool = sync.Pool{New: func() any { return new(blockBuf) }}

// poisonBlocks, for tests ($LOGSLEUTH_POISON_BLOCKS set), overwrites a
// block copy when it is released instead of reusing it: a string that
// outlived its block then reads as a run of '\x7f', which the suite's
// expected outputs catch. A number of bytes as its value makes blocks
// that small, so that the suite's small inputs span many blocks (`make
// test` runs the suite so too).
var poisonBlocks = os.Getenv("LOGSLEUTH_POISON_BLOCKS") != ""

// blocksPoisoned counts the block copies poisoned, for tests.
var blocksPoisoned atomic.Int64

func init() {
	if n, err := strconv.Atoi(os.Getenv("LOGSLEUTH_POISON_BLOCKS")); err == nil && n > 0 {
		blockSize = n
	}
}

// newBlockBuf returns a copy of data with one reference. It faults like
// copy when data is a mapped page that is gone.
func newBlockBuf(data []byte) *blockBuf {
	b := blockBufPool.Get().(*blockBuf)
	if cap(b.data) < len(data) {
		b.data = make([]byte, len(data), max(len(data), blockSize))
	}
	b.data = b.data[:len(data)]
	copy(b.data, data)
	b.refs.Store(1)
	b.gc.Store(false)
	return b
}

// text is the copy as a string: the events' strings are slices of it.
func (b *blockBuf) text() string {
	return unsafe.String(unsafe.SliceData(b.data), len(b.data))
}

// hold adds a reference.
func (b *blockBuf) hold() { b.refs.Add(1) }

// release drops a reference; the last one hands the copy back.
func (b *blockBuf) release() {
	if b.refs.Add(-1) != 0 {
		return
	}
	switch {
	case b.gc.Load():
	case poisonBlocks:
		for i := range b.data {
			b.data[i] = 0x7f
		}
		blocksPoisoned.Add(1)
	case cap(b.data) <= 2*blockSize:
		// (A block grows past blockSize only for a long line.)
		blockBufPool.Put(b)
	}
}

// releaseAll releases each of bs and clears the slice.
func releaseAll(bs []*blockBuf) []*blockBuf {
	for _, b := range bs {
		b.release()
	}
	clear(bs)
	return bs[:0]
}
