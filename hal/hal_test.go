package hal_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/hal"
)

// The links and the bare bodies write themselves; the wire types are written by their plans.
var (
	_ hal.Value = hal.Link{}
	_ hal.Value = hal.Links{}
	_ hal.Value = hal.String("")
	_ hal.Value = hal.Boolean(false)
)

func TestJSONEscaping(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", `""`},
		{"plain", "Ann Lee", `"Ann Lee"`},
		{"html and quotes", `&<>"'`, `"&<>\"'"`},
		{"backslash and slash", `a\b/c`, `"a\\b/c"`},
		{"CR", "a\rb", `"a\rb"`},
		{"LF", "a\nb", `"a\nb"`},
		{"tab", "a\tb", `"a\tb"`},
		{"backspace and form feed", "\b\f", `"\b\f"`},
		{"NUL", "\x00", `"\u0000"`},
		{"U+0001", "a\x01b", `"a\u0001b"`},
		{"U+001F lower-case hex", "\x1f", `"\u001f"`},
		{"DEL", "\x7f", "\"\x7f\""},
		{"non-ASCII", "Zoë Ōtaki", `"Zoë Ōtaki"`},
		{"emoji", "hi 😀", `"hi 😀"`},
		{"U+0085", "a\u0085b", `"a\u0085b"`},
		{"U+2028", "a\u2028b", `"a\u2028b"`},
		{"U+2029", "a\u2029b", `"a\u2029b"`},
		{"U+FFFE", "\uFFFE", "\"\uFFFE\""},
		{"U+FFFD", "\uFFFD", "\"\uFFFD\""},
		{"invalid byte", "a\xffb", "\"a\uFFFDb\""},
		{"truncated sequence", "a\xe2\x82", "\"a\uFFFD\uFFFD\""},
		{"encoded surrogate", "\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\""},
		{"escape after non-ASCII", "é\"é", `"é\"é"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hal.JSON(hal.String(tc.in))
			assert.Equal(t, tc.want, string(got))
			assert.True(t, json.Valid(got), "not valid JSON: %q", got)
		})
	}
}

func TestXMLEscaping(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "<string />"},
		{"plain", "Ann Lee", "<string>Ann Lee</string>"},
		{"markup", `&<>"'`, `<string>&amp;&lt;&gt;"'</string>`},
		{"CDATA end", "]]>", "<string>]]&gt;</string>"},
		{"entity-looking text", "&amp;", "<string>&amp;amp;</string>"},
		{"CR", "a\rb", "<string>a&#xD;b</string>"},
		{"CRLF", "a\r\nb", "<string>a&#xD;\nb</string>"},
		{"LF", "a\nb", "<string>a\nb</string>"},
		{"tab", "a\tb", "<string>a\tb</string>"},
		{"NUL", "\x00", "<string>\uFFFD</string>"},
		{"U+0001", "a\x01b", "<string>a\uFFFDb</string>"},
		{"U+001F", "\x1f", "<string>\uFFFD</string>"},
		{"DEL", "\x7f", "<string>\x7f</string>"},
		{"non-ASCII", "Zoë Ōtaki", "<string>Zoë Ōtaki</string>"},
		{"emoji", "hi 😀", "<string>hi 😀</string>"},
		{"U+0085", "\u0085", "<string>\u0085</string>"},
		{"U+2028", "\u2028", "<string>\u2028</string>"},
		{"U+FFFD", "\uFFFD", "<string>\uFFFD</string>"},
		{"U+FFFE", "a\uFFFEb", "<string>a\uFFFDb</string>"},
		{"U+FFFF", "\uFFFF", "<string>\uFFFD</string>"},
		{"invalid byte", "a\xffb", "<string>a\uFFFDb</string>"},
		{"encoded surrogate", "\xed\xa0\x80", "<string>\uFFFD\uFFFD\uFFFD</string>"},
		{"escape after non-ASCII", "é<é", "<string>é&lt;é</string>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hal.XML(hal.String(tc.in))
			assert.Equal(t, tc.want, string(got))
			assertWellFormed(t, got)
		})
	}
}

// TestNullAndEmpty covers what the spec samples do not: a nil pointer is null in JSON and omitted in XML, an
// empty string is "" and an empty element, and a nil list is an empty one.
func TestNullAndEmpty(t *testing.T) {
	empty := ""
	tests := []struct {
		name     string
		value    any
		wantJSON string
		wantXML  string
	}{
		{
			name:     "user with nil names and nil links",
			value:    hal.UserDetail{ID: 7, Username: "x"},
			wantJSON: `{"Id":7,"Username":"x","FirstName":null,"LastName":null,"MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":0,"DateTimeFormatId":0,"NumberFormatId":0,"_links":[]}`,
			wantXML:  `<UserDetail xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Id>7</Id><Username>x</Username><Is2FAEnabled>false</Is2FAEnabled><TimezoneId>0</TimezoneId><DateTimeFormatId>0</DateTimeFormatId><NumberFormatId>0</NumberFormatId></UserDetail>`,
		},
		{
			name:     "user with empty names",
			value:    hal.UserDetail{ID: 7, FirstName: &empty, LastName: &empty, MobileNumber: &empty, Links: hal.Links{}},
			wantJSON: `{"Id":7,"Username":"","FirstName":"","LastName":"","MobileNumber":"","Is2FAEnabled":false,"TimezoneId":0,"DateTimeFormatId":0,"NumberFormatId":0,"_links":[]}`,
			wantXML:  `<UserDetail xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Id>7</Id><Username /><FirstName /><LastName /><MobileNumber /><Is2FAEnabled>false</Is2FAEnabled><TimezoneId>0</TimezoneId><DateTimeFormatId>0</DateTimeFormatId><NumberFormatId>0</NumberFormatId></UserDetail>`,
		},
		{
			name:     "base response without message",
			value:    hal.BaseResponseModel{},
			wantJSON: `{"StatusMessage":null,"_links":[]}`,
			wantXML:  `<BaseResponseModel xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /></BaseResponseModel>`,
		},
		{
			name:     "link with empty title and empty fields",
			value:    hal.Link{Title: &empty},
			wantJSON: `{"rel":"","href":"","method":"","title":""}`,
			wantXML:  `<Link><rel /><href /><method /><title /></Link>`,
		},
		{
			name:     "token grant without refresh token",
			value:    hal.OAuthAccessTokenGrant{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 10800, Scope: "full"},
			wantJSON: `{"access_token":"a","token_type":"Bearer","expires_in":10800,"refresh_token":null,"scope":"full"}`,
			wantXML:  `<OAuthAccessTokenGrant xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><access_token>a</access_token><token_type>Bearer</token_type><expires_in>10800</expires_in><scope>full</scope></OAuthAccessTokenGrant>`,
		},
		{
			name:     "empty message",
			value:    hal.Message{},
			wantJSON: `{"Message":""}`,
			wantXML:  `<Error><Message /></Error>`,
		},
		{
			name:     "false",
			value:    hal.Boolean(false),
			wantJSON: `false`,
			wantXML:  `<boolean>false</boolean>`,
		},
		{
			name:     "trading terms set",
			value:    hal.FileSettings{SaleTradingTerms: &empty, PurchaseTradingTerms: &empty, Links: hal.Links{}},
			wantJSON: `{"SaleAmountsIncludeTax":false,"PurchaseAmountsIncludeTax":false,"SaleTradingTerms":"","PurchaseTradingTerms":"","_links":[]}`,
			wantXML:  `<FileSettings><_links /><SaleAmountsIncludeTax>false</SaleAmountsIncludeTax><PurchaseAmountsIncludeTax>false</PurchaseAmountsIncludeTax><SaleTradingTerms /><PurchaseTradingTerms /></FileSettings>`,
		},
		{
			name:     "empty file list",
			value:    hal.FileIdentitySummaryResponse{FileIdentities: []hal.FileIdentitySummary{}, Links: hal.Links{}},
			wantJSON: `{"FileIdentities":[],"_links":[]}`,
			wantXML:  `<FileIdentitySummaryResponse xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><FileIdentities /></FileIdentitySummaryResponse>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.wantJSON, string(hal.JSON(tc.value)))
			assert.Equal(t, tc.wantXML, string(hal.XML(tc.value)))
		})
	}
}

func TestFileIdentitiesMany(t *testing.T) {
	a, b := "A", "B"
	v := hal.FileIdentitySummaryResponse{FileIdentities: []hal.FileIdentitySummary{{ID: 1, Name: &a}, {ID: 2, Name: &b}}}

	var got struct {
		FileIdentities []struct {
			ID   int64 `json:"Id"`
			Name string
		}
	}
	require.NoError(t, json.Unmarshal(hal.JSON(v), &got))
	require.Len(t, got.FileIdentities, 2)
	assert.Equal(t, int64(2), got.FileIdentities[1].ID)
	assert.Equal(t, "B", got.FileIdentities[1].Name)

	x := string(hal.XML(v))
	assert.Contains(t, x, "<FileIdentities><FileIdentitySummary><_links /><Id>1</Id><Name>A</Name>")
	assert.Contains(t, x, "</FileIdentitySummary><FileIdentitySummary><_links /><Id>2</Id><Name>B</Name>")
	assertWellFormed(t, []byte(x))
}

func TestAppendDoesNotAllocate(t *testing.T) {
	u := benchUser()
	buf := make([]byte, 0, 1024)
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = hal.AppendJSON(buf[:0], &u) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = hal.AppendXML(buf[:0], &u) }))
}

func TestAppendKeepsPrefix(t *testing.T) {
	got := hal.Boolean(true).AppendXML([]byte("prefix:"))
	assert.Equal(t, "prefix:<boolean>true</boolean>", string(got))
}

func benchUser() hal.UserDetail {
	ann, lee, mobile := "Ann", "Lee", "0412 345 678"
	return hal.UserDetail{
		ID: 42, Username: "ann@example.com", FirstName: &ann, LastName: &lee, MobileNumber: &mobile,
		TimezoneID: 22, DateTimeFormatID: 1, NumberFormatID: 1,
		Links: hal.Links{{Rel: "self", Href: "https://api.example.com/User?FileId=777", Method: "GET"}},
	}
}

func BenchmarkUserDetailJSON(b *testing.B) {
	u := benchUser()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(hal.JSON(&u))))
	for b.Loop() {
		buf = hal.AppendJSON(buf[:0], &u)
	}
}

func BenchmarkUserDetailXML(b *testing.B) {
	u := benchUser()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(hal.XML(&u))))
	for b.Loop() {
		buf = hal.AppendXML(buf[:0], &u)
	}
}

// omitted is a wire type with an optional field added after its contract: left out of JSON and XML while nil,
// written as any *string once it holds a value, in its place.
type omitted struct {
	Name  string
	Title *string `wire:",omitnull"`
	Note  *string `wire:",omitnull"`
	Links hal.Links
}

func TestOmitNull(t *testing.T) {
	title, empty := "Dr", ""
	for _, tc := range []struct {
		value             omitted
		wantJSON, wantXML string
	}{
		{omitted{Name: "a"}, `{"Name":"a","_links":[]}`, `<_links /><Name>a</Name>`},
		{omitted{Name: "a", Title: &title}, `{"Name":"a","Title":"Dr","_links":[]}`, `<_links /><Name>a</Name><Title>Dr</Title>`},
		{omitted{Name: "a", Note: &empty}, `{"Name":"a","Note":"","_links":[]}`, `<_links /><Name>a</Name><Note />`},
	} {
		assert.Equal(t, tc.wantJSON, string(hal.JSON(tc.value)))
		assert.Contains(t, string(hal.XML(tc.value)), tc.wantXML)
	}
	assert.Equal(t, `{"Title":"Dr"}`, string(hal.JSON(struct {
		Title *string `wire:",omitnull"`
		Note  *string `wire:",omitnull"`
	}{Title: &title})), "no comma before the first member written")
	assert.Panics(t, func() {
		hal.JSON(struct {
			N int64 `wire:",omitnull"`
		}{})
	}, "only a *string may be omitnull")
}
