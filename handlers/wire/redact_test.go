package wire

import "testing"

func TestRedactQuery(t *testing.T) {
	cases := map[string]string{
		"":                                       "",
		"FileId=777&wsAccessKey=fa_ak_secret":    "FileId=777&wsAccessKey=REDACTED",
		"wsaccesskey=x&WSACCESSKEY=y":            "wsaccesskey=REDACTED&WSACCESSKEY=REDACTED",
		"password=hunter2&username=ann":          "password=REDACTED&username=ann",
		"refresh_token=a&verification_code=123":  "refresh_token=REDACTED&verification_code=REDACTED",
		"access_token=t&x=1":                     "access_token=REDACTED&x=1",
		"ws%41ccessKey=secret":                   "ws%41ccessKey=REDACTED",
		"client_secret=s&code=c&code_verifier=v": "client_secret=REDACTED&code=REDACTED&code_verifier=REDACTED",
		"wsAccessKey":                            "wsAccessKey",
		"wsAccessKeyX=visible":                   "wsAccessKeyX=visible",
		"FileId=1;wsAccessKey=KEY":               "FileId=1;wsAccessKey=REDACTED",
		"FileId=1;WsAccessKey=KEY&x=2":           "FileId=1;WsAccessKey=REDACTED&x=2",
		"%77%73%61%63%63%65%73%73%6b%65%79=KEY":  "%77%73%61%63%63%65%73%73%6b%65%79=REDACTED",
		"pass%77ord=p;;a=b&c=d":                  "pass%77ord=REDACTED&c=d",
		"password=s3cr;et-tail&x=1":              "password=REDACTED&x=1", // the server reads "s3cr;et-tail"
		"ws%zzAccessKey=KEY":                     "ws%zzAccessKey=REDACTED",
	}
	for in, want := range cases {
		if got := RedactQuery(in); got != want {
			t.Errorf("RedactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
