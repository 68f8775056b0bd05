package handlers_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealClients replays, for each public client library of saasu.md §8, the requests it sends.
func TestRealClients(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		json200 := func(w *httptest.ResponseRecorder) {
			t.Helper()
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Header().Get("Content-Type"), "json")
		}
		t.Run("saasu/api-sdk-dotnet", func(t *testing.T) {
			w := fx.do("POST", "/authorisation/token?", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!","scope":"full","verification_code":null}`,
				"Content-Type: application/json", "Accept: application/json")
			json200(w)
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			w = fx.do("GET", "/authorisation/Ping?fileid=777", "", "Authorization: Bearer "+g.AccessToken, "Accept: application/xml")
			assert.Equal(t, "<boolean>true</boolean>", w.Body.String())
			w = fx.do("GET", "/User/?fileid=777", "", "Authorization: Bearer "+g.AccessToken, "Accept: application/xml")
			require.Equal(t, http.StatusOK, w.Code)
			golden(t, "saasu/user-get.xml", w)
			// A whole model with nulls and "_links":[], and the same as namespace-less XmlSerializer output.
			w = fx.do("PUT", "/User?fileid=777&wsaccesskey="+fx.key, `{"Id":42,"Username":"ann@example.com","FirstName":"Ann","LastName":"Lee","MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":22,"DateTimeFormatId":1,"NumberFormatId":1,"_links":[]}`,
				"Content-Type: application/json", "Accept: application/json")
			golden(t, "saasu/user-put.json", w)
			w = fx.do("PUT", "/User?fileid=777&wsaccesskey="+fx.key, `<UserDetail><_links /><Id>42</Id><Username>ann@example.com</Username><FirstName>Ann</FirstName><LastName>Lee</LastName><Is2FAEnabled>false</Is2FAEnabled><TimezoneId>22</TimezoneId><DateTimeFormatId>1</DateTimeFormatId><NumberFormatId>1</NumberFormatId></UserDetail>`,
				"Content-Type: application/xml", "Accept: application/xml")
			golden(t, "saasu/user-put.xml", w)
			w = fx.do("POST", "/User/reset-password/?", `<UserCredential><_links /><Username>ann@example.com</Username></UserCredential>`, "Content-Type: application/xml", "Accept: application/xml")
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Contains(t, w.Body.String(), "<PasswordResetResponse ")
		})
		t.Run("saasu2 Ruby gem", func(t *testing.T) {
			h := []string{"Content-Type: application/json", "X-Api-Version: 1.0", "Accept: */*"}
			w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","scope":"full","username":"ann@example.com","password":"s3cret!"}`, h...)
			json200(w)
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			// The gem keeps the first refresh token for every refresh, and sends its old bearer along.
			for i := 0; i < 3; i++ {
				w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+g.RefreshToken+`"}`, append(h, "Authorization: Bearer "+g.AccessToken)...)
				json200(w)
				var next grantJSON
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &next))
				assert.Equal(t, g.RefreshToken, next.RefreshToken)
				assert.Equal(t, 10800, next.ExpiresIn)
				g.AccessToken = next.AccessToken
			}
			json200(fx.do("GET", "/user?FileId=777", "", append(h, "Authorization: Bearer "+g.AccessToken)...))
			json200(fx.do("POST", "/User/reset-password?FileId=777", `{"Username":"ann@example.com"}`, append(h, "Authorization: Bearer "+g.AccessToken)...))
		})
		t.Run("Osseta/saasu-rails", func(t *testing.T) {
			h := []string{"Content-Type: application/json", "Accept: */*"}
			w := fx.do("POST", "/authorisation/token-2fa", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, h...)
			json200(w)
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			w = fx.do("PUT", "/User?FileId=777", `{"FirstName":"Z","EmailAddress":"z@example.com"}`, append(h, "Authorization: Bearer "+g.AccessToken)...)
			json200(w)
			assert.Equal(t, "Z", *fx.reload(fx.ann.ID).FirstName)
			// A failed refresh makes it fall back to a new password grant.
			w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"fa_rt_lost"}`, h...)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			json200(fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, h...))
			json200(fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, h...))
			w = fx.do("POST", "/User/opt-in-to-2fa?FileId=777", `{"MobileNumber":"0412 345 678"}`, append(h, "Authorization: Bearer "+g.AccessToken)...)
			json200(w)
			assertBody(t, `{"ProviderUserId":42}`, w)
		})
		t.Run("jdnoon PHP client", func(t *testing.T) {
			h := []string{"Accept: application/json", "X-Api-Version: 2.0"}
			json200(fx.do("GET", "/User?FileId=777&wsAccessKey="+fx.key, "", h...))
			w := fx.do("PUT", "/User?FileId=777&wsAccessKey="+fx.key, `FirstName=Z&LastName=Q`, append(h, "Content-Type: application/x-www-form-urlencoded")...)
			json200(w)
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Z", *u.FirstName)
			assert.Equal(t, "Q", *u.LastName)
		})
		t.Run("hampel Laravel client", func(t *testing.T) {
			w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json", "Accept: application/json")
			json200(w)
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			w = fx.do("GET", "/FileIdentities", "", "Authorization: Bearer "+g.AccessToken, "Accept: application/json")
			json200(w)
			assert.Equal(t, []int64{780}, fileIDs(t, w.Body.Bytes()))
			json200(fx.do("GET", "/FileIdentities?FileId=780&wsAccessKey="+fx.bobKey, "", "Accept: application/json"))
			// On a 401 it fetches a new token once.
			w = fx.do("GET", "/User?FileId=780", "", "Authorization: Bearer fa_at_expired", "Accept: application/json")
			require.Equal(t, http.StatusUnauthorized, w.Code)
			json200(fx.do("GET", "/User?FileId=780", "", "Authorization: Bearer "+g.AccessToken, "Accept: application/json"))
		})
		t.Run("aleahy/saasu-connect", func(t *testing.T) {
			w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","scope":"full","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json")
			json200(w)
		})
		t.Run("aviapayroll (Python)", func(t *testing.T) {
			w := fx.do("POST", "/authorisation/refresh", `{"grant_type":"password","scope":"FileId:777","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json", "X-Api-Version: 1.0")
			json200(w)
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			json200(fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+g.AccessToken, "X-Api-Version: 1.0"))
		})
		t.Run("raw PHP header lines: no space after the colon, br/zstd offered", func(t *testing.T) {
			srv := httptest.NewServer(fx.handler)
			defer srv.Close()
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer func() { _ = conn.Close() }()
			_, err = conn.Write([]byte("GET /User?FileId=777&wsAccessKey=" + fx.key + " HTTP/1.1\r\nHost:api.example.com\r\nAccept:application/json\r\nAccept-Encoding:br, zstd\r\nX-Api-Version:2.0\r\nConnection:close\r\n\r\n"))
			require.NoError(t, err)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			body := readAll(t, resp)
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			assert.Empty(t, resp.Header.Get("Content-Encoding"), "answered uncompressed")
			assert.True(t, strings.HasPrefix(body, `{"Id":42,`), body)
		})
	})
}
