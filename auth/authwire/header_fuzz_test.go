package authwire_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
)

var orgIDSyntax = regexp.MustCompile(`^[1-9][0-9]*$`)

// maxFileID is models.MaxID, the largest file id.
const maxFileID = 1<<31 - 1

// FuzzParseOrgID checks ParseOrgID (the x-zitadel-orgid header) against its rule written as a regular
// expression: a decimal id without sign or leading zero, at most models.MaxID; nothing else names an org.
func FuzzParseOrgID(f *testing.F) {
	for _, s := range []string{"777", "0777", "-1", "2147483647", "2147483648", "9223372036854775808", "+1", " 1", "", "1\n", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := authwire.ParseOrgID(s)
		switch {
		case s == "":
			if id != 0 || ok {
				t.Fatalf("ParseOrgID(\"\") = %d, %v", id, ok)
			}
		case ok:
			if !orgIDSyntax.MatchString(s) || strconv.FormatInt(id, 10) != s || id < 1 || id > maxFileID {
				t.Fatalf("ParseOrgID(%q) = %d, true", s, id)
			}
		default:
			if id != -1 {
				t.Fatalf("ParseOrgID(%q) = %d, false; a malformed id is looked up as -1", s, id)
			}
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && orgIDSyntax.MatchString(s) && n <= maxFileID {
				t.Fatalf("ParseOrgID(%q) refused a valid id", s)
			}
		}
	})
}
