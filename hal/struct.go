package hal

import (
	"reflect"
	"strconv"
	"sync"
	"unsafe"
)

// A wire type is a struct whose fields are written in the order they are declared, by a plan made once per
// type from its field types and tags:
//
//   - the member and element name is the `wire` tag, else the field's name; `wire:"-"` leaves a field out;
//   - string: a JSON string; an XML element, <Name /> when empty;
//   - *string: a JSON string or null; an XML element, omitted when nil (XmlSerializer omits a null string);
//     with `wire:",omitnull"` left out of JSON too when nil: for a field added after a dialect's contract was
//     fixed, so that a client written for the contract gets the bodies it knows until the field holds a value;
//   - int64: a number; bool: true or false;
//   - Links: "_links", last in JSON and first in XML (XmlSerializer writes the base class's members first);
//   - a struct: a nested object, a nested element without namespace attributes;
//   - a slice of structs: a JSON array; an XML element holding one element per item, named after the item's
//     type, <Name /> when empty.
//
// The XML root element is named after the type and carries XmlSerializer's namespace attributes, unless a
// blank field says otherwise (`_ struct{} `wire:"Error,bare"“: root named Error, no attributes; `wire:",bare"`
// for a type that is only ever nested, written alone without them); a string
// field tagged `wire:",root"` is not written and, when not empty, names the root element.
type plan struct {
	json      []member // in JSON order: Links last
	xml       []member // in XML order: Links first
	root      string
	bare      bool    // no namespace attributes on the root element
	rootField uintptr // offset of the ",root" field, if hasRoot
	hasRoot   bool
}

type kind uint8

const (
	kindString kind = iota
	kindNullable
	kindInt
	kindBool
	kindLinks
	kindStruct
	kindSlice
)

// member is one field of a plan, with its name written out as it is sent.
type member struct {
	kind                kind
	omitNull            bool // a kindNullable left out of JSON when nil
	offset              uintptr
	jsonKey             string // `"Name":`
	xmlStart, xmlEnd    string // "<Name>", "</Name>"
	elem                *plan  // of a struct, or of a slice's items
	sliceType, itemType reflect.Type
}

var (
	plans     sync.Map // reflect.Type → *plan
	linksType = reflect.TypeFor[Links]()
)

// planOf returns the plan of a wire type, made on first use.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p, _ := plans.LoadOrStore(t, makePlan(t))
	return p.(*plan)
}

func makePlan(t reflect.Type) *plan {
	p := &plan{root: t.Name()}
	var links *member
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opt := f.Name, ""
		if tag, ok := f.Tag.Lookup("wire"); ok {
			name, opt = tag, ""
			for j := 0; j < len(tag); j++ {
				if tag[j] == ',' {
					name, opt = tag[:j], tag[j+1:]
					break
				}
			}
		}
		switch {
		case f.Name == "_":
			if name != "" {
				p.root = name
			}
			p.bare = opt == "bare"
			continue
		case opt == "root":
			p.rootField, p.hasRoot = f.Offset, true
			continue
		case name == "-":
			continue
		case name == "":
			name = f.Name // `wire:",omitnull"`
		}
		m := member{offset: f.Offset, jsonKey: `"` + name + `":`, xmlStart: "<" + name + ">", xmlEnd: "</" + name + ">",
			omitNull: opt == "omitnull"}
		switch ft := f.Type; {
		case ft == linksType:
			m.kind, m.jsonKey = kindLinks, `"_links":`
			links = &m
			continue
		case ft.Kind() == reflect.String:
			m.kind = kindString
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String:
			m.kind = kindNullable
		case ft.Kind() == reflect.Int64:
			m.kind = kindInt
		case ft.Kind() == reflect.Bool:
			m.kind = kindBool
		case ft.Kind() == reflect.Struct:
			m.kind, m.elem = kindStruct, planOf(ft)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			m.kind, m.elem, m.sliceType, m.itemType = kindSlice, planOf(ft.Elem()), ft, ft.Elem()
		default:
			panic("hal: field " + t.Name() + "." + f.Name + " has a type no wire type may have: " + ft.String())
		}
		if m.omitNull && m.kind != kindNullable {
			panic("hal: field " + t.Name() + "." + f.Name + ": only a *string may be omitnull")
		}
		p.json = append(p.json, m)
		p.xml = append(p.xml, m)
	}
	if links != nil {
		p.json = append(p.json, *links)
		p.xml = append([]member{*links}, p.xml...)
	}
	return p
}

// appendStructJSON appends the struct at v (of plan p) as a JSON object.
func appendStructJSON(dst []byte, p *plan, v unsafe.Pointer) []byte {
	dst = append(dst, '{')
	sep := false
	for i := range p.json {
		m := &p.json[i]
		at := unsafe.Add(v, m.offset)
		if m.omitNull && *(**string)(at) == nil {
			continue
		}
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, m.jsonKey...)
		switch m.kind {
		case kindString:
			dst = appendJSONString(dst, *(*string)(at))
		case kindNullable:
			dst = appendJSONNullable(dst, *(**string)(at))
		case kindInt:
			dst = strconv.AppendInt(dst, *(*int64)(at), 10)
		case kindBool:
			dst = appendBool(dst, *(*bool)(at))
		case kindLinks:
			dst = (*(*Links)(at)).AppendJSON(dst)
		case kindStruct:
			dst = appendStructJSON(dst, m.elem, at)
		case kindSlice:
			items := reflect.NewAt(m.sliceType, at).Elem()
			dst = append(dst, '[')
			for j := 0; j < items.Len(); j++ {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendStructJSON(dst, m.elem, items.Index(j).Addr().UnsafePointer())
			}
			dst = append(dst, ']')
		}
	}
	return append(dst, '}')
}

// appendStructXML appends the members of the struct at v (of plan p), without its own element.
func appendStructXML(dst []byte, p *plan, v unsafe.Pointer) []byte {
	for i := range p.xml {
		m := &p.xml[i]
		at := unsafe.Add(v, m.offset)
		switch m.kind {
		case kindString:
			dst = appendXMLElement(dst, m.xmlStart, m.xmlEnd, *(*string)(at))
		case kindNullable:
			dst = appendXMLNullable(dst, m.xmlStart, m.xmlEnd, *(**string)(at))
		case kindInt:
			dst = appendXMLInt(dst, m.xmlStart, m.xmlEnd, *(*int64)(at))
		case kindBool:
			dst = appendXMLBool(dst, m.xmlStart, m.xmlEnd, *(*bool)(at))
		case kindLinks:
			dst = (*(*Links)(at)).AppendXML(dst)
		case kindStruct:
			dst = append(dst, m.xmlStart...)
			dst = appendStructXML(dst, m.elem, at)
			dst = append(dst, m.xmlEnd...)
		case kindSlice:
			items := reflect.NewAt(m.sliceType, at).Elem()
			if items.Len() == 0 {
				dst = append(dst, m.xmlStart[:len(m.xmlStart)-1]...)
				dst = append(dst, " />"...)
				continue
			}
			dst = append(dst, m.xmlStart...)
			for j := 0; j < items.Len(); j++ {
				dst = append(dst, '<')
				dst = append(dst, m.elem.root...)
				dst = append(dst, '>')
				dst = appendStructXML(dst, m.elem, items.Index(j).Addr().UnsafePointer())
				dst = append(dst, '<', '/')
				dst = append(dst, m.elem.root...)
				dst = append(dst, '>')
			}
			dst = append(dst, m.xmlEnd...)
		}
	}
	return dst
}

// appendRootXML appends the struct at v (of plan p) as a root element.
func appendRootXML(dst []byte, p *plan, v unsafe.Pointer) []byte {
	root := p.root
	if p.hasRoot {
		if r := *(*string)(unsafe.Add(v, p.rootField)); r != "" {
			root = r
		}
	}
	dst = append(dst, '<')
	dst = append(dst, root...)
	if !p.bare {
		dst = append(dst, xmlns...)
	}
	dst = append(dst, '>')
	dst = appendStructXML(dst, p, v)
	dst = append(dst, '<', '/')
	dst = append(dst, root...)
	return append(dst, '>')
}
