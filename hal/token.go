package hal

import "strconv"

// OAuthAccessTokenGrant is the success answer of the token endpoints; it has no _links (saasu.md §5.7).
type OAuthAccessTokenGrant struct {
	AccessToken string
	TokenType   string
	ExpiresIn   int64
	// RefreshToken nil is written as JSON null and omitted in XML.
	RefreshToken *string
	Scope        string
}

// AppendJSON appends g with the snake_case names of OAuth 2.0.
func (g OAuthAccessTokenGrant) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"access_token":`...)
	dst = appendJSONString(dst, g.AccessToken)
	dst = append(dst, `,"token_type":`...)
	dst = appendJSONString(dst, g.TokenType)
	dst = append(dst, `,"expires_in":`...)
	dst = strconv.AppendInt(dst, g.ExpiresIn, 10)
	dst = append(dst, `,"refresh_token":`...)
	dst = appendJSONNullable(dst, g.RefreshToken)
	dst = append(dst, `,"scope":`...)
	dst = appendJSONString(dst, g.Scope)
	return append(dst, '}')
}

// AppendXML appends g as an <OAuthAccessTokenGrant> root element.
func (g OAuthAccessTokenGrant) AppendXML(dst []byte) []byte {
	dst = append(dst, "<OAuthAccessTokenGrant"+xmlns+">"...)
	dst = appendXMLElement(dst, "<access_token>", "</access_token>", g.AccessToken)
	dst = appendXMLElement(dst, "<token_type>", "</token_type>", g.TokenType)
	dst = appendXMLInt(dst, "<expires_in>", "</expires_in>", g.ExpiresIn)
	dst = appendXMLNullable(dst, "<refresh_token>", "</refresh_token>", g.RefreshToken)
	dst = appendXMLElement(dst, "<scope>", "</scope>", g.Scope)
	return append(dst, "</OAuthAccessTokenGrant>"...)
}

// OAuthGrantRequestError is the error answer of the token endpoints (saasu.md §5.8, §6.7).
type OAuthGrantRequestError struct {
	Error            string
	ErrorDescription string
}

// AppendJSON appends e as {"error","error_description"}.
func (e OAuthGrantRequestError) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"error":`...)
	dst = appendJSONString(dst, e.Error)
	dst = append(dst, `,"error_description":`...)
	dst = appendJSONString(dst, e.ErrorDescription)
	return append(dst, '}')
}

// AppendXML appends e as an <OAuthGrantRequestError> root element.
func (e OAuthGrantRequestError) AppendXML(dst []byte) []byte {
	dst = append(dst, "<OAuthGrantRequestError"+xmlns+">"...)
	dst = appendXMLElement(dst, "<error>", "</error>", e.Error)
	dst = appendXMLElement(dst, "<error_description>", "</error_description>", e.ErrorDescription)
	return append(dst, "</OAuthGrantRequestError>"...)
}
