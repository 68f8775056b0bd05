package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/docs"
	"github.com/fileapi/fileapi/handlers/wire"
)

// openAPIType is the media type of /openapi.yaml. application/yaml is registered (RFC 9512), so browsers,
// curl users and OpenAPI tools all know it; application/openapi+yaml is still only an IETF draft, and
// application/vnd.oai.openapi is a vendor type few tools look for. RFC 9512 defines no charset parameter:
// YAML here is UTF-8.
const openAPIType = "application/yaml"

// openAPIETag is the strong entity tag of the embedded document: the hex SHA-256 of its bytes, so it changes
// exactly when the document does, across restarts and instances.
var openAPIETag = func() string {
	sum := sha256.Sum256(docs.OpenAPI)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}()

// serveOpenAPI answers GET and HEAD /openapi.yaml with docs/openapi.yaml. Caches may keep it five minutes
// and then revalidate with If-None-Match, which a deployment of the same document answers 304.
func serveOpenAPI(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("ETag", openAPIETag)
	h.Set("Cache-Control", "public, max-age=300")
	if wire.NoneMatch(c.GetHeader("If-None-Match"), openAPIETag) {
		c.Status(http.StatusNotModified)
		return
	}
	if c.Request.Method == http.MethodHead {
		h.Set("Content-Type", openAPIType)
		h.Set("Content-Length", strconv.Itoa(len(docs.OpenAPI)))
		c.Status(http.StatusOK)
		return
	}
	c.Data(http.StatusOK, openAPIType, docs.OpenAPI)
}
