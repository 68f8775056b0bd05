package hal_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/hal"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The examples of saasu.md: user 42 (Ann Lee), file 777 (Acme Pty Ltd), base https://api.example.com.
const base = "https://api.example.com"

func userSelf() hal.Links {
	return hal.Links{{Rel: "self", Href: base + "/User?FileId=777", Method: "GET"}}
}

// goldenCases are the samples of saasu.md §5 and of the PUT User help page (seeds/saasu-put-user.txt); each
// name has a .json and a .xml file in testdata/hal, first copied by hand from those documents.
func goldenCases() []struct {
	name  string
	value any
} {
	ann, lee := "Ann", "Lee"
	updated := "User details have been updated."
	resetSent := "A password reset email has been sent."
	refresh := "fa_rt_ZyuGZme1Halrd2qsalg8tLFVyueVHrolHb763KSC0d0"
	acme, au, aud := "Acme Pty Ltd", "AU", "AUD"
	sample := func(s string) *string { return &s }

	return []struct {
		name  string
		value any
	}{
		{"user-detail", hal.UserDetail{
			ID: 42, Username: "ann@example.com", FirstName: &ann, LastName: &lee,
			TimezoneID: 22, DateTimeFormatID: 1, NumberFormatID: 1, Links: userSelf(),
		}},
		{"base-response", hal.BaseResponseModel{StatusMessage: &updated, Links: userSelf()}},
		{"password-reset", hal.BaseResponseModel{Root: "PasswordResetResponse", StatusMessage: &resetSent, Links: hal.Links{}}},
		{"opt-in-result", hal.OptInTo2FAResult{ProviderUserID: 42}},
		{"token-grant", hal.OAuthAccessTokenGrant{
			AccessToken: "fa_at_3DWYWK6SY9UFnTE5tlW6DMGJB-mU3Ai2M5eOGnLxMQM", TokenType: "Bearer", ExpiresIn: 10800,
			RefreshToken: &refresh, Scope: "full fileid:777 fileid:778",
		}},
		{"grant-error", hal.OAuthGrantRequestError{Error: "invalid_grant", ErrorDescription: "The user name or password is incorrect."}},
		{"ping", hal.Boolean(true)},
		{"first-name-required", hal.String("FirstName is required.")},
		{"denied", hal.Message{Message: "Authorization has been denied for this request."}},
		{"file-identities", hal.FileIdentitySummaryResponse{
			FileIdentities: []hal.FileIdentitySummary{{
				ID: 777, Name: &acme, Country: &au, CurrencyCode: &aud,
				FileSettings: hal.FileSettings{SaleAmountsIncludeTax: true, PurchaseAmountsIncludeTax: true},
				Links:        hal.Links{{Rel: "detail", Href: base + "/FileIdentity?FileId=777", Method: "GET"}},
			}},
		}},
		{"file-identities-empty", hal.FileIdentitySummaryResponse{}},
		{"file-identity", hal.FileIdentityDetail{
			Name: &acme, Country: &au, CurrencyCode: &aud,
			Links: hal.Links{{Rel: "self", Href: base + "/FileIdentity?FileId=777", Method: "GET"}},
		}},
		{"seed-user-detail", hal.UserDetail{
			ID: 1, Username: "sample string 2", FirstName: sample("sample string 3"), LastName: sample("sample string 4"),
			MobileNumber: sample("sample string 5"), Is2FAEnabled: true, TimezoneID: 7, DateTimeFormatID: 64,
			NumberFormatID: 64,
		}},
		{"seed-base-response", hal.BaseResponseModel{StatusMessage: sample("sample string 1"), Links: hal.Links{
			{Rel: "sample string 1", Href: "sample string 2", Method: "sample string 3", Title: sample("sample string 4")},
			{Rel: "sample string 1", Href: "sample string 2", Method: "sample string 3", Title: sample("sample string 4")},
		}}},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name+".json", func(t *testing.T) {
			got := hal.JSON(tc.value)
			want := golden(t, tc.name+".json", got)

			var gotValue, wantValue any
			require.NoError(t, json.Unmarshal(want, &wantValue), "golden file is not JSON")
			require.NoError(t, json.Unmarshal(got, &gotValue), "output is not JSON: %s", got)
			assert.Equal(t, wantValue, gotValue)
			// Parsing loses the member order, which Newtonsoft fixes to the model's; compare it too.
			assert.Equal(t, compact(t, want), compact(t, got))
		})
		t.Run(tc.name+".xml", func(t *testing.T) {
			got := hal.XML(tc.value)
			want := golden(t, tc.name+".xml", got)
			assert.Equal(t, string(want), string(got))
			assertWellFormed(t, got)
		})
	}
}

// golden returns the content of testdata/hal/name, first rewriting it with got under -update.
func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("..", "testdata", "hal", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	return want
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, b))
	return buf.String()
}

// assertWellFormed checks that an XML reader accepts b as one element.
func assertWellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if !assert.NoError(t, err, "not well-formed: %s", b) {
			return
		}
	}
}
