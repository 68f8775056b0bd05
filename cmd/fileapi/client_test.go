package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

func TestClientCreate(t *testing.T) {
	db := dbFlag(t, "sqlite")
	env := map[string]string{"FILEAPI_DB": db}
	object(t, call(t, env, "user", "create", "--username", "robot", "--first-name", "Robot", "--type", "service"))
	object(t, call(t, env, "user", "create", "--username", "ann@example.com", "--first-name", "Ann"))

	cl := object(t, call(t, env, "client", "create", "--name", "Ledger Sync", "--redirect-uri", "https://app.example.com/cb",
		"--redirect-uri", "http://127.0.0.1/cb", "--service-account", "robot"))
	assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`), cl["client_id"])
	secret, _ := cl["client_secret"].(string)
	assert.Regexp(t, regexp.MustCompile(`^fa_cs_[A-Za-z0-9_-]{43}$`), secret)
	assert.Equal(t, []any{"https://app.example.com/cb", "http://127.0.0.1/cb"}, cl["redirect_uris"])

	d, err := models.ParseDSN(db)
	require.NoError(t, err)
	s, err := models.Open(context.Background(), d)
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	stored, err := s.ClientByID(context.Background(), cl["client_id"].(string))
	require.NoError(t, err)
	require.NotNil(t, stored.SecretHash)
	assert.Equal(t, auth.HashSecret(secret), *stored.SecretHash, "only the SHA-256 of the secret is stored")

	pub := object(t, call(t, env, "client", "create", "--name", "Mobile", "--public", "--redirect-uri", "com.example.app:/cb"))
	assert.Nil(t, pub["client_secret"])
	assert.Equal(t, true, pub["public"])

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"client", "create"}, 2, "--name is required"},
		{[]string{"client", "create", "--name", "X", "--public", "--service-account", "robot"}, 2, "cannot have a service account"},
		{[]string{"client", "create", "--name", "X", "--service-account", "ann@example.com"}, 1, "is not a service account"},
		{[]string{"client", "create", "--name", "X", "--redirect-uri", "http://app.example.com/cb"}, 1, "redirect URI"},
		{[]string{"client", "create", "--name", "X", "--redirect-uri", "https://app.example.com/cb#frag"}, 1, "redirect URI"},
		{[]string{"client", "create", "--name", "X", "--redirect-uri", "myapp:/cb"}, 1, "redirect URI"},
		{[]string{"client", "create", "--name", "X", "--service-account", "nobody"}, 1, `user "nobody" does not exist`},
	} {
		r := call(t, env, c.args...)
		assert.Equal(t, c.code, r.code, "%v: %s", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.msg, "%v", c.args)
	}
	r := call(t, env, "client", "create", "--help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "Usage: fileapi client create")
}
