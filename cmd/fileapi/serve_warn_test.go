package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeWarnsWithoutPublicURL: listening beyond loopback without a public URL is warned about at start
// (links sent by e-mail would point at the listen address); on loopback it is not.
func TestServeWarnsWithoutPublicURL(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{{"0.0.0.0:0", true}, {"127.0.0.1:0", false}} {
		t.Run(c.addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			logs := &lockedBuffer{}
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", c.addr, "--db", dbFlag(t, "sqlite")}, func(string) string { return "" },
					strings.NewReader(""), &lockedBuffer{}, logs)
			}()
			require.Eventually(t, func() bool { return strings.Contains(logs.String(), "msg=listening") }, 10*time.Second, 10*time.Millisecond, logs.String())
			cancel()
			require.Equal(t, 0, <-done, logs.String())
			assert.Equal(t, c.warn, strings.Contains(logs.String(), "without --public-url"), logs.String())
		})
	}
}
