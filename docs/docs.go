// Package docs holds the documents that ship inside the binary: openapi.yaml, the OpenAPI 3.1 description of
// every route of every dialect, which the server serves at /openapi.yaml and the handler tests validate real
// responses against.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml as committed.
//
//go:embed openapi.yaml
var OpenAPI []byte
