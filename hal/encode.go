package hal

import (
	"strconv"
	"unicode/utf8"
)

// replacement is U+FFFD in UTF-8: what invalid UTF-8 becomes in JSON and XML, and what characters XML 1.0
// does not allow become in XML.
const replacement = "\uFFFD"

const hexDigits = "0123456789abcdef"

// jsonPlain marks the ASCII bytes Newtonsoft writes unescaped: everything from space up except '"' and '\'.
// HTML characters (<, >, &) are not escaped, as with Newtonsoft's StringEscapeHandling.Default.
var jsonPlain = func() (t [256]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// xmlPlain marks the ASCII bytes written as they are in XML text: tab, LF, and everything from space up
// except &, < and >. Quotes are not escaped in text, as XmlWriter does not.
var xmlPlain = func() (t [256]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = b != '&' && b != '<' && b != '>'
	}
	t['\t'], t['\n'] = true, true
	return t
}()

// appendJSONString appends s as a quoted JSON string escaped as Newtonsoft escapes by default: '"' and '\',
// control characters as \b \t \n \f \r or \u00xx (lower-case hex), and U+0085, U+2028 and U+2029 as \uxxxx.
// Every other character is written as UTF-8; each byte of invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	if i := jsonPlainLen(s); i < len(s) {
		return appendJSONEscaped(dst, s, i)
	}
	// Most strings need no escaping: one copy.
	dst = append(dst, s...)
	return append(dst, '"')
}

// jsonPlainLen is the length of the prefix of s that appendJSONString copies as it is.
func jsonPlainLen(s string) int {
	i := 0
	for i < len(s) && jsonPlain[s[i]] {
		i++
	}
	return i
}

// appendJSONEscaped is appendJSONString, after the opening quote, for an s whose first byte that needs
// attention is at i.
func appendJSONEscaped(dst []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		b := s[i]
		if jsonPlain[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, replacement...)
		case r == '\u0085' || r == '\u2028' || r == '\u2029':
			// Newtonsoft escapes these because JavaScript (before ES2019) cannot hold them in a string literal.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendXMLText appends text as XML character data: & < > as entities, CR as &#xD; (so that it survives a
// reader's line-end normalisation), every other allowed character as it is. Characters XML 1.0 does not allow
// (controls other than tab, LF and CR; U+FFFE, U+FFFF) and each byte of invalid UTF-8 become U+FFFD.
func appendXMLText(dst []byte, text string) []byte {
	if i := xmlPlainLen(text); i < len(text) {
		return appendXMLEscaped(dst, text, i)
	}
	// Most texts need no escaping: one copy.
	return append(dst, text...)
}

// appendXMLEscaped is appendXMLText for an s whose first byte that needs attention is at i.
func appendXMLEscaped(dst []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		b := s[i]
		if xmlPlain[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '&':
				dst = append(dst, "&amp;"...)
			case '<':
				dst = append(dst, "&lt;"...)
			case '>':
				dst = append(dst, "&gt;"...)
			case '\r':
				dst = append(dst, "&#xD;"...)
			default:
				dst = append(dst, replacement...)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\uFFFE' || r == '\uFFFF' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, replacement...)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// xmlPlainLen is the length of the prefix of s that appendXMLText copies as it is.
func xmlPlainLen(s string) int {
	i := 0
	for i < len(s) && xmlPlain[s[i]] {
		i++
	}
	return i
}

// appendJSONNullable appends s as a JSON string, or null when s is nil.
func appendJSONNullable(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}

// appendBool appends true or false, the same in JSON and XML.
func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// The XML helpers take an element's start and end tags ("<Id>", "</Id>") rather than its name: the tags are
// constants at every call site, so an element costs three appends instead of six.

// appendXMLElement appends startTag, text and endTag, or <name /> for an empty text as XmlWriter writes it.
func appendXMLElement(dst []byte, startTag, endTag, text string) []byte {
	if text == "" {
		dst = append(dst, startTag[:len(startTag)-1]...)
		return append(dst, " />"...)
	}
	dst = append(dst, startTag...)
	dst = appendXMLText(dst, text)
	return append(dst, endTag...)
}

// appendXMLNullable appends an element for s; XmlSerializer omits a null string.
func appendXMLNullable(dst []byte, startTag, endTag string, s *string) []byte {
	if s == nil {
		return dst
	}
	return appendXMLElement(dst, startTag, endTag, *s)
}

// appendXMLInt appends an element holding n.
func appendXMLInt(dst []byte, startTag, endTag string, n int64) []byte {
	dst = append(dst, startTag...)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, endTag...)
}

// appendXMLBool appends an element holding true or false.
func appendXMLBool(dst []byte, startTag, endTag string, b bool) []byte {
	dst = append(dst, startTag...)
	dst = appendBool(dst, b)
	return append(dst, endTag...)
}
