package codec

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxFormPairs is url.ParseQuery's own limit on the number of pairs (net/url defaultMaxParams).
const maxFormPairs = 10000

// maxXMLDepth bounds element nesting: our bodies are two levels deep (root, fields) and XmlSerializer's
// _links four; anything near this limit is abuse.
const maxXMLDepth = 64

// Decode reads a body of the given media into a Body (saasu.md §4.2). A leading UTF-8 BOM is skipped; an
// empty body is an empty Body. Whole-body problems are a *BodyError with one of the texts "The request body
// is not valid JSON.", "The request body must be a JSON object.", "The request body is not valid XML." or
// "The request body is not valid form data."; a body that is not valid UTF-8 anywhere is the first, third or
// fourth. Field problems are left to Value.Str, Value.Int and Body.Check. A media of FormatNone decodes to an
// empty Body whatever the bytes.
func Decode(m Media, body []byte) (Body, error) {
	body = skipBOM(body)
	if len(body) == 0 {
		return Body{}, nil
	}
	var (
		decode func([]byte) (Body, error)
		msg    string
	)
	switch m.Format {
	case FormatJSON:
		decode, msg = decodeJSON, msgJSON
	case FormatXML:
		decode, msg = decodeXML, msgXML
	case FormatForm:
		decode, msg = decodeForm, msgForm
	default:
		return Body{}, nil
	}
	if !utf8.Valid(body) {
		return nil, bodyError(msg, errors.New("invalid UTF-8"))
	}
	return decode(body)
}

// decodeJSON reads a JSON object the way Newtonsoft fills a model: names case-insensitive, the last
// duplicate wins, null is an empty object, and a body of whitespace is no body (Newtonsoft reads no token
// and gives a null model). Nested values are kept only as their kind.
//
// json.Valid checks the whole body first, without recursing and with encoding/json's depth limit (10000
// levels: deeper is "not valid JSON"), so the walk below over the top-level object can trust the syntax.
// It is about three times faster than reading with json.Decoder.Token (BenchmarkDecodeJSON).
func decodeJSON(body []byte) (Body, error) {
	i := skipSpace(body, 0)
	if i == len(body) {
		return Body{}, nil
	}
	if !json.Valid(body) {
		return nil, bodyError(msgJSON, errors.New("invalid JSON"))
	}
	switch body[i] {
	case 'n': // null
		return Body{}, nil
	case '{':
	default:
		return nil, bodyError(msgJSONObject, nil)
	}
	b := Body{}
	i = skipSpace(body, i+1)
	for body[i] != '}' {
		end := skipJSON(body, i)
		name, err := jsonString(body[i:end])
		if err != nil {
			return nil, bodyError(msgJSON, err)
		}
		i = skipSpace(body, skipSpace(body, end)+1) // the colon
		end = skipJSON(body, i)
		v := Value{Format: FormatJSON}
		switch body[i] {
		case '{':
			v.Kind = KindObject
		case '[':
			v.Kind = KindArray
		case 'n':
			v.Kind = KindNull
		case 't', 'f':
			v.Kind, v.Text = KindBool, string(body[i:end])
		case '"':
			v.Kind = KindString
			if v.Text, err = jsonString(body[i:end]); err != nil {
				return nil, bodyError(msgJSON, err)
			}
		default:
			v.Kind, v.Text = KindNumber, string(body[i:end])
		}
		b[lowerASCII(name)] = v
		if i = skipSpace(body, end); body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return b, nil
}

// skipSpace returns the index of the first byte at or after i that is not whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipJSON returns the end of the valid JSON value that starts at i.
func skipJSON(b []byte, i int) int {
	switch b[i] {
	case '"':
		for i++; b[i] != '"'; i++ {
			if b[i] == '\\' {
				i++
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			case '"':
				i = skipJSON(b, i) - 1
			}
		}
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// jsonString decodes a valid JSON string literal, copying it directly when it has no escapes.
func jsonString(lit []byte) (string, error) {
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

// decodeXML reads the children of the root element as fields, the way we read an XmlSerializer body:
// namespaces ignored, names case-insensitive, the root's name unchecked, attributes other than xsi:nil
// ignored, text directly inside the root ignored, the last duplicate wins. A field holding child elements is
// a KindObject value: Decode cannot know whether the field is one the handler reads (Body.Check) or one it
// ignores, like _links. DTDs (and with them every entity beyond the five predefined ones, hence XXE and
// billion laughs), a declaration naming an encoding other than UTF-8 or US-ASCII, more than one root, text
// outside the root, nesting deeper than maxXMLDepth and anything encoding/xml rejects in strict mode are
// "not valid XML".
func decodeXML(body []byte) (Body, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if equalFoldASCII(label, "us-ascii") {
			return r, nil // a subset of UTF-8, and the body is already checked to be valid UTF-8
		}
		return nil, fmt.Errorf("encoding %q", label)
	}
	x := xmlFields{b: Body{}}
	for first := true; ; first = false {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = x.token(tok, first)
		}
		if err != nil {
			return nil, bodyError(msgXML, err)
		}
	}
	if !x.root {
		return nil, bodyError(msgXML, errors.New("no root element"))
	}
	return x.b, nil
}

// xmlFields collects the fields of an XML body, token by token: each child element of the root, by its
// lower-cased local name, as text, null (xsi:nil) or an object (it has child elements).
type xmlFields struct {
	b      Body
	depth  int
	root   bool   // the root element has started
	name   string // the field being read, at depth 2
	text   []byte
	null   bool
	nested bool
}

// token takes the next token; first is true for the first token of the body.
func (x *xmlFields) token(tok xml.Token, first bool) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if x.depth == 0 && x.root {
			return errors.New("more than one root element")
		}
		x.root = true
		x.depth++
		switch {
		case x.depth > maxXMLDepth:
			return errors.New("too deeply nested")
		case x.depth == 2:
			x.name, x.text, x.null, x.nested = lowerASCII(t.Name.Local), x.text[:0], isNil(t.Attr), false
		case x.depth > 2:
			x.nested = true
		}
	case xml.EndElement:
		if x.depth == 2 {
			x.b[x.name] = x.value()
		}
		x.depth--
	case xml.CharData:
		switch x.depth {
		case 0:
			if len(bytes.Trim(t, " \t\r\n")) > 0 {
				return errors.New("text outside the root element")
			}
		case 2:
			x.text = append(x.text, t...)
		}
	case xml.ProcInst:
		if equalFoldASCII(t.Target, "xml") {
			if !first || t.Target != "xml" {
				return errors.New("misplaced XML declaration")
			}
			return checkDecl(string(t.Inst))
		}
	case xml.Directive:
		return errors.New("DTDs and directives are not accepted")
	}
	return nil
}

// value is the field that just ended.
func (x *xmlFields) value() Value {
	switch {
	case x.nested:
		return Value{Kind: KindObject, Format: FormatXML}
	case x.null:
		return Value{Kind: KindNull, Format: FormatXML}
	}
	return Value{Kind: KindString, Text: string(x.text), Format: FormatXML}
}

// isNil reports an xsi:nil attribute (any prefix, local name nil) that is true or 1.
func isNil(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Local == "nil" && a.Name.Space != "" && a.Name.Space != "xmlns" {
			if v := strings.Trim(a.Value, " \t\r\n"); v == "true" || v == "1" {
				return true
			}
		}
	}
	return false
}

// checkDecl reads the pseudo-attributes of an XML declaration itself, because encoding/xml looks only for
// `encoding="` and so misses `encoding = 'UTF-16'`: any syntax error, or an encoding other than UTF-8 or
// US-ASCII, is an error.
func checkDecl(inst string) error {
	s := inst
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return nil
		}
		i := strings.IndexAny(s, " \t\r\n=")
		if i <= 0 {
			return fmt.Errorf("malformed XML declaration %q", inst)
		}
		key := s[:i]
		s = strings.TrimLeft(s[i:], " \t\r\n")
		if s == "" || s[0] != '=' {
			return fmt.Errorf("malformed XML declaration %q", inst)
		}
		s = strings.TrimLeft(s[1:], " \t\r\n")
		if s == "" || (s[0] != '"' && s[0] != '\'') {
			return fmt.Errorf("malformed XML declaration %q", inst)
		}
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return fmt.Errorf("malformed XML declaration %q", inst)
		}
		value := s[1 : 1+end]
		s = s[end+2:]
		if key == "encoding" && !equalFoldASCII(value, "utf-8") && !equalFoldASCII(value, "us-ascii") {
			return fmt.Errorf("encoding %q", value)
		}
	}
}

// decodeForm reads an application/x-www-form-urlencoded body by url.ParseQuery's rules, in order, so that
// the last of two keys differing only in case wins (ParseQuery's map would lose that order). Keys are
// case-insensitive, a present key sets its field ("LastName=" is ""), and there is no null. A decoded key
// or value that is not valid UTF-8 ("%FF") makes the body invalid, as raw invalid UTF-8 does.
func decodeForm(body []byte) (Body, error) {
	q := string(body)
	if strings.Count(q, "&")+1 > maxFormPairs {
		return nil, bodyError(msgForm, errors.New("too many pairs"))
	}
	b := Body{}
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if strings.Contains(pair, ";") {
			return nil, bodyError(msgForm, errors.New("invalid semicolon separator"))
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, bodyError(msgForm, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, bodyError(msgForm, err)
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return nil, bodyError(msgForm, errors.New("invalid UTF-8"))
		}
		b[lowerASCII(key)] = Value{Kind: KindString, Text: value, Format: FormatForm}
	}
	return b, nil
}
