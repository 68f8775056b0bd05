package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lastCode reads the newest SMS code sent to a number.
func (fx *fixture) lastCode(t *testing.T, to string) string {
	t.Helper()
	msgs, err := fx.store.Outbox(context.Background(), to)
	require.NoError(t, err)
	require.NotEmpty(t, msgs, "no SMS to %s", to)
	m := smsCode.FindStringSubmatch(msgs[len(msgs)-1].Body)
	require.NotNil(t, m)
	return m[1]
}

func TestTwoFactorOptIn(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		q := "?FileId=777&wsAccessKey=" + fx.key
		for body, want := range map[string]string{
			`{}`:                               "MobileNumber is required.",
			`{"MobileNumber":" "}`:             "MobileNumber is required.",
			`{"MobileNumber":"0212 345 678"}`:  "MobileNumber must be an Australian mobile number.",
			`{"MobileNumber":"0412 345 67"}`:   "MobileNumber must be an Australian mobile number.",
			`{"MobileNumber":"+64 412345678"}`: "MobileNumber must be an Australian mobile number.",
			`{"MobileNumber":"04a2 345 678"}`:  "MobileNumber must be an Australian mobile number.",
		} {
			w := fx.do("POST", "/User/opt-in-to-2fa"+q, body, "Content-Type: application/json")
			require.Equal(t, http.StatusBadRequest, w.Code, body)
			assertBody(t, `"`+want+`"`, w)
		}
		w := fx.do("POST", "/User/opt-in-to-2fa"+q, `<OptInTo2FARequest xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><MobileNumber>0412 345 678</MobileNumber></OptInTo2FARequest>`,
			"Content-Type: application/xml", "Accept: application/xml")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, `<OptInTo2FAResult xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><ProviderUserId>42</ProviderUserId></OptInTo2FAResult>`, w.Body.String())
		code := fx.lastCode(t, "+61412345678")
		assert.False(t, fx.reload(fx.ann.ID).Is2FAEnabled, "not yet")

		verify := func(body string) *httptest.ResponseRecorder {
			return fx.do("POST", "/User/verify-2fa-opt-in"+q, body, "Content-Type: application/json")
		}
		for body, want := range map[string]string{
			`{"Otp":"123456"}`:                        "ProviderUserId is required.",
			`{"ProviderUserId":null,"Otp":"123456"}`:  "ProviderUserId is required.",
			`{"ProviderUserId":42}`:                   "Otp is required.",
			`{"ProviderUserId":43,"Otp":"123456"}`:    "There is no pending two-factor opt-in.",
			`{"ProviderUserId":"abc","Otp":"123456"}`: "There is no pending two-factor opt-in.",
		} {
			w := verify(body)
			require.Equal(t, http.StatusBadRequest, w.Code, body)
			assertBody(t, `"`+want+`"`, w)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		assertBody(t, `"The verification code is incorrect."`, verify(`{"ProviderUserId":42,"Otp":"`+wrong+`"}`))
		w = verify(`{"ProviderUserId":42,"Otp":"` + code + `"}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assertBody(t, `{"StatusMessage":"Two-factor authentication has been enabled.","_links":[]}`, w)
		u := fx.reload(fx.ann.ID)
		assert.True(t, u.Is2FAEnabled)
		assert.Equal(t, "0412 345 678", *u.MobileNumber, "the number as sent")
		assert.Equal(t, int64(3), u.Version)
		assertBody(t, `"There is no pending two-factor opt-in."`, verify(`{"ProviderUserId":42,"Otp":"`+code+`"}`))

		// Now the token endpoint asks for a code, GET /User shows it, PUT cannot move the number.
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Contains(t, fx.do("GET", "/User"+q, "").Body.String(), `"MobileNumber":"0412 345 678","Is2FAEnabled":true`)
		w = fx.do("PUT", "/User"+q, `{"FirstName":"Ann","MobileNumber":"0499 999 999"}`, "Content-Type: application/json")
		assertBody(t, `"MobileNumber cannot be changed while two-factor authentication is enabled."`, w)

		// Re-enrol with a new number while 2FA is on; an expired code is refused.
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/opt-in-to-2fa"+q, `MobileNumber=%2B61499999999`, "Content-Type: application/x-www-form-urlencoded").Code)
		code = fx.lastCode(t, "+61499999999")
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(5 * time.Minute) }
		assertBody(t, `"The verification code has expired."`, verify(`{"ProviderUserId":"42","Otp":"`+code+`"}`))
		fx.store.Now = func() time.Time { return start.Add(6 * time.Minute) }
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/opt-in-to-2fa"+q, `{"MobileNumber":"+61499999999"}`, "Content-Type: application/json").Code)
		w = verify(`{"ProviderUserId":42,"Otp":"` + fx.lastCode(t, "+61499999999") + `"}`)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "+61499999999", *fx.reload(fx.ann.ID).MobileNumber)

		// Opt out: off, number kept; again: same answer, nothing written. A body is ignored.
		for i := 0; i < 2; i++ {
			w = fx.do("POST", "/User/opt-out-from-2fa"+q, `{{{ not even JSON`, "Content-Type: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertBody(t, `{"StatusMessage":"Two-factor authentication has been disabled.","_links":[]}`, w)
		}
		u = fx.reload(fx.ann.ID)
		assert.False(t, u.Is2FAEnabled)
		assert.Equal(t, "+61499999999", *u.MobileNumber)
		assert.Equal(t, int64(5), u.Version, "the second opt-out wrote nothing")
		evs := fx.events(fx.ann.ID)
		assert.JSONEq(t, `{"is_2fa_enabled":{"old":true,"new":false}}`, evs[len(evs)-1].Changed)
	})
}

// TestSaasuXMLBodies sends the /User operations their XmlSerializer-shaped bodies and asks for XML back.
func TestSaasuXMLBodies(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		q := "?FileId=777&wsAccessKey=" + fx.key
		xml := []string{"Content-Type: application/xml", "Accept: application/xml"}
		base := func(msg string) string {
			return `<BaseResponseModel xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><StatusMessage>` + msg + `</StatusMessage></BaseResponseModel>`
		}
		w := fx.do("POST", "/User/change-password"+q, `<UserCredential xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Password>12345</Password></UserCredential>`, xml...)
		require.Equal(t, http.StatusBadRequest, w.Code)
		assert.Equal(t, `<string>Password must be between 6 and 250 characters.</string>`, w.Body.String())
		w = fx.do("POST", "/User/change-password"+q, `<UserCredential><_links /><Password>n3w-secret</Password></UserCredential>`, xml...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, base("Password has been changed."), w.Body.String())

		require.Equal(t, http.StatusOK, fx.do("POST", "/User/opt-in-to-2fa"+q, `<OptInTo2FARequest><MobileNumber>0412 345 678</MobileNumber></OptInTo2FARequest>`, xml...).Code)
		w = fx.do("POST", "/User/verify-2fa-opt-in"+q, `<Verify2FAOptInRequest><ProviderUserId>42</ProviderUserId></Verify2FAOptInRequest>`, xml...)
		assert.Equal(t, `<string>Otp is required.</string>`, w.Body.String())
		w = fx.do("POST", "/User/verify-2fa-opt-in"+q, `<Verify2FAOptInRequest xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><ProviderUserId>42</ProviderUserId><Otp>`+fx.lastCode(t, "+61412345678")+`</Otp></Verify2FAOptInRequest>`, xml...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, base("Two-factor authentication has been enabled."), w.Body.String())
		w = fx.do("POST", "/User/opt-out-from-2fa"+q, "", "Accept: application/xml")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, base("Two-factor authentication has been disabled."), w.Body.String())
	})
}
