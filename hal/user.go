package hal

// UserDetail is the authenticated user as GET /User sends it (saasu.md §5.2) and PUT /User reads it (§6.2). A
// field with a `put` tag is one PUT /User writes, under the rule the tag gives (validator syntax, the handlers'
// rules); the others are read-only and ignored in a body.
type UserDetail struct {
	ID               int64 `wire:"Id"`
	Username         string
	FirstName        *string `put:"required,notblank,max=200"`
	LastName         *string `put:"omitempty,max=200"`
	MobileNumber     *string `put:"omitempty,phone"`
	Is2FAEnabled     bool
	TimezoneID       int64 `wire:"TimezoneId" put:"omitempty,upto=2147483647"`
	DateTimeFormatID int64 `wire:"DateTimeFormatId" put:"omitempty,upto=255"`
	NumberFormatID   int64 `wire:"NumberFormatId" put:"omitempty,upto=255"`
	Links            Links
}

// BaseResponseModel is the answer of the /User operations that change something (saasu.md §5.3).
type BaseResponseModel struct {
	// Root is the XML root element; "" means BaseResponseModel (reset-password uses PasswordResetResponse).
	Root          string `wire:",root"`
	StatusMessage *string
	Links         Links
}

// OptInTo2FAResult answers opt-in-to-2fa; it has no _links (saasu.md §5.5).
type OptInTo2FAResult struct {
	ProviderUserID int64 `wire:"ProviderUserId"`
}
