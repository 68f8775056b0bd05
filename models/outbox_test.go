package models_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// ids lists the ids of messages, in order.
func ids(msgs []models.OutboxMessage) []int64 {
	out := []int64{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestOutbox(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx := fx.s, context.Background()
		advance := clock(s)
		bob, err := s.CreateUser(ctx, models.NewUser{Username: "bob@example.com", FirstName: "Bob"})
		require.NoError(t, err)

		msgs, err := s.Outbox(ctx, "")
		require.NoError(t, err)
		assert.Empty(t, msgs)
		pending, err := s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Empty(t, pending)

		// Three messages: Ann's number twice, Bob's once, a second apart.
		_, err = s.IssueOTP(ctx, otpFor(fx.user.ID, models.PurposeLogin, ann2, "111111"))
		require.NoError(t, err)
		advance(time.Second)
		_, err = s.IssueOTP(ctx, otpFor(bob.ID, models.PurposeLogin, ann3, "222222"))
		require.NoError(t, err)
		advance(time.Second)
		_, err = s.IssueOTP(ctx, otpFor(fx.user.ID, models.PurposeOptIn, ann2, "333333"))
		require.NoError(t, err)

		all, err := s.Outbox(ctx, "")
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, []string{smsBody("111111"), smsBody("222222"), smsBody("333333")},
			[]string{all[0].Body, all[1].Body, all[2].Body}, "newest last")
		for i, m := range all {
			assert.Equal(t, modelstest.Epoch.Add(time.Duration(i)*time.Second), m.CreatedAt)
			assert.Equal(t, time.UTC, m.CreatedAt.Location())
			assert.Equal(t, int64(0), m.Attempts)
			assert.Nil(t, m.LastError)
			assert.Nil(t, m.SentAt)
		}
		ann, err := s.Outbox(ctx, ann2)
		require.NoError(t, err)
		assert.Equal(t, []int64{all[0].ID, all[2].ID}, ids(ann), "only those to the address")
		none, err := s.Outbox(ctx, "+61400000000")
		require.NoError(t, err)
		assert.Empty(t, none)

		pending, err = s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, ids(all), ids(pending), "oldest first")
		pending, err = s.PendingMessages(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, ids(all[:2]), ids(pending), "at most n")
		pending, err = s.PendingMessages(ctx, 0)
		require.NoError(t, err)
		assert.Empty(t, pending)

		// A failure puts the message back 30 s later, to the microsecond.
		first, second, third := all[0].ID, all[1].ID, all[2].ID
		failedAt := s.Now()
		require.NoError(t, s.MarkFailed(ctx, first, "connection refused", time.Time{}))
		ann, err = s.Outbox(ctx, ann2)
		require.NoError(t, err)
		m := ann[0]
		assert.Equal(t, int64(1), m.Attempts)
		require.NotNil(t, m.LastError)
		assert.Equal(t, "connection refused", *m.LastError)
		require.NotNil(t, m.NextAttemptAt)
		assert.Equal(t, failedAt.Add(30*time.Second), *m.NextAttemptAt)
		assert.Nil(t, m.SentAt)
		pending, err = s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{second, third}, ids(pending), "not due until its next attempt")
		advance(30*time.Second - time.Microsecond)
		pending, err = s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{second, third}, ids(pending), "a microsecond early")
		advance(time.Microsecond)
		pending, err = s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{first, second, third}, ids(pending), "due again, still oldest first")

		// Sent: out of the pending list for good, and a second report changes nothing.
		require.NoError(t, s.MarkSent(ctx, second))
		sentAt := s.Now()
		advance(time.Minute)
		require.NoError(t, s.MarkSent(ctx, second))
		require.NoError(t, s.MarkFailed(ctx, second, "late failure report", time.Time{}))
		bobs, err := s.Outbox(ctx, ann3)
		require.NoError(t, err)
		require.NotNil(t, bobs[0].SentAt)
		assert.Equal(t, sentAt, *bobs[0].SentAt)
		assert.Empty(t, bobs[0].Body, "a sent message keeps no code or link at rest")
		assert.Equal(t, ann3, bobs[0].To)
		assert.Equal(t, int64(0), bobs[0].Attempts)
		assert.Nil(t, bobs[0].LastError)
		pending, err = s.PendingMessages(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{first, third}, ids(pending))

		// A message sent after failures keeps its attempts and last error.
		require.NoError(t, s.MarkSent(ctx, first))
		ann, err = s.Outbox(ctx, ann2)
		require.NoError(t, err)
		assert.NotNil(t, ann[0].SentAt)
		assert.Equal(t, int64(1), ann[0].Attempts)

		for _, err := range []error{s.MarkSent(ctx, 999999), s.MarkFailed(ctx, 999999, "x", time.Time{})} {
			assert.Equal(t, models.KindNotFound, models.KindOf(err))
		}
	})
}

func TestOutboxBackoff(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx := fx.s, context.Background()
		advance := clock(s)
		_, err := s.IssueOTP(ctx, otpFor(fx.user.ID, models.PurposeLogin, ann2, "111111"))
		require.NoError(t, err)
		msgs, err := s.Outbox(ctx, ann2)
		require.NoError(t, err)
		id := msgs[0].ID
		next := func() models.OutboxMessage {
			t.Helper()
			msgs, err := s.Outbox(ctx, ann2)
			require.NoError(t, err)
			require.NotNil(t, msgs[0].NextAttemptAt)
			return msgs[0]
		}

		// 30 s, doubling, up to an hour.
		for i, want := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
			16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour} {
			now := s.Now()
			require.NoError(t, s.MarkFailed(ctx, id, "timeout", time.Time{}))
			m := next()
			assert.Equal(t, int64(i+1), m.Attempts)
			assert.Equal(t, want, m.NextAttemptAt.Sub(now), "after failure %d", i+1)
			advance(want)
		}

		// A later retryAt (a provider's Retry-After) wins over the backoff; an earlier one does not.
		now := s.Now()
		require.NoError(t, s.MarkFailed(ctx, id, "429", now.Add(2*time.Hour)))
		assert.Equal(t, now.Add(2*time.Hour), *next().NextAttemptAt)
		require.NoError(t, s.MarkFailed(ctx, id, "429", now.Add(time.Second)))
		assert.Equal(t, now.Add(time.Hour), *next().NextAttemptAt)

		// A long reason is cut to the column's 1000 characters, on a character boundary.
		long := strings.Repeat("é", 1500)
		require.NoError(t, s.MarkFailed(ctx, id, long, time.Time{}))
		m := next()
		require.NotNil(t, m.LastError)
		assert.Equal(t, strings.Repeat("é", 1000), *m.LastError)
	})
}

// TestClaimMessages: claims are disjoint, hold for their lease, and end when the messages are sent, fail, or
// are given back. Three stores on one database (instances of a fleet) claiming 300 messages at once take
// each exactly once.
func TestClaimMessages(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		ctx := context.Background()
		s := modelstest.OpenDSN(t, dsn)
		now := modelstest.Epoch
		stores := []*models.Store{s, modelstest.OpenDSN(t, dsn), modelstest.OpenDSN(t, dsn)}
		for _, st := range stores {
			st.Now = func() time.Time { return now }
		}
		u, err := s.CreateUser(ctx, models.NewUser{Username: "bob@example.com", FirstName: "Bob"})
		require.NoError(t, err)
		for i := range 300 {
			_, err := s.IssueOTP(ctx, models.OTPRequest{UserID: u.ID, Purpose: "p" + strconv.Itoa(i), Destination: "+61400000000",
				Code: "123456", CodeHash: strings.Repeat("a", 64)})
			require.NoError(t, err)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for _, st := range stores {
			wg.Go(func() {
				for {
					msgs, err := st.ClaimMessages(ctx, 7, time.Minute)
					if !assert.NoError(t, err) || len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, seen, 300)
		for id, n := range seen {
			require.Equal(t, 1, n, "message %d claimed once", id)
		}
		none, err := s.ClaimMessages(ctx, 10, time.Minute)
		require.NoError(t, err)
		assert.Empty(t, none, "every message is held by a live lease")

		// A lease runs out: the messages are claimable again, once.
		now = now.Add(time.Minute)
		again, err := s.ClaimMessages(ctx, 5, time.Minute)
		require.NoError(t, err)
		require.Len(t, again, 5)
		// Sent and failed messages leave the claim; given-back ones are claimable at once.
		require.NoError(t, s.MarkSent(ctx, again[0].ID))
		require.NoError(t, s.MarkFailed(ctx, again[1].ID, "refused", time.Time{}))
		require.NoError(t, s.ReleaseMessages(ctx, *again[2].Claim))
		back, err := stores[1].ClaimMessages(ctx, 500, time.Minute)
		require.NoError(t, err)
		ids := map[int64]bool{}
		for _, m := range back {
			ids[m.ID] = true
		}
		assert.False(t, ids[again[0].ID], "sent")
		assert.False(t, ids[again[1].ID], "failed: due again in 30 s")
		assert.True(t, ids[again[2].ID] && ids[again[3].ID] && ids[again[4].ID], "given back")
		assert.Len(t, back, 298)
		pending, oldest, err := s.OutboxBacklog(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(299), pending)
		assert.Equal(t, modelstest.Epoch, oldest)
	})
}
