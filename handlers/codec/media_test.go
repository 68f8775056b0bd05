package codec

import (
	"errors"
	"testing"
)

func TestRequestMedia(t *testing.T) {
	const bom = "\xEF\xBB\xBF"
	cases := []struct {
		name        string
		contentType string
		body        string
		want        Media
		want415     string // the error's Message, when a 415 is expected
	}{
		// JSON and XML types.
		{"application/json", "application/json", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"text/json", "text/json", `{}`, Media{FormatJSON, "text/json"}, ""},
		{"application/xml", "application/xml", `<a/>`, Media{FormatXML, "application/xml"}, ""},
		{"text/xml", "text/xml", `<a/>`, Media{FormatXML, "text/xml"}, ""},
		{"upper case", "Application/JSON", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"whitespace around", " \ttext/XML \t", `<a/>`, Media{FormatXML, "text/xml"}, ""},
		{"type decides, not the body", "application/json", `<a/>`, Media{FormatJSON, "application/json"}, ""},
		// Form.
		{"form", "application/x-www-form-urlencoded", `FirstName=Z`, Media{FormatForm, "application/x-www-form-urlencoded"}, ""},
		{"form upper case with charset", "Application/X-WWW-Form-Urlencoded; Charset=UTF-8", `a=b`, Media{FormatForm, "application/x-www-form-urlencoded"}, ""},
		// Charsets.
		{"charset utf-8", "application/json; charset=utf-8", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"charset UTF-8", "application/json;charset=UTF-8", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"charset quoted", `text/xml; charset="utf-8"`, `<a/>`, Media{FormatXML, "text/xml"}, ""},
		{"charset quoted escaped", `text/xml; charset="utf\-8"`, `<a/>`, Media{FormatXML, "text/xml"}, ""},
		{"charset us-ascii", "application/json; charset=US-ASCII", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"other params ignored", "application/json; odata=verbose; charset=utf-8", `{}`, Media{FormatJSON, "application/json"}, ""},
		{"charset latin1", "application/json; charset=latin1", `{}`, Media{Type: "application/json"}, "application/json"},
		{"charset utf-16", "text/xml; charset=utf-16", `<a/>`, Media{Type: "text/xml"}, "text/xml"},
		{"charset utf8 without dash", "application/json; charset=utf8", `{}`, Media{Type: "application/json"}, "application/json"},
		{"charset empty quoted", `application/json; charset=""`, `{}`, Media{Type: "application/json"}, "application/json"},
		{"second charset bad", "application/json; charset=utf-8; charset=latin1", `{}`, Media{Type: "application/json"}, "application/json"},
		{"form charset bad", "application/x-www-form-urlencoded; charset=iso-8859-1", `a=b`, Media{}, "application/x-www-form-urlencoded"},
		// No Content-Type: sniff.
		{"sniff JSON", "", `{"a":1}`, Media{Format: FormatJSON}, ""},
		{"sniff XML", "", `<UserDetail/>`, Media{Format: FormatXML}, ""},
		{"sniff XML after whitespace", "", " \r\n\t<a/>", Media{Format: FormatXML}, ""},
		{"sniff XML after BOM", "", bom + `<a/>`, Media{Format: FormatXML}, ""},
		{"sniff JSON after BOM and whitespace", "", bom + "\n {}", Media{Format: FormatJSON}, ""},
		{"sniff declaration", "", `<?xml version="1.0"?><a/>`, Media{Format: FormatXML}, ""},
		{"sniff form fails", "", `FirstName=A`, Media{}, "application/octet-stream"},
		{"sniff array fails", "", `[1]`, Media{}, "application/octet-stream"},
		{"sniff whitespace only fails", "", "  \n", Media{}, "application/octet-stream"},
		{"sniff BOM only fails", "", bom, Media{}, "application/octet-stream"},
		{"sniff two BOMs fails", "", bom + bom + "{}", Media{}, "application/octet-stream"},
		{"blank header sniffs", " \t ", `{}`, Media{Format: FormatJSON}, ""},
		// Empty body: no body, whatever the header.
		{"empty, no header", "", "", Media{}, ""},
		{"empty JSON keeps the type", "application/json", "", Media{Type: "application/json"}, ""},
		{"empty text/xml keeps the type", "text/xml; charset=utf-8", "", Media{Type: "text/xml"}, ""},
		{"empty with bad charset", "application/json; charset=latin1", "", Media{Type: "application/json"}, ""},
		{"empty form", "application/x-www-form-urlencoded", "", Media{}, ""},
		{"empty text/plain", "text/plain", "", Media{}, ""},
		{"empty malformed", "garbage", "", Media{}, ""},
		// Anything else non-empty: 415.
		{"text/plain", "text/plain; charset=utf-8", `FirstName=A`, Media{}, "text/plain"},
		{"multipart", "multipart/form-data; boundary=x", `--x`, Media{}, "multipart/form-data"},
		{"upper-case unsupported", "Text/Plain", `x`, Media{}, "text/plain"},
		{"problem+json", "application/problem+json", `{}`, Media{}, "application/problem+json"},
		{"wildcard type", "*/*", `{}`, Media{}, "*/*"},
		// Malformed headers.
		{"no subtype", "application", `{}`, Media{}, "application"},
		{"no subtype slash", "application/", `{}`, Media{}, "application/"},
		{"space in type", "Application/JSON garbage", `{}`, Media{}, "application/json garbage"},
		{"bad param", "application/json; charset", `{}`, Media{}, "application/json"},
		{"unterminated quote", `application/json; charset="utf-8`, `{}`, Media{}, "application/json"},
		{"list", "application/json, text/plain", `{}`, Media{}, "application/json, text/plain"},
		{"only params", "; charset=utf-8", `{}`, Media{}, "application/octet-stream"},
		{"invalid UTF-8 echoed safely", "Text/\xff", `x`, Media{}, "text/\uFFFD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := RequestMedia(c.contentType, []byte(c.body))
			if m != c.want {
				t.Errorf("media = %#v, want %#v", m, c.want)
			}
			if c.want415 == "" {
				if err != nil {
					t.Errorf("error %v", err)
				}
				return
			}
			var e *UnsupportedMediaError
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want an *UnsupportedMediaError", err)
			}
			if e.MediaType != c.want415 {
				t.Errorf("415 media type %q, want %q", e.MediaType, c.want415)
			}
		})
	}
}
