package codec

import "testing"

func BenchmarkNegotiate(b *testing.B) {
	for _, bc := range []struct{ name, accept string }{
		{"json", "application/json"},
		{"missing", ""},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			req := Media{FormatJSON, "application/json"}
			for b.Loop() {
				Negotiate(bc.accept, req)
			}
		})
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"Id":42,"Username":"ann@example.com","FirstName":"Ann","LastName":"Lee","MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":22,"DateTimeFormatId":1,"NumberFormatId":1,"_links":[{"rel":"self","href":"https://api.example.com/User?FileId=777","method":"GET","title":null}]}`)
	benchDecode(b, Media{FormatJSON, "application/json"}, body)
}

func BenchmarkDecodeXML(b *testing.B) {
	body := []byte(`<UserDetail xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links><Link><rel>self</rel><href>https://api.example.com/User?FileId=777</href><method>GET</method></Link></_links><Id>42</Id><Username>ann@example.com</Username><FirstName>Ann</FirstName><LastName>Lee</LastName><MobileNumber xsi:nil="true" /><Is2FAEnabled>false</Is2FAEnabled><TimezoneId>22</TimezoneId><DateTimeFormatId>1</DateTimeFormatId><NumberFormatId>1</NumberFormatId></UserDetail>`)
	benchDecode(b, Media{FormatXML, "application/xml"}, body)
}

func BenchmarkDecodeForm(b *testing.B) {
	benchDecode(b, Media{FormatForm, "application/x-www-form-urlencoded"}, []byte(`FirstName=Zed+Q&LastName=&MobileNumber=%2B61+400&TimezoneId=5`))
}

func benchDecode(b *testing.B, m Media, body []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(m, body); err != nil {
			b.Fatal(err)
		}
	}
}
