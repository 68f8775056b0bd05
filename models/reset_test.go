package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// TestCompleteResetVoidsEveryLink: completing a reset voids every pending link of the user (saasu.md §6.3),
// not only the one used. StartReset voids older links itself, but two requests racing on MySQL can each
// commit a live link; a second link left live after the reset would let whoever holds it set the password
// again. The race is set up by inserting the second link directly.
func TestCompleteResetVoidsEveryLink(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		ctx := context.Background()
		s := modelstest.OpenDSN(t, dsn)
		u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann"})
		require.NoError(t, err)
		expires := s.Now().Add(time.Hour)
		require.NoError(t, s.StartReset(ctx, u.ID, "hash-one", expires, models.Message{Kind: "email", To: "ann@example.com", Subject: "Reset", Body: "link one"}))
		db := rawDB(t, dsn)
		_, err = db.Exec(`INSERT INTO oauth_codes (code_hash, kind, client_id, user_id, scope, stage, expires_at, created_at)
			VALUES ('hash-two', ?, '', ?, '', '', ?, ?)`, models.CodeReset, u.ID, expires.UTC(), s.Now().UTC())
		require.NoError(t, err)
		_, err = s.ResetUser(ctx, "hash-two")
		require.NoError(t, err, "the raced link is live before the reset")

		require.NoError(t, s.CompleteReset(ctx, "hash-one", "$2a$04$new"))
		_, err = s.ResetUser(ctx, "hash-two")
		assert.ErrorIs(t, err, models.ErrResetInvalid, "the other link is void after the reset")
		assert.ErrorIs(t, s.CompleteReset(ctx, "hash-two", "$2a$04$again"), models.ErrResetInvalid)
		var live int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM oauth_codes WHERE user_id = ? AND kind = ? AND used_at IS NULL`, u.ID, models.CodeReset).Scan(&live))
		assert.Zero(t, live)
		got, err := s.UserByID(ctx, u.ID)
		require.NoError(t, err)
		require.NotNil(t, got.PasswordHash)
		assert.Equal(t, "$2a$04$new", *got.PasswordHash)
	})
}
