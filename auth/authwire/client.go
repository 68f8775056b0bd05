package authwire

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
)

// ClientError is why client authentication failed: InvalidRequest (two methods, or ids that disagree) or
// not (the client is unknown or its secret is wrong: invalid_client).
type ClientError struct {
	InvalidRequest bool
}

func (e *ClientError) Error() string {
	if e.InvalidRequest {
		return "use exactly one client authentication method"
	}
	return "client authentication failed"
}

// ClientCredentials are what a token-endpoint request says about its client.
type ClientCredentials struct {
	Authorization string // the Authorization header
	BodyID        string // client_id in the body
	BodySecret    string // client_secret in the body
	HasBodySecret bool
}

// Client reads which client cc names and the secret it offers (oauth.md §5.1): HTTP Basic (each part
// form-decoded) or client_id and client_secret in the body, not both. A Basic password that is empty is no
// secret. A request that names no client, or whose Basic credentials do not decode, fails; so does one that
// uses both methods, or whose body client_id differs from the Basic one, as InvalidRequest. Whether the
// client exists and the secret is its own is for the store to tell.
func (cc ClientCredentials) Client() (id, secret string, hasSecret bool, fail *ClientError) {
	id, secret, hasSecret = cc.BodyID, cc.BodySecret, cc.HasBodySecret
	if scheme, rest, _ := strings.Cut(strings.TrimSpace(cc.Authorization), " "); strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return "", "", false, &ClientError{}
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return "", "", false, &ClientError{}
		}
		bid, err1 := url.QueryUnescape(user)
		bsecret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", "", false, &ClientError{}
		}
		if cc.HasBodySecret || (cc.BodyID != "" && cc.BodyID != bid) {
			return "", "", false, &ClientError{InvalidRequest: true}
		}
		id, secret, hasSecret = bid, bsecret, bsecret != ""
	}
	if id == "" {
		return "", "", false, &ClientError{}
	}
	return id, secret, hasSecret, nil
}

// GrantedFiles chooses the files of a scope request (oauth.md §4.3): the requested fileid:N entries the user
// holds a membership on, or all of them when none is requested. Unknown entries are dropped, never an error.
func GrantedFiles(memberships []int64, requested string) []int64 {
	want := map[int64]bool{}
	for _, part := range strings.Fields(requested) {
		if rest, ok := strings.CutPrefix(part, "fileid:"); ok {
			if id := ParseFileID(rest); id != 0 {
				want[id] = true
			}
		}
	}
	if len(want) == 0 {
		return memberships
	}
	var out []int64
	for _, id := range memberships {
		if want[id] {
			out = append(out, id)
		}
	}
	return out
}

// VerifyPKCE checks an S256 code verifier (RFC 7636 §4.6): 43 to 128 unreserved characters whose SHA-256,
// base64url-encoded, equals the challenge.
func VerifyPKCE(challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for i := 0; i < len(verifier); i++ {
		c := verifier[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}
