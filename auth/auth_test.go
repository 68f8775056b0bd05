package auth_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/models"
)

func TestSecrets(t *testing.T) {
	a, b := auth.NewSecret(auth.PrefixAccessKey), auth.NewSecret(auth.PrefixAccessKey)
	assert.NotEqual(t, a, b)
	assert.True(t, strings.HasPrefix(a, "fa_ak_"))
	assert.Len(t, a, 6+43)
	for _, r := range a {
		assert.True(t, strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", r), "URL-safe: %q", r)
	}
	assert.Len(t, auth.HashSecret(a), 64)
	assert.Equal(t, auth.HashSecret(a), auth.HashSecret(a))
	assert.True(t, auth.EqualHash(auth.HashSecret(a), auth.HashSecret(a)))
	assert.False(t, auth.EqualHash(auth.HashSecret(a), auth.HashSecret(b)))
	assert.Equal(t, a[:10], auth.DisplayPrefix(a))
}

func TestPasswords(t *testing.T) {
	auth.PasswordCost = 4
	h, err := auth.HashPassword("s3cret!")
	assert.NoError(t, err)
	assert.True(t, auth.CheckPassword(&h, "s3cret!"))
	assert.False(t, auth.CheckPassword(&h, "s3cret"))
	assert.False(t, auth.CheckPassword(nil, "s3cret!"))
	empty := ""
	assert.False(t, auth.CheckPassword(&empty, ""))
	long := strings.Repeat("x", 100)
	h, err = auth.HashPassword(long)
	assert.NoError(t, err)
	assert.True(t, auth.CheckPassword(&h, long))
	assert.False(t, auth.CheckPassword(&h, long[:80]), "bytes past 72 count")
}

// authwire cannot import models, so it bounds org ids by a copy of models.MaxID; the two must agree.
func TestParseOrgIDMaxID(t *testing.T) {
	id, ok := authwire.ParseOrgID(strconv.Itoa(models.MaxID))
	assert.True(t, ok)
	assert.Equal(t, int64(models.MaxID), id)
	_, ok = authwire.ParseOrgID(strconv.Itoa(models.MaxID + 1))
	assert.False(t, ok)
}
