package models_test

import (
	"context"
	"strings"
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
