package auth

import (
	"context"
	"net/http"

	"github.com/fileapi/fileapi/auth/authwire"
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
	fileID := authwire.ParseFileID(first(authwire.QueryValue(r.URL.RawQuery, "FileId")))
	if fileID == 0 {
		return Principal{}, denied("missing FileId")
	}
	cred, err := a.saasuCredential(ctx, r, fileID)
	if err != nil {
		return Principal{}, err
	}
	if !cred.covers(fileID) {
		return Principal{}, denied("file outside the token's scope or the key's binding")
	}
	fa, ok := cred.reach.Access()
	if !ok {
		return Principal{}, denied("no membership on the file")
	}
	if !cred.webServicesAllow(fa.WebServices, fa.AllowWebServices) {
		return Principal{}, denied("web services are off for this membership or file")
	}
	cred.p.FileID = fileID
	return cred.p, nil
}

// SaasuFiles authenticates a Saasu call that needs no FileId (GET /FileIdentities) and lists the files the
// credential reaches under the same rules as Saasu: for a bearer token, the files of its scope the user still
// belongs to; for an access key, the files the key may be used on. A valid credential may reach none; an
// invalid one is KindUnauthorized.
func (a *Authenticator) SaasuFiles(ctx context.Context, r *http.Request) (Principal, []models.File, error) {
	cred, err := a.saasuCredential(ctx, r, 0)
	if err != nil {
		return Principal{}, nil, err
	}
	member, err := a.Store.MemberFiles(ctx, cred.p.User.ID)
	if err != nil {
		return cred.p, nil, err
	}
	var files []models.File
	for _, m := range member {
		if cred.covers(m.ID) && cred.webServicesAllow(m.WebServices, m.AllowWebServices) {
			files = append(files, m.File)
		}
	}
	return cred.p, files, nil
}

// saasuCred is a Saasu credential that checked out, before any file is considered: its principal, and what
// limits the files it may be used on.
type saasuCred struct {
	p       Principal
	scope   string // a bearer token's scope
	keyFile *int64 // the file an access key is bound to, if any
	reach   models.Reach
}

// saasuCredential resolves the credential of a Saasu call, with what it reaches on fileID, in one query: a
// live access token (a bearer header is the only credential when present), else an unrevoked access key.
func (a *Authenticator) saasuCredential(ctx context.Context, r *http.Request, fileID int64) (saasuCred, error) {
	if tok, ok := authwire.BearerToken(r.Header.Get("Authorization")); ok {
		if tok == "" {
			return saasuCred{}, denied("empty bearer token")
		}
		p, scope, reach, err := a.ByToken(ctx, tok, "saasu/bearer", fileID)
		return saasuCred{p: p, scope: scope, reach: reach}, err
	}
	key, err := accessKey(r)
	if err != nil {
		return saasuCred{}, err
	}
	p, keyFile, reach, err := a.ByKey(ctx, key, "saasu/key", fileID)
	return saasuCred{p: p, keyFile: keyFile, reach: reach}, err
}

// covers reports whether the credential itself allows the file: a token's scope names it, a key is not bound
// to another file. The membership is checked separately, at the time of the call.
func (c saasuCred) covers(fileID int64) bool {
	if c.p.Via == "saasu/bearer" {
		return models.ScopeHasFile(c.scope, fileID)
	}
	return c.keyFile == nil || *c.keyFile == fileID
}

// webServicesAllow applies the web-services switches, which bind access keys only: the membership's and the
// file's must both be on.
func (c saasuCred) webServicesAllow(membership, file bool) bool {
	return c.p.Via != "saasu/key" || (membership && file)
}

// accessKey reads the access key of a Saasu call: the wsAccessKey query parameter (any case) or the
// X-Api-Key header. Both present with different values is a failure.
func accessKey(r *http.Request) (string, error) {
	q, inQuery := authwire.QueryValue(r.URL.RawQuery, "wsAccessKey")
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

func first(s string, _ bool) string { return s }
