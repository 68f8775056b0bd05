package authwire_test

import (
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
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
		if got, ok := authwire.QueryValue(c.raw, c.name); got != c.want || ok != c.ok {
			t.Errorf("QueryValue(%q, %q) = %q, %v; want %q, %v", c.raw, c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestParseFileID(t *testing.T) {
	cases := map[string]int64{
		"777": 777, "0777": 777, "1": 1, "2147483647": 2147483647,
		"": 0, "0": 0, "000": 0, "-1": 0, "+1": 0, " 1": 0, "1 ": 0, "2147483648": 0,
		"99999999999999999999999": 0, "1e3": 0, "７": 0, "0x10": 0,
	}
	for in, want := range cases {
		if got := authwire.ParseFileID(in); got != want {
			t.Errorf("ParseFileID(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		header, token string
		ok            bool
		why           string
	}{
		{"Bearer abc", "abc", true, ""},
		{"bearer   abc ", "abc", true, ""},
		{"Bearer", "", true, "a bearer header without a token is still the credential, and fails"},
		{"Basic dXNlcjpwYXNz", "", false, ""},
		{"", "", false, ""},
	} {
		if tok, ok := authwire.BearerToken(c.header); tok != c.token || ok != c.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v %s", c.header, tok, ok, c.token, c.ok, c.why)
		}
	}
}
