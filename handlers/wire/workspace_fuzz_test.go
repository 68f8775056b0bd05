package wire

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// hasLoneSurrogate reports whether a valid JSON text has a \uXXXX escape of a UTF-16 surrogate that is not
// half of a pair: a second reading of the rule ParseObject implements with loneSurrogate.
func hasLoneSurrogate(raw []byte) bool {
	inString, high := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !inString {
			inString = c == '"'
			continue
		}
		if c == '\\' && i+5 < len(raw) && raw[i+1] == 'u' {
			if v, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 32); err == nil {
				switch r := rune(v); {
				case r >= 0xD800 && r < 0xDC00:
					if high {
						return true
					}
					high = true
				case r >= 0xDC00 && r < 0xE000:
					if !high {
						return true
					}
					high = false
				default:
					if high {
						return true
					}
				}
				i += 5
				continue
			}
		}
		if high {
			return true
		}
		switch c {
		case '\\':
			i++
		case '"':
			inString = false
		}
	}
	return high
}

// FuzzParseObject checks ParseObject, the reader of every workspace JSON body (workspace.md §4), against
// encoding/json: it accepts exactly the bodies (after one BOM) that are valid UTF-8, one JSON object and free
// of lone surrogate escapes; it keeps every property, the last of duplicates holding the value encoding/json
// reads; and Field finds the last property of a name in any case, reading strings, null and other kinds as
// §4 says.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		`{"FirstName":"Ann","LastName":"Lee"}`, `{"UserName":"ann@example.com","Email":null}`, `{"UserName":"ann.lee@example.org"}`,
		`{"UserNameOrEmail":"ANN@example.net","Password":"s3cret!"}`, `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`,
		`{"firstname":"a","FIRSTNAME":"b"}`, `{"FirstName":5}`, `{"FirstName":{"a":[1,2]}}`, `{"FirstName":"\u00e9\ud83d\ude00"}`,
		`{"FirstName":"\ud800"}`, `{"FirstName":"\udc00x"}`, `{"a":"\\ud800"}`, "\xef\xbb\xbf{\"a\":1}", "{\"a\":\"\xff\"}",
		`{"a":1} `, `{"a":1} {}`, `[]`, `null`, `"x"`, ``, `{`, `{"a":1,}`, `{"":""}`, `{"a":true,"b":false,"c":-1.5e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := ParseObject(raw)
		body := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		var m map[string]json.RawMessage
		object := utf8.Valid(body) && json.Valid(body) && json.Unmarshal(body, &m) == nil && m != nil && !hasLoneSurrogate(body)
		if object != (err == nil) {
			t.Fatalf("ParseObject: %v; but valid object = %v", err, object)
		}
		if err != nil {
			return
		}
		last := map[string]json.RawMessage{}
		for _, p := range b {
			if len(p.Value) == 0 || !json.Valid(p.Value) {
				t.Fatalf("property %q has value %q", p.Name, p.Value)
			}
			last[p.Name] = p.Value
		}
		if len(last) != len(m) {
			t.Fatalf("ParseObject read %d names, encoding/json %d", len(last), len(m))
		}
		for name, v := range m {
			if !bytes.Equal(compact(t, last[name]), compact(t, v)) {
				t.Fatalf("property %q: ParseObject keeps %s, encoding/json %s", name, last[name], v)
			}
		}
		for _, p := range b {
			f := b.Field(p.Name)
			var want Property
			for _, q := range b {
				if strings.EqualFold(q.Name, p.Name) {
					want = q
				}
			}
			var s string
			wantSet := want.Value[0] == '"' && json.Unmarshal(want.Value, &s) == nil
			wantBad := want.Value[0] != '"' && want.Value[0] != 'n'
			if f.Name != want.Name || f.Set != wantSet || f.BadType != wantBad || f.Value != s || f.Canon != p.Name {
				t.Fatalf("Field(%q) = %+v; the last property of that name is %q: %s", p.Name, f, want.Name, want.Value)
			}
		}
	})
}

func compact(t *testing.T, v []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		t.Fatalf("compact %q: %v", v, err)
	}
	return b.Bytes()
}

// FuzzQueryValues checks QueryValues (the workspace's access_token query credential, read in any case as
// ASP.NET Core does) against url.ParseQuery: for a query ParseQuery reads, the values of every name equal to
// name in any case, in some order; for any query, no more values than pairs.
func FuzzQueryValues(f *testing.F) {
	for _, s := range []struct{ q, name string }{
		{"access_token=fa_at_x", "access_token"}, {"ACCESS_TOKEN=a&Access_Token=b", "access_token"}, {"access%5Ftoken=x", "access_token"},
		{"access_token=%zz", "access_token"}, {"access_token", "access_token"}, {"access_token=&access_token=a+b", "access_token"},
		{"a=1;access_token=2", "access_token"}, {"%zz=1&access_token=2", "access_token"}, {"FileId=777&wsAccessKey=KEY", "wsAccessKey"},
		{"acce%C5%BFs_token=x", "access_token"}, {"", "access_token"}, {"&&=&", "x"},
	} {
		f.Add(s.q, s.name)
	}
	f.Fuzz(func(t *testing.T, rawQuery, name string) {
		got := QueryValues(rawQuery, name)
		if len(got) > strings.Count(rawQuery, "&")+1 {
			t.Fatalf("QueryValues(%q) = %d values", rawQuery, len(got))
		}
		vals, err := url.ParseQuery(rawQuery)
		if name == "" || err != nil {
			return
		}
		var want []string
		for k, vs := range vals {
			if strings.EqualFold(k, name) {
				want = append(want, vs...)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("QueryValues(%q, %q) = %q; url.ParseQuery reads %q", rawQuery, name, got, want)
		}
	})
}
