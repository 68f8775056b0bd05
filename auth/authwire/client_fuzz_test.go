package authwire_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
)

// FuzzAuthenticateClient checks the reader of client authentication of /oauth/v2/token, /revoke and
// /introspect (oauth.md §5.1), ClientCredentials.Client with its HTTP Basic reader: whatever the
// Authorization header, it fails only with a *ClientError, and otherwise names a client. For headers it
// builds itself (Basic, the scheme in any case, each part form-encoded) and for body credentials it knows the
// answer: Basic with a client_secret in the body, or with a body client_id that differs, is invalid_request;
// no client id is invalid_client; anything else names the client, with the secret sent (a Basic password only
// when not empty). Field picks put the ids and secrets of a confidential and a public client in play; the raw
// header mode fuzzes the parser. Whether the client exists and the secret is its own is the store's part of
// auth.AuthenticateClient, tested with the handlers.
func FuzzAuthenticateClient(f *testing.F) {
	const confID, pubID, confSecret = "fuzz-confidential", "fuzz-public", "fa_cs_" + "fuzz-secret"

	basic := func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(user) + ":" + url.QueryEscape(pass)))
	}
	for _, s := range []struct {
		mode, pick                   uint8
		user, pass, bodyID, bodySecr string
		hasBodySecret                bool
		raw                          string
	}{
		{1, 1 | 1<<2, "", "", "", "", false, ""},                            // Basic confidential, right secret
		{1, 1 | 2<<2, "", "", "", "", false, ""},                            // Basic confidential, no secret
		{1, 2 | 2<<2, "", "", "", "", false, ""},                            // Basic public
		{1, 2 | 1<<2, "", "", "", "", false, ""},                            // Basic public with a secret
		{1, 1 | 1<<2 | 1<<4, "", "", "", "", false, ""},                     // Basic, same body client_id
		{1, 1 | 1<<2 | 2<<4, "", "", "", "", false, ""},                     // Basic, other body client_id
		{1, 1 | 1<<2 | 1<<6, "", "", "", "", true, ""},                      // Basic and a body secret
		{3, 1<<4 | 1<<6, "", "", "", "", true, ""},                          // body confidential
		{3, 2 << 4, "", "", "", "", false, ""},                              // body public
		{3, 2 << 4, "", "", "", "", true, ""},                               // body public with an empty secret
		{2 | 0x5<<2, 1 | 1<<2, "", "", "", "", false, ""},                   // bAsIc in another case
		{1, 0, "fuzz:confidential", "fuzz-secret%", "", "", false, ""},      // odd characters
		{1, 3<<2 | 1, "", "x", "", "", false, ""},                           // secret with a suffix
		{0, 0, "", "", "", "", false, "Basic " + basic(confID, confSecret)}, // the raw parser
		{0, 0, "", "", "", "", false, "basic  " + base64.StdEncoding.EncodeToString([]byte(confID+":"+confSecret)) + " "},
		{0, 0, "", "", "", "", false, "Basic !!!"},
		{0, 0, "", "", "", "", false, "Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon"))},
		{0, 0, "", "", "", "", false, "Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:x"))},
		{0, 0, "", "", "", "", false, "Bearer x"},
	} {
		f.Add(s.mode, s.pick, s.user, s.pass, s.bodyID, s.bodySecr, s.hasBodySecret, s.raw)
	}
	choose := func(sel uint8, fuzzed string, options ...string) string {
		if i := int(sel) % (len(options) + 1); i > 0 {
			return options[i-1]
		}
		return fuzzed
	}
	f.Fuzz(func(t *testing.T, mode, pick uint8, user, pass, bodyID, bodySecret string, hasBodySecret bool, rawAuth string) {
		u := choose(pick&3, user, confID, pubID, "")
		p := choose(pick>>2&3, pass, confSecret, "", confSecret+pass)
		bid := choose(pick>>4&3, bodyID, confID, pubID, "")
		bsec := choose(pick>>6&1, bodySecret, confSecret)
		var authz string
		switch mode % 4 {
		case 0:
			authz = rawAuth
		case 1:
			authz = "Basic " + basic(u, p)
		case 2:
			scheme := []byte("basic")
			for i := range scheme {
				if mode>>(2+i)&1 == 1 {
					scheme[i] -= 'a' - 'A'
				}
			}
			authz = " " + string(scheme) + "   " + basic(u, p) + " \t"
		}
		cc := authwire.ClientCredentials{Authorization: authz, BodyID: bid, BodySecret: bsec, HasBodySecret: hasBodySecret}
		id, secret, has, ce := cc.Client()
		if ce == nil && id == "" {
			t.Fatalf("Client(%q) names no client, without failing", authz)
		}
		if ce != nil && (id != "" || secret != "" || has) {
			t.Fatalf("Client(%q) failed (%v) but names client %q with secret %q (%v)", authz, ce, id, secret, has)
		}
		if mode%4 == 0 {
			return
		}
		wantID, wantSecret, wantHas, invalidRequest := bid, bsec, hasBodySecret, false
		if mode%4 != 3 {
			invalidRequest = hasBodySecret || (bid != "" && bid != u)
			wantID, wantSecret, wantHas = u, p, p != ""
		}
		switch {
		case invalidRequest && (ce == nil || !ce.InvalidRequest):
			t.Fatalf("Basic %q:%q with body %q/%q (%v): %v, want invalid_request", u, p, bid, bsec, hasBodySecret, ce)
		case invalidRequest:
		case wantID == "" && (ce == nil || ce.InvalidRequest):
			t.Fatalf("no client id via %q and body %q: %v, want invalid_client", authz, bid, ce)
		case wantID != "" && (ce != nil || id != wantID || secret != wantSecret || has != wantHas):
			t.Fatalf("client %q with secret %q (%v) via %q: %v, client %q with secret %q (%v)", wantID, wantSecret, wantHas, authz, ce,
				id, secret, has)
		}
	})
}

// FuzzGrantedFiles checks the scope request of the client-credentials and authorization-code grants
// (oauth.md §4.3): the granted files are the held ones named by valid fileid:N entries, in the order held, or
// all held files when no entry names a possible file; unknown entries are dropped.
func FuzzGrantedFiles(f *testing.F) {
	for _, s := range []string{"", "fileid:777", "fileid:777 fileid:999", "fileid:nope fileid:999 openid", "full", "fileid:0777\tfileid:778",
		"FILEID:777", "fileid:", "fileid:2147483648", " fileid:779 "} {
		f.Add([]byte{7, 8, 9}, s)
	}
	entry := regexp.MustCompile(`^fileid:(.*)$`)
	f.Fuzz(func(t *testing.T, held []byte, requested string) {
		var memberships []int64
		for _, b := range held {
			memberships = append(memberships, 770+int64(b))
		}
		got := authwire.GrantedFiles(memberships, requested)
		named := map[int64]bool{}
		for _, part := range strings.Fields(requested) {
			if m := entry.FindStringSubmatch(part); m != nil {
				if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n >= 1 && n <= 1<<31-1 && m[1][0] >= '0' && m[1][0] <= '9' && len(m[1]) <= 64 {
					named[n] = true
				}
			}
		}
		want := memberships
		if len(named) > 0 {
			want = nil
			for _, id := range memberships {
				if named[id] {
					want = append(want, id)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("GrantedFiles(%v, %q) = %v, want %v", memberships, requested, got, want)
		}
	})
}

var verifierSyntax = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// FuzzVerifyPKCE checks VerifyPKCE (the code_verifier of the authorization-code grant, RFC 7636 §4.6): a
// verifier of 43 to 128 unreserved characters matches its own S256 challenge, nothing else matches anything,
// and a match means the challenge is the verifier's.
func FuzzVerifyPKCE(f *testing.F) {
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	f.Add(strings.Repeat("a", 42), "")
	f.Add(strings.Repeat("~", 128), "x")
	f.Add(strings.Repeat("a", 129), "")
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX!", "")
	f.Fuzz(func(t *testing.T, verifier, challenge string) {
		sum := sha256.Sum256([]byte(verifier))
		own := base64.RawURLEncoding.EncodeToString(sum[:])
		if got := authwire.VerifyPKCE(own, verifier); got != verifierSyntax.MatchString(verifier) {
			t.Fatalf("VerifyPKCE(own challenge, %q) = %v", verifier, got)
		}
		if authwire.VerifyPKCE(challenge, verifier) && challenge != own {
			t.Fatalf("VerifyPKCE(%q, %q) matched another verifier's challenge", challenge, verifier)
		}
	})
}
