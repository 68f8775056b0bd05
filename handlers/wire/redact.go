package wire

import (
	"net/url"
	"strings"
)

// secretParams are query parameters whose values never reach a log line (compared case-insensitively).
var secretParams = []string{"wsaccesskey", "password", "refresh_token", "verification_code", "access_token",
	"client_secret", "code", "code_verifier", "token", "otp", "login_ticket", "csrf_token"}

// RedactQuery replaces the values of secret query parameters with REDACTED, keeping everything else as sent.
// Names are found after & or ; and match in any case and after percent-decoding, so that no spelling a
// server might read as a credential reaches the log; a secret's value runs to the next & (the separator the
// server's readers use), ; included. A query with nothing to redact is returned as
// it is, without allocating.
func RedactQuery(raw string) string {
	var out []byte // nil until the first redaction
	start := 0
	for i := 0; i <= len(raw); i++ {
		if i < len(raw) && raw[i] != '&' && raw[i] != ';' {
			continue
		}
		part := raw[start:i]
		if name, _, hasValue := strings.Cut(part, "="); hasValue && secretParam(name) {
			if out == nil {
				out = append(make([]byte, 0, len(raw)+8), raw[:start]...)
			}
			out = append(append(out, name...), "=REDACTED"...)
			// The server's query readers end a value at & only: what follows a ; in a secret's value is
			// still the secret, so the redaction runs to the next &.
			if i < len(raw) && raw[i] == ';' {
				if j := strings.IndexByte(raw[i:], '&'); j >= 0 {
					i += j
				} else {
					i = len(raw)
				}
			}
		} else if out != nil {
			out = append(out, part...)
		}
		if i < len(raw) && out != nil {
			out = append(out, raw[i])
		}
		start = i + 1
	}
	if out == nil {
		return raw
	}
	return string(out)
}

// secretParam reports whether a query parameter name, as sent, names a secret.
func secretParam(name string) bool {
	if strings.ContainsAny(name, "%+") {
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			return true // a name that cannot be decoded could be meant as any of them
		}
		name = decoded
	}
	for _, s := range secretParams {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}
