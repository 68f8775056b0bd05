package authwire

import "strings"

// BearerToken reads "Bearer TOKEN" (scheme case-insensitive). ok is true whenever the scheme is Bearer,
// even with an empty token: a bearer header is then the only credential, and an empty one fails.
// Other schemes are not bearer tokens.
func BearerToken(header string) (token string, ok bool) {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}
