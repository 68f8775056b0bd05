package auth

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/fileapi/fileapi/models"
)

var orgIDSyntax = regexp.MustCompile(`^[1-9][0-9]*$`)

// FuzzParseOrgID checks parseOrgID (the x-zitadel-orgid header) against its rule written as a regular
// expression: a decimal id without sign or leading zero, at most models.MaxID; nothing else names an org.
func FuzzParseOrgID(f *testing.F) {
	for _, s := range []string{"777", "0777", "-1", "2147483647", "2147483648", "9223372036854775808", "+1", " 1", "", "1\n", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := parseOrgID(s)
		switch {
		case s == "":
			if id != 0 || ok {
				t.Fatalf("parseOrgID(\"\") = %d, %v", id, ok)
			}
		case ok:
			if !orgIDSyntax.MatchString(s) || strconv.FormatInt(id, 10) != s || id < 1 || id > models.MaxID {
				t.Fatalf("parseOrgID(%q) = %d, true", s, id)
			}
		default:
			if id != -1 {
				t.Fatalf("parseOrgID(%q) = %d, false; a malformed id is looked up as -1", s, id)
			}
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && orgIDSyntax.MatchString(s) && n <= models.MaxID {
				t.Fatalf("parseOrgID(%q) refused a valid id", s)
			}
		}
	})
}
