package auth_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fileapi/fileapi/auth"
)

func TestQueryValue(t *testing.T) {
	cases := []struct {
		raw, name, want string
		ok              bool
	}{
		{"FileId=777", "FileId", "777", true},
		{"fileid=777", "FileId", "777", true},
		{"FILEID=777&fileId=778", "FileId", "777", true}, // the first occurrence wins
		{"wsaccesskey=fa_ak_x&FileId=1", "wsAccessKey", "fa_ak_x", true},
		{"%46ileId=9", "FileId", "9", true}, // percent-encoded name
		{"FileIdx=9", "FileId", "", false},
		{"FileId", "FileId", "", true},
		{"", "FileId", "", false},
		{"a=1&&FileId=5", "FileId", "5", true},
		{"FileId=%zz&FileId=6", "FileId", "6", true}, // malformed value skipped
		{"k=a+b", "k", "a b", true},
	}
	for _, c := range cases {
		got, ok := auth.QueryValue(c.raw, c.name)
		assert.Equal(t, c.want, got, c.raw)
		assert.Equal(t, c.ok, ok, c.raw)
	}
}

func TestParseFileID(t *testing.T) {
	cases := map[string]int64{
		"777": 777, "0777": 777, "1": 1, "2147483647": 2147483647,
		"": 0, "0": 0, "000": 0, "-1": 0, "+1": 0, " 1": 0, "1 ": 0, "2147483648": 0,
		"99999999999999999999999": 0, "1e3": 0, "７": 0, "0x10": 0,
	}
	for in, want := range cases {
		assert.Equal(t, want, auth.ParseFileID(in), "%q", in)
	}
}

func TestBearerToken(t *testing.T) {
	tok, ok := auth.BearerToken("Bearer abc")
	assert.True(t, ok)
	assert.Equal(t, "abc", tok)
	tok, ok = auth.BearerToken("bearer   abc ")
	assert.True(t, ok)
	assert.Equal(t, "abc", tok)
	tok, ok = auth.BearerToken("Bearer")
	assert.True(t, ok, "a bearer header without a token is still the credential, and fails")
	assert.Empty(t, tok)
	_, ok = auth.BearerToken("Basic dXNlcjpwYXNz")
	assert.False(t, ok)
	_, ok = auth.BearerToken("")
	assert.False(t, ok)
}

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

func TestE164AU(t *testing.T) {
	for in, want := range map[string]string{
		"0412 345 678": "+61412345678", "0412345678": "+61412345678", "+61412345678": "+61412345678",
		"+61 412 345 678": "+61412345678", "": "", "02 9999 9999": "0299999999",
	} {
		assert.Equal(t, want, auth.E164AU(in), in)
	}
}
