package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fileapi/fileapi/auth"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(func() time.Time { return now })

	for i := 0; i < auth.FailuresPerUsername; i++ {
		_, ok := l.Check("ann", "10.0.0.1")
		assert.True(t, ok, "attempt %d", i+1)
		l.Fail("ann", "10.0.0.1")
		now = now.Add(time.Second)
	}
	wait, ok := l.Check("ann", "10.0.0.2")
	assert.False(t, ok, "the username is at its limit from any address")
	assert.Equal(t, auth.FailureWindow-10*time.Second, wait, "the window opened at the first failure")
	_, ok = l.Check("bob", "10.0.0.1")
	assert.True(t, ok, "other usernames from the same address go on")

	now = now.Add(auth.FailureWindow)
	_, ok = l.Check("ann", "10.0.0.1")
	assert.True(t, ok, "a new window after 15 minutes")

	l.Fail("ann", "10.0.0.1")
	l.Succeed("ann")
	for i := 0; i < auth.FailuresPerUsername-1; i++ {
		l.Fail("ann", "10.0.0.9")
	}
	_, ok = l.Check("ann", "10.0.0.9")
	assert.True(t, ok, "a success reset the username's count")

	for i := 0; i < auth.FailuresPerAddress; i++ {
		l.Fail("", "192.0.2.7") // e.g. refresh grants: no username
	}
	wait, ok = l.Check("carol", "192.0.2.7")
	assert.False(t, ok)
	assert.Equal(t, auth.FailureWindow, wait)
}

func TestLimiterIsBounded(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(func() time.Time { return now })
	for i := 0; i < 30000; i++ {
		l.Fail(string(rune(i)), "")
		if i%10000 == 9999 {
			now = now.Add(auth.FailureWindow) // the earlier windows expire and are swept
		}
	}
	assert.LessOrEqual(t, l.Tracked(), 10001, "expired windows were swept")
	_, ok := l.Check(string(rune(29999)), "")
	assert.True(t, ok)
}

func TestLimiterClockStepsBack(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(func() time.Time { return now })
	for i := 0; i < auth.FailuresPerAddress; i++ {
		l.Fail("", "10.0.0.1")
	}
	now = now.Add(-24 * time.Hour)
	wait, ok := l.Check("", "10.0.0.1")
	assert.False(t, ok)
	assert.Equal(t, auth.FailureWindow, wait, "never more than one window")
}
