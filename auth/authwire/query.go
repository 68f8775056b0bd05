package authwire

import (
	"net/url"
	"strings"
)

// QueryValue returns the first value of the query parameter named name, matched case-insensitively
// (Saasu clients send fileid, FileId and fileId alike). Malformed pairs are skipped.
func QueryValue(rawQuery, name string) (string, bool) {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(pair, "=")
		if len(k) < len(name) || len(k) > 3*len(name) {
			continue // cannot be name, even percent-encoded
		}
		if !strings.EqualFold(k, name) {
			uk, err := url.QueryUnescape(k)
			if err != nil || !strings.EqualFold(uk, name) {
				continue
			}
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		return uv, true
	}
	return "", false
}

// ParseFileID reads a FileId: ASCII digits only (leading zeros allowed), 1 to 2147483647.
// Anything else counts as missing and gives 0.
func ParseFileID(s string) int64 {
	if s == "" || len(s) > 64 {
		return 0
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31-1 {
			return 0
		}
	}
	return n
}
