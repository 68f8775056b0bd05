package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/fileapi/fileapi/models"
)

// Credential limits (saasu.md §6.7): failures per (username, client address), per username over all
// addresses, and per client address, each counted in a window opened by the first failure. The lockout a
// wrong password leads to is the pair's: one address cannot lock a user out everywhere, while the
// per-username ceiling still stops a guesser that spreads over many addresses. Shared by every endpoint that
// checks a password or a refresh token.
const (
	FailuresPerUserAddress = 10
	FailuresPerUsername    = 100
	FailuresPerAddress     = 50
	FailureWindow          = 15 * time.Minute
)

// Limiter counts events (failed credential attempts, or requests) per username and address, per username,
// and per client address, in windows opened by the first event. The counts live in the database
// (models.Store.CountLimitEvent), so they are the same on every instance of a fleet and survive a restart;
// each event is counted by one statement that no other instance can interleave with.
type Limiter struct {
	store                     *models.Store
	name                      string
	perPair, perUser, perAddr int64 // 0: not counted
	window                    time.Duration
	// OnRefuse, when set, is told the limiter's name whenever Check refuses an attempt (for the metrics).
	OnRefuse func(limiter string)
}

// NewLimiter returns the credential limiter (saasu.md §6.7).
func NewLimiter(store *models.Store) *Limiter {
	return &Limiter{store: store, name: "credentials", perPair: FailuresPerUserAddress, perUser: FailuresPerUsername,
		perAddr: FailuresPerAddress, window: FailureWindow}
}

// NewLimiterOf returns a limiter, named apart from the others, of perUser events per username and perAddr
// per address in each window.
func NewLimiterOf(store *models.Store, name string, perUser, perAddr int, window time.Duration) *Limiter {
	return &Limiter{store: store, name: name, perUser: int64(perUser), perAddr: int64(perAddr), window: window}
}

// bucket names a counter without storing the username or the address in clear.
func (l *Limiter) bucket(kind, key string) string {
	sum := sha256.Sum256([]byte(l.name + "\x00" + kind + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// buckets are the counters of an attempt: the pair's and the username's (when there is a username and the
// limiter counts them) and the address's.
func (l *Limiter) buckets(username, addr string) (buckets []string, limits []int64) {
	if username != "" && l.perPair > 0 {
		buckets, limits = append(buckets, l.bucket("pair", username+"\x00"+addr)), append(limits, l.perPair)
	}
	if username != "" && l.perUser > 0 {
		buckets, limits = append(buckets, l.bucket("user", username)), append(limits, l.perUser)
	}
	return append(buckets, l.bucket("addr", addr)), append(limits, l.perAddr)
}

// Check returns how long an attempt for username (folded; "" when there is none) from addr must wait: 0
// when it may go ahead. At the limit the credential is not checked at all.
func (l *Limiter) Check(ctx context.Context, username, addr string) (time.Duration, error) {
	buckets, limits := l.buckets(username, addr)
	n, closes, err := l.store.LimitCounts(ctx, l.window, buckets...)
	if err != nil {
		return 0, err
	}
	var wait time.Duration
	now := l.store.Now()
	for i := range buckets {
		if n[i] >= limits[i] {
			// A clock that stepped back (NTP) must not stretch a window: no wait is longer than one window.
			wait = max(wait, min(closes[i].Sub(now), l.window))
		}
	}
	if wait > 0 && l.OnRefuse != nil {
		l.OnRefuse(l.name)
	}
	return wait, nil
}

// Fail counts one failed attempt against username (if any) and addr.
func (l *Limiter) Fail(ctx context.Context, username, addr string) error {
	buckets, _ := l.buckets(username, addr)
	return l.store.CountLimitEvent(ctx, l.window, buckets...)
}

// Succeed closes the windows of the username (its own and the pair's with addr): a right password resets
// them. The address's stays.
func (l *Limiter) Succeed(ctx context.Context, username, addr string) error {
	if username == "" {
		return nil
	}
	return l.store.ResetLimit(ctx, l.bucket("pair", username+"\x00"+addr), l.bucket("user", username))
}
