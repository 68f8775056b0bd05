package auth

import (
	"sync"
	"time"
)

// Credential limits (saasu.md §6.7): failures per username and per client address, each counted in a window
// opened by the first failure. Shared by every endpoint that checks a password or a refresh token.
const (
	FailuresPerUsername = 10
	FailuresPerAddress  = 50
	FailureWindow       = 15 * time.Minute
	// maxTracked bounds memory: past it, expired windows are swept before a new one is opened.
	maxTracked = 10000
)

// Limiter counts events (failed credential attempts, or requests) per username and per client address in
// windows opened by the first event. It is in memory, per server instance: the limits are a brake on
// guessing and flooding, not an accounting of them. The zero value is not usable; use NewLimiter.
type Limiter struct {
	mu               sync.Mutex
	now              func() time.Time
	perUser, perAddr int
	window           time.Duration
	users            map[string]*failures
	addrs            map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

// NewLimiter returns the credential limiter (saasu.md §6.7), reading time from now.
func NewLimiter(now func() time.Time) *Limiter {
	return NewLimiterOf(now, FailuresPerUsername, FailuresPerAddress, FailureWindow)
}

// NewLimiterOf returns a limiter of perUser and perAddr events in each window.
func NewLimiterOf(now func() time.Time, perUser, perAddr int, window time.Duration) *Limiter {
	return &Limiter{now: now, perUser: perUser, perAddr: perAddr, window: window, users: map[string]*failures{}, addrs: map[string]*failures{}}
}

// Check reports whether an attempt for username (folded; "" when there is none) from addr may go ahead, and
// if not, how long until it may. At the limit the credential is not checked at all.
func (l *Limiter) Check(username, addr string) (retryAfter time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := func(m map[string]*failures, key string, limit int) time.Duration {
		f := m[key]
		if f == nil || key == "" {
			return 0
		}
		left := f.start.Add(l.window).Sub(now)
		if left <= 0 {
			delete(m, key)
			return 0
		}
		if f.n < limit {
			return 0
		}
		// A clock that stepped back (NTP) must not stretch a window: no wait is longer than one window.
		return min(left, l.window)
	}
	retryAfter = max(wait(l.users, username, l.perUser), wait(l.addrs, addr, l.perAddr))
	return retryAfter, retryAfter == 0
}

// Fail counts one failed attempt against username (if any) and addr.
func (l *Limiter) Fail(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.count(l.users, username, now)
	l.count(l.addrs, addr, now)
}

// Succeed closes the username's window: a right password resets its count (the address's stays).
func (l *Limiter) Succeed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, username)
}

func (l *Limiter) count(m map[string]*failures, key string, now time.Time) {
	if key == "" {
		return
	}
	f := m[key]
	if f != nil && !now.Before(f.start.Add(l.window)) {
		f = nil
	}
	if f == nil {
		if len(m) >= maxTracked {
			for k, v := range m {
				if !now.Before(v.start.Add(l.window)) {
					delete(m, k)
				}
			}
		}
		f = &failures{start: now}
		m[key] = f
	}
	f.n++
}
