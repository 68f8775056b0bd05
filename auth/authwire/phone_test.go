package authwire_test

import (
	"testing"

	"github.com/fileapi/fileapi/auth/authwire"
)

func TestE164AU(t *testing.T) {
	for in, want := range map[string]string{
		"0412 345 678": "+61412345678", "0412345678": "+61412345678", "+61412345678": "+61412345678",
		"+61 412 345 678": "+61412345678", "": "", "02 9999 9999": "0299999999",
	} {
		if got := authwire.E164AU(in); got != want {
			t.Errorf("E164AU(%q) = %q, want %q", in, got, want)
		}
	}
}
