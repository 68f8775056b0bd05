package wire_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/handlers/wire"
)

// redactedNames are the query parameters whose values are credentials, as the access log must treat them.
var redactedNames = []string{"wsAccessKey", "access_token", "password", "refresh_token", "verification_code", "client_secret",
	"code", "code_verifier", "token", "otp", "login_ticket", "csrf_token"}

// nameVariant spells name with the ASCII case of letter i flipped when bit i of flip is set, and byte i
// percent-encoded (upper- or lower-case hex) when bit i of encode is set.
func nameVariant(name string, flip, encode uint64, lowerHex bool) string {
	const upper, lower = "0123456789ABCDEF", "0123456789abcdef"
	digits := upper
	if lowerHex {
		digits = lower
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if flip>>(i%64)&1 == 1 {
			switch {
			case 'a' <= c && c <= 'z':
				c -= 'a' - 'A'
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
		}
		if encode>>(i%64)&1 == 1 {
			b.WriteByte('%')
			b.WriteByte(digits[c>>4])
			b.WriteByte(digits[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzRedactQuery checks that the access log never shows a credential: a query is built from fuzzed pieces,
// the pairs before and after, the separators (& or ;), a secret parameter name in any case and percent-encoding,
// and its value (with & percent-encoded, since it would end it, and ; too unless rawSemicolons). When the value
// is at least 8 bytes and does not occur in the query anyway (the same query with another value for the secret
// shows it too), RedactQuery's output must not contain it. Overlaps with the "=REDACTED" marker itself are not
// leaks.
//
// With rawSemicolons the value keeps its semicolons, and each ;-separated piece of it is checked too: the
// server's query readers (authwire.QueryValue, QueryValues of the workspace, SplitForm of /oauth/v2/authorize)
// split on & only, so for them the whole "s3cr;et-tail" is the value of password=s3cr;et-tail.
func FuzzRedactQuery(f *testing.F) {
	f.Add(uint8(0), uint64(0), uint64(0), false, "fa_ak_0123456789abcdef", "FileId=777", "", uint8(0), false)
	f.Add(uint8(1), uint64(0x3ff), uint64(0), false, "fa_at_0123456789abcdef", "", "FileId=777", uint8(1), false)
	f.Add(uint8(2), uint64(0), uint64(0xff), true, "s3cret!s3cret!", "grant_type=password&username=ann", "x=1", uint8(3), false)
	f.Add(uint8(3), uint64(5), uint64(2), false, "fa_rt_0123456789", "grant_type=refresh_token", "", uint8(2), false)
	f.Add(uint8(6), uint64(0), uint64(1), false, "abcdefgh", "a=b;c=d", "e&f", uint8(0), false)
	f.Add(uint8(9), uint64(0), uint64(0), false, "tokentoken", "token=x", "", uint8(0), false)
	f.Add(uint8(11), uint64(0xfff), uint64(0x800), true, "csrf-value-1234", "step=consent", "", uint8(1), false)
	f.Add(uint8(4), uint64(0), uint64(0), false, "1234&5678;90==", "", "", uint8(0), false)
	f.Add(uint8(7), uint64(0), uint64(0), false, "d=REDACTxx", "", "", uint8(0), false)
	// Found by this target: ...&password=s3cr;et-tail-of-the-password once logged password=REDACTED;et-tail-of-the-password.
	f.Add(uint8(2), uint64(0), uint64(0), false, "s3cr;et-tail-of-the-password", "grant_type=password&username=ann@example.com", "", uint8(0), true)
	f.Fuzz(func(t *testing.T, which uint8, flip, encode uint64, lowerHex bool, value, before, after string, seps uint8, rawSemicolons bool) {
		name := nameVariant(redactedNames[int(which)%len(redactedNames)], flip, encode, lowerHex)
		pieces := []string{strings.ReplaceAll(value, "&", "%26")}
		if rawSemicolons {
			pieces = append(pieces, strings.Split(pieces[0], ";")...)
		} else {
			pieces[0] = strings.ReplaceAll(pieces[0], ";", "%3B")
		}
		value = pieces[0]
		sep := func(bit uint8) string {
			if seps>>bit&1 == 1 {
				return ";"
			}
			return "&"
		}
		prefix, suffix := "", ""
		if before != "" {
			prefix = before + sep(0)
		}
		if after != "" {
			suffix = sep(1) + after
		}
		out := wire.RedactQuery(prefix + name + "=" + value + suffix)
		unmarked := func(s string) string { return strings.ReplaceAll(s, "=REDACTED", "=\x00") }
		other := unmarked(wire.RedactQuery(prefix + name + "=~" + suffix))
		tail := "" // what follows the first raw ";" of the value
		if len(pieces) > 2 {
			tail = strings.Join(pieces[2:], ";")
		}
		for i, piece := range pieces {
			if i == 0 && rawSemicolons && strings.Contains(piece, ";") {
				continue // checked piece by piece
			}
			if i == 1 && strings.Contains(tail, piece) {
				continue // shown, if at all, as part of the tail
			}
			if len(piece) < 8 || strings.Contains(piece, "REDACTED") || strings.Contains(piece, "\x00") ||
				!strings.Contains(unmarked(out), piece) || strings.Contains(other, piece) {
				continue // no leak, or the piece is in the query elsewhere, as something that is no secret
			}
			t.Fatalf("the value of %q leaks (%q): %q → %q", name, piece, prefix+name+"="+value+suffix, out)
		}
	})
}

// FuzzRedactQueryRaw checks RedactQuery on any raw query against a reference written the slow way: the query
// is cut at & into the pieces the server's readers see; within a piece, names are found after ; too, and from
// the first pair whose name decodes to a secret parameter (any case; a name that cannot be decoded counts as
// one), the rest of the piece becomes name=REDACTED. Everything else is kept as sent, a query with nothing to
// redact comes back as it is, and redacting twice changes nothing more.
func FuzzRedactQueryRaw(f *testing.F) {
	for _, s := range []string{
		"FileId=777&wsAccessKey=fa_ak_x", "FileId=777;WSACCESSKEY=x", "%77sAccessKey=x", "wsAccessKey%3Dx", "password", "password=",
		"access_token=a&access_token=b", "code=1&code_challenge=2", "a%zz=1&token=2", "+token=x", "token+=x", "", "&", ";;", "==",
		"grant_type=password&username=ann&password=s3cret%21&verification_code=123456", "x=REDACTED", "token=REDACTED",
		"password=s3cr;et-tail&x=1", "a=1;token=x;b=2;c=3&d=4",
	} {
		f.Add(s)
	}
	secret := func(name string) bool {
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			return true
		}
		for _, s := range redactedNames {
			if strings.EqualFold(decoded, s) {
				return true
			}
		}
		return false
	}
	reference := func(raw string) string {
		pieces := strings.Split(raw, "&")
		for i, piece := range pieces {
			pairs := strings.Split(piece, ";")
			for j, pair := range pairs {
				if name, _, ok := strings.Cut(pair, "="); ok && secret(name) {
					pieces[i] = strings.Join(append(pairs[:j:j], name+"=REDACTED"), ";")
					break
				}
			}
		}
		return strings.Join(pieces, "&")
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := wire.RedactQuery(raw)
		if want := reference(raw); out != want {
			t.Fatalf("RedactQuery(%q) = %q, want %q", raw, out, want)
		}
		if again := wire.RedactQuery(out); again != out {
			t.Fatalf("RedactQuery(%q) = %q, but again %q", raw, out, again)
		}
	})
}
