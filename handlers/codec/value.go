package codec

import (
	"strconv"
	"strings"
)

// Kind is the JSON kind of a field as sent; XML fields are strings, nulls or objects, and form fields strings.
type Kind uint8

// The kinds of Value.
const (
	KindNull Kind = iota
	KindString
	KindNumber
	KindBool
	KindObject
	KindArray
)

// Value is one field of a request body as sent.
type Value struct {
	// Kind is what the field holds. XML gives KindString, KindNull (xsi:nil) or KindObject (child
	// elements); form bodies give only KindString.
	Kind Kind
	// Text is the contents of a string, or the raw JSON text of a number or boolean ("12", "1e3", "true").
	// It is empty for null, objects and arrays.
	Text string
	// Format is the body format the value came from; XML numbers are trimmed of whitespace.
	Format Format
}

// Body maps the lower-cased names of a body's fields to their values: the last duplicate wins and absent
// fields are absent. Names are lower-cased in ASCII only.
type Body map[string]Value

// Get returns the field called name, matched case-insensitively.
func (b Body) Get(name string) (Value, bool) {
	var buf [64]byte
	if len(name) <= len(buf) {
		n := copy(buf[:], name)
		for i, c := range buf[:n] {
			if 'A' <= c && c <= 'Z' {
				buf[i] = c + 'a' - 'A'
			}
		}
		v, ok := b[string(buf[:n])] // no allocation: the compiler looks up with the bytes
		return v, ok
	}
	v, ok := b[lowerASCII(name)]
	return v, ok
}

// Check returns the whole-body error "The request body is not valid XML." (a *BodyError naming the field)
// when one of the named fields of an XML body holds child elements, and nil otherwise. §4.2 makes that a body
// error for a field the handler knows, but Decode cannot tell known fields from unknown ones (an
// XmlSerializer body carries _links with <Link> children, which must be ignored), so a handler calls Check
// with its own fields before reading them. JSON objects and arrays are not body errors: Str and Int report
// them as field errors.
func (b Body) Check(names ...string) error {
	for _, name := range names {
		if v, ok := b.Get(name); ok && v.Format == FormatXML && v.Kind == KindObject {
			return &BodyError{Field: name, Message: msgXML}
		}
	}
	return nil
}

// Str reads v as a string field. A JSON string is its contents and a JSON number or boolean its JSON text;
// null (JSON null, XML xsi:nil) is null; an object or array (JSON, or XML child elements) is not ok.
// XML and form text is returned as sent, untrimmed.
func (v Value) Str() (s string, null bool, ok bool) {
	switch v.Kind {
	case KindNull:
		return "", true, true
	case KindString, KindNumber, KindBool:
		return v.Text, false, true
	}
	return "", false, false
}

// Int reads v as a whole number from min to max: a JSON integer number, or a string of ASCII decimal
// digits with an optional leading "-" (leading zeros allowed). Fractions ("1.0"), exponents, "+", booleans,
// null, objects, arrays, the empty string and values outside [min, max] are not ok. XML text is trimmed of
// XML whitespace first; JSON strings and form values are not trimmed.
func (v Value) Int(min, max int64) (n int64, ok bool) {
	if v.Kind != KindNumber && v.Kind != KindString {
		return 0, false
	}
	s := v.Text
	if v.Format == FormatXML {
		s = strings.Trim(s, " \t\r\n")
	}
	digits := s
	if digits != "" && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, false
	}
	return n, true
}
