//go:build !unix

package models

import "errors"

// walIndex is not read on this platform: the change watch asks PRAGMA data_version instead.
type walIndex struct{}

type walIndexHeader [12]uint32

func mapWALIndex(string) (*walIndex, error) {
	return nil, errors.New("the WAL index is read on unix only")
}

func (x *walIndex) header() (walIndexHeader, bool) { return walIndexHeader{}, false }

func (x *walIndex) close() {}
