package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// saasuRoutes maps each Saasu path of the route table, lower-cased, to its canonical spelling and the methods
// it allows. Saasu routing is case-insensitive and tolerates one trailing slash; gin's is neither, so the
// normaliser rewrites the path before gin sees it rather than redirecting (Saasu clients follow no redirect).
var saasuRoutes map[string]struct{ path, allow string }

// workspaceRoutes maps each workspace path of the route table to its canonical spelling and the methods it
// allows. ASP.NET Core routing, which the workspace API's clients know, is case-insensitive and tolerates a
// trailing slash (workspace.md §1). Its paths are lower case already.
var workspaceRoutes map[string]struct{ path, allow string }

// The tables are built in init: as variable initialisers they would depend on the handlers of the route
// table, which read them.
func init() {
	saasuRoutes = pathTable(surfaceSaasu, strings.ToLower)
	workspaceRoutes = pathTable(surfaceWorkspace, func(p string) string { return p })
}

// pathTable lists the paths of one surface of the route table under key(path), with their methods as an
// Allow header (in alphabetical order).
func pathTable(of surface, key func(string) string) map[string]struct{ path, allow string } {
	methods := map[string][]string{}
	for _, rt := range routes {
		if rt.surface == of {
			methods[rt.path] = append(methods[rt.path], rt.method)
		}
	}
	t := map[string]struct{ path, allow string }{}
	for p, m := range methods {
		slices.Sort(m)
		t[key(p)] = struct{ path, allow string }{p, strings.Join(m, ", ")}
	}
	return t
}

// workspacePrefix starts every workspace path, in any case.
const workspacePrefix = "/api/workspace/"

// workspaceAllow is the Allow header of a canonical workspace path.
func workspaceAllow(path string) string { return workspaceRoutes[path].allow }

// otherDialects are the path prefixes that the Saasu normaliser leaves alone.
var otherDialects = []string{"/auth/v1/", "/management/v1/", "/oauth/v2/", "/.well-known/", "/password-reset"}

type rawPathKey struct{}

// receivedPath is the path as the client sent it, before normalising (for 404 messages).
func receivedPath(r *http.Request) string {
	if p, ok := r.Context().Value(rawPathKey{}).(string); ok {
		return p
	}
	return r.URL.EscapedPath()
}

// normaliseWorkspace rewrites a workspace path to its route's spelling: the case is the route's own and one
// trailing slash is dropped. An unknown path keeps its tail but gets the canonical prefix, so that it is
// answered as the workspace's 404. The path as received is kept for the problem's instance.
func normaliseWorkspace(r *http.Request) *http.Request {
	p := r.URL.Path
	clean := workspacePrefix + p[len(workspacePrefix):]
	if route, ok := workspaceRoutes[strings.ToLower(strings.TrimSuffix(p, "/"))]; ok {
		clean = route.path
	}
	return rewritePath(r, clean)
}

// rewritePath points r at path clean, keeping the path as received for receivedPath. A path that needs no
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

// normalisePath rewrites Saasu paths to their canonical form: runs of slashes count as one, one trailing
// slash is dropped, and the case is the route's own. Other paths pass unchanged.
func normalisePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) >= len(workspacePrefix) && strings.EqualFold(p[:len(workspacePrefix)], workspacePrefix) {
			next.ServeHTTP(w, normaliseWorkspace(r))
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
		if route, ok := saasuRoutes[strings.ToLower(clean)]; ok {
			clean = route.path
		}
		next.ServeHTTP(w, rewritePath(r, clean))
	})
}
