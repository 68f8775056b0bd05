package authwire

import (
	"strconv"
	"strings"
)

// maxID is models.MaxID, the largest file id (.NET clients read ids as int), which this package cannot import;
// auth's tests check that the two agree.
const maxID = 1<<31 - 1

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

// ParseOrgID reads an x-zitadel-orgid header: ok is false when it names no possible file. An empty one is 0;
// a malformed one is looked up as -1, which no file has.
func ParseOrgID(o string) (id int64, ok bool) {
	if o == "" {
		return 0, false
	}
	if o[0] < '1' || o[0] > '9' {
		return -1, false
	}
	for i := 1; i < len(o); i++ {
		if o[i] < '0' || o[i] > '9' {
			return -1, false
		}
	}
	id, err := strconv.ParseInt(o, 10, 64)
	if err != nil || id > maxID {
		return -1, false
	}
	return id, true
}
