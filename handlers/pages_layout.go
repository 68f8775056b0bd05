package handlers

import "html/template"

// The server-rendered pages (the authorization endpoint's, oauth_pages.go, and the password-reset page,
// saasu_reset.go) share one layout and one stylesheet, so that they look like one product. The stylesheet is
// inline: both pages' Content-Security-Policy allow inline styles ('unsafe-inline') and nothing else, so the
// pages need no other request and no route of their own.

// productName heads every page and ends its title.
const productName = "fileapi"

// pageStyle is the stylesheet of every page: a centred card on a grey ground, one column that fits a 320px
// screen. Classes: .alert (an error, role=alert), .notice (a success, role=status), .who (who is signing in),
// .hint (a rule stated under a field), .aside (a link under a form).
const pageStyle = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;padding:0 1rem;background:#f4f5f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{max-width:24rem;margin:3rem auto 1rem;font-size:1.25rem;font-weight:700;letter-spacing:-.01em;color:#1f4fb0}
main{max-width:24rem;margin:0 auto 3rem;padding:2rem;background:#fff;border:1px solid #d9dce3;border-radius:8px;box-shadow:0 1px 2px rgba(29,35,48,.06)}
@media (max-width:30rem){header{margin-top:1.5rem}main{padding:1.5rem 1.25rem}}
h1{margin:0 0 1rem;font-size:1.5rem;line-height:1.25}
p{margin:0 0 1rem}
main>:last-child{margin-bottom:0}
ul{margin:0 0 1rem;padding-left:1.25rem}
a{color:#1f4fb0;text-underline-offset:.15em}
form{margin:0}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;padding:.5rem;font:inherit;color:inherit;background:#fff;border:1px solid #8a90a0;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #2f6fdf;outline-offset:1px}
.hint{margin:.25rem 0 0;color:#4a5160;font-size:.875rem}
button{margin:1.5rem .5rem 0 0;padding:.5rem 1.25rem;font:inherit;border:1px solid #1f4fb0;border-radius:4px;background:#2f6fdf;color:#fff;cursor:pointer}
button#deny{background:#fff;color:#1f4fb0}
.alert,.notice{padding:.5rem .75rem;border-left:4px solid #b3261e;background:#fdecea;overflow-wrap:anywhere}
.notice{border-left-color:#1e7b34;background:#e8f5e9}
.who{color:#4a5160;font-size:.9rem;overflow-wrap:anywhere}
.aside{margin:1.5rem 0 0;padding-top:1rem;border-top:1px solid #e6e8ee;font-size:.9rem}
`

// pageLayout defines the templates every page is built from: "top" and "bottom" around the page's own
// markup (both read .Title only), and "alert", which shows .Message as an error when there is one.
const pageLayout = `
{{define "top"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – ` + productName + `</title>
<style>
` + pageStyle + `</style>
</head>
<body>
<header>` + productName + `</header>
<main>
{{end}}

{{define "bottom"}}</main>
</body>
</html>
{{end}}

{{define "alert"}}{{if .Message}}<p class="alert" role="alert">{{.Message}}</p>
{{end}}{{end}}
`

// newPages parses a set of page templates on top of the shared layout.
func newPages(name, defs string) *template.Template {
	return template.Must(template.Must(template.New(name).Parse(pageLayout)).Parse(defs))
}
