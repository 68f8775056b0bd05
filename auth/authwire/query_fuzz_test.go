package authwire_test

import (
	"math/big"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
)

// plainName is the shape of every query parameter name the server looks up (FileId, wsAccessKey, Page...).
var plainName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzQueryValue checks QueryValue (FileId, wsAccessKey, Page, PageSize and the GET token grant of the Saasu
// dialect) against url.ParseQuery: on a query ParseQuery reads whose names are ASCII, it finds the name in
// any case exactly when ParseQuery has it, and returns the first value of one of those spellings (of the only
// one, when there is one).
func FuzzQueryValue(f *testing.F) {
	for _, s := range []struct{ q, name string }{
		{"FileId=777", "FileId"}, {"fileid=777", "FileId"}, {"FILEID=777&fileId=778", "FileId"}, {"wsaccesskey=fa_ak_x&FileId=1", "wsAccessKey"},
		{"%46ileId=9", "FileId"}, {"%46%49%4C%45%49%44=9", "FileId"}, {"FileIdx=9", "FileId"}, {"FileId", "FileId"}, {"", "FileId"},
		{"a=1&&FileId=5", "FileId"}, {"FileId=%zz&FileId=6", "FileId"}, {"k=a+b", "k"}, {"FileId=777&wsAccessKey=KEY", "wsAccessKey"},
		{"Page=2&PageSize=100", "PageSize"}, {"grant_type=password&username=ann%40example.com&password=s3cret%21", "password"},
		{"FileId=1;FileId=2", "FileId"}, {"File%49d=3", "FileId"}, {"wsAcce%C5%BF%C5%BFKey=x", "wsAccessKey"},
	} {
		f.Add(s.q, s.name)
	}
	f.Fuzz(func(t *testing.T, rawQuery, name string) {
		got, ok := authwire.QueryValue(rawQuery, name)
		if !plainName.MatchString(name) {
			return
		}
		vals, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		var firsts []string
		for k, vs := range vals {
			if !isASCII(k) {
				return
			}
			if strings.EqualFold(k, name) {
				firsts = append(firsts, vs[0])
			}
		}
		switch {
		case ok != (len(firsts) > 0):
			t.Fatalf("QueryValue(%q, %q) = %q, %v; url.ParseQuery finds %q", rawQuery, name, got, ok, firsts)
		case len(firsts) == 1 && got != firsts[0], len(firsts) > 1 && !contains(firsts, got):
			t.Fatalf("QueryValue(%q, %q) = %q; url.ParseQuery reads %q", rawQuery, name, got, firsts)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var fileIDSyntax = regexp.MustCompile(`^[0-9]{1,64}$`)

// FuzzParseFileID checks ParseFileID (FileId, Page, PageSize and fileid:N scopes) against big.Int: ASCII
// digits only, at most 64 of them, valued 1 to 2147483647; anything else is 0.
func FuzzParseFileID(f *testing.F) {
	for _, s := range []string{"777", "0777", "1", "2147483647", "2147483648", "", "0", "000", "-1", "+1", " 1", "1 ", "99999999999999999999999",
		"1e3", "７", "0x10", strings.Repeat("0", 63) + "1", strings.Repeat("0", 64) + "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := authwire.ParseFileID(s)
		var want int64
		if fileIDSyntax.MatchString(s) {
			n, _ := new(big.Int).SetString(s, 10)
			if n.Sign() > 0 && n.Cmp(big.NewInt(1<<31-1)) <= 0 {
				want = n.Int64()
			}
		}
		if got != want {
			t.Fatalf("ParseFileID(%q) = %d, want %d", s, got, want)
		}
	})
}

// FuzzBearerToken checks BearerToken (the Authorization header of every dialect): "Bearer" in any case, one
// space and anything is that anything without surrounding whitespace; a token never has surrounding
// whitespace; and a header whose first word is not Bearer is no bearer credential.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer   abc ", "Bearer", "Basic dXNlcjpwYXNz", "", "BEARER fa_at_x", "Bearer\tabc", " Bearer x y ", "Bearerx", "Bearer\u00a0x"} {
		f.Add(s, "fa_at_token", uint8(0))
	}
	f.Fuzz(func(t *testing.T, header, token string, caseMask uint8) {
		tok, ok := authwire.BearerToken(header)
		if tok != strings.TrimSpace(tok) {
			t.Fatalf("BearerToken(%q) = %q with surrounding space", header, tok)
		}
		if !ok && tok != "" {
			t.Fatalf("BearerToken(%q) = %q for no bearer header", header, tok)
		}
		first, _, _ := strings.Cut(strings.TrimSpace(header), " ")
		if ok && !strings.EqualFold(first, "bearer") {
			t.Fatalf("BearerToken(%q) is a bearer header", header)
		}
		scheme := []byte("bearer")
		for i := range scheme {
			if caseMask>>i&1 == 1 {
				scheme[i] -= 'a' - 'A'
			}
		}
		if tok, ok := authwire.BearerToken(string(scheme) + " " + token); !ok || tok != strings.TrimSpace(token) {
			t.Fatalf("BearerToken(%q) = %q, %v", string(scheme)+" "+token, tok, ok)
		}
	})
}
