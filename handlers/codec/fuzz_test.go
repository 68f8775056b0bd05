package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode, whatever the bytes and format, never panics, fails only with a *BodyError
// (a 400), and reads values that Str and Int can handle. The seed corpus runs with the normal tests; fuzz
// with: go test ./handlers/codec -run=^$ -fuzz=FuzzDecode -fuzztime=20s.
func FuzzDecode(f *testing.F) {
	seeds := []struct {
		format Format
		body   string
	}{
		{FormatJSON, `{"FirstName":"Ann","LastName":null,"TimezoneId":22,"_links":[{"rel":"self"}]}`},
		{FormatJSON, `null`},
		{FormatJSON, `[1,2]`},
		{FormatJSON, `{"a":1} x`},
		{FormatJSON, "\xEF\xBB\xBF{\"a\":\"\xff\"}"},
		{FormatXML, `<UserDetail xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><FirstName>Ann</FirstName><LastName xsi:nil="true"/><_links><Link/></_links></UserDetail>`},
		{FormatXML, `<?xml version="1.0" encoding="utf-8"?><u><a>&lt;&#233;</a></u>`},
		{FormatXML, `<!DOCTYPE u [<!ENTITY x "y">]><u>&x;</u>`},
		{FormatXML, `<u/><v/>`},
		{FormatForm, `FirstName=Zed+Q&LastName=&TimezoneId=5`},
		{FormatForm, `a=%zz;b`},
		{FormatNone, `x`},
	}
	for _, s := range seeds {
		f.Add(uint8(s.format), []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, format uint8, body []byte) {
		b, err := Decode(Media{Format: Format(format % 4)}, body)
		if err != nil {
			var e *BodyError
			if !errors.As(err, &e) {
				t.Fatalf("Decode returned %T %v, want a *BodyError", err, err)
			}
			if b != nil {
				t.Fatalf("Decode returned a body with an error")
			}
			return
		}
		if Format(format%4) == FormatJSON {
			if want, ok := referenceJSON(skipBOM(body)); ok && !reflect.DeepEqual(want, b) {
				t.Fatalf("Decode = %#v, json.Decoder reads %#v", b, want)
			}
		}
		for name, v := range b {
			if _, null, ok := v.Str(); ok != (v.Kind != KindObject && v.Kind != KindArray) || null != (v.Kind == KindNull) {
				t.Fatalf("Str of %#v: null %v, ok %v", v, null, ok)
			}
			if _, ok := v.Int(-1<<63, 1<<63-1); ok && v.Kind != KindNumber && v.Kind != KindString {
				t.Fatalf("Int of %#v is ok", v)
			}
			if _, ok := b.Get(name); !ok {
				t.Fatalf("Get(%q) misses a decoded field", name)
			}
		}
	})
}

// referenceJSON reads a JSON object body with json.Decoder, the slow and obvious way, to check decodeJSON's
// hand-written walk. ok is false when the body is not an object that json.Decoder reads whole.
func referenceJSON(body []byte) (Body, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	b := Body{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		v := Value{Format: FormatJSON}
		switch raw[0] {
		case '{':
			v.Kind = KindObject
		case '[':
			v.Kind = KindArray
		case 'n':
			v.Kind = KindNull
		case 't', 'f':
			v.Kind, v.Text = KindBool, string(raw)
		case '"':
			v.Kind = KindString
			if json.Unmarshal(raw, &v.Text) != nil {
				return nil, false
			}
		default:
			v.Kind, v.Text = KindNumber, string(raw)
		}
		b[lowerASCII(tok.(string))] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return b, true
}
