package wire

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The paths of the route table (handlers/router.go), Saasu's and the workspace's, which the handlers look up
// for NormalisePath: Saasu's by the path lower-cased, the workspace's by the path itself. They are a copy,
// since this package cannot import handlers; the rule checked holds for any table, and these paths give the
// fuzzer the known routes to vary.
var (
	saasuPaths = []string{"/User", "/authorisation/token", "/authorisation/token-2fa", "/authorisation/refresh",
		"/authorisation/ping", "/User/reset-password", "/User/change-username", "/User/change-password", "/User/opt-in-to-2fa",
		"/User/verify-2fa-opt-in", "/User/opt-out-from-2fa", "/FileIdentities", "/FileIdentity"}
	workspacePaths = []string{"/api/workspace/account/profile", "/api/workspace/account/change-password",
		"/api/workspace/auth/login", "/api/workspace/auth/me"}
)

// routes maps key(path) to path, for each of paths.
func routes(paths []string, key func(string) string) map[string]string {
	t := map[string]string{}
	for _, p := range paths {
		t[key(p)] = p
	}
	return t
}

// lookup finds routes in table.
func lookup(table map[string]string) Routes {
	return func(key string) (string, bool) { p, ok := table[key]; return p, ok }
}

// collapseSlashes is the Saasu rule of NormalisePath, written the obvious way: runs of slashes count as one,
// then one trailing slash is dropped.
func collapseSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 && strings.HasSuffix(p, "/") {
		p = p[:len(p)-1]
	}
	return p
}

// FuzzNormalisePath checks the path normaliser in front of the router (NormalisePath, with the route table's
// paths) on any path and query: it never panics and always calls the router once, with the query untouched
// and the client's request left as it was. Workspace paths (prefix in any case) get the canonical prefix, and
// a known route its own spelling; the other dialects' paths pass unchanged; Saasu paths come out with runs of
// slashes collapsed, one trailing slash dropped and a known route's canonical case, else exactly so
// collapsed. ReceivedPath always gives back the path as sent.
func FuzzNormalisePath(f *testing.F) {
	paths := []string{
		"/User", "//user//", "/USER/", "/user///", "/User/reset-password", "/user/OPT-IN-TO-2FA/", "/authorisation//TOKEN/",
		"/authorisation/token-2fa", "/FileIdentities/", "/fileidentity", "/openapi.yaml", "//openapi.yaml/", "/OpenAPI.yaml",
		"/api/workspace/account/profile", "/api/workspace/account/profile/", "/API/Workspace/Account/Profile",
		"/api/workspace/nope/", "/api/workspace/", "/API/WORKSPACE", "/api//workspace/auth/me", "/Api/Workspace/auth/login//",
		"/auth/v1/users/me/profile", "/management/v1/users/43/profile", "/management/v1/users//profile", "/oauth/v2/token",
		"/oauth/v2/authorize/", "/.well-known/oauth-authorization-server", "/password-reset", "/password-reset/", "//auth/v1/x",
		"/", "", "//", "///", "*", "user", "/User\x00", "/Us%er", "/\u212Aey", "/authorisation/to\u212Aen",
	}
	for i, p := range paths {
		q := ""
		if i%2 == 0 {
			q = "FileId=777&wsAccessKey=KEY"
		}
		f.Add(p, q)
	}
	saasuRoutes := routes(saasuPaths, strings.ToLower)
	workspaceRoutes := routes(workspacePaths, func(p string) string { return p })
	normalisePath := func(next http.Handler) http.Handler {
		return NormalisePath(next, lookup(saasuRoutes), lookup(workspaceRoutes))
	}
	next := func(got **http.Request, calls *int) http.Handler {
		return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			*calls++
			*got = r
		})
	}
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		u := &url.URL{Path: path, RawQuery: rawQuery}
		sent := u.EscapedPath()
		r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}
		var got *http.Request
		calls := 0
		normalisePath(next(&got, &calls)).ServeHTTP(nil, r)
		if calls != 1 {
			t.Fatalf("the router was called %d times", calls)
		}
		if r.URL != u || u.Path != path || u.RawQuery != rawQuery {
			t.Fatalf("the client's request was changed: %q ?%q", u.Path, u.RawQuery)
		}
		out := got.URL.Path
		if got.URL.RawQuery != rawQuery {
			t.Fatalf("query %q became %q", rawQuery, got.URL.RawQuery)
		}
		if rp := ReceivedPath(got); rp != sent {
			t.Fatalf("ReceivedPath = %q, the client sent %q", rp, sent)
		}
		if out != path && got.URL.RawPath != "" {
			t.Fatalf("rewritten path %q keeps RawPath %q", out, got.URL.RawPath)
		}
		switch {
		case len(path) >= len(WorkspacePrefix) && strings.EqualFold(path[:len(WorkspacePrefix)], WorkspacePrefix):
			want := WorkspacePrefix + path[len(WorkspacePrefix):]
			if route, ok := workspaceRoutes[strings.ToLower(strings.TrimSuffix(path, "/"))]; ok {
				want = route
			}
			if out != want {
				t.Fatalf("workspace path %q → %q, want %q", path, out, want)
			}
		case hasAnyPrefix(path, otherDialects):
			if got != r {
				t.Fatalf("path %q of another dialect was rewritten to %q", path, out)
			}
		default:
			want := collapseSlashes(path)
			if route, ok := saasuRoutes[strings.ToLower(want)]; ok {
				want = route
			}
			if out != want {
				t.Fatalf("Saasu path %q → %q, want %q", path, out, want)
			}
		}
		if (out == path) != (got == r) {
			t.Fatalf("path %q → %q: a rewrite must copy the request, and only a rewrite", path, out)
		}
	})
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
