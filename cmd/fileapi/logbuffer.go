package main

import (
	"io"
	"sync"
	"time"
)

// accessLogFlush is how long an access log line may wait in memory before it is written.
const accessLogFlush = 100 * time.Millisecond

// lineBuffer gathers the access log's lines and writes them out together: at most accessLogFlush after the
// first line that waits, as soon as 64 KiB wait, and on Flush. Under load the access log then costs one write
// for many requests instead of one each. Each line arrives whole (slog writes one record per call), so the
// lines of another writer to the same file never land inside one of these.
type lineBuffer struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer
}

func newLineBuffer(w io.Writer) *lineBuffer { return &lineBuffer{w: w} }

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case len(b.buf) >= 64<<10:
		b.flushLocked()
	case b.timer == nil:
		b.timer = time.AfterFunc(accessLogFlush, b.Flush)
	}
	return len(p), nil
}

// Flush writes every waiting line now.
func (b *lineBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *lineBuffer) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf) // a log that cannot be written is not worth failing a request for
		b.buf = b.buf[:0]
	}
}
