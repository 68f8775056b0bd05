package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ZitadelGenders are the names of the proto enum Gender, by number.
var ZitadelGenders = []string{"GENDER_UNSPECIFIED", "GENDER_FEMALE", "GENDER_MALE", "GENDER_DIVERSE"}

// ZitadelProfile is the profile of ZITADEL's GetMyProfile and GetHumanProfile (docs/zitadel.md §6) and the body
// of the updates (§3), one field per proto field: `proto` is its number, the wire name (`wire`, else the Go
// name) gives its JSON name (first letter lower-cased) and its proto name (snake_case), `validate` is its rule
// (§4). A body's absent and null fields hold the proto defaults. A field of the name of a models.Profile field
// shows it and is replaced by an update ("" clears it); the rest is spelt out in the handlers.
type ZitadelProfile struct {
	UserID            string        `json:"-" proto:"1" wire:"UserId" validate:"runes=1 200"` // the management API's body only
	FirstName         string        `json:"firstName,omitempty" proto:"2" validate:"runes=1 200"`
	LastName          string        `json:"lastName,omitempty" proto:"3" validate:"runes=1 200"`
	NickName          string        `json:"nickName,omitempty" proto:"4" validate:"runes=0 200"`
	DisplayName       string        `json:"displayName,omitempty" proto:"5" validate:"runes=1 200"`
	PreferredLanguage string        `json:"preferredLanguage,omitempty" proto:"6" validate:"runes=0 10"`
	Gender            ZitadelGender `json:"gender,omitzero" proto:"7"`
}

// ZitadelGender is the proto enum Gender: its number in a body (§5 normalises unknown numbers), its name in an
// answer, where unspecified and unknown numbers are left out.
type ZitadelGender int64

// MarshalText writes the enum's name.
func (g ZitadelGender) MarshalText() ([]byte, error) { return []byte(GenderName(int64(g))), nil }

// IsZero makes omitzero leave out what has no name.
func (g ZitadelGender) IsZero() bool { return GenderName(int64(g)) == "" }

// GenderName is the enum name of a gender number; unspecified and unknown numbers have none ("").
func GenderName(g int64) string {
	if g <= 0 || g >= int64(len(ZitadelGenders)) {
		return ""
	}
	return ZitadelGenders[g]
}

// DecodeZitadelProfile reads a PUT body the way grpc-gateway's JSONPb does (zitadel.md §3): encoding/json
// takes the first value, then protojson (DiscardUnknown) reads it. Errors are the message of a code 3 status.
func DecodeZitadelProfile(body []byte, management bool) (ZitadelProfile, error) {
	var out ZitadelProfile
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		return out, err
	}
	d := &protoDecoder{in: raw}
	tok := d.read()
	if tok.kind != '{' {
		return out, d.syntaxErr(tok.pos, "unexpected token "+tok.raw)
	}
	fields := zitadelFields(&out, management)
	seen := map[int]bool{}
	for {
		name := d.read()
		if d.err != nil {
			return out, d.err
		}
		if name.kind == '}' {
			return out, nil
		}
		if name.kind == ',' {
			continue
		}
		f, known := fields[name.str]
		if !known {
			if err := d.skipValue(); err != nil {
				return out, err
			}
			continue
		}
		if seen[f.num] {
			return out, d.err0(name.pos, "duplicate field "+name.raw)
		}
		seen[f.num] = true
		if err := d.readField(f, &out); err != nil {
			return out, err
		}
	}
}

// zitadelField is a field of the profile messages: its JSON name, proto number, and where a string goes
// (nil for the gender enum).
type zitadelField struct {
	json string
	num  int
	str  *string
}

// zitadelProtoField is a field of ZitadelProfile as protojson knows it: the JSON name (the wire name with a
// lower-case first letter), the proto name (its snake_case form), the number (`proto` tag) and the field's index.
type zitadelProtoField struct {
	json, proto string
	num, index  int
}

var zitadelProtoFields = func() (out []zitadelProtoField) {
	t := reflect.TypeFor[ZitadelProfile]()
	for i := range t.NumField() {
		f := t.Field(i)
		num, err := strconv.Atoi(f.Tag.Get("proto"))
		if err != nil {
			panic("handlers: ZitadelProfile." + f.Name + " needs a proto number")
		}
		wire := f.Tag.Get("wire")
		if wire == "" {
			wire = f.Name
		}
		var snake strings.Builder
		for i, r := range wire {
			if unicode.IsUpper(r) && i > 0 {
				snake.WriteByte('_')
			}
			snake.WriteRune(unicode.ToLower(r))
		}
		out = append(out, zitadelProtoField{strings.ToLower(wire[:1]) + wire[1:], snake.String(), num, i})
	}
	return out
}()

// zitadelFields maps each name protojson accepts (lowerCamelCase and the proto name) to its field of out.
// userId is a field of the management API's request only.
func zitadelFields(out *ZitadelProfile, management bool) map[string]zitadelField {
	v := reflect.ValueOf(out).Elem()
	fields := make(map[string]zitadelField, 2*len(zitadelProtoFields))
	for _, pf := range zitadelProtoFields {
		if pf.json == "userId" && !management {
			continue
		}
		f := zitadelField{json: pf.json, num: pf.num}
		if s, ok := v.Field(pf.index).Addr().Interface().(*string); ok {
			f.str = s
		}
		fields[pf.json], fields[pf.proto] = f, f
	}
	return fields
}

// readField reads the value of field f into out, as protojson does: null leaves the default, a string field
// takes a string only, the gender enum takes its name (unknown names read as 0) or a 32-bit number.
func (d *protoDecoder) readField(f zitadelField, out *ZitadelProfile) error {
	v := d.read()
	if d.err != nil {
		return d.err
	}
	switch {
	case v.kind == 'n':
	case f.str != nil && v.kind == '"':
		*f.str = v.str
	case f.str != nil:
		return d.err0(v.pos, fmt.Sprintf("invalid value for string field %s: %s", f.json, v.raw))
	case v.kind == '"':
		out.Gender = 0
		for n, g := range ZitadelGenders {
			if g == v.str {
				out.Gender = ZitadelGender(n)
			}
		}
	default:
		n, ok := int32Value(v)
		if !ok {
			return d.err0(v.pos, fmt.Sprintf("invalid value for enum field %s: %s", f.json, v.raw))
		}
		out.Gender = ZitadelGender(n)
	}
	return nil
}

// int32Value is a JSON number that protojson reads as an int32: an integer once its fraction and exponent are
// applied (1e1, 10.0, 100e-1), with the exponent bounds of protojson's normalizeToIntString.
func int32Value(t protoToken) (int64, bool) {
	if t.kind != '0' {
		return 0, false
	}
	s := t.raw
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exps, _ := strings.Cut(strings.ToLower(s), "e")
	intp, frac, _ := strings.Cut(mant, ".")
	intp = strings.TrimPrefix(intp, "0") // JSON allows a lone leading 0 only
	frac = strings.TrimRight(frac, "0")
	num := "0"
	if intp != "" || frac != "" {
		exp := int64(0)
		if exps != "" {
			var err error
			if exp, err = strconv.ParseInt(exps, 10, 32); err != nil {
				return 0, false
			}
		}
		switch {
		case exp >= 0 && (int64(len(frac)) > exp || int64(len(intp))+exp > 20):
			return 0, false
		case exp >= 0:
			num = intp + frac + strings.Repeat("0", int(exp)-len(frac))
		case frac != "" || int64(len(intp))+exp < 0:
			return 0, false
		default:
			idx := len(intp) + int(exp)
			if strings.Trim(intp[idx:], "0") != "" {
				return 0, false
			}
			num = intp[:idx]
		}
	}
	if neg {
		num = "-" + num
	}
	n, err := strconv.ParseInt(num, 10, 32)
	return n, err == nil
}

// protoToken is one JSON token: kind is the delimiter itself, '"' (string, or a name when followed by ':'),
// '0' (number), 't', 'f', 'n' (literals) or 0 at the end.
type protoToken struct {
	kind byte
	pos  int
	raw  string
	str  string
}

// protoDecoder tokenises a value that encoding/json has already found well-formed, except for UTF-8, which
// protojson checks per string as it reads it.
type protoDecoder struct {
	in  []byte
	i   int
	err error
}

func (d *protoDecoder) read() protoToken {
	if d.err != nil {
		return protoToken{}
	}
	for d.i < len(d.in) && (d.in[d.i] == ' ' || d.in[d.i] == '\t' || d.in[d.i] == '\n' || d.in[d.i] == '\r' || d.in[d.i] == ':') {
		d.i++
	}
	if d.i >= len(d.in) {
		return protoToken{pos: d.i}
	}
	start := d.i
	c := d.in[d.i]
	switch c {
	case '{', '}', '[', ']', ',':
		d.i++
		return protoToken{kind: c, pos: start, raw: string(c)}
	case '"':
		j := start + 1
		for j < len(d.in) && d.in[j] != '"' {
			if d.in[j] == '\\' {
				j++
			}
			j++
		}
		d.i = j + 1
		raw := d.in[start:d.i]
		if !utf8.Valid(raw) {
			d.err = d.syntaxErr(start, "invalid UTF-8 in string")
			return protoToken{}
		}
		if esc := LoneSurrogate(raw); esc != "" {
			// protojson refuses a UTF-16 surrogate escape that is not half of a pair, where encoding/json would
			// store U+FFFD in its place [ours: the message names the escape].
			d.err = d.syntaxErr(start, `invalid escape code "`+esc+`" in string`)
			return protoToken{}
		}
		var s string
		_ = json.Unmarshal(raw, &s) // well-formed: encoding/json has read it already
		return protoToken{kind: '"', pos: start, raw: string(raw), str: s}
	default:
		j := start
		for j < len(d.in) && !bytes.ContainsRune([]byte(" \t\r\n,]}:"), rune(d.in[j])) {
			j++
		}
		d.i = j
		kind := c
		if c == '-' || (c >= '0' && c <= '9') {
			kind = '0'
		}
		return protoToken{kind: kind, pos: start, raw: string(d.in[start:j])}
	}
}

// skipValue skips the value of an unknown field, checking the strings inside it.
func (d *protoDecoder) skipValue() error {
	depth := 0
	for {
		t := d.read()
		if d.err != nil {
			return d.err
		}
		switch t.kind {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			continue
		case 0:
			return nil
		}
		if depth == 0 {
			return nil
		}
	}
}

// position is protojson's line and column of a byte offset: columns count runes.
func (d *protoDecoder) position(pos int) (int, int) {
	b := d.in[:pos]
	line := bytes.Count(b, []byte("\n")) + 1
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return line, utf8.RuneCount(b) + 1
}

func (d *protoDecoder) syntaxErr(pos int, msg string) error {
	l, c := d.position(pos)
	return fmt.Errorf("proto: syntax error (line %d:%d): %s", l, c, msg)
}

func (d *protoDecoder) err0(pos int, msg string) error {
	l, c := d.position(pos)
	return fmt.Errorf("proto: (line %d:%d): %s", l, c, msg)
}
