package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/fileapi/fileapi/models"
)

// Authenticator resolves credentials against the store.
type Authenticator struct {
	Store *models.Store
	// Limits counts failed credential checks, shared by every endpoint that checks a password.
	Limits *Limiter
}

// denied is the one answer to every authentication or tenancy failure: callers never learn which part failed.
func denied(reason string) error {
	return &models.Error{Kind: models.KindUnauthorized, Message: reason}
}

// Saasu authenticates a Saasu API v2 call scoped to the FileId of the query (saasu.md §3). A bearer token,
// when sent, is the only credential; otherwise an access key from the wsAccessKey query parameter or the
// X-Api-Key header. Every failure is KindUnauthorized, except a database outage (KindUnavailable).
func (a *Authenticator) Saasu(ctx context.Context, r *http.Request) (Principal, error) {
	fileID := ParseFileID(first(QueryValue(r.URL.RawQuery, "FileId")))
	if tok, ok := BearerToken(r.Header.Get("Authorization")); ok {
		return a.saasuBearer(ctx, tok, fileID)
	}
	key, err := accessKey(r)
	if err != nil {
		return Principal{}, err
	}
	if fileID == 0 {
		return Principal{}, denied("missing FileId")
	}
	owner, err := a.Store.UserByAccessKey(ctx, HashSecret(key))
	if err != nil {
		return Principal{}, err
	}
	if owner.KeyFileID != nil && *owner.KeyFileID != fileID {
		return Principal{}, denied("access key bound to another file")
	}
	fa, err := a.Store.FileAccess(ctx, owner.User.ID, fileID)
	if err != nil {
		return Principal{}, err
	}
	if !fa.WebServices || !fa.AllowWebServices {
		return Principal{}, denied("web services are off for this membership or file")
	}
	return Principal{User: owner.User, FileID: fileID, Via: "saasu/key", KeyID: owner.KeyID,
		ServiceAccount: owner.User.UserType == models.UserService}, nil
}

// SaasuFiles authenticates a Saasu call that needs no FileId (GET /FileIdentities) and lists the files the
// credential reaches: for a bearer token, the files of its scope the user still belongs to; for an access
// key, the files §3 would let the key use. A valid credential may reach none; an invalid one is
// KindUnauthorized.
func (a *Authenticator) SaasuFiles(ctx context.Context, r *http.Request) (Principal, []models.File, error) {
	var p Principal
	var scope string
	var keyFile *int64
	if tok, ok := BearerToken(r.Header.Get("Authorization")); ok {
		if tok == "" {
			return p, nil, denied("empty bearer token")
		}
		th, err := a.Store.UserByAccessToken(ctx, HashSecret(tok))
		if err != nil {
			return p, nil, err
		}
		p = Principal{User: th.User, Via: "saasu/bearer", TokenID: th.Token.ID}
		scope = th.Token.Scope
	} else {
		key, err := accessKey(r)
		if err != nil {
			return p, nil, err
		}
		owner, err := a.Store.UserByAccessKey(ctx, HashSecret(key))
		if err != nil {
			return p, nil, err
		}
		p = Principal{User: owner.User, Via: "saasu/key", KeyID: owner.KeyID}
		keyFile = owner.KeyFileID
	}
	p.ServiceAccount = p.User.UserType == models.UserService
	member, err := a.Store.MemberFiles(ctx, p.User.ID)
	if err != nil {
		return p, nil, err
	}
	var files []models.File
	for _, m := range member {
		switch {
		case p.Via == "saasu/bearer" && !models.ScopeHasFile(scope, m.ID):
		case p.Via == "saasu/key" && (!m.WebServices || !m.AllowWebServices || (keyFile != nil && *keyFile != m.ID)):
		default:
			files = append(files, m.File)
		}
	}
	return p, files, nil
}

// saasuBearer checks an access token for a Saasu call: the file must be in the token's scope, and the user
// must still hold a membership on it now (a revoked membership ends access at once, whatever the token says).
func (a *Authenticator) saasuBearer(ctx context.Context, token string, fileID int64) (Principal, error) {
	if token == "" || fileID == 0 {
		return Principal{}, denied("missing token or FileId")
	}
	th, err := a.Store.UserByAccessToken(ctx, HashSecret(token))
	if err != nil {
		return Principal{}, err
	}
	if !models.ScopeHasFile(th.Token.Scope, fileID) {
		return Principal{}, denied("file outside the token's scope")
	}
	if _, err := a.Store.FileAccess(ctx, th.User.ID, fileID); err != nil {
		return Principal{}, err
	}
	return Principal{User: th.User, FileID: fileID, Via: "saasu/bearer", TokenID: th.Token.ID,
		ServiceAccount: th.User.UserType == models.UserService}, nil
}

// accessKey reads the access key of a Saasu call: the wsAccessKey query parameter (any case) or the
// X-Api-Key header. Both present with different values is a failure.
func accessKey(r *http.Request) (string, error) {
	q, inQuery := QueryValue(r.URL.RawQuery, "wsAccessKey")
	h := r.Header.Get("X-Api-Key")
	switch {
	case inQuery && h != "" && q != h:
		return "", denied("two different access keys")
	case inQuery && q != "":
		return q, nil
	case h != "":
		return h, nil
	}
	return "", denied("no credential")
}

// BearerToken reads "Bearer TOKEN" (scheme case-insensitive). ok is true whenever the scheme is Bearer,
// even with an empty token: a bearer header is then the only credential, and an empty one fails.
// Other schemes are not bearer tokens.
func BearerToken(header string) (token string, ok bool) {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

func first(s string, _ bool) string { return s }
