package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/fileapi/fileapi/handlers/wire"
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
const workspacePrefix = wire.WorkspacePrefix

// workspaceAllow is the Allow header of a canonical workspace path.
func workspaceAllow(path string) string { return workspaceRoutes[path].allow }

// normalisePath puts the path normaliser (wire.NormalisePath) in front of next, with the routes of the
// route table: Saasu's and the workspace's paths are case-insensitive and tolerate one trailing slash.
func normalisePath(next http.Handler) http.Handler {
	return wire.NormalisePath(next,
		func(key string) (string, bool) { r, ok := saasuRoutes[key]; return r.path, ok },
		func(key string) (string, bool) { r, ok := workspaceRoutes[key]; return r.path, ok })
}
