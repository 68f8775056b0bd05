package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
)

// TestSignInNamespace: usernames and e-mails are one namespace, compared case-insensitively (saasu.md §6.4,
// workspace.md §5), through every dialect that changes them: Saasu's change-username and the workspace
// profile. (ZITADEL's profile has neither a username nor an e-mail; the command line is tested in
// cmd/fileapi.)
func TestSignInNamespace(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		fx.wsSetProfile(fx.bob.ID, models.ProfileChange{Email: models.To("Bob.B@example.org")})
		username := func(name string) (int, string) {
			w := fx.do("POST", "/User/change-username?FileId=777&wsAccessKey="+fx.key, `{"Username":"`+name+`"}`, "Content-Type: application/json")
			return w.Code, w.Body.String()
		}
		for _, name := range []string{"BOB@example.com", "bob.b@EXAMPLE.ORG"} {
			code, body := username(name)
			assert.Equal(t, http.StatusBadRequest, code, name)
			assert.Equal(t, `"The username is already in use."`, body, name)
		}
		ws := "X-Api-Key: " + fx.key
		for _, c := range []struct {
			body string
			want wsItem
		}{
			{`{"FirstName":"Ann","Email":"BOB@EXAMPLE.COM"}`, wsEmailTaken},
			{`{"FirstName":"Ann","Email":"bob.b@example.ORG"}`, wsEmailTaken},
			{`{"FirstName":"Ann","UserName":"Bob.B@Example.Org"}`, wsUserNameTaken},
		} {
			fx.wsRun(t, wsCase{name: c.body, method: "PUT", url: wsProfile, body: c.body, headers: []string{ws}, status: 400, want: wsFail(c.want)})
		}
		assert.Equal(t, "ann@example.com", fx.reload(fx.ann.ID).Username, "nothing changed")

		// Freed names are free: bob gives up his e-mail, ann takes it as her username.
		fx.wsSetProfile(fx.bob.ID, models.ProfileChange{Email: models.Null[string]()})
		code, body := username("bob.b@example.org")
		require.Equal(t, http.StatusOK, code, body)
		// A user's own username and e-mail may be equal.
		fx.wsRun(t, wsCase{method: "PUT", url: wsProfile, body: `{"FirstName":"Ann","Email":"BOB.B@example.org"}`, headers: []string{ws}, status: 200})
	})
}

// TestSignInNamespaceRace: two users claim one new name at once, one through each dialect, twenty times. The
// database decides: exactly one wins each time, the other gets its dialect's "taken" answer, never a 500.
func TestSignInNamespaceRace(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		for i := range 20 {
			name := fmt.Sprintf("shared%d@example.com", i)
			var wg sync.WaitGroup
			var saasu, ws int
			wg.Go(func() {
				saasu = fx.do("POST", "/User/change-username?FileId=777&wsAccessKey="+fx.key, `{"Username":"`+name+`"}`,
					"Content-Type: application/json").Code
			})
			wg.Go(func() {
				ws = fx.do("PUT", "/api/workspace/account/profile", `{"FirstName":"Bob","Email":"`+fmt.Sprintf("Shared%d@Example.com", i)+`"}`,
					"X-Api-Key: "+fx.bobKey, "Content-Type: application/json").Code
			})
			wg.Wait()
			require.ElementsMatch(t, []int{http.StatusOK, http.StatusBadRequest}, []int{saasu, ws}, "round %d: Saasu %d, workspace %d", i, saasu, ws)
			owners := 0
			for _, u := range []models.User{fx.reload(fx.ann.ID), fx.reload(fx.bob.ID)} {
				if models.Fold(u.Username) == name || (u.Email != nil && models.Fold(*u.Email) == name) {
					owners++
				}
			}
			require.Equal(t, 1, owners, "round %d", i)
		}
	})
}

// TestSignInNamespaceMigration: migration 8 finds the names users already share, reports every one, and
// changes nothing; once they are resolved it applies.
func TestSignInNamespaceMigration(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		fx.migrateDownTo(t, 7)
		db := rawDB(t, dsnOf(t, fx), "_pragma=busy_timeout(5000)")
		defer func() { _ = db.Close() }()
		// Two collisions, made behind the store's back as older versions let them happen.
		_, err := db.Exec(`UPDATE users SET email = 'ANN@example.com', email_key = 'ann@example.com' WHERE id = ?`, fx.bob.ID)
		require.NoError(t, err)
		_, err = db.Exec(`INSERT INTO users (id, username, username_key, email, email_key, first_name, gender, is_2fa_enabled,
			user_type, version, changed_at, created_at, updated_at) VALUES (60, 'carol@example.com', 'carol@example.com',
			'Shared@example.org', 'shared@example.org', 'Carol', 0, 0, 0, 1, ?, ?, ?)`, fx.store.Now(), fx.store.Now(), fx.store.Now())
		require.NoError(t, err)
		_, err = db.Exec(`UPDATE users SET email = 'shared@EXAMPLE.org', email_key = 'shared@example.org' WHERE id = ?`, fx.ann.ID)
		require.NoError(t, err)

		_, err = fx.store.Migrate(ctx, "up")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "users share 2 sign-in name(s)")
		assert.Contains(t, err.Error(), fmt.Sprintf(`"ann@example.com" is held by users [%d %d]`, fx.ann.ID, fx.bob.ID))
		assert.Contains(t, err.Error(), fmt.Sprintf(`"shared@example.org" is held by users [%d 60]`, fx.ann.ID))
		st, err := fx.store.Migrate(ctx, "status")
		require.NoError(t, err)
		assert.False(t, st[len(st)-1].Applied, "nothing applied")

		_, err = db.Exec(`UPDATE users SET email = NULL, email_key = NULL WHERE id IN (?, ?)`, fx.bob.ID, 60)
		require.NoError(t, err)
		_, err = fx.store.Migrate(ctx, "up")
		require.NoError(t, err)
		taken, err := fx.store.Taken(ctx, "Email", "SHARED@example.org", fx.bob.ID)
		require.NoError(t, err)
		assert.True(t, taken, "the names of existing users are in the namespace")
	})
}

// dsnOf is the fixture's database.
func dsnOf(t *testing.T, fx *fixture) models.DSN {
	t.Helper()
	require.NotEmpty(t, fx.dsn.Dialect)
	return fx.dsn
}
