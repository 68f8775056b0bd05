package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLineBuffer: lines wait in memory and come out whole, in order, on time, when 64 KiB wait, and on Flush.
func TestLineBuffer(t *testing.T) {
	out := &lockedBuffer{}
	b := newLineBuffer(out)
	_, err := b.Write([]byte("one\n"))
	require.NoError(t, err)
	assert.Empty(t, out.String(), "a line waits")
	require.Eventually(t, func() bool { return out.String() == "one\n" }, 2*time.Second, 5*time.Millisecond, "written within the flush interval")

	var wg sync.WaitGroup
	line := strings.Repeat("x", 99) + "\n"
	for range 8 {
		wg.Go(func() {
			for range 200 {
				_, _ = b.Write([]byte(line))
			}
		})
	}
	wg.Wait()
	assert.GreaterOrEqual(t, len(out.String()), 64<<10, "64 KiB waiting are written at once")
	b.Flush()
	got := strings.TrimPrefix(out.String(), "one\n")
	assert.Equal(t, strings.Repeat(line, 1600), got, "every line whole")
}
