package authwire

import "strings"

// E164AU writes an Australian mobile number as +614XXXXXXXX (from 04XX XXX XXX or +614…); anything else is
// returned without its spaces.
func E164AU(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) == 10 && strings.HasPrefix(s, "04") {
		return "+61" + s[1:]
	}
	return s
}
