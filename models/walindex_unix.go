//go:build unix

package models

import (
	"errors"
	"os"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walIndex is the header of a SQLite database's WAL index (the "-shm" file), mapped read-only. SQLite keeps
// two copies of it, 48 bytes each, at the start of the file, and rewrites both on every commit: the writer
// fills the second copy, then the first; a reader takes the first, then the second, and trusts them when they
// agree. This is how SQLite's own connections tell that the database changed, and its format is fixed
// (https://www.sqlite.org/walformat.html): processes running different SQLite versions share it.
type walIndex struct {
	mem []byte
}

// walIndexHeader is one copy of the header, as 32-bit words.
type walIndexHeader [12]uint32

// mapWALIndex maps the WAL index of the database at path. The caller keeps a connection to the database
// open for as long as the mapping lives: SQLite truncates or removes the file only when the last
// connection of every process closes.
func mapWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < 2*48 {
		return nil, errors.New("the WAL index is not initialised yet")
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, 2*48, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &walIndex{mem: mem}, nil
}

// header returns a consistent copy of the header; ok is false when the two copies disagree (a commit is being
// written) or the header is not initialised, or when the mapping cannot be read.
func (x *walIndex) header() (h walIndexHeader, ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	base := unsafe.Pointer(&x.mem[0])
	var second walIndexHeader
	for i := range h {
		h[i] = atomic.LoadUint32((*uint32)(unsafe.Add(base, 4*i)))
	}
	for i := range second {
		second[i] = atomic.LoadUint32((*uint32)(unsafe.Add(base, 48+4*i)))
	}
	isInit := *(*byte)(unsafe.Add(base, 12))
	return h, h == second && isInit != 0
}

func (x *walIndex) close() { _ = syscall.Munmap(x.mem) }
