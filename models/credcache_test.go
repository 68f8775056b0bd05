package models

import (
	"context"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChangeWatch: the generation moves on every commit, by this store or another one on the same file,
// and only then; through the WAL index where it can be read, and through PRAGMA data_version without it.
func TestChangeWatch(t *testing.T) {
	for _, useIndex := range []bool{true, false} {
		name := "pragma"
		if useIndex {
			name = "wal-index"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "w.db")
			s, err := Open(ctx, DSN{Dialect: "sqlite", Path: path})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			_, err = s.Migrate(ctx, "up")
			require.NoError(t, err)
			other, err := Open(ctx, DSN{Dialect: "sqlite", Path: path})
			require.NoError(t, err)
			t.Cleanup(func() { _ = other.Close() })
			w := s.creds.watch
			_, err = w.generation()
			require.NoError(t, err)
			if useIndex {
				if runtime.GOOS == "windows" {
					t.Skip("the WAL index is read on unix only")
				}
				require.NotNil(t, w.index.Load(), "the WAL index is mapped after the first check")
			} else {
				w.path = "" // no file to map: every check asks PRAGMA data_version
				if x := w.index.Swap(nil); x != nil {
					x.close()
				}
			}
			// The first read of the index may move the generation once (it compares with nothing yet).
			g1, err := w.generation()
			require.NoError(t, err)
			g2, err := w.generation()
			require.NoError(t, err)
			assert.Equal(t, g1, g2, "no commit, same generation")

			for i, st := range []*Store{s, other, other, s} {
				_, err := st.CreateFile(ctx, NewFile{Name: "F" + strconv.Itoa(i)})
				require.NoError(t, err)
				g3, err := w.generation()
				require.NoError(t, err)
				assert.Greater(t, g3, g2, "a commit by store %d moves the generation", i)
				g4, err := w.generation()
				require.NoError(t, err)
				assert.Equal(t, g3, g4)
				g2 = g4
			}
		})
	}
}
