package hal

// OAuthAccessTokenGrant is the success answer of the token endpoints, with the snake_case names of OAuth 2.0;
// it has no _links (saasu.md §5.7).
type OAuthAccessTokenGrant struct {
	AccessToken string `wire:"access_token"`
	TokenType   string `wire:"token_type"`
	ExpiresIn   int64  `wire:"expires_in"`
	// RefreshToken nil is written as JSON null and omitted in XML.
	RefreshToken *string `wire:"refresh_token"`
	Scope        string  `wire:"scope"`
}

// OAuthGrantRequestError is the error answer of the token endpoints (saasu.md §5.8, §6.7).
type OAuthGrantRequestError struct {
	Error            string `wire:"error"`
	ErrorDescription string `wire:"error_description"`
}
