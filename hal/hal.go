// Package hal holds the wire representations of the Saasu API v2 dialect and writes them exactly as
// ASP.NET Web API does: JSON as Newtonsoft.Json writes it by default (compact), XML as XmlSerializer writes it
// through XmlMediaTypeFormatter (no declaration, no indentation, no trailing newline).
//
// A wire type is a plain struct: its fields are declared once, and AppendJSON and AppendXML write them by a
// plan made once per type (struct.go). encoding/json and encoding/xml cannot produce this output (encoding/xml
// writes <_links></_links> and escapes quotes; encoding/json escapes <, > and &), and these encoders run on
// every request, so they are written not to allocate: callers append into their own buffers.
package hal

import (
	"reflect"
	"unsafe"
)

// Value is a representation that writes itself: the bare bodies (String, Boolean) and the links.
type Value interface {
	// AppendJSON appends the JSON form of the value to dst and returns the extended buffer.
	AppendJSON(dst []byte) []byte
	// AppendXML appends the XML form of the value to dst and returns the extended buffer.
	AppendXML(dst []byte) []byte
}

// initialSize covers every representation we send in one allocation (a UserDetail is about 500 bytes of XML).
const initialSize = 512

// AppendJSON appends the JSON form of v, a Value or a wire type (a struct, or a pointer to one: a pointer
// saves a copy).
func AppendJSON(dst []byte, v any) []byte {
	if w, ok := v.(Value); ok {
		return w.AppendJSON(dst)
	}
	p, at := wire(v)
	return appendStructJSON(dst, p, at)
}

// AppendXML appends the XML form of v, a Value or a wire type (a struct, or a pointer to one), as a root
// element.
func AppendXML(dst []byte, v any) []byte {
	if w, ok := v.(Value); ok {
		return w.AppendXML(dst)
	}
	p, at := wire(v)
	return appendRootXML(dst, p, at)
}

// JSON returns the JSON form of v in a new buffer.
func JSON(v any) []byte { return AppendJSON(make([]byte, 0, initialSize), v) }

// XML returns the XML form of v in a new buffer.
func XML(v any) []byte { return AppendXML(make([]byte, 0, initialSize), v) }

// wire returns the plan of a wire type and the address of its value.
func wire(v any) (*plan, unsafe.Pointer) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		c := reflect.New(rv.Type())
		c.Elem().Set(rv)
		rv = c
	}
	return planOf(rv.Type().Elem()), rv.UnsafePointer()
}

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
