package wire

import (
	"strconv"
	"strings"
)

// ETag is the strong entity tag of a user version: "7".
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// IfMatch turns an If-Match header into the precondition of a profile change (RFC 9110 §13.1.1): strong
// comparison, "*" matches any current version, a weak tag never matches. No header means no precondition.
func IfMatch(header string) func(version int64) bool {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	return func(version int64) bool {
		want := ETag(version)
		for _, tag := range strings.Split(header, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || tag == want {
				return true
			}
		}
		return false
	}
}

// NoneMatch reports whether an If-None-Match header matches tag (RFC 9110 §13.1.2): "*" matches, and entity
// tags compare weakly, so W/"x" matches "x".
func NoneMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
