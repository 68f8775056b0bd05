package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
)

// fileIDs lists the ids of a FileIdentitySummaryResponse in JSON.
func fileIDs(t *testing.T, body []byte) []int64 {
	t.Helper()
	var r struct {
		FileIdentities []struct{ Id int64 }
	}
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	ids := []int64{}
	for _, f := range r.FileIdentities {
		ids = append(ids, f.Id)
	}
	return ids
}

func TestFileIdentities(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		// A key reaches the files §3 would let it use: 777 only (778: web services off for ann; 779: off for
		// the file). Any FileId sent is ignored (the Laravel client sends none).
		for _, url := range []string{"/FileIdentities?wsAccessKey=" + fx.key, "/fileidentities?FileId=780&wsaccesskey=" + fx.key} {
			w := fx.do("GET", url, "")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			golden(t, "saasu/file-identities-key.json", w)
		}
		w := fx.do("GET", "/FileIdentities", "", "X-Api-Key: "+fx.key, "Accept: application/xml")
		require.Equal(t, http.StatusOK, w.Code)
		golden(t, "saasu/file-identities-key.xml", w)

		// A key bound to 778 reaches nothing (ann has web services off there): an empty list, not a 401.
		w = fx.do("GET", "/FileIdentities?wsAccessKey="+fx.key778, "")
		require.Equal(t, http.StatusOK, w.Code)
		assertBody(t, `{"FileIdentities":[],"_links":[]}`, w)
		w = fx.do("GET", "/FileIdentities?wsAccessKey="+fx.key778, "", "Accept: application/xml")
		assert.Equal(t, `<FileIdentitySummaryResponse xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><FileIdentities /></FileIdentitySummaryResponse>`, w.Body.String())

		// A bearer reaches the files of its scope that the user still belongs to.
		g := fx.login(t)
		w = fx.do("GET", "/FileIdentities", "", "Authorization: Bearer "+g.AccessToken)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, []int64{777, 778, 779}, fileIDs(t, w.Body.Bytes()))
		fx.grant(fx.ann.ID, 780, models.AccessStandard, true) // not in the token's scope
		require.NoError(t, fx.store.Revoke(t.Context(), fx.ann.ID, 778))
		w = fx.do("GET", "/FileIdentities", "", "Authorization: Bearer "+g.AccessToken)
		assert.Equal(t, []int64{777, 779}, fileIDs(t, w.Body.Bytes()))

		// Paging: Page from 1, PageSize 25 by default and at most 100; past the end is empty.
		for url, want := range map[string][]int64{
			"/FileIdentities?PageSize=1":           {777},
			"/FileIdentities?page=2&pagesize=1":    {779},
			"/FileIdentities?Page=3&PageSize=1":    {},
			"/FileIdentities?Page=0&PageSize=-5":   {777, 779},
			"/FileIdentities?Page=1&PageSize=1000": {777, 779},
		} {
			w = fx.do("GET", url, "", "Authorization: Bearer "+g.AccessToken)
			require.Equal(t, http.StatusOK, w.Code, url)
			assert.Equal(t, want, fileIDs(t, w.Body.Bytes()), url)
		}

		for _, h := range [][]string{nil, {"X-Api-Key: fa_ak_nope"}, {"Authorization: Bearer fa_at_nope"}, {"X-Api-Key: " + fx.revoked}, {"Authorization: Bearer"}} {
			w = fx.do("GET", "/FileIdentities", "", h...)
			require.Equal(t, http.StatusUnauthorized, w.Code, "%v", h)
			golden(t, "saasu/denied.json", w)
		}
		w = fx.do("POST", "/FileIdentities", "")
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET", w.Header().Get("Allow"))
	})
}

func TestFileIdentity(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		w := fx.do("GET", "/FileIdentity?FileId=777&wsAccessKey="+fx.key, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		golden(t, "saasu/file-identity.json", w)
		w = fx.do("GET", "/fileidentity?fileid=777", "", "X-Api-Key: "+fx.key, "Accept: text/xml")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
		golden(t, "saasu/file-identity.xml", w)
		for _, url := range []string{"/FileIdentity?wsAccessKey=" + fx.key, "/FileIdentity?FileId=780&wsAccessKey=" + fx.key, "/FileIdentity?FileId=999&wsAccessKey=" + fx.key} {
			w = fx.do("GET", url, "")
			require.Equal(t, http.StatusUnauthorized, w.Code, url)
			golden(t, "saasu/denied.json", w)
		}
	})
}
