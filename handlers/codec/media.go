package codec

import "strings"

// RequestMedia classifies a request body by its Content-Type (saasu.md §4.2), sniffing it when there is no
// Content-Type. body is the raw body, maybe empty.
//
// An empty body is no body whatever the header says: Media{Format: FormatNone}, no error, but Type keeps a
// JSON or XML Content-Type, because the response format falls back to the request's format even then.
// A non-empty body is an *UnsupportedMediaError naming the media type,
// lower-cased and without parameters, when: the type is not one we read ("text/plain"); its charset is
// not utf-8 or us-ascii; the header is malformed (the Message is then the lower-cased text before the first
// ";", or application/octet-stream if there is none); or there is no header and the body starts with
// neither "<" nor "{" (application/octet-stream). Alongside an error, Type still names a JSON or XML
// request type, so the error itself can be negotiated in the request's format.
func RequestMedia(contentType string, body []byte) (Media, error) {
	ct := strings.Trim(contentType, " \t")
	if ct == "" {
		if len(body) == 0 {
			return Media{}, nil
		}
		return sniff(body)
	}

	typ, sub, end, charsetOK, ok := scanContentType(ct)
	if !ok {
		if len(body) == 0 {
			return Media{}, nil
		}
		return Media{}, unsupported(rawType(ct))
	}
	media, known := mediaOf(typ, sub)
	if !known {
		if len(body) == 0 {
			return Media{}, nil
		}
		return Media{}, unsupported(lowerASCII(ct[:end]))
	}
	if len(body) == 0 {
		if media.Format == FormatForm {
			return Media{}, nil
		}
		return Media{Type: media.Type}, nil
	}
	if !charsetOK {
		keep := media.Type
		if media.Format == FormatForm {
			keep = ""
		}
		return Media{Type: keep}, unsupported(media.Type)
	}
	return media, nil
}

// scanContentType reads a Content-Type: its type and subtype, where the media type ends, and whether every
// charset parameter is utf-8 or us-ascii. ok is false for a malformed header.
func scanContentType(ct string) (typ, sub string, end int, charsetOK, ok bool) {
	m := mediaScanner{s: ct}
	typ, sub, ok = m.mediaType()
	end, charsetOK = m.i, true
	for ok {
		name, value, quoted, more, pok := m.param()
		if ok = pok && (more || m.i >= len(m.s)); !more {
			break // a comma, or the end
		}
		if equalFoldASCII(name, "charset") {
			if quoted {
				value = unquote(value)
			}
			charsetOK = charsetOK && (equalFoldASCII(value, "utf-8") || equalFoldASCII(value, "us-ascii"))
		}
	}
	return typ, sub, end, charsetOK, ok
}

// mediaOf is the body format of a media type we read; known is false for any other.
func mediaOf(typ, sub string) (media Media, known bool) {
	switch mediaSlot(typ, sub) {
	case slotAppJSON:
		return Media{FormatJSON, typeAppJSON}, true
	case slotTextJSON:
		return Media{FormatJSON, typeTextJSON}, true
	case slotAppXML:
		return Media{FormatXML, typeAppXML}, true
	case slotTextXML:
		return Media{FormatXML, typeTextXML}, true
	}
	if equalFoldASCII(typ, "application") && equalFoldASCII(sub, "x-www-form-urlencoded") {
		return Media{FormatForm, typeForm}, true
	}
	return Media{}, false
}

// sniff classifies a body sent without Content-Type by its first byte that is not whitespace, after an
// optional BOM.
func sniff(body []byte) (Media, error) {
	b := skipBOM(body)
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i < len(b) {
		switch b[i] {
		case '<':
			return Media{Format: FormatXML}, nil
		case '{':
			return Media{Format: FormatJSON}, nil
		}
	}
	return Media{}, unsupported(typeOctet)
}

// rawType is the media type named by a malformed Content-Type: what precedes the first ";", trimmed and
// lower-cased, made valid UTF-8 because it is echoed in the response body.
func rawType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.Trim(ct, " \t")
	if ct == "" {
		return typeOctet
	}
	return strings.ToValidUTF8(lowerASCII(ct), "\uFFFD")
}
