package codec

import "testing"

func TestNegotiate(t *testing.T) {
	const (
		appJSON  = "application/json; charset=utf-8"
		textJSON = "text/json; charset=utf-8"
		appXML   = "application/xml; charset=utf-8"
		textXML  = "text/xml; charset=utf-8"
	)
	var (
		none      = Media{}
		jsonReq   = Media{FormatJSON, "application/json"}
		textJSONR = Media{FormatJSON, "text/json"}
		xmlReq    = Media{FormatXML, "application/xml"}
		textXMLR  = Media{FormatXML, "text/xml"}
		sniffXML  = Media{Format: FormatXML}
		sniffJSON = Media{Format: FormatJSON}
		form      = Media{FormatForm, "application/x-www-form-urlencoded"}
		emptyXML  = Media{Type: "text/xml"} // text/xml Content-Type, empty body
	)
	cases := []struct {
		name   string
		accept string
		req    Media
		want   string
	}{
		// Explicit types.
		{"application/json", "application/json", none, appJSON},
		{"text/json", "text/json", none, textJSON},
		{"application/xml", "application/xml", none, appXML},
		{"text/xml", "text/xml", jsonReq, textXML},
		{"dotnet sdk xml", "application/xml", jsonReq, appXML},
		{"case-insensitive", "Application/XML", none, appXML},
		{"case-insensitive text", "TEXT/Json", xmlReq, textJSON},
		// q-values and order.
		{"higher q wins", "application/json;q=0.5, application/xml", none, appXML},
		{"higher q wins later", "application/xml;q=0.4, text/json;q=0.9", none, textJSON},
		{"equal q: earlier wins", "application/xml, application/json", none, appXML},
		{"equal explicit q: earlier wins", "text/json;q=0.5, application/xml;q=0.5", none, textJSON},
		{"q three decimals", "application/json;q=0.501, application/xml;q=0.5", none, appJSON},
		{"q=1.000", "application/json;q=0.9, application/xml;q=1.000", none, appXML},
		{"q upper-case name", "application/json;Q=0.1, application/xml", none, appXML},
		{"q=0 never chosen", "application/xml;q=0, application/json;q=0.1", none, appJSON},
		{"q=0 only: fallback", "application/xml;q=0", none, appJSON},
		{"q=0 excludes the fallback", "application/json;q=0", jsonReq, appXML},
		{"q=0 excludes the wildcard's choice", "application/json;q=0, */*", jsonReq, appXML},
		{"q=0 repeated with q>0 still excludes", "application/xml, application/xml;q=0", none, appJSON},
		{"all four excluded: fallback anyway", "application/json;q=0,text/json;q=0,application/xml;q=0,text/xml;q=0", textXMLR, textXML},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", jsonReq, appXML},
		// Wildcards.
		{"ruby gem: */* with JSON body", "*/*", jsonReq, appJSON},
		{"*/* with text/xml body", "*/*", textXMLR, textXML},
		{"*/* with text/json body", "*/*", textJSONR, textJSON},
		{"*/* with empty text/xml body", "*/*", emptyXML, textXML},
		{"*/* without request format", "*/*", none, appJSON},
		{"application/* with xml body", "application/*", xmlReq, appXML},
		{"text/* with a JSON request echoes the request", "text/*", jsonReq, appJSON},
		{"wildcard outranks explicit", "text/xml;q=0.5, */*", jsonReq, appJSON},
		{"wildcard outranks explicit, no request format", "text/xml;q=0.5, */*", none, appJSON},
		{"explicit outranks wildcard", "*/*;q=0.5, text/xml", jsonReq, textXML},
		{"wildcard first at equal q", "*/*;q=0.5, text/xml;q=0.5", jsonReq, appJSON},
		{"wildcard q=0 excludes nothing", "*/*;q=0", xmlReq, appXML},
		{"image/* is not ours", "image/*", xmlReq, appXML},
		// Missing, malformed, unserved: the request's format.
		{"missing with JSON body", "", jsonReq, appJSON},
		{"missing with XML body", "", textXMLR, textXML},
		{"missing with sniffed XML", "", sniffXML, appXML},
		{"missing with sniffed JSON", "", sniffJSON, appJSON},
		{"x/oauth2: missing with form body", "", form, appJSON},
		{"missing without body", "", none, appJSON},
		{"nothing we serve", "text/html, image/png", textXMLR, textXML},
		{"nothing we serve, form", "text/plain", form, appJSON},
		{"garbage", "garbage", sniffXML, appXML},
		{"only commas and spaces", " , ,, ", xmlReq, appXML},
		{"malformed q skips the element", "application/xml;q=abc, application/json;q=0.1", none, appJSON},
		{"q above 1 is malformed", "application/xml;q=1.5", jsonReq, appJSON},
		{"q with four decimals is malformed", "application/xml;q=0.1234", jsonReq, appJSON},
		{"q=.5 is malformed (Java)", "application/xml; q=.5", jsonReq, appJSON},
		{"quoted q is malformed", `application/xml;q="0.5"`, jsonReq, appJSON},
		{"repeated q is malformed", "application/xml;q=0.5;q=0.6", jsonReq, appJSON},
		{"*/json is malformed", "*/json", xmlReq, appXML},
		{"type without subtype", "application, text/xml", none, textXML},
		{"unterminated quote swallows the rest", `text/html;a="x, application/xml`, jsonReq, appJSON},
		// Whitespace and parameters.
		{"whitespace everywhere", " \tapplication/json ; q=0.2 ,\ttext/xml ;q=0.3 ", none, textXML},
		{"whitespace around =", "application/json;q = 0.2, text/xml", none, textXML},
		{"params other than q ignored", "application/xml;charset=utf-8;q=0.9, application/json;level=1;q=0.8", none, appXML},
		{"quoted param with comma", `application/xml;x="a,b";q=0.9, text/json;q=0.8`, none, appXML},
		{"quoted param with escaped quote", `application/xml;x="a\",b";q=0.9, text/json;q=0.8`, none, appXML},
		{"empty params", "application/xml;;q=0.9;, text/json;q=0.8", none, appXML},
		{"structured suffix is not ours", "application/problem+json", xmlReq, appXML},
		{"json via form request", "application/json", form, appJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ct := Negotiate(c.accept, c.req)
			if ct != c.want {
				t.Errorf("content type %q, want %q", ct, c.want)
			}
			wantFormat := FormatJSON
			if c.want == appXML || c.want == textXML {
				wantFormat = FormatXML
			}
			if f != wantFormat {
				t.Errorf("format %v, want %v", f, wantFormat)
			}
		})
	}
}

func TestNegotiateAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		Negotiate(`text/html,application/xhtml+xml;x="a,b",application/xml;q=0.9,*/*;q=0.8`, Media{FormatJSON, "application/json"})
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func TestParseQ(t *testing.T) {
	cases := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"0.", 0, true}, {"0.5", 500, true}, {"0.05", 50, true}, {"0.001", 1, true},
		{"1", 1000, true}, {"1.", 1000, true}, {"1.000", 1000, true},
		{"", 0, false}, {".5", 0, false}, {"1.5", 0, false}, {"1.001", 0, false}, {"0.1234", 0, false},
		{"2", 0, false}, {"-1", 0, false}, {"0.a", 0, false}, {"00", 0, false}, {"0,5", 0, false},
	}
	for _, c := range cases {
		q, ok := parseQ(c.in)
		if ok != c.ok || (c.ok && q != c.want) {
			t.Errorf("parseQ(%q) = %d, %v; want %d, %v", c.in, q, ok, c.want, c.ok)
		}
	}
}
