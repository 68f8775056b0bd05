package codec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Shorthands for expected values.
func jstr(s string) Value { return Value{Kind: KindString, Text: s, Format: FormatJSON} }
func jnum(s string) Value { return Value{Kind: KindNumber, Text: s, Format: FormatJSON} }
func xstr(s string) Value { return Value{Kind: KindString, Text: s, Format: FormatXML} }
func fstr(s string) Value { return Value{Kind: KindString, Text: s, Format: FormatForm} }

var (
	jnull = Value{Kind: KindNull, Format: FormatJSON}
	xnull = Value{Kind: KindNull, Format: FormatXML}
	xobj  = Value{Kind: KindObject, Format: FormatXML}
)

type decodeCase struct {
	name    string
	body    string
	want    Body   // when no error
	wantErr string // the whole-body text
}

func runDecode(t *testing.T, m Media, cases []decodeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Decode(m, []byte(c.body))
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if !reflect.DeepEqual(b, c.want) {
					t.Errorf("body %#v, want %#v", b, c.want)
				}
				return
			}
			var e *BodyError
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want a *BodyError", err)
			}
			if e.Message != c.wantErr || e.Field != "" {
				t.Errorf("error %q (field %q), want %q", e.Message, e.Field, c.wantErr)
			}
			if b != nil {
				t.Errorf("body %#v alongside the error", b)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	const notJSON, notObject = "The request body is not valid JSON.", "The request body must be a JSON object."
	runDecode(t, Media{FormatJSON, "application/json"}, []decodeCase{
		{"empty", ``, Body{}, ""},
		{"whitespace only", " \n\t", Body{}, ""},
		{"BOM only", "\xEF\xBB\xBF", Body{}, ""},
		{"empty object", `{}`, Body{}, ""},
		{"null is an empty object", `null`, Body{}, ""},
		{"null with spaces", ` null `, Body{}, ""},
		{"fields", `{"FirstName":"Ann","LastName":null,"TimezoneId":22}`,
			Body{"firstname": jstr("Ann"), "lastname": jnull, "timezoneid": jnum("22")}, ""},
		{"names case-insensitive, last duplicate wins", `{"FirstName":"A","firstname":"B","FIRSTNAME":"C"}`,
			Body{"firstname": jstr("C")}, ""},
		{"numbers kept raw", `{"a":1.0,"b":1e3,"c":-0,"d":123456789012345678901234567890}`,
			Body{"a": jnum("1.0"), "b": jnum("1e3"), "c": jnum("-0"), "d": jnum("123456789012345678901234567890")}, ""},
		{"bools", `{"a":true,"b":false}`,
			Body{"a": {Kind: KindBool, Text: "true", Format: FormatJSON}, "b": {Kind: KindBool, Text: "false", Format: FormatJSON}}, ""},
		{"nested kept as kinds", `{"o":{"x":[1,{"y":2}]},"a":[],"_links":[{"rel":"self"}]}`,
			Body{"o": {Kind: KindObject, Format: FormatJSON}, "a": {Kind: KindArray, Format: FormatJSON}, "_links": {Kind: KindArray, Format: FormatJSON}}, ""},
		{"escapes", `{"s":"a\"b\\c\u00e9\n\/"}`, Body{"s": jstr("a\"b\\c\u00e9\n/")}, ""},
		{"lone surrogate escape becomes U+FFFD", `{"s":"\ud800"}`, Body{"s": jstr("\uFFFD")}, ""},
		{"non-ASCII names are not folded", `{"K":1,"\u212ay":2}`, Body{"k": jnum("1"), "\u212ay": jnum("2")}, ""},
		{"BOM skipped", "\xEF\xBB\xBF{\"a\":\"b\"}", Body{"a": jstr("b")}, ""},
		{"whitespace around", " \r\n{ \"a\" : \"b\" } \n", Body{"a": jstr("b")}, ""},
		{"sdk whole model", `{"Id":42,"Username":"ann@example.com","FirstName":"Ann","LastName":"Lee","MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":22,"DateTimeFormatId":1,"NumberFormatId":1,"_links":[]}`,
			Body{"id": jnum("42"), "username": jstr("ann@example.com"), "firstname": jstr("Ann"), "lastname": jstr("Lee"),
				"mobilenumber": jnull, "is2faenabled": {Kind: KindBool, Text: "false", Format: FormatJSON}, "timezoneid": jnum("22"),
				"datetimeformatid": jnum("1"), "numberformatid": jnum("1"), "_links": {Kind: KindArray, Format: FormatJSON}}, ""},
		// Not objects.
		{"array", `[{"FirstName":"A"}]`, nil, notObject},
		{"string", `"Ann"`, nil, notObject},
		{"number", `12`, nil, notObject},
		{"true", `true`, nil, notObject},
		// Not JSON.
		{"truncated", `{"FirstName":`, nil, notJSON},
		{"unclosed", `{"a":1`, nil, notJSON},
		{"unclosed array", `[1`, nil, notJSON},
		{"trailing garbage", `{"a":1} x`, nil, notJSON},
		{"two objects", `{}{}`, nil, notJSON},
		{"null then garbage", `null x`, nil, notJSON},
		{"trailing comma", `{"a":1,}`, nil, notJSON},
		{"single quotes", `{'a':1}`, nil, notJSON},
		{"bare word", `nope`, nil, notJSON},
		{"number then garbage", `12 x`, nil, notJSON},
		{"invalid UTF-8 in a string", "{\"FirstName\":\"A\xff\"}", nil, notJSON},
		{"invalid UTF-8 raw", "{\"a\":1}\xff", nil, notJSON},
		{"invalid UTF-8 in a name", "{\"\xc3\":1}", nil, notJSON},
		{"invalid UTF-8 in an unknown nested value", "{\"x\":[\"\xed\xa0\x80\"]}", nil, notJSON},
		{"two BOMs", "\xEF\xBB\xBF\xEF\xBB\xBF{}", nil, notJSON},
		{"deep nesting 100000", strings.Repeat("[", 100000), nil, notJSON},
		{"deep nesting inside a field", `{"a":` + strings.Repeat("[", 100000), nil, notJSON},
		{"deep but closed nesting", `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, nil, notJSON},
	})
}

func TestDecodeXML(t *testing.T) {
	const notXML = "The request body is not valid XML."
	const ns = `xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
	runDecode(t, Media{FormatXML, "application/xml"}, []decodeCase{
		{"empty", ``, Body{}, ""},
		{"empty root", `<UserDetail />`, Body{}, ""},
		{"fields", `<UserDetail><FirstName>Ann</FirstName><TimezoneId>22</TimezoneId></UserDetail>`,
			Body{"firstname": xstr("Ann"), "timezoneid": xstr("22")}, ""},
		{"XmlSerializer body, namespaces stripped", `<UserDetail ` + ns + `><_links /><Id>1</Id><FirstName>Ann</FirstName><LastName xsi:nil="true" /><MobileNumber /><TimezoneId> 22 </TimezoneId></UserDetail>`,
			Body{"_links": xstr(""), "id": xstr("1"), "firstname": xstr("Ann"), "lastname": xnull, "mobilenumber": xstr(""), "timezoneid": xstr(" 22 ")}, ""},
		{"XmlSerializer body with links", `<UserDetail ` + ns + `><_links><Link><rel>self</rel><href>https://api.example.com/User?FileId=777</href><method>GET</method></Link></_links><FirstName>Ann</FirstName></UserDetail>`,
			Body{"_links": xobj, "firstname": xstr("Ann")}, ""},
		{"default namespace", `<UserDetail xmlns="http://schemas.datacontract.org/2004/07/Saasu"><FirstName>Ann</FirstName></UserDetail>`,
			Body{"firstname": xstr("Ann")}, ""},
		{"prefixed elements", `<s:UserDetail xmlns:s="urn:s"><s:FirstName>Ann</s:FirstName></s:UserDetail>`,
			Body{"firstname": xstr("Ann")}, ""},
		{"undeclared prefix", `<UserDetail><p:FirstName>Ann</p:FirstName></UserDetail>`, Body{"firstname": xstr("Ann")}, ""},
		{"root name not checked", `<anything><firstname>Ann</firstname></anything>`, Body{"firstname": xstr("Ann")}, ""},
		{"names case-insensitive, last duplicate wins", `<u><FirstName>A</FirstName><FIRSTNAME>B</FIRSTNAME><firstName>C</firstName></u>`,
			Body{"firstname": xstr("C")}, ""},
		{"empty element", `<u><LastName /></u>`, Body{"lastname": xstr("")}, ""},
		{"empty element pair", `<u><LastName></LastName></u>`, Body{"lastname": xstr("")}, ""},
		{"xsi:nil true", `<u ` + ns + `><LastName xsi:nil="true" /></u>`, Body{"lastname": xnull}, ""},
		{"p:nil 1", `<u xmlns:p="http://www.w3.org/2001/XMLSchema-instance"><LastName p:nil="1"/></u>`, Body{"lastname": xnull}, ""},
		{"i:nil with content", `<u xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><LastName i:nil="true">x</LastName></u>`, Body{"lastname": xnull}, ""},
		{"undeclared xsi prefix", `<u><LastName xsi:nil="true"/></u>`, Body{"lastname": xnull}, ""},
		{"xsi:nil false is not null", `<u ` + ns + `><LastName xsi:nil="false">Lee</LastName></u>`, Body{"lastname": xstr("Lee")}, ""},
		{"unprefixed nil is just an attribute", `<u><LastName nil="true">Lee</LastName></u>`, Body{"lastname": xstr("Lee")}, ""},
		{"unknown attributes ignored", `<u a="1"><LastName b="2">Lee</LastName></u>`, Body{"lastname": xstr("Lee")}, ""},
		{"whitespace kept", "<u><LastName>  Lee \n</LastName></u>", Body{"lastname": xstr("  Lee \n")}, ""},
		{"CRLF normalised", "<u><LastName>a\r\nb</LastName></u>", Body{"lastname": xstr("a\nb")}, ""},
		{"predefined entities and char refs", `<u><LastName>&lt;&gt;&amp;&apos;&quot;&#233;&#xE9;</LastName></u>`, Body{"lastname": xstr(`<>&'"éé`)}, ""},
		{"CDATA", `<u><LastName><![CDATA[<b>&]]></LastName></u>`, Body{"lastname": xstr("<b>&")}, ""},
		{"comment inside a field", `<u><LastName>Le<!-- x -->e</LastName></u>`, Body{"lastname": xstr("Lee")}, ""},
		{"child elements are an object", `<u><FirstName><b>Ann</b></FirstName></u>`, Body{"firstname": xobj}, ""},
		{"mixed content is an object", `<u><FirstName>A<b/>nn</FirstName></u>`, Body{"firstname": xobj}, ""},
		{"text in the root ignored", `<u>junk<FirstName>Ann</FirstName>junk</u>`, Body{"firstname": xstr("Ann")}, ""},
		{"declaration", `<?xml version="1.0" encoding="utf-8"?><u><a>b</a></u>`, Body{"a": xstr("b")}, ""},
		{"declaration UTF-8 single quotes", `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><u/>`, Body{}, ""},
		{"declaration us-ascii", `<?xml version="1.0" encoding="US-ASCII"?><u><a>b</a></u>`, Body{"a": xstr("b")}, ""},
		{"declaration without encoding", `<?xml version="1.0"?><u/>`, Body{}, ""},
		{"BOM skipped", "\xEF\xBB\xBF<?xml version=\"1.0\"?><u><a>b</a></u>", Body{"a": xstr("b")}, ""},
		{"whitespace and comments around the root", "<!-- c -->\n<u><a>b</a></u>\n<!-- d -->\n", Body{"a": xstr("b")}, ""},
		{"processing instruction", `<?xml-stylesheet href="x"?><u/>`, Body{}, ""},
		{"depth 64", strings.Repeat("<a>", 64) + strings.Repeat("</a>", 64), Body{"a": xobj}, ""},
		// Not XML.
		{"whitespace only", "  ", nil, notXML},
		{"comment only", "<!-- c -->", nil, notXML},
		{"malformed", `<UserDetail><FirstName>A</UserDetail>`, nil, notXML},
		{"unclosed", `<u><a>b</a>`, nil, notXML},
		{"not XML at all", `{"a":1}`, nil, notXML},
		{"two roots", `<u/><v/>`, nil, notXML},
		{"text before the root", `x<u/>`, nil, notXML},
		{"text after the root", `<u/>x`, nil, notXML},
		{"DTD", `<!DOCTYPE UserDetail [<!ENTITY x "Ann">]><UserDetail><FirstName>&x;</FirstName></UserDetail>`, nil, notXML},
		{"plain DOCTYPE", `<!DOCTYPE u><u/>`, nil, notXML},
		{"external entity", `<!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><u><FirstName>&x;</FirstName></u>`, nil, notXML},
		{"undeclared entity", `<u><FirstName>&xxe;</FirstName></u>`, nil, notXML},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>`, nil, notXML},
		{"encoding UTF-16", `<?xml version="1.0" encoding="UTF-16"?><u/>`, nil, notXML},
		{"encoding ISO-8859-1", `<?xml version="1.0" encoding="ISO-8859-1"?><u/>`, nil, notXML},
		{"encoding with spaces", `<?xml version="1.0" encoding = "UTF-16"?><u/>`, nil, notXML},
		{"malformed declaration", `<?xml version="1.0" encoding?><u/>`, nil, notXML},
		{"version 1.1", `<?xml version="1.1"?><u/>`, nil, notXML},
		{"declaration not first", ` <?xml version="1.0"?><u/>`, nil, notXML},
		{"declaration upper case", `<?XML version="1.0"?><u/>`, nil, notXML},
		{"invalid UTF-8", "<u><FirstName>A\xff</FirstName></u>", nil, notXML},
		{"invalid UTF-8 in an unknown element", "<u><x>\xc3</x></u>", nil, notXML},
		{"NUL character reference", `<u><a>&#0;</a></u>`, nil, notXML},
		{"NUL raw", "<u><a>\x00</a></u>", nil, notXML},
		{"unescaped ampersand", `<u><a>&</a></u>`, nil, notXML},
		{"depth 65", strings.Repeat("<a>", 65) + strings.Repeat("</a>", 65), nil, notXML},
		{"depth 100000", strings.Repeat("<a>", 100000), nil, notXML},
	})
}

func TestDecodeForm(t *testing.T) {
	const notForm = "The request body is not valid form data."
	runDecode(t, Media{FormatForm, "application/x-www-form-urlencoded"}, []decodeCase{
		{"empty", ``, Body{}, ""},
		{"PHP client", `FirstName=Z&LastName=Q`, Body{"firstname": fstr("Z"), "lastname": fstr("Q")}, ""},
		{"empty value", `FirstName=Z&LastName=`, Body{"firstname": fstr("Z"), "lastname": fstr("")}, ""},
		{"key without =", `LastName`, Body{"lastname": fstr("")}, ""},
		{"plus is a space", `FirstName=Zed+Q`, Body{"firstname": fstr("Zed Q")}, ""},
		{"percent escapes", `FirstName=%C3%A9+%2B%26`, Body{"firstname": fstr("é +&")}, ""},
		{"escaped key", `First%4Eame=Z`, Body{"firstname": fstr("Z")}, ""},
		{"duplicates: last wins across case", `FirstName=A&firstname=B&FIRSTNAME=C`, Body{"firstname": fstr("C")}, ""},
		{"empty pairs skipped", `&&FirstName=Z&`, Body{"firstname": fstr("Z")}, ""},
		{"x/oauth2 token request", `grant_type=password&username=ann%40example.com&password=p%26ss`,
			Body{"grant_type": fstr("password"), "username": fstr("ann@example.com"), "password": fstr("p&ss")}, ""},
		{"PHP booleans", `Is2FAEnabled=1`, Body{"is2faenabled": fstr("1")}, ""},
		{"BOM skipped", "\xEF\xBB\xBFa=b", Body{"a": fstr("b")}, ""},
		{"spaces not trimmed", `TimezoneId=+12+`, Body{"timezoneid": fstr(" 12 ")}, ""},
		{"10000 pairs", strings.Repeat("a=1&", 9999) + "FirstName=Z", Body{"a": fstr("1"), "firstname": fstr("Z")}, ""},
		{"10001 pairs, ParseQuery's limit", strings.Repeat("a=1&", 10000) + "FirstName=Z", nil, notForm},
		{"invalid escape", `FirstName=%zz`, nil, notForm},
		{"truncated escape", `FirstName=%4`, nil, notForm},
		{"invalid escape in a key", `%zz=1`, nil, notForm},
		{"semicolon", `a=1;b=2`, nil, notForm},
		{"invalid UTF-8 raw", "FirstName=\xff", nil, notForm},
		{"invalid UTF-8 escaped", `FirstName=%FF`, nil, notForm},
	})
}

func TestDecodeNone(t *testing.T) {
	b, err := Decode(Media{}, []byte("anything"))
	if err != nil || len(b) != 0 {
		t.Fatalf("Decode = %#v, %v; want an empty body", b, err)
	}
}

func TestBodyCheck(t *testing.T) {
	x, err := Decode(Media{Format: FormatXML}, []byte(`<u><FirstName><b/></FirstName><_links><Link/></_links><LastName>Lee</LastName></u>`))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Check("LastName", "MobileNumber"); err != nil {
		t.Errorf("Check: %v; unknown _links may hold children", err)
	}
	var e *BodyError
	if !errors.As(x.Check("LastName", "firstname"), &e) {
		t.Fatalf("Check: %v, want a *BodyError", x.Check("LastName", "firstname"))
	}
	if e.Message != "The request body is not valid XML." || e.Field != "firstname" {
		t.Errorf("Check: %q (field %q)", e.Message, e.Field)
	}

	j, err := Decode(Media{Format: FormatJSON}, []byte(`{"FirstName":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Check("FirstName"); err != nil {
		t.Errorf("Check: %v; a JSON object is a field error, not a body error", err)
	}
}

func TestBodyGet(t *testing.T) {
	long := strings.Repeat("x", 100)
	b := Body{"firstname": jstr("Ann"), long: jstr("long")}
	for _, name := range []string{"firstname", "FirstName", "FIRSTNAME"} {
		if v, ok := b.Get(name); !ok || v.Text != "Ann" {
			t.Errorf("Get(%q) = %#v, %v", name, v, ok)
		}
	}
	if v, ok := b.Get(strings.ToUpper(long)); !ok || v.Text != "long" {
		t.Errorf("Get(the long name) = %#v, %v", v, ok)
	}
	if _, ok := b.Get("LastName"); ok {
		t.Errorf("Get(LastName) found it")
	}
	if _, ok := Body(nil).Get("x"); ok {
		t.Errorf("a nil Body has x")
	}
	if allocs := testing.AllocsPerRun(100, func() { b.Get("FirstName") }); allocs != 0 {
		t.Errorf("Get allocates %v times", allocs)
	}
}
