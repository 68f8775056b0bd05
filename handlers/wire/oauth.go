package wire

import (
	"mime"
	"net/url"
	"strings"
)

// FormType reports whether a Content-Type header names an application/x-www-form-urlencoded body, with any
// parameters: the one body of /oauth/v2/token, /revoke and /introspect (RFC 6749 §3.2).
func FormType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// FormValues reads a form-encoded body in which no parameter repeats (RFC 6749 §3.2); ok is false for a body
// that url.ParseQuery refuses or that repeats a parameter.
func FormValues(body []byte) (map[string]string, bool) {
	parsed, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	out := make(map[string]string, len(parsed))
	for k, v := range parsed {
		if len(v) != 1 {
			return nil, false
		}
		out[k] = v[0]
	}
	return out, true
}

// SplitForm splits a form-encoded string into its values by name, keeping repeats (which url.Values would
// hide behind Get). Pairs that do not decode are left out and reported.
func SplitForm(raw string) (map[string][]string, bool) {
	vals := map[string][]string{}
	bad := false
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			bad = true
			continue
		}
		vals[name] = append(vals[name], value)
	}
	return vals, bad
}

// RedirectRegistered reports whether a sent redirect URI is one of the registered ones, byte for byte,
// except that the port of a loopback IP URI is ignored (RFC 8252 §7.3: native apps listen on any port).
func RedirectRegistered(registered []string, uri string) bool {
	for _, reg := range registered {
		if reg == uri {
			return true
		}
		if a, ok := withoutLoopbackPort(reg); ok {
			if b, ok := withoutLoopbackPort(uri); ok && a == b {
				return true
			}
		}
	}
	return false
}

// withoutLoopbackPort removes the port of an http://127.0.0.1 or http://[::1] URI; ok is false for any
// other URI.
func withoutLoopbackPort(uri string) (string, bool) {
	for _, host := range []string{"http://127.0.0.1", "http://[::1]"} {
		rest, found := strings.CutPrefix(uri, host)
		if !found {
			continue
		}
		if port, ok := strings.CutPrefix(rest, ":"); ok {
			n := 0
			for n < len(port) && port[n] >= '0' && port[n] <= '9' {
				n++
			}
			if n == 0 || n > 5 {
				return "", false
			}
			rest = port[n:]
		}
		if rest == "" || rest[0] == '/' || rest[0] == '?' {
			return host + rest, true
		}
		return "", false
	}
	return "", false
}
