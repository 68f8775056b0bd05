package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Object is a JSON request body's properties in the order sent (workspace.md §4).
type Object []Property

// Property is one property of an Object: its name, and its value as sent.
type Property struct {
	Name  string
	Value json.RawMessage
}

// Field is one string property of a body: the name as sent (the canonical one when absent), and its value
// when a string was sent; null and absence both leave Set false.
type Field struct {
	Name    string
	Value   string
	Set     bool
	BadType bool
	Canon   string
}

// Field reads the property canon, matched case-insensitively; the last of several wins.
func (b Object) Field(canon string) Field {
	f := Field{Name: canon, Canon: canon}
	for _, p := range b {
		if !strings.EqualFold(p.Name, canon) {
			continue
		}
		f.Name, f.Set, f.BadType, f.Value = p.Name, false, false, ""
		switch p.Value[0] {
		case '"':
			f.Set = json.Unmarshal(p.Value, &f.Value) == nil
		case 'n':
		default:
			f.BadType = true
		}
	}
	return f
}

// ParseObject parses one JSON object, keeping its properties in order. Invalid UTF-8, trailing data and
// anything but an object fail, as in System.Text.Json.
func ParseObject(raw []byte) (Object, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	// Escapes occur only inside strings, so one scan of the body finds any lone surrogate, which encoding/json
	// would store as U+FFFD.
	if !utf8.Valid(raw) || !json.Valid(raw) || LoneSurrogate(raw) != "" {
		return nil, errors.New("not JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var b Object
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		b = append(b, Property{Name: t.(string), Value: v})
	}
	return b, nil
}

// LoneSurrogate returns the first \uXXXX escape of a JSON string token that is a UTF-16 surrogate without its
// other half, or "". The workspace and the ZITADEL profile decoders both refuse such a string.
func LoneSurrogate(raw []byte) string {
	hex := func(i int) (rune, bool) {
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := hex(i)
		switch {
		case !ok:
			i++ // another escape: skip its letter
		case r >= 0xD800 && r < 0xDC00:
			if lo, ok := hex(i + 6); ok && lo >= 0xDC00 && lo < 0xE000 {
				i += 11
				continue
			}
			return string(raw[i : i+6])
		case r >= 0xDC00 && r < 0xE000:
			return string(raw[i : i+6])
		default:
			i += 5
		}
	}
	return ""
}

// QueryValues returns every value of the query parameter name (any case, as ASP.NET Core reads queries).
func QueryValues(rawQuery, name string) []string {
	var out []string
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err != nil || !strings.EqualFold(k, name) {
			continue
		}
		if v, err := url.QueryUnescape(v); err == nil {
			out = append(out, v)
		} else {
			out = append(out, part) // undecodable: still a credential, and one that will not be found
		}
	}
	return out
}
