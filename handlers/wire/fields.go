package wire

import "strings"

// PlainID reports whether s can be a client's X-Request-Id, echoed in answers and logs: 1 to 64 ASCII
// letters, digits, - _ and .
func PlainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// PhoneLike reports whether s can be a phone number (the "phone" rule of MobileNumber in PUT /User): at
// most 20 characters, each a digit, a space or one of + - ( ).
func PhoneLike(s string) bool {
	if len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c == ' ', c == '+', c == '-', c == '(', c == ')':
		default:
			return false
		}
	}
	return true
}

// AUMobile reports whether s, without its spaces, is an Australian mobile: 04 + 8 digits or +614 + 8 digits.
func AUMobile(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	digits := ""
	switch {
	case len(s) == 10 && strings.HasPrefix(s, "04"):
		digits = s[2:]
	case len(s) == 12 && strings.HasPrefix(s, "+614"):
		digits = s[4:]
	default:
		return false
	}
	return strings.Trim(digits, "0123456789") == ""
}
