package codec

// served are the response media types, indexed by the slot constants below.
var served = [...]struct {
	format      Format
	contentType string
}{
	slotAppJSON:  {FormatJSON, "application/json; charset=utf-8"},
	slotTextJSON: {FormatJSON, "text/json; charset=utf-8"},
	slotAppXML:   {FormatXML, "application/xml; charset=utf-8"},
	slotTextXML:  {FormatXML, "text/xml; charset=utf-8"},
}

// Negotiation slots: one per served type, and one for every wildcard.
const (
	slotAppJSON = iota
	slotTextJSON
	slotAppXML
	slotTextXML
	slotWildcard
	slotNone = -1
)

// fallbackOrder is the order in which a fallback or wildcard choice is tried after the request's own
// type, when Accept excludes that type with q=0.
var fallbackOrder = [...]int{slotAppJSON, slotAppXML, slotTextJSON, slotTextXML}

// Negotiate chooses the response format and the exact response Content-Type (with "; charset=utf-8") from
// the Accept header and the request's media (saasu.md §4.1). It never fails: it falls back to the request's
// format, else JSON.
//
// Every element of Accept with q > 0 proposes a type: one we serve (application/json, text/json,
// application/xml, text/xml) proposes itself, and a wildcard (*/*, application/*, text/*) proposes the
// fallback: the request's JSON or XML type, else application/json. The highest q wins, and at equal q the
// earlier element. So a wildcard that outranks an explicit type answers in the request's format:
// "text/xml;q=0.5, */*" with a JSON request is JSON, because the client rates anything at 1 and XML at 0.5.
// A type given q=0 is never chosen, even by a wildcard or the fallback, which then take the next type of
// application/json, application/xml, text/json, text/xml (only if Accept excludes all four does the
// fallback ignore it, since we never answer 406). Wildcards with q=0 exclude nothing, for the same reason.
// Malformed elements (bad syntax, a bad or repeated q) are skipped; the rest of the header still counts.
func Negotiate(accept string, req Media) (Format, string) {
	var (
		q        = [5]int{-1, -1, -1, -1, -1} // best q per slot, in thousandths
		pos      [5]int                       // index of the first element with that q
		excluded [4]bool
	)
	m := mediaScanner{s: accept}
	for n := 0; m.i < len(m.s); n++ {
		slot, weight, ok := m.acceptElement()
		if !ok {
			m.skipElement()
			continue
		}
		m.i++ // the comma, if any
		switch {
		case slot == slotNone:
		case weight == 0:
			if slot != slotWildcard {
				excluded[slot] = true
			}
		case weight > q[slot]:
			q[slot], pos[slot] = weight, n
		}
	}

	fallback := fallbackSlot(req, &excluded)
	best, bestQ, bestPos := fallback, 0, 0
	for slot := range slotWildcard {
		if !excluded[slot] && q[slot] > 0 && (q[slot] > bestQ || q[slot] == bestQ && pos[slot] < bestPos) {
			best, bestQ, bestPos = slot, q[slot], pos[slot]
		}
	}
	if w := q[slotWildcard]; w > 0 && (w > bestQ || w == bestQ && pos[slotWildcard] < bestPos) {
		best = fallback
	}
	return served[best].format, served[best].contentType
}

// acceptElement reads one element of an Accept list, leaving the scanner on the comma that ends it (or at
// the end). slot is slotNone for a type we do not serve and for an empty element; weight is q in
// thousandths; ok is false for a malformed element.
func (m *mediaScanner) acceptElement() (slot, weight int, ok bool) {
	m.ows()
	if m.i >= len(m.s) || m.s[m.i] == ',' {
		return slotNone, 0, true // empty list elements are allowed (RFC 9110 §5.6.1.2)
	}
	typ, sub, ok := m.mediaType()
	if !ok {
		return slotNone, 0, false
	}
	if slot = mediaSlot(typ, sub); slot == slotNone && typ == "*" {
		return slotNone, 0, false // "*/json"
	}
	weight, seenQ := 1000, false
	for {
		name, value, quoted, more, ok := m.param()
		if !ok {
			return slotNone, 0, false
		}
		if !more {
			return slot, weight, true
		}
		if len(name) == 1 && (name[0] == 'q' || name[0] == 'Q') {
			if seenQ || quoted {
				return slotNone, 0, false
			}
			seenQ = true
			if weight, ok = parseQ(value); !ok {
				return slotNone, 0, false
			}
		}
	}
}

// mediaSlot is the negotiation slot of a media type or range.
func mediaSlot(typ, sub string) int {
	app, text := equalFoldASCII(typ, "application"), equalFoldASCII(typ, "text")
	switch {
	case sub == "*" && (app || text || typ == "*"):
		return slotWildcard
	case app && equalFoldASCII(sub, "json"):
		return slotAppJSON
	case text && equalFoldASCII(sub, "json"):
		return slotTextJSON
	case app && equalFoldASCII(sub, "xml"):
		return slotAppXML
	case text && equalFoldASCII(sub, "xml"):
		return slotTextXML
	}
	return slotNone
}

// fallbackSlot is the type a wildcard or fallback choice answers with: the request's JSON or XML media type
// as received (a sniffed body: application/json or application/xml), else application/json; the next of
// fallbackOrder when Accept excluded that one.
func fallbackSlot(req Media, excluded *[4]bool) int {
	slot := slotNone
	if typ, sub, ok := splitType(req.Type); ok {
		if slot = mediaSlot(typ, sub); slot == slotWildcard {
			slot = slotNone
		}
	}
	if slot == slotNone {
		slot = slotAppJSON
		if req.Format == FormatXML {
			slot = slotAppXML
		}
	}
	if !excluded[slot] {
		return slot
	}
	for _, s := range fallbackOrder {
		if !excluded[s] {
			return s
		}
	}
	return slot
}

// splitType splits "type/subtype".
func splitType(t string) (typ, sub string, ok bool) {
	for i := 0; i < len(t); i++ {
		if t[i] == '/' {
			return t[:i], t[i+1:], true
		}
	}
	return "", "", false
}
