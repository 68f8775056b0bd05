package codec

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for what fuzz_test.go (FuzzDecode) leaves out: Content-Type classification, Accept
// negotiation, q-values and the whole-number reading of field values. Their seed corpora run with the
// normal tests; fuzz one with: go test ./handlers/codec -run='^$' -fuzz='^FuzzNegotiate$' -fuzztime=1m.

// upperASCII upper-cases the ASCII letters of s only: every media-type rule here is ASCII case-insensitive.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// seedBodies are request bodies of the Saasu dialect: the golden UserDetail documents (a client PUTs back
// what it GETs), and a few made-up ones.
func seedBodies() [][]byte {
	bodies := [][]byte{
		[]byte(`{"FirstName":"Ann","LastName":null,"TimezoneId":22}`),
		[]byte(`<UserDetail xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><FirstName>Ann</FirstName><LastName xsi:nil="true"/></UserDetail>`),
		[]byte(`FirstName=Zed+Q&LastName=&TimezoneId=5`),
		[]byte("\xEF\xBB\xBF {}"),
		[]byte(" \r\n"),
		[]byte(`[1]`),
		nil,
	}
	for _, name := range []string{"user-get.json", "user-get.xml", "user-detail.json", "user-detail.xml", "seed-user-detail.json", "seed-user-detail.xml"} {
		for _, dir := range []string{"saasu", "hal"} {
			if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", dir, name)); err == nil {
				bodies = append(bodies, b)
			}
		}
	}
	return bodies
}

var mediaTypeFormats = map[string]Format{typeAppJSON: FormatJSON, typeTextJSON: FormatJSON, typeAppXML: FormatXML,
	typeTextXML: FormatXML, typeForm: FormatForm}

// FuzzRequestMedia checks RequestMedia (and the media-type scanner under it) on any Content-Type and body:
// no panic; a failure is a 415 (UnsupportedMediaError) for a non-empty body only, naming a lower-case, valid
// UTF-8 media type; a success names one of our types with its format, or a sniffed body; the answer does not
// depend on the ASCII case of the header; and Decode of a classified body fails only as a 400 (KindInvalid),
// with every decoded field found again by Body.Get in any ASCII case.
func FuzzRequestMedia(f *testing.F) {
	types := []string{
		"", "application/json", "text/json", "application/xml", "text/xml", "Application/JSON",
		" \ttext/XML \t", "application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; Charset=UTF-8",
		"application/json; charset=utf-8", `text/xml; charset="utf\-8"`, "application/json; charset=US-ASCII",
		"application/json; odata=verbose; charset=utf-8", "application/json; charset=latin1", `application/json; charset=""`,
		"application/json; charset=utf-8; charset=latin1", "text/plain; charset=utf-8", "multipart/form-data; boundary=x",
		"application/problem+json", "*/*", "application", "application/", "Application/JSON garbage", "application/json; charset",
		`application/json; charset="utf-8`, "application/json, text/plain", "; charset=utf-8", "Text/\xff",
		"application/json;;charset=utf-8", "application/json ; charset = utf-8",
	}
	for i, body := range seedBodies() {
		for j, ct := range types {
			if (i+j)%3 == 0 || len(body) == 0 {
				f.Add(ct, body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		m, err := RequestMedia(contentType, body)
		m2, err2 := RequestMedia(upperASCII(contentType), body)
		if m != m2 || errText(err) != errText(err2) {
			t.Fatalf("ASCII case changes the answer: %q → %#v %v; upper-cased → %#v %v", contentType, m, err, m2, err2)
		}
		if m.Type != "" {
			if _, ok := mediaTypeFormats[m.Type]; !ok {
				t.Fatalf("RequestMedia(%q) = %#v: not one of our types", contentType, m)
			}
		}
		if err != nil {
			var e *UnsupportedMediaError
			if !errors.As(err, &e) {
				t.Fatalf("RequestMedia(%q) failed with %T %v, want a 415", contentType, err, err)
			}
			if len(body) == 0 {
				t.Fatalf("RequestMedia(%q) refused an empty body", contentType)
			}
			if m.Format != FormatNone || mediaTypeFormats[m.Type] == FormatForm {
				t.Fatalf("RequestMedia(%q) = %#v alongside an error", contentType, m)
			}
			if e.MediaType == "" || !utf8.ValidString(e.MediaType) || e.MediaType != lowerASCII(e.MediaType) {
				t.Fatalf("RequestMedia(%q): 415 media type %q is not lower-case valid UTF-8", contentType, e.MediaType)
			}
			return
		}
		switch {
		case len(body) == 0 && m.Format != FormatNone:
			t.Fatalf("RequestMedia(%q) = %#v for an empty body", contentType, m)
		case len(body) > 0 && m.Format == FormatNone:
			t.Fatalf("RequestMedia(%q) = %#v: a non-empty body is neither read nor refused", contentType, m)
		case len(body) > 0 && m.Type != "" && mediaTypeFormats[m.Type] != m.Format:
			t.Fatalf("RequestMedia(%q) = %#v: format and type disagree", contentType, m)
		case len(body) > 0 && m.Type == "" && strings.Trim(contentType, " \t") != "":
			t.Fatalf("RequestMedia(%q) = %#v: a body with a Content-Type was sniffed", contentType, m)
		case m.Type == "" && m.Format == FormatForm:
			t.Fatalf("RequestMedia(%q) = %#v: a form is never sniffed", contentType, m)
		}
		b, err := Decode(m, body)
		if err != nil {
			var be *BodyError
			if !errors.As(err, &be) {
				t.Fatalf("Decode after RequestMedia(%q) failed with %v, want a 400", contentType, err)
			}
			return
		}
		for name, v := range b {
			for _, spelling := range []string{name, upperASCII(name)} {
				if got, ok := b.Get(spelling); !ok || got != v {
					t.Fatalf("Get(%q) = %#v, %v; the body holds %#v", spelling, got, ok, v)
				}
			}
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// isServed reports whether (format, contentType) is one of the four answers Negotiate may give.
func isServed(format Format, contentType string) bool {
	for _, s := range served {
		if s.format == format && s.contentType == contentType {
			return true
		}
	}
	return false
}

// FuzzNegotiate checks Negotiate on any Accept header and request media: no panic; the answer is always one
// of the four served types (never a 406); it does not depend on the ASCII case of the header, nor on empty
// list elements added around it; and a header naming exactly one served type gets that type.
func FuzzNegotiate(f *testing.F) {
	accepts := []string{
		"", "application/json", "text/json", "application/xml", "text/xml", "Application/XML", "TEXT/Json",
		"application/json;q=0.5, application/xml", "application/xml;q=0.4, text/json;q=0.9", "application/xml, application/json",
		"application/json;q=0.501, application/xml;q=0.5", "application/json;q=0.9, application/xml;q=1.000",
		"application/json;Q=0.1, application/xml", "application/xml;q=0, application/json;q=0.1", "application/json;q=0, */*",
		"application/json;q=0,text/json;q=0,application/xml;q=0,text/xml;q=0",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", "application/*", "text/*",
		"text/xml;q=0.5, */*", "*/*;q=0.5, text/xml", "*/*;q=0", "image/*", "*/json", "garbage", " , ,, ",
		`application/json;x="a,b", text/xml`, `application/xml;q="0.5"`, "application/json;q=1.5", "application/json;q=0.1234",
		"application/json;q=0.5;q=0.6, text/xml", `text/xml;x="\"`, "application/json;;, text/xml",
	}
	reqs := []Media{{}, {FormatJSON, typeAppJSON}, {FormatJSON, typeTextJSON}, {FormatXML, typeAppXML}, {FormatXML, typeTextXML},
		{Format: FormatXML}, {Format: FormatJSON}, {FormatForm, typeForm}, {Type: typeTextXML}, {Type: "*/*"}}
	for i, a := range accepts {
		r := reqs[i%len(reqs)]
		f.Add(a, uint8(r.Format), r.Type)
	}
	f.Fuzz(func(t *testing.T, accept string, format uint8, reqType string) {
		req := Media{Format: Format(format % 4), Type: reqType}
		fm, ct := Negotiate(accept, req)
		if !isServed(fm, ct) {
			t.Fatalf("Negotiate(%q, %#v) = %v %q: not a served type", accept, req, fm, ct)
		}
		if fm2, ct2 := Negotiate(upperASCII(accept), req); fm2 != fm || ct2 != ct {
			t.Fatalf("Negotiate(%q) = %q but the upper-cased header gives %q", accept, ct, ct2)
		}
		if _, ct2 := Negotiate(" , "+accept+" ,, ", req); ct2 != ct {
			t.Fatalf("Negotiate(%q) = %q but with empty elements around it %q", accept, ct, ct2)
		}
		for _, s := range served {
			if equalFoldASCII(strings.Trim(accept, " \t"), strings.TrimSuffix(s.contentType, "; charset=utf-8")) && ct != s.contentType {
				t.Fatalf("Negotiate(%q) = %q", accept, ct)
			}
		}
	})
}

// qvalueSyntax is RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
var qvalueSyntax = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// FuzzParseQ checks parseQ against the RFC grammar and strconv: it accepts exactly the qvalues and reads them
// in thousandths.
func FuzzParseQ(f *testing.F) {
	for _, s := range []string{"0", "0.", "0.5", "0.125", "0.1234", "1", "1.", "1.000", "1.001", "1.5", ".5", "-1", "", "00", "0.0a", "2", "0,5", "1e0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseQ(s)
		wantOK := qvalueSyntax.MatchString(s)
		if ok != wantOK {
			t.Fatalf("parseQ(%q) ok = %v, want %v", s, ok, wantOK)
		}
		if !ok {
			return
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("parseQ(%q) accepted what strconv cannot read: %v", s, err)
		}
		if want := int(v*1000 + 0.5); got != want {
			t.Fatalf("parseQ(%q) = %d, want %d", s, got, want)
		}
	})
}

var integerSyntax = regexp.MustCompile(`^-?[0-9]+$`)

// FuzzValueInt checks Value.Int, which reads TimezoneId and the format ids of PUT /User from JSON numbers and
// strings, XML text and form values, against big.Int: ok exactly for an optionally negative run of ASCII
// digits (XML text trimmed of XML whitespace first) within [min, max], with that value.
func FuzzValueInt(f *testing.F) {
	for _, s := range []struct {
		kind, format uint8
		text         string
	}{
		{uint8(KindNumber), uint8(FormatJSON), "22"}, {uint8(KindNumber), uint8(FormatJSON), "1e3"}, {uint8(KindNumber), uint8(FormatJSON), "-0"},
		{uint8(KindString), uint8(FormatJSON), " 5"}, {uint8(KindString), uint8(FormatXML), " \t5\r\n"}, {uint8(KindString), uint8(FormatForm), "+5"},
		{uint8(KindString), uint8(FormatXML), "0000000000000000000000000000255"}, {uint8(KindString), uint8(FormatXML), "9223372036854775808"},
		{uint8(KindString), uint8(FormatForm), "-"}, {uint8(KindBool), uint8(FormatJSON), "true"}, {uint8(KindString), uint8(FormatXML), "１"},
	} {
		f.Add(s.kind, s.format, s.text, int64(0), int64(255))
	}
	f.Add(uint8(KindNumber), uint8(FormatJSON), "-9223372036854775808", int64(-1<<63), int64(1<<63-1))
	f.Fuzz(func(t *testing.T, kind, format uint8, text string, lo, hi int64) {
		v := Value{Kind: Kind(kind % 6), Format: Format(format % 4), Text: text}
		n, ok := v.Int(lo, hi)
		s := text
		if v.Format == FormatXML {
			s = strings.Trim(s, " \t\r\n")
		}
		want := new(big.Int)
		wantOK := (v.Kind == KindNumber || v.Kind == KindString) && integerSyntax.MatchString(s)
		if wantOK {
			want.SetString(s, 10)
			wantOK = want.Cmp(big.NewInt(lo)) >= 0 && want.Cmp(big.NewInt(hi)) <= 0
		}
		if ok != wantOK || ok && n != want.Int64() {
			t.Fatalf("%#v.Int(%d, %d) = %d, %v; want %v, %v", v, lo, hi, n, ok, want, wantOK)
		}
	})
}
