package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
)

func TestChangeUsername(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		url := "/User/change-username?FileId=777&wsAccessKey=" + fx.key
		ctx := context.Background()
		cases := []struct{ contentType, body, want string }{
			{"application/json", `{"Username":null,"Password":"x","_links":[]}`, "Username is required."},
			{"application/json", `{"Username":"   "}`, "Username is required."},
			{"application/json", `{}`, "Username is required."},
			{"application/json", `{"Username":"` + strings.Repeat("a", 243) + `@example.com"}`, "Username must be at most 254 characters."},
			{"application/json", `{"Username":"not-an-address"}`, "Username must be a valid email address."},
			{"application/json", `{"Username":"Ann <ann@example.org>"}`, "Username must be a valid email address."},
			{"application/xml", `<UserCredential><Username>BOB@example.com</Username></UserCredential>`, "The username is already in use."},
		}
		for _, c := range cases {
			w := fx.do("POST", url, c.body, "Content-Type: "+c.contentType, "Accept: application/json")
			require.Equal(t, http.StatusBadRequest, w.Code, c.body)
			assertBody(t, `"`+c.want+`"`, w)
		}
		w := fx.do("POST", url, `<UserCredential><Username>x</Username></UserCredential>`, "Content-Type: application/xml")
		assert.Equal(t, `<string>Username must be a valid email address.</string>`, w.Body.String())

		// The same name, byte for byte: nothing is written, no e-mail.
		w = fx.do("POST", url, `{"Username":"ann@example.com"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assertBody(t, `{"StatusMessage":"Username has been changed.","_links":[]}`, w)
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version)
		mails, err := fx.store.Outbox(ctx, "ann@example.com")
		require.NoError(t, err)
		assert.Empty(t, mails)

		w = fx.do("POST", url, `<UserCredential xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Username>ann.lee@example.org</Username></UserCredential>`,
			"Content-Type: application/xml", "Accept: application/xml")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, `<BaseResponseModel xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><StatusMessage>Username has been changed.</StatusMessage></BaseResponseModel>`, w.Body.String())
		u := fx.reload(fx.ann.ID)
		assert.Equal(t, "ann.lee@example.org", u.Username)
		assert.Equal(t, int64(3), u.Version)
		evs := fx.events(fx.ann.ID)
		assert.Equal(t, "saasu/key", evs[len(evs)-1].Via)
		assert.JSONEq(t, `{"username":{"old":"ann@example.com","new":"ann.lee@example.org"}}`, evs[len(evs)-1].Changed)
		mails, err = fx.store.Outbox(ctx, "ann@example.com")
		require.NoError(t, err)
		require.Len(t, mails, 1, "the old address is told")
		assert.Equal(t, "email", mails[0].Kind)
		assert.Equal(t, "Your username has been changed", mails[0].Subject)
		assert.Contains(t, mails[0].Body, "ann.lee@example.org")

		// A change of case is a change; the new name signs in.
		w = fx.do("POST", url, `Username=Ann.Lee%40example.org`, "Content-Type: application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "Ann.Lee@example.org", fx.reload(fx.ann.ID).Username)
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann.lee@example.org","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusOK, w.Code)

		w = fx.do("POST", "/User/change-username?FileId=777", `{"Username":"x@example.com"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		w = fx.do("GET", url, "")
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "POST", w.Header().Get("Allow"))
	})
}

func TestChangePassword(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		mine, other := fx.login(t), fx.login(t)
		url := "/User/change-password?FileId=777"
		bearer := "Authorization: Bearer " + mine.AccessToken
		for body, want := range map[string]string{
			`{"Username":"ann@example.com"}`:                  "Password is required.",
			`{"Password":null}`:                               "Password is required.",
			`{"Password":""}`:                                 "Password is required.",
			`{"Password":"12345"}`:                            "Password must be between 6 and 250 characters.",
			`{"Password":"` + strings.Repeat("é", 251) + `"}`: "Password must be between 6 and 250 characters.",
		} {
			w := fx.do("POST", url, body, bearer, "Content-Type: application/json")
			require.Equal(t, http.StatusBadRequest, w.Code, body)
			assertBody(t, `"`+want+`"`, w)
		}
		w := fx.do("POST", url, `{"Password":"n3w-secret"}`, bearer, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assertBody(t, `{"StatusMessage":"Password has been changed.","_links":[]}`, w)

		u := fx.reload(fx.ann.ID)
		assert.True(t, auth.CheckPassword(u.PasswordHash, "n3w-secret"))
		assert.Equal(t, int64(2), u.Version, "not a profile change")
		assert.Len(t, fx.events(fx.ann.ID), 1)
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", bearer).Code, "the token of this call lives on")
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+other.AccessToken).Code, "every other token is revoked")
		w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+other.RefreshToken+`"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusBadRequest, w.Code, "with its refresh token")
		w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+mine.RefreshToken+`"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusOK, w.Code, "the caller's refresh token lives on")
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777&wsAccessKey="+fx.key, "").Code, "access keys stay")

		// With a key: every token goes.
		w = fx.do("POST", url+"&wsAccessKey="+fx.key, `Password=another1`, "Content-Type: application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", bearer).Code)
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"another1"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusOK, w.Code)
	})
}
