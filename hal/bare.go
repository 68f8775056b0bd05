package hal

// Message is ASP.NET Web API's HttpError, the body of 401, 404, 405, 413, 415, 429, 500 and 503 (saasu.md §5.9):
// {"Message"} and <Error><Message>…</Message></Error>, without namespace attributes.
type Message struct {
	_       struct{} `wire:"Error,bare"`
	Message string
}

// String is a bare string body, the answer of validation errors and 412 (saasu.md §5.9).
type String string

// AppendJSON appends s as a JSON string.
func (s String) AppendJSON(dst []byte) []byte { return appendJSONString(dst, string(s)) }

// AppendXML appends s as <string>…</string>, without namespace attributes.
func (s String) AppendXML(dst []byte) []byte {
	return appendXMLElement(dst, "<string>", "</string>", string(s))
}

// Boolean is a bare boolean body, the answer of ping (saasu.md §5.9).
type Boolean bool

// AppendJSON appends b as true or false.
func (b Boolean) AppendJSON(dst []byte) []byte { return appendBool(dst, bool(b)) }

// AppendXML appends b as <boolean>true</boolean> or <boolean>false</boolean>, without namespace attributes.
func (b Boolean) AppendXML(dst []byte) []byte {
	return appendXMLBool(dst, "<boolean>", "</boolean>", bool(b))
}
