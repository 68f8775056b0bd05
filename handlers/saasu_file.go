package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/models"
)

// saasuFiles serves GET /FileIdentities and GET /FileIdentity (saasu.md §5.10, §6.9).
type saasuFiles struct {
	saasu *saasuDialect
	authn *auth.Authenticator
	store *models.Store
	links linker
}

// Paging of /FileIdentities [orig defaults]: pages from 1, 25 a page, at most 100.
const (
	defaultPageSize = 25
	maxPageSize     = 100
)

// list answers the files the credential reaches, ascending by id, one page of them. No FileId is needed
// (one sent is ignored); a valid credential that reaches no file gets an empty list.
func (h *saasuFiles) list(c *gin.Context) error {
	_, files, err := h.authn.SaasuFiles(c.Request.Context(), c.Request)
	if err != nil {
		return err
	}
	page := positive(c.Request.URL.RawQuery, "Page", 1)
	size := min(positive(c.Request.URL.RawQuery, "PageSize", defaultPageSize), maxPageSize)
	from := min((page-1)*size, int64(len(files)))
	to := min(from+size, int64(len(files)))
	base := h.links.base(c.Request)
	items := make([]hal.FileIdentitySummary, 0, to-from)
	for _, f := range files[from:to] {
		items = append(items, hal.FileIdentitySummary{ID: f.ID, Name: &f.Name, Country: &f.Country, CurrencyCode: &f.Currency,
			FileSettings: hal.FileSettings{SaleAmountsIncludeTax: true, PurchaseAmountsIncludeTax: true, Links: hal.Links{}},
			Links:        hal.Links{{Rel: "detail", Href: base + "/FileIdentity?FileId=" + itoa(f.ID), Method: "GET"}}})
	}
	return h.saasu.render(c, http.StatusOK, hal.FileIdentitySummaryResponse{FileIdentities: items, Links: hal.Links{}})
}

// detail answers the file of the FileId, to a caller §3 authorises for it.
func (h *saasuFiles) detail(c *gin.Context, p auth.Principal) error {
	f, err := h.store.FileByID(c.Request.Context(), p.FileID)
	if err != nil {
		if models.KindOf(err) == models.KindNotFound {
			return &models.Error{Kind: models.KindUnauthorized, Err: err}
		}
		return err
	}
	return h.saasu.render(c, http.StatusOK, hal.FileIdentityDetail{Name: &f.Name, Country: &f.Country, CurrencyCode: &f.Currency,
		Links: hal.Links{{Rel: "self", Href: h.links.base(c.Request) + "/FileIdentity?FileId=" + itoa(f.ID), Method: "GET"}}})
}

// positive reads a whole-number query parameter of at least 1 (name case-insensitive); anything else, or
// nothing, gives def.
func positive(rawQuery, name string, def int64) int64 {
	v, ok := authwire.QueryValue(rawQuery, name)
	if n := authwire.ParseFileID(v); ok && n > 0 {
		return n
	}
	return def
}
