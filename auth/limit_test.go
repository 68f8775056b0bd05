package auth_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// limiterStore opens a database whose clock the test moves.
func limiterStore(t *testing.T, dsn models.DSN, now *time.Time) *models.Store {
	s := modelstest.OpenDSN(t, dsn)
	s.Now = func() time.Time { return *now }
	return s
}

func TestLimiter(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		l := auth.NewLimiter(limiterStore(t, dsn, &now))
		allowed := func(user, addr string) bool {
			wait, err := l.Check(ctx, user, addr)
			require.NoError(t, err)
			return wait == 0
		}
		for i := 0; i < auth.FailuresPerUserAddress; i++ {
			assert.True(t, allowed("ann", "10.0.0.1"), "attempt %d", i+1)
			require.NoError(t, l.Fail(ctx, "ann", "10.0.0.1"))
			now = now.Add(time.Second)
		}
		wait, err := l.Check(ctx, "ann", "10.0.0.1")
		require.NoError(t, err)
		assert.Equal(t, auth.FailureWindow-10*time.Second, wait, "the username is at its limit from this address; the window opened at the first failure")
		assert.True(t, allowed("ann", "10.0.0.2"), "one address cannot lock the user out everywhere")
		assert.True(t, allowed("bob", "10.0.0.1"), "other usernames from the same address go on")

		// Spread over many addresses, failures for one username stop at the per-username ceiling.
		for i := auth.FailuresPerUserAddress; i < auth.FailuresPerUsername; i++ {
			addr := "10.1.0." + strconv.Itoa(i%100)
			assert.True(t, allowed("ann", addr) || i%100 < auth.FailuresPerUserAddress, "attempt %d", i+1)
			require.NoError(t, l.Fail(ctx, "ann", addr))
		}
		wait, err = l.Check(ctx, "ann", "10.9.9.9")
		require.NoError(t, err)
		assert.Positive(t, wait, "the per-username ceiling holds from a new address")

		now = now.Add(auth.FailureWindow)
		assert.True(t, allowed("ann", "10.0.0.1"), "a new window after 15 minutes")

		for i := 0; i < auth.FailuresPerUserAddress; i++ {
			require.NoError(t, l.Fail(ctx, "ann", "10.0.0.9"))
		}
		assert.False(t, allowed("ann", "10.0.0.9"))
		require.NoError(t, l.Succeed(ctx, "ann", "10.0.0.9"))
		assert.True(t, allowed("ann", "10.0.0.9"), "a success resets the username's counts")

		for i := 0; i < auth.FailuresPerAddress; i++ {
			require.NoError(t, l.Fail(ctx, "", "192.0.2.7")) // e.g. refresh grants: no username
		}
		wait, err = l.Check(ctx, "carol", "192.0.2.7")
		require.NoError(t, err)
		assert.Equal(t, auth.FailureWindow, wait)

		// A clock that stepped back never makes a wait longer than one window.
		now = now.Add(-24 * time.Hour)
		wait, err = l.Check(ctx, "", "192.0.2.7")
		require.NoError(t, err)
		assert.Equal(t, auth.FailureWindow, wait)
	})
}

// TestLimiterFleetWide: two instances on one database count together, and a restarted instance (a new
// limiter on a new store) still knows the count. Another limiter's counts are its own.
func TestLimiterFleetWide(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		a, b := auth.NewLimiter(limiterStore(t, dsn, &now)), auth.NewLimiter(limiterStore(t, dsn, &now))
		for i := 0; i < auth.FailuresPerUserAddress; i++ {
			l := a
			if i%2 == 1 {
				l = b
			}
			require.NoError(t, l.Fail(ctx, "ann", "10.0.0.1"))
		}
		restarted := auth.NewLimiter(limiterStore(t, dsn, &now))
		for _, l := range []*auth.Limiter{a, b, restarted} {
			wait, err := l.Check(ctx, "ann", "10.0.0.1")
			require.NoError(t, err)
			assert.Equal(t, auth.FailureWindow, wait)
		}
		other := auth.NewLimiterOf(limiterStore(t, dsn, &now), "reset-password", 3, 20, time.Hour)
		wait, err := other.Check(ctx, "ann", "10.0.0.1")
		require.NoError(t, err)
		assert.Zero(t, wait, "limiters count apart")
	})
}
