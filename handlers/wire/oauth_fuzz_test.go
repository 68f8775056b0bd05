package wire

import (
	"maps"
	"mime"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzOAuthForm checks FormType and FormValues, with which form reads the bodies of /oauth/v2/token, /revoke
// and /introspect (RFC 6749 §3.2): a body is read exactly when the Content-Type is
// application/x-www-form-urlencoded (mime.ParseMediaType), and accepted exactly when url.ParseQuery reads it
// and no parameter repeats, with ParseQuery's values; anything else is form's one invalid_request error.
func FuzzOAuthForm(f *testing.F) {
	const formCT = "application/x-www-form-urlencoded"
	for _, s := range []struct{ ct, body string }{
		{formCT, "grant_type=client_credentials"}, {formCT, "grant_type=client_credentials&scope=fileid%3A777"},
		{formCT, "grant_type=client_credentials&client_id=x&client_secret=y"}, {formCT, "token=fa_at_x&token_type_hint=access_token"},
		{formCT + "; charset=UTF-8", "grant_type=refresh_token&refresh_token=fa_rt_x"}, {"Application/X-WWW-Form-Urlencoded", "a=b"},
		{formCT, "grant_type=authorization_code&code=c&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_verifier=v"},
		{formCT, "a=1&a=2"}, {formCT, "a=1;b=2"}, {formCT, "a=%zz"}, {formCT, "=&&="}, {formCT, ""}, {"application/json", `{"a":1}`},
		{"", "a=b"}, {formCT + "; x", "a=b"}, {"text/plain", "a=b"},
	} {
		f.Add(s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		mt, _, merr := mime.ParseMediaType(contentType)
		if typeOK := FormType(contentType); typeOK != (merr == nil && mt == formCT) {
			t.Fatalf("FormType(%q) = %v", contentType, typeOK)
		}
		got, ok := FormValues(body)
		vals, perr := url.ParseQuery(string(body))
		want := map[string]string{}
		wantOK := perr == nil
		for k, v := range vals {
			wantOK = wantOK && len(v) == 1
			want[k] = v[0]
		}
		if ok != wantOK {
			t.Fatalf("FormValues(%q) = %v, %v; want ok = %v", body, got, ok, wantOK)
		}
		if ok && !maps.Equal(got, want) {
			t.Fatalf("FormValues(%q) = %q; url.ParseQuery reads %q", body, got, want)
		}
	})
}

// FuzzSplitForm checks SplitForm, the reader of /oauth/v2/authorize queries and forms, against
// url.ParseQuery: on a string without semicolons (which ParseQuery refuses outright) it reports bad pairs
// exactly when ParseQuery fails, and otherwise reads the same values in the same order.
func FuzzSplitForm(f *testing.F) {
	for _, s := range []string{
		"response_type=code&client_id=ledger&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcb&scope=fileid%3A777&state=xyz",
		"code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
		"scope=fileid%3Anope+fileid%3A999+openid&prompt=consent&access_type=offline&nonce=1&nonce=2",
		"step=login&username=ann%40example.com&csrf_token=x", "a=%zz&b=1", "&&a&=b&c=", "a=1;b=2", "+=+", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vals, bad := SplitForm(raw)
		if strings.Contains(raw, ";") || strings.Count(raw, "&") >= 9999 { // ParseQuery's own refusals
			return
		}
		want, err := url.ParseQuery(raw)
		if bad != (err != nil) {
			t.Fatalf("SplitForm(%q) bad = %v; url.ParseQuery: %v", raw, bad, err)
		}
		if err != nil {
			return
		}
		if !maps.EqualFunc(vals, map[string][]string(want), slices.Equal) {
			t.Fatalf("SplitForm(%q) = %q; url.ParseQuery reads %q", raw, vals, want)
		}
	})
}

// FuzzRedirectRegistered checks the redirect URI match of /oauth/v2/authorize, where a mistake sends an
// authorization code to someone else: a registered URI matches itself; any other match is between two
// loopback http URIs (RFC 8252 §7.3) that differ only in the port, so they name the same scheme, host, user
// information, path, query and fragment for url.Parse; and withoutLoopbackPort is idempotent.
func FuzzRedirectRegistered(f *testing.F) {
	for _, s := range []struct{ reg, uri string }{
		{"http://127.0.0.1/cb", "http://127.0.0.1:8123/cb"}, {"http://127.0.0.1:5000/cb", "http://127.0.0.1:1/cb"},
		{"http://[::1]/cb", "http://[::1]:65535/cb?x=1"}, {"http://127.0.0.1/cb", "http://127.0.0.1:80@evil.example/cb"},
		{"http://127.0.0.1", "http://127.0.0.1.evil.example"}, {"http://127.0.0.1/cb", "http://127.0.0.1:123456/cb"},
		{"http://127.0.0.1?x", "http://127.0.0.1:1?x"}, {"https://app.example/cb", "https://app.example/cb"},
		{"https://app.example/cb", "https://app.example:443/cb"}, {"com.example.app:/cb", "com.example.app:/cb"},
		{"http://localhost/cb", "http://localhost:1/cb"}, {"http://127.0.0.1/cb", "http://127.0.0.1:/cb"},
		{"http://127.0.0.1/cb", "http://127.0.0.1:1\\@evil.example/cb"}, {"http://127.0.0.1#x", "http://127.0.0.1:9#x"},
	} {
		f.Add(s.reg, s.uri)
	}
	f.Fuzz(func(t *testing.T, reg, uri string) {
		for _, s := range []string{reg, uri} {
			if a, ok := withoutLoopbackPort(s); ok {
				if b, ok := withoutLoopbackPort(a); !ok || b != a {
					t.Fatalf("withoutLoopbackPort(%q) = %q, but again gives %q, %v", s, a, b, ok)
				}
			}
		}
		ok := RedirectRegistered([]string{reg}, uri)
		if reg == uri && !ok {
			t.Fatalf("%q does not match itself", reg)
		}
		if !ok || reg == uri {
			return
		}
		a, aok := withoutLoopbackPort(reg)
		b, bok := withoutLoopbackPort(uri)
		if !aok || !bok || a != b {
			t.Fatalf("%q matches %q but they are not the same loopback URI", uri, reg)
		}
		r, rerr := url.Parse(reg)
		u, uerr := url.Parse(uri)
		if (rerr == nil) != (uerr == nil) {
			t.Fatalf("url.Parse reads %q (%v) and %q (%v) differently", reg, rerr, uri, uerr)
		}
		if rerr != nil {
			return
		}
		if r.Scheme != "http" || u.Scheme != r.Scheme || u.Hostname() != r.Hostname() || (r.Hostname() != "127.0.0.1" && r.Hostname() != "::1") ||
			u.User != nil || r.User != nil || u.EscapedPath() != r.EscapedPath() || u.RawQuery != r.RawQuery || u.Fragment != r.Fragment || u.Opaque != r.Opaque {
			t.Fatalf("%q matches registered %q, but url.Parse reads %#v and %#v", uri, reg, u, r)
		}
	})
}
