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

// TestSweep: what is past its use goes, in batches; what may still be used stays.
func TestSweep(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx := fx.s, context.Background()
		now := modelstest.Epoch
		s.Now = func() time.Time { return now }
		hash := func(i int) string { return strings.Repeat(string(rune('a'+i%26)), 63) + string(rune('a'+i/26)) }
		// Five SMS codes and five reset links, expiring in 5 minutes and an hour.
		for i := range 5 {
			_, err := s.IssueOTP(ctx, models.OTPRequest{UserID: fx.user.ID, Purpose: "p" + string(rune('a'+i)), Destination: "+61400000000",
				Code: "123456", CodeHash: hash(i)})
			require.NoError(t, err)
			require.NoError(t, s.StartReset(ctx, fx.user.ID, hash(10+i), now.Add(time.Hour), models.Message{Kind: models.MessageEmail, To: "a@b.c", Subject: "s", Body: "b"}))
		}
		// Tokens: one without refresh expiring in 3 h, one with a refresh token for 365 days, one revoked now.
		exp := now.Add(3 * time.Hour)
		rexp := now.Add(365 * 24 * time.Hour)
		rh := hash(20)
		_, err := s.CreateToken(ctx, models.NewToken{UserID: fx.user.ID, AccessHash: hash(21), ExpiresAt: exp})
		require.NoError(t, err)
		_, err = s.CreateToken(ctx, models.NewToken{UserID: fx.user.ID, AccessHash: hash(22), ExpiresAt: exp, RefreshHash: &rh, RefreshExpiresAt: &rexp})
		require.NoError(t, err)
		revoked, err := s.CreateToken(ctx, models.NewToken{UserID: fx.user.ID, AccessHash: hash(23), ExpiresAt: exp})
		require.NoError(t, err)
		require.NoError(t, s.RevokeToken(ctx, revoked.ID))
		// Messages: the five resets' e-mails and five SMS; two of them sent now.
		msgs, err := s.Outbox(ctx, "")
		require.NoError(t, err)
		require.NoError(t, s.MarkSent(ctx, msgs[0].ID))
		require.NoError(t, s.MarkSent(ctx, msgs[1].ID))

		require.NoError(t, s.CountLimitEvent(ctx, 15*time.Minute, strings.Repeat("f", 64)))
		w, err := s.Sweep(ctx, 2, 100)
		require.NoError(t, err)
		assert.Zero(t, w.Total(), "nothing is past its use yet")

		now = now.Add(2 * time.Hour) // SMS codes expired over an hour ago; reset links only an hour ago
		w, err = s.Sweep(ctx, 2, 100)
		require.NoError(t, err)
		assert.Equal(t, models.Swept{OTPs: 5}, w)

		now = now.Add(8 * 24 * time.Hour) // the plain token and the revoked one are a week past; the refresh lives
		w, err = s.Sweep(ctx, 2, 100)
		require.NoError(t, err)
		assert.Equal(t, models.Swept{Codes: 5, Tokens: 2, Limits: 1}, w)
		_, err = s.TokenByHash(ctx, rh)
		assert.NoError(t, err, "the refresh token is still good")

		now = now.Add(30 * 24 * time.Hour)
		w, err = s.Sweep(ctx, 1, 1)
		require.NoError(t, err)
		assert.Equal(t, int64(1), w.Messages, "one batch of one")
		w, err = s.Sweep(ctx, 1, 100)
		require.NoError(t, err)
		assert.Equal(t, int64(1), w.Messages)
		left, err := s.Outbox(ctx, "")
		require.NoError(t, err)
		assert.Len(t, left, 8, "unsent messages stay")
	})
}
