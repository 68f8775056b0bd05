// Package codec does content negotiation and request-body decoding for the Saasu API v2 dialect
// (saasu.md §4): it parses Accept with q-values, classifies a request body by Content-Type or by sniffing,
// and reads JSON, XML and form bodies into one case-insensitive field map.
//
// Gin's own negotiation ignores q-values and its default binding sends text/json to the form binder, so
// the dialect does both here, once.
//
// It imports only the standard library, and its tests use nothing else, on purpose: Go's fuzzer copies every
// coverage counter of the test binary after each execution, so its fuzz targets run several times faster
// without the counters of models, GORM and the SQLite driver. That is why a body error is a *BodyError, which
// the Saasu dialect turns into its *models.Error.
package codec

// Format is the wire format of a body.
type Format uint8

// The formats; FormatNone is a request without a body (or with one we do not read).
const (
	FormatNone Format = iota
	FormatJSON
	FormatXML
	FormatForm
)

// String names the format for logs.
func (f Format) String() string {
	switch f {
	case FormatJSON:
		return "json"
	case FormatXML:
		return "xml"
	case FormatForm:
		return "form"
	}
	return "none"
}

// Media is what a request body is: its format and its media type as sent, lower-cased, without parameters.
// A sniffed body has no Type: nothing was sent.
type Media struct {
	Format Format
	Type   string
}

// The media types this package names.
const (
	typeAppJSON  = "application/json"
	typeTextJSON = "text/json"
	typeAppXML   = "application/xml"
	typeTextXML  = "text/xml"
	typeForm     = "application/x-www-form-urlencoded"
	// typeOctet is what a body without Content-Type is, when it cannot be sniffed: Web API's default type.
	typeOctet = "application/octet-stream"
)

// Whole-body failures (saasu.md §4.2).
const (
	msgJSON       = "The request body is not valid JSON."
	msgJSONObject = "The request body must be a JSON object."
	msgXML        = "The request body is not valid XML."
	msgForm       = "The request body is not valid form data."
)

// BodyError is a request body the codec cannot read (Decode), or an XML field of it that holds child
// elements (Body.Check): the Saasu dialect answers it 400 with Message (saasu.md §4.2), as a *models.Error of
// kind invalid with the same field, message and cause.
type BodyError struct {
	Field   string // the field at fault (Body.Check), or "" for the whole body
	Message string // the client-facing text
	Err     error  // the cause, for the log only
}

func (e *BodyError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *BodyError) Unwrap() error { return e.Err }

// bodyError is a whole-body failure; cause is only for the log.
func bodyError(msg string, cause error) *BodyError {
	return &BodyError{Message: msg, Err: cause}
}

// UnsupportedMediaError is a request body in a media type this codec does not read (the Saasu dialect answers
// it 415, naming MediaType).
type UnsupportedMediaError struct {
	MediaType string // lower-case, as the client sent it
}

func (e *UnsupportedMediaError) Error() string { return "unsupported media type " + e.MediaType }

func unsupported(mediaType string) *UnsupportedMediaError {
	return &UnsupportedMediaError{MediaType: mediaType}
}

// lowerASCII lower-cases the ASCII letters of s, allocating only when there is one to change.
// Field names and media types are matched on ASCII letters only, so a non-ASCII name can never fold
// into one of ours (the Kelvin sign is not a K).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII reports whether s and t are equal ignoring ASCII case, without allocating.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// skipBOM drops one leading UTF-8 byte order mark.
func skipBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// isSpace is JSON and XML whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
