package handlers_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/handlers"
)

const (
	jsonUTF8 = "application/json; charset=utf-8"
	xmlUTF8  = "application/xml; charset=utf-8"
)

func TestUserGet(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		cases := []struct {
			name, url   string
			headers     []string
			contentType string
			golden      string
		}{
			{"json by default", "/User?FileId=777&wsAccessKey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"xml", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: application/xml"}, xmlUTF8, "saasu/user-get.xml"},
			{"text/xml", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: text/xml"}, "text/xml; charset=utf-8", "saasu/user-get.xml"},
			{"text/json", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: text/json"}, "text/json; charset=utf-8", "saasu/user-get.json"},
			{"q-values prefer xml", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: application/json;q=0.5, application/xml"}, xmlUTF8, "saasu/user-get.xml"},
			{"wildcard", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: */*"}, jsonUTF8, "saasu/user-get.json"},
			{"wildcard echoes the request type", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Accept: */*", "Content-Type: text/xml"}, "text/xml; charset=utf-8", "saasu/user-get.xml"},
			{"X-Api-Key header", "/User?FileId=777", []string{"X-Api-Key: " + fx.key, "Accept: application/json"}, jsonUTF8, "saasu/user-get.json"},
			{"lower-case path and names (.NET SDK)", "/user?fileid=777&wsaccesskey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"upper-case path", "/USER?FILEID=777&WSACCESSKEY=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"trailing slash", "/User/?FileId=777&wsAccessKey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"slash runs", "//User?FileId=777&wsAccessKey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"leading zeros in FileId", "/User?FileId=0777&wsAccessKey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"first FileId wins", "/User?FileId=777&fileid=780&wsAccessKey=" + fx.key, nil, jsonUTF8, "saasu/user-get.json"},
			{"unknown parameters and X-Api-Version ignored", "/User?FileId=777&page=2&pagesize=5&wsAccessKey=" + fx.key, []string{"X-Api-Version: 2.0"}, jsonUTF8, "saasu/user-get.json"},
			{"same key twice", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"X-Api-Key: " + fx.key}, jsonUTF8, "saasu/user-get.json"},
			{"Basic authorization is ignored", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Authorization: Basic dXNlcjpwYXNz"}, jsonUTF8, "saasu/user-get.json"},
			{"key bound to its own file", "/User?FileId=778&wsAccessKey=" + fx.key778, nil, jsonUTF8, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("GET", c.url, "", c.headers...)
				if c.name == "key bound to its own file" {
					// 778 has web services off for ann: even its own bound key is refused.
					assert.Equal(t, http.StatusUnauthorized, w.Code)
					return
				}
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, c.contentType, w.Header().Get("Content-Type"))
				assert.Equal(t, `"2"`, w.Header().Get("ETag"))
				golden(t, c.golden, w)
				assert.NotContains(t, w.Body.String(), fx.key, "a credential never appears in a body")
			})
		}
	})
}

// TestUserDenied: every authentication or tenancy failure gets the same 401, whatever failed.
func TestUserDenied(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		cases := []struct {
			name, url string
			headers   []string
		}{
			{"no credential", "/User?FileId=777", nil},
			{"unknown key", "/User?FileId=777&wsAccessKey=fa_ak_nope", nil},
			{"empty key", "/User?FileId=777&wsAccessKey=", nil},
			{"revoked key", "/User?FileId=777&wsAccessKey=" + fx.revoked, nil},
			{"key bound to another file", "/User?FileId=777&wsAccessKey=" + fx.key778, nil},
			{"membership without web services", "/User?FileId=778&wsAccessKey=" + fx.key, nil},
			{"file without web services", "/User?FileId=779&wsAccessKey=" + fx.key, nil},
			{"no membership", "/User?FileId=780&wsAccessKey=" + fx.key, nil},
			{"another user's file", "/User?FileId=777&wsAccessKey=" + fx.bobKey, nil},
			{"unknown file", "/User?FileId=999&wsAccessKey=" + fx.key, nil},
			{"missing FileId", "/User?wsAccessKey=" + fx.key, nil},
			{"zero FileId", "/User?FileId=0&wsAccessKey=" + fx.key, nil},
			{"negative FileId", "/User?FileId=-777&wsAccessKey=" + fx.key, nil},
			{"signed FileId", "/User?FileId=%2B777&wsAccessKey=" + fx.key, nil},
			{"FileId with spaces", "/User?FileId=%20777&wsAccessKey=" + fx.key, nil},
			{"FileId overflow", "/User?FileId=2147484425&wsAccessKey=" + fx.key, nil},
			{"FileId not a number", "/User?FileId=abc&wsAccessKey=" + fx.key, nil},
			{"empty FileId", "/User?FileId=&wsAccessKey=" + fx.key, nil},
			{"two different keys", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"X-Api-Key: " + fx.bobKey}},
			{"bearer wins over a valid key", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Authorization: Bearer fa_at_unknown"}},
			{"empty bearer", "/User?FileId=777&wsAccessKey=" + fx.key, []string{"Authorization: Bearer"}},
			{"key as a bearer", "/User?FileId=777", []string{"Authorization: Bearer " + fx.key}},
		}
		for _, c := range cases {
			for _, format := range []string{"json", "xml"} {
				t.Run(c.name+"/"+format, func(t *testing.T) {
					headers := append([]string{"Accept: application/" + format}, c.headers...)
					for _, method := range []string{"GET", "PUT"} {
						w := fx.do(method, c.url, `{"FirstName":"Mallory"}`, append(headers, "Content-Type: application/json")...)
						require.Equal(t, http.StatusUnauthorized, w.Code, "%s: %s", method, w.Body.String())
						assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
						assert.Empty(t, w.Header().Get("ETag"))
						golden(t, "saasu/denied."+format, w)
					}
				})
			}
		}
		assert.Equal(t, "Ann", *fx.reload(fx.ann.ID).FirstName, "no denied PUT wrote anything")
		assert.Len(t, fx.events(fx.ann.ID), 1)
	})
}

func TestUserPut(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key
		t.Run("json", func(t *testing.T) {
			w := fx.do("PUT", url, `{"Id":1,"Username":"evil@example.com","FirstName":"Anne","LastName":"Lee","MobileNumber":"0412 345 678","Is2FAEnabled":true,"TimezoneId":7,"DateTimeFormatId":64,"NumberFormatId":64,"_links":[]}`,
				"Content-Type: application/json", "Accept: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, jsonUTF8, w.Header().Get("Content-Type"))
			assert.Equal(t, `"3"`, w.Header().Get("ETag"))
			golden(t, "saasu/user-put.json", w)
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Anne", *u.FirstName)
			assert.Equal(t, "ann@example.com", u.Username, "Username is read-only")
			assert.Equal(t, int64(42), u.ID, "Id is read-only")
			assert.False(t, u.Is2FAEnabled, "Is2FAEnabled is read-only")
			assert.Equal(t, "0412 345 678", *u.MobileNumber)
			assert.Equal(t, int64(7), *u.TimezoneID)
			assert.Equal(t, int64(64), *u.DateTimeFormatID)
			assert.Equal(t, int64(3), u.Version)
			evs := fx.events(fx.ann.ID)
			require.Len(t, evs, 2)
			assert.Equal(t, "saasu/key", evs[1].Via)
			assert.Equal(t, int64(42), *evs[1].ActorUserID)
		})
		t.Run("xml", func(t *testing.T) {
			body := `<UserDetail xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Id>1</Id><Username>x</Username><FirstName>Ann</FirstName><LastName xsi:nil="true" /><MobileNumber /><Is2FAEnabled>true</Is2FAEnabled><TimezoneId> 22 </TimezoneId></UserDetail>`
			w := fx.do("PUT", url, body, "Content-Type: application/xml", "Accept: application/xml")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, xmlUTF8, w.Header().Get("Content-Type"))
			golden(t, "saasu/user-put.xml", w)
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Ann", *u.FirstName)
			assert.Nil(t, u.LastName, "xsi:nil clears")
			assert.Equal(t, "", *u.MobileNumber, "an empty element is the empty string")
			assert.Equal(t, int64(22), *u.TimezoneID)
		})
		t.Run("xml answered in the request's format", func(t *testing.T) {
			w := fx.do("PUT", url, `<UserDetail><FirstName>Ann</FirstName></UserDetail>`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, xmlUTF8, w.Header().Get("Content-Type"), "a sniffed XML body is answered in XML")
			golden(t, "saasu/user-put.xml", w)
		})
		t.Run("form (PHP client)", func(t *testing.T) {
			w := fx.do("PUT", url, `FirstName=Zed+Q&LastName=&TimezoneId=5`, "Content-Type: application/x-www-form-urlencoded", "Accept: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			golden(t, "saasu/user-put.json", w)
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Zed Q", *u.FirstName)
			assert.Equal(t, "", *u.LastName, "an empty form value sets the empty string")
			assert.Equal(t, int64(5), *u.TimezoneID)
		})
		t.Run("partial body keeps the rest (saasu-rails)", func(t *testing.T) {
			before := fx.reload(fx.ann.ID)
			w := fx.do("PUT", "/User?FileId=777", `{"FirstName":"Z","EmailAddress":"z@example.com"}`, "X-Api-Key: "+fx.key, "Content-Type: application/json", "Accept: */*", "X-Api-Version: 1.0")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Z", *u.FirstName)
			assert.Equal(t, before.LastName, u.LastName)
			assert.Equal(t, before.TimezoneID, u.TimezoneID)
			assert.Equal(t, before.Version+1, u.Version)
		})
	})
}

func TestUserPutNoChange(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		w := fx.do("PUT", "/User?FileId=777&wsAccessKey="+fx.key, `{"FirstName":"Ann","LastName":"Lee","TimezoneId":22}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		golden(t, "saasu/user-put.json", w)
		assert.Equal(t, `"2"`, w.Header().Get("ETag"))
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "nothing written")
		assert.Len(t, fx.events(fx.ann.ID), 1, "no event")
	})
}

func TestUserPutIfMatch(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key
		for _, tag := range []string{`"1"`, `W/"2"`, `"3"`, `2`, `"2 "`} {
			w := fx.do("PUT", url, `{"FirstName":"X"}`, "Content-Type: application/json", "If-Match: "+tag)
			require.Equal(t, http.StatusPreconditionFailed, w.Code, tag)
			assertBody(t, `"Record to be updated has changed since last read."`, w)
			w = fx.do("PUT", url, `{"FirstName":"X"}`, "Content-Type: application/json", "Accept: application/xml", "If-Match: "+tag)
			require.Equal(t, http.StatusPreconditionFailed, w.Code, tag)
			assert.Equal(t, `<string>Record to be updated has changed since last read.</string>`, w.Body.String())
		}
		assert.Equal(t, "Ann", *fx.reload(fx.ann.ID).FirstName, "nothing written")
		for i, tag := range []string{`"2"`, `*`, `"1", "4"`} {
			w := fx.do("PUT", url, `{"FirstName":"X`+strings.Repeat("x", i)+`"}`, "Content-Type: application/json", "If-Match: "+tag)
			require.Equal(t, http.StatusOK, w.Code, "%s: %s", tag, w.Body.String())
		}
		assert.Equal(t, int64(5), fx.reload(fx.ann.ID).Version)
	})
}

// TestUserPutInvalid: every field rule, and every malformed body, is a 400 with its text; nothing is written.
func TestUserPutInvalid(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key
		long := strings.Repeat("é", 201)
		cases := []struct {
			name, contentType, body, want string
		}{
			{"FirstName absent", "application/json", `{"LastName":"X"}`, "FirstName is required."},
			{"FirstName null", "application/json", `{"FirstName":null}`, "FirstName is required."},
			{"FirstName blank", "application/json", `{"FirstName":" \u00a0\t"}`, "FirstName is required."},
			{"FirstName empty xml", "application/xml", `<UserDetail><FirstName /></UserDetail>`, "FirstName is required."},
			{"FirstName nil xml", "application/xml", `<UserDetail xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><FirstName i:nil="true" /></UserDetail>`, "FirstName is required."},
			{"FirstName object", "application/json", `{"FirstName":{"a":1}}`, "FirstName must be a string."},
			{"FirstName array", "application/json", `{"FirstName":["Ann"]}`, "FirstName must be a string."},
			{"FirstName too long", "application/json", `{"FirstName":"` + long + `"}`, "FirstName must be at most 200 characters."},
			{"LastName object", "application/json", `{"FirstName":"A","LastName":{}}`, "LastName must be a string."},
			{"LastName too long", "application/json", `{"FirstName":"A","LastName":"` + long + `"}`, "LastName must be at most 200 characters."},
			{"MobileNumber letters", "application/json", `{"FirstName":"A","MobileNumber":"call me"}`, "MobileNumber must be at most 20 characters of digits, spaces and + - ( )."},
			{"MobileNumber too long", "application/json", `{"FirstName":"A","MobileNumber":"012345678901234567890"}`, "MobileNumber must be at most 20 characters of digits, spaces and + - ( )."},
			{"MobileNumber array", "application/json", `{"FirstName":"A","MobileNumber":[]}`, "MobileNumber must be a string."},
			{"TimezoneId null", "application/json", `{"FirstName":"A","TimezoneId":null}`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId fraction", "application/json", `{"FirstName":"A","TimezoneId":1.5}`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId negative", "application/json", `{"FirstName":"A","TimezoneId":-1}`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId overflow", "application/json", `{"FirstName":"A","TimezoneId":2147483648}`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId bool", "application/json", `{"FirstName":"A","TimezoneId":true}`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId empty xml", "application/xml", `<UserDetail><FirstName>A</FirstName><TimezoneId /></UserDetail>`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"TimezoneId empty form", "application/x-www-form-urlencoded", `FirstName=A&TimezoneId=`, "TimezoneId must be a whole number from 0 to 2147483647."},
			{"DateTimeFormatId 256", "application/json", `{"FirstName":"A","DateTimeFormatId":256}`, "DateTimeFormatId must be a whole number from 0 to 255."},
			{"NumberFormatId string", "application/json", `{"FirstName":"A","NumberFormatId":"x"}`, "NumberFormatId must be a whole number from 0 to 255."},
			{"several problems joined in order", "application/json", `{"TimezoneId":"x","FirstName":null,"NumberFormatId":300,"LastName":[]}`,
				"FirstName is required. LastName must be a string. TimezoneId must be a whole number from 0 to 2147483647. NumberFormatId must be a whole number from 0 to 255."},
			{"not JSON", "application/json", `{"FirstName":`, "The request body is not valid JSON."},
			{"JSON array", "application/json", `[{"FirstName":"A"}]`, "The request body must be a JSON object."},
			{"JSON string", "text/json", `"Ann"`, "The request body must be a JSON object."},
			{"not XML", "application/xml", `<UserDetail><FirstName>A</UserDetail>`, "The request body is not valid XML."},
			{"DTD", "application/xml", `<!DOCTYPE UserDetail [<!ENTITY x "Ann">]><UserDetail><FirstName>&x;</FirstName></UserDetail>`, "The request body is not valid XML."},
			{"external entity", "text/xml", `<!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><u><FirstName>&x;</FirstName></u>`, "The request body is not valid XML."},
			{"xml field with child elements", "application/xml", `<UserDetail><FirstName><b>Ann</b></FirstName></UserDetail>`, "The request body is not valid XML."},
			{"xml links with children are ignored, fields checked", "application/xml", `<UserDetail><_links><Link><rel>self</rel></Link></_links><FirstName /></UserDetail>`, "FirstName is required."},
			{"invalid UTF-8 JSON", "application/json", "{\"FirstName\":\"A\xff\"}", "The request body is not valid JSON."},
			{"invalid UTF-8 XML", "application/xml", "<u><FirstName>A\xff</FirstName></u>", "The request body is not valid XML."},
			{"invalid form", "application/x-www-form-urlencoded", "FirstName=%zz", "The request body is not valid form data."},
			{"empty body", "application/json", ``, "FirstName is required."},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("PUT", url, c.body, "Content-Type: "+c.contentType, "Accept: application/json")
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				assert.Equal(t, jsonUTF8, w.Header().Get("Content-Type"))
				assertBody(t, `"`+c.want+`"`, w)
				w = fx.do("PUT", url, c.body, "Content-Type: "+c.contentType, "Accept: application/xml")
				require.Equal(t, http.StatusBadRequest, w.Code)
				assert.Equal(t, "<string>"+c.want+"</string>", w.Body.String())
			})
		}
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "nothing written")
		assert.Equal(t, "Ann", *fx.reload(fx.ann.ID).FirstName)
	})
}

func TestUserPutMediaAndSize(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key
		w := fx.do("PUT", url, `FirstName=A`, "Content-Type: text/plain; charset=utf-8")
		require.Equal(t, http.StatusUnsupportedMediaType, w.Code)
		assertBody(t, `{"Message":"The request entity's media type 'text/plain' is not supported for this resource."}`, w)

		w = fx.do("PUT", url, `{"FirstName":"A"}`, "Content-Type: application/json; charset=latin1", "Accept: application/xml")
		require.Equal(t, http.StatusUnsupportedMediaType, w.Code)
		assert.Equal(t, `<Error><Message>The request entity's media type 'application/json' is not supported for this resource.</Message></Error>`, w.Body.String())

		w = fx.do("PUT", url, `FirstName=A`)
		require.Equal(t, http.StatusUnsupportedMediaType, w.Code, "an unsniffable body without Content-Type")
		assertBody(t, `{"Message":"The request entity's media type 'application/octet-stream' is not supported for this resource."}`, w)

		big := `{"FirstName":"A","LastName":"` + strings.Repeat("x", 1<<20) + `"}`
		w = fx.do("PUT", url, big, "Content-Type: application/json")
		require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		assertBody(t, `{"Message":"The request entity is too large."}`, w)
		w = fx.do("PUT", url, big, "Content-Type: application/xml")
		require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		assert.Equal(t, `<Error><Message>The request entity is too large.</Message></Error>`, w.Body.String())

		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "nothing written")
	})
}

func TestUserPutMobileLockedBy2FA(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key
		w := fx.do("PUT", url, `{"FirstName":"Ann","MobileNumber":"0412 345 678"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code)
		fx.enable2FA(fx.ann.ID)
		w = fx.do("PUT", url, `{"FirstName":"Ann","MobileNumber":"0499 999 999"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusBadRequest, w.Code)
		assertBody(t, `"MobileNumber cannot be changed while two-factor authentication is enabled."`, w)
		assert.Equal(t, "0412 345 678", *fx.reload(fx.ann.ID).MobileNumber)
		// Field rules come first: a bad field is reported alone, before the state rule.
		w = fx.do("PUT", url, `{"FirstName":null,"MobileNumber":"0499 999 999"}`, "Content-Type: application/json")
		assertBody(t, `"FirstName is required."`, w)
		// The same number, and other fields, still change.
		w = fx.do("PUT", url, `{"FirstName":"Annie","MobileNumber":"0412 345 678"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code)
		w = fx.do("GET", url, "")
		assert.Contains(t, w.Body.String(), `"Is2FAEnabled":true`)
	})
}

func TestSaasuRouting(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		w := fx.do("GET", "/Users?FileId=777&wsAccessKey="+fx.key, "")
		require.Equal(t, http.StatusNotFound, w.Code)
		assertBody(t, `{"Message":"No HTTP resource was found that matches the request URI '/Users'."}`, w)
		assert.NotContains(t, w.Body.String(), fx.key)

		w = fx.do("GET", "/Users", "", "Accept: text/xml")
		assert.Equal(t, `<Error><Message>No HTTP resource was found that matches the request URI '/Users'.</Message></Error>`, w.Body.String())

		for _, m := range []string{"DELETE", "POST", "HEAD", "OPTIONS", "PATCH"} {
			w = fx.do(m, "/user?FileId=777&wsAccessKey="+fx.key, "")
			require.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
			assert.Equal(t, "GET, PUT", w.Header().Get("Allow"))
			if m != "HEAD" {
				assertBody(t, `{"Message":"The requested resource does not support http method '`+m+`'."}`, w)
			}
		}
		w = fx.do("GET", "/User?wsAccessKey="+fx.key+"&FileId=777", "")
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Empty(t, w.Header().Get("Location"), "nothing redirects")
	})
}

// TestLinkBase: hrefs start with FILEAPI_PUBLIC_URL when set, else the request's scheme and Host;
// X-Forwarded-* is not trusted, and no credential is ever echoed.
func TestLinkBase(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		h := handlers.New(handlers.Config{Store: fx.store})
		req := httptest.NewRequest("GET", "/User?FileId=777&wsAccessKey="+fx.key, nil)
		req.Host = "files.example.net:8443"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `"href":"http://files.example.net:8443/User?FileId=777"`)
		assert.NotContains(t, w.Body.String(), "evil")

		req.TLS = &tls.ConnectionState{}
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		assert.Contains(t, w.Body.String(), `"href":"https://files.example.net:8443/User?FileId=777"`)

		h = handlers.New(handlers.Config{Store: fx.store, PublicURL: "https://api.example.com/"})
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		assert.Contains(t, w.Body.String(), `"href":"https://api.example.com/User?FileId=777"`, "a trailing slash is removed")
		assert.NotContains(t, w.Body.String(), fx.key)
	})
}
