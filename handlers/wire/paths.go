package wire

import (
	"context"
	"net/http"
	"strings"
)

// WorkspacePrefix starts every workspace path, in any case.
const WorkspacePrefix = "/api/workspace/"

// otherDialects are the path prefixes that the Saasu normaliser leaves alone.
var otherDialects = []string{"/auth/v1/", "/management/v1/", "/oauth/v2/", "/.well-known/", "/password-reset"}

type rawPathKey struct{}

// ReceivedPath is the path as the client sent it, before normalising (for 404 messages).
func ReceivedPath(r *http.Request) string {
	if p, ok := r.Context().Value(rawPathKey{}).(string); ok {
		return p
	}
	return r.URL.EscapedPath()
}

// Routes looks up the route of a path by key: its canonical spelling, and whether there is one. The route
// table is the handlers', so the normaliser takes it as a function.
type Routes func(key string) (path string, ok bool)

// normaliseWorkspace rewrites a workspace path to its route's spelling: the case is the route's own and one
// trailing slash is dropped. An unknown path keeps its tail but gets the canonical prefix, so that it is
// answered as the workspace's 404. The path as received is kept for the problem's instance.
func normaliseWorkspace(r *http.Request, workspace Routes) *http.Request {
	p := r.URL.Path
	clean := WorkspacePrefix + p[len(WorkspacePrefix):]
	if route, ok := workspace(strings.ToLower(strings.TrimSuffix(p, "/"))); ok {
		clean = route
	}
	return rewritePath(r, clean)
}

// rewritePath points r at path clean, keeping the path as received for ReceivedPath. A path that needs no
// rewriting costs nothing.
func rewritePath(r *http.Request, clean string) *http.Request {
	if clean == r.URL.Path {
		return r
	}
	r = r.WithContext(context.WithValue(r.Context(), rawPathKey{}, r.URL.EscapedPath()))
	u := *r.URL
	u.Path, u.RawPath = clean, ""
	r.URL = &u
	return r
}

// NormalisePath rewrites Saasu paths to their canonical form: runs of slashes count as one, one trailing
// slash is dropped, and the case is the route's own. Workspace paths get the canonical prefix and a known
// route's spelling (normaliseWorkspace). Other paths pass unchanged. saasu finds a route by its path
// lower-cased; workspace by its path lower-cased, without one trailing slash.
func NormalisePath(next http.Handler, saasu, workspace Routes) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) >= len(WorkspacePrefix) && strings.EqualFold(p[:len(WorkspacePrefix)], WorkspacePrefix) {
			next.ServeHTTP(w, normaliseWorkspace(r, workspace))
			return
		}
		for _, prefix := range otherDialects {
			if strings.HasPrefix(p, prefix) {
				next.ServeHTTP(w, r)
				return
			}
		}
		clean := p
		if strings.Contains(clean, "//") {
			var b strings.Builder
			for i := 0; i < len(p); i++ {
				if p[i] == '/' && i > 0 && p[i-1] == '/' {
					continue
				}
				b.WriteByte(p[i])
			}
			clean = b.String()
		}
		if len(clean) > 1 && clean[len(clean)-1] == '/' {
			clean = clean[:len(clean)-1]
		}
		if route, ok := saasu(strings.ToLower(clean)); ok {
			clean = route
		}
		next.ServeHTTP(w, rewritePath(r, clean))
	})
}
