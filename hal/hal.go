// Package hal holds the wire representations of the Saasu API v2 dialect and writes them exactly as
// ASP.NET Web API does: JSON as Newtonsoft.Json writes it by default (compact), XML as XmlSerializer writes it
// through XmlMediaTypeFormatter (no declaration, no indentation, no trailing newline).
//
// Every type appends its own bytes by hand. Reflection-based encoders cannot produce this output (encoding/xml
// writes <_links></_links> and escapes quotes; encoding/json escapes <, > and &), and these encoders run on
// every request, so they are also written not to allocate: callers append into their own buffers.
package hal

// Value is a wire representation that can be written as JSON and as XML.
type Value interface {
	// AppendJSON appends the JSON form of the value to dst and returns the extended buffer.
	AppendJSON(dst []byte) []byte
	// AppendXML appends the XML form of the value to dst and returns the extended buffer.
	AppendXML(dst []byte) []byte
}

// initialSize covers every representation we send in one allocation (a UserDetail is about 500 bytes of XML).
const initialSize = 512

// JSON returns the JSON form of v in a new buffer.
func JSON(v Value) []byte { return v.AppendJSON(make([]byte, 0, initialSize)) }

// XML returns the XML form of v in a new buffer.
func XML(v Value) []byte { return v.AppendXML(make([]byte, 0, initialSize)) }

// xmlns is what XmlSerializer puts on every root element it writes, in this order.
const xmlns = ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`

// Link is a hypermedia link to a possible next action (saasu.md §5.1).
type Link struct {
	Rel    string
	Href   string
	Method string
	// Title is nil in everything fileapi sends: JSON null, omitted in XML.
	Title *string
}

// AppendJSON appends l as {"rel","href","method","title"}.
func (l Link) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"rel":`...)
	dst = appendJSONString(dst, l.Rel)
	dst = append(dst, `,"href":`...)
	dst = appendJSONString(dst, l.Href)
	dst = append(dst, `,"method":`...)
	dst = appendJSONString(dst, l.Method)
	dst = append(dst, `,"title":`...)
	dst = appendJSONNullable(dst, l.Title)
	return append(dst, '}')
}

// AppendXML appends l as a <Link> element, which carries no namespace attributes.
func (l Link) AppendXML(dst []byte) []byte { return appendLinkXML(dst, &l) }

// appendLinkXML writes a link in as few appends as it can: every link we send has a rel, href and method.
func appendLinkXML(dst []byte, l *Link) []byte {
	if l.Rel == "" || l.Href == "" || l.Method == "" {
		dst = append(dst, "<Link>"...)
		dst = appendXMLElement(dst, "<rel>", "</rel>", l.Rel)
		dst = appendXMLElement(dst, "<href>", "</href>", l.Href)
		dst = appendXMLElement(dst, "<method>", "</method>", l.Method)
	} else {
		dst = append(dst, "<Link><rel>"...)
		dst = appendXMLText(dst, l.Rel)
		dst = append(dst, "</rel><href>"...)
		dst = appendXMLText(dst, l.Href)
		dst = append(dst, "</href><method>"...)
		dst = appendXMLText(dst, l.Method)
		dst = append(dst, "</method>"...)
	}
	dst = appendXMLNullable(dst, "<title>", "</title>", l.Title)
	return append(dst, "</Link>"...)
}

// Links is the _links collection; nil and empty are both written as an empty list.
type Links []Link

// AppendJSON appends ls as a JSON array, [] when empty.
func (ls Links) AppendJSON(dst []byte) []byte {
	dst = append(dst, '[')
	for i := range ls {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = ls[i].AppendJSON(dst)
	}
	return append(dst, ']')
}

// AppendXML appends ls as a <_links> element, <_links /> when empty.
func (ls Links) AppendXML(dst []byte) []byte {
	if len(ls) == 0 {
		return append(dst, "<_links />"...)
	}
	dst = append(dst, "<_links>"...)
	for i := range ls {
		dst = appendLinkXML(dst, &ls[i])
	}
	return append(dst, "</_links>"...)
}
