package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// TestUserCreateNamespace: the command line keeps the one sign-in namespace: a new user's username or e-mail
// may not equal, in any case, another user's username or e-mail.
func TestUserCreateNamespace(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			env := map[string]string{"FILEAPI_DB": dbFlag(t, dialect)}
			object(t, call(t, env, "user", "create", "--username", "ann@example.com", "--first-name", "Ann", "--email", "ann.lee@example.org"))
			for _, c := range []struct {
				args []string
				msg  string
			}{
				{[]string{"--username", "ANN@example.com"}, `the username "ANN@example.com" is already in use`},
				{[]string{"--username", "Ann.Lee@Example.org"}, `the username "Ann.Lee@Example.org" is already in use`},
				{[]string{"--username", "bob@example.com", "--email", "ann@EXAMPLE.com"}, `the e-mail "ann@EXAMPLE.com" is already in use`},
				{[]string{"--username", "bob@example.com", "--email", "ANN.LEE@example.org"}, `the e-mail "ANN.LEE@example.org" is already in use`},
			} {
				r := call(t, env, append([]string{"user", "create", "--first-name", "B"}, c.args...)...)
				assert.Equal(t, 1, r.code, "%v: %s", c.args, r.stderr)
				assert.Contains(t, r.stderr, c.msg, "%v", c.args)
			}
			object(t, call(t, env, "user", "create", "--username", "bob@example.com", "--first-name", "Bob", "--email", "BOB@example.com"))
		})
	}
}

// TestUserSetPassword: the command line sets a password, given or made up (and printed); the old one and
// every token of the user stop working, the new one signs in.
func TestUserSetPassword(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := dbFlag(t, dialect)
			env := map[string]string{"FILEAPI_DB": db}
			object(t, call(t, env, "user", "create", "--username", "ann@example.com", "--first-name", "Ann", "--password", "s3cret!"))
			dsn, err := models.ParseDSN(db)
			require.NoError(t, err)
			s := modelstest.OpenDSN(t, dsn)
			a := &auth.Authenticator{Store: s}
			u, err := a.PasswordLogin(ctx, "ann@example.com", "s3cret!")
			require.NoError(t, err)
			g, err := a.IssueSaasu(ctx, u)
			require.NoError(t, err)

			out := object(t, call(t, env, "user", "set-password", "--user", "ann@example.com", "--password", "n3w-s3cret"))
			assert.Equal(t, map[string]any{"id": float64(u.ID), "username": "ann@example.com", "tokens_revoked": true}, out)
			_, err = a.PasswordLogin(ctx, "ann@example.com", "s3cret!")
			assert.Error(t, err, "the old password")
			_, err = a.PasswordLogin(ctx, "ann@example.com", "n3w-s3cret")
			assert.NoError(t, err)
			_, _, _, err = a.ByToken(ctx, g.AccessToken, "test", 0)
			assert.Error(t, err, "tokens end with the old password")

			out = object(t, call(t, env, "user", "set-password", "--user", "ann@example.com"))
			made, _ := out["password"].(string)
			require.Len(t, made, 16, "a new password, printed once")
			_, err = a.PasswordLogin(ctx, "ann@example.com", made)
			assert.NoError(t, err)

			r := call(t, env, "user", "set-password", "--user", "ann@example.com", "--password", "short")
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, "6 to 250 characters")
		})
	}
}
