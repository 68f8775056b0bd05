package wire

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
)

// FuzzETagHeaders checks the entity-tag headers: IfMatch (If-Match of every profile PUT) and NoneMatch
// (If-None-Match of /openapi.yaml). No header is no precondition; a list matches when one of its members is
// "*" or the strong tag of the version, so adding members never unmatches and a weak tag alone never
// matches; If-None-Match compares weakly.
func FuzzETagHeaders(f *testing.F) {
	for _, s := range []string{`"7"`, `"7", "8"`, `W/"7"`, `*`, ` * `, `"7" ,W/"8"`, `7`, `""`, `,`, ``, " \t", `"07"`, `"-1"`, `"7`} {
		f.Add(s, int64(7))
	}
	f.Add(`"9223372036854775807"`, int64(1<<63-1))
	f.Fuzz(func(t *testing.T, header string, version int64) {
		tag := ETag(version)
		m := IfMatch(header)
		if (m == nil) != (strings.TrimSpace(header) == "") {
			t.Fatalf("IfMatch(%q) is nil = %v", header, m == nil)
		}
		if m != nil {
			matched := m(version)
			if !IfMatch(header + ", " + tag)(version) {
				t.Fatalf("If-Match %q does not match its own tag %s", header+", "+tag, tag)
			}
			if matched && !IfMatch(header+",x")(version) {
				t.Fatalf("If-Match %q matches %d, but not with another member added", header, version)
			}
			if matched && !strings.Contains(header, tag) && !strings.Contains(header, "*") {
				t.Fatalf("If-Match %q matches version %d without naming it", header, version)
			}
		}
		if IfMatch("W/" + tag)(version) {
			t.Fatalf("a weak tag matched")
		}
		if !NoneMatch(header+", W/"+tag, tag) || !NoneMatch(header+","+tag+" ", tag) {
			t.Fatalf("If-None-Match %q plus %s does not match", header, tag)
		}
		if NoneMatch(header, tag) && !strings.Contains(header, tag) && !strings.Contains(header, "*") {
			t.Fatalf("If-None-Match %q matches %s without naming it", header, tag)
		}
	})
}

var (
	e164AUMobile   = regexp.MustCompile(`^\+614[0-9]{8}$`)
	requestIDChars = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	phoneChars     = regexp.MustCompile(`^[0-9 +()-]{0,20}$`)
)

// FuzzFieldFormats checks the small readers of client strings against their rules written as regular
// expressions: PlainID (X-Request-Id, echoed in answers and logs), AUMobile and
// authwire.E164AU (the 2FA number of opt-in-to-2fa), PhoneLike (MobileNumber of PUT /User).
func FuzzFieldFormats(f *testing.F) {
	for _, s := range []string{"777", "+1", " 1", "", "abc-DEF_1.2",
		strings.Repeat("a", 65), "id with space", "0412 345 678", "+61412345678", "+61 412 345 678", "04123456789", "04a2345678",
		"(02) 9999-9999", "+61 (0) 412 345 678 99", "０412345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if PlainID(s) != requestIDChars.MatchString(s) {
			t.Fatalf("PlainID(%q) = %v", s, PlainID(s))
		}
		if PhoneLike(s) != phoneChars.MatchString(s) {
			t.Fatalf("PhoneLike(%q) = %v", s, PhoneLike(s))
		}
		if au := AUMobile(s); au != e164AUMobile.MatchString(authwire.E164AU(s)) {
			t.Fatalf("AUMobile(%q) = %v, but E164AU gives %q", s, au, authwire.E164AU(s))
		}
	})
}
