package codec

// A hand-written scanner for the media-type grammar of RFC 9110 §8.3.1 and §12.5.1, shared by Accept and
// Content-Type. It allocates nothing, which matters because Negotiate runs on every request.
//
//	media-type = type "/" subtype parameters
//	parameters = *( OWS ";" OWS [ parameter ] )
//	parameter  = token "=" ( token / quoted-string )

// tchars is the token character set as a 256-bit table.
var tchars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// mediaScanner reads one media type or media range of s from i. A comma ends the element: the caller
// decides whether a list is allowed.
type mediaScanner struct {
	s string
	i int
}

func (m *mediaScanner) ows() {
	for m.i < len(m.s) && (m.s[m.i] == ' ' || m.s[m.i] == '\t') {
		m.i++
	}
}

func (m *mediaScanner) token() string {
	start := m.i
	for m.i < len(m.s) && tchars[m.s[m.i]] {
		m.i++
	}
	return m.s[start:m.i]
}

// mediaType reads type "/" subtype after optional whitespace.
func (m *mediaScanner) mediaType() (typ, sub string, ok bool) {
	m.ows()
	typ = m.token()
	if typ == "" || m.i >= len(m.s) || m.s[m.i] != '/' {
		return "", "", false
	}
	m.i++
	sub = m.token()
	return typ, sub, sub != ""
}

// param reads the next parameter. more is false at the end of the element (end of string, or a comma,
// which is left unread); ok is false on a syntax error. quoted reports a quoted-string value, returned
// without its quotes and still escaped. Empty parameters (";;") are allowed, as RFC 9110 allows them.
func (m *mediaScanner) param() (name, value string, quoted, more, ok bool) {
	for {
		m.ows()
		if m.i >= len(m.s) || m.s[m.i] == ',' {
			return "", "", false, false, true
		}
		if m.s[m.i] != ';' {
			return "", "", false, false, false
		}
		m.i++
		m.ows()
		if m.i < len(m.s) && m.s[m.i] != ';' && m.s[m.i] != ',' {
			break
		}
	}
	if name = m.token(); name == "" {
		return "", "", false, false, false
	}
	// RFC 9110 allows no whitespace around "=", but tolerating it costs nothing and helps sloppy clients.
	m.ows()
	if m.i >= len(m.s) || m.s[m.i] != '=' {
		return "", "", false, false, false
	}
	m.i++
	m.ows()
	if m.i < len(m.s) && m.s[m.i] == '"' {
		start := m.i + 1
		for m.i = start; m.i < len(m.s); m.i++ {
			switch c := m.s[m.i]; {
			case c == '\\':
				m.i++
			case c == '"':
				m.i++
				return name, m.s[start : m.i-1], true, true, true
			case c < ' ' && c != '\t' || c == 0x7f:
				return "", "", false, false, false
			}
		}
		return "", "", false, false, false // unterminated
	}
	if value = m.token(); value == "" {
		return "", "", false, false, false
	}
	return name, value, false, true, true
}

// skipElement moves past the rest of a malformed list element: to just after the next comma that is not
// inside a quoted string, or to the end.
func (m *mediaScanner) skipElement() {
	inQuote := false
	for ; m.i < len(m.s); m.i++ {
		switch m.s[m.i] {
		case '\\':
			if inQuote {
				m.i++
			}
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				m.i++
				return
			}
		}
	}
}

// unquote removes the backslash escapes of a quoted-string's contents.
func unquote(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b = append(b, s[j])
			}
			return string(b)
		}
	}
	return s
}

// parseQ reads an RFC 9110 qvalue in thousandths: "0", "0.5", "0.125", "1", "1.000". Anything else
// (".5", "1.5", "0.1234", "-1") is malformed.
func parseQ(s string) (int, bool) {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	q := 0
	if s[0] == '1' {
		q = 1000
	}
	if len(s) == 1 {
		return q, true
	}
	if s[1] != '.' {
		return 0, false
	}
	scale := 100
	for i := 2; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || (q == 1000 && c != '0') {
			return 0, false
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	return q, true
}
