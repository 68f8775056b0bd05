package handlers

import (
	"strconv"
	"strings"
)

// etag is the strong entity tag of a user version: "7".
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch turns an If-Match header into the precondition of a profile change (RFC 9110 §13.1.1): strong
// comparison, "*" matches any current version, a weak tag never matches. No header means no precondition.
func ifMatch(header string) func(version int64) bool {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	return func(version int64) bool {
		want := etag(version)
		for _, tag := range strings.Split(header, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || tag == want {
				return true
			}
		}
		return false
	}
}
