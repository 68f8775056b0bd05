package hal

// UserDetail is the authenticated user as GET /User sends it (saasu.md §5.2).
type UserDetail struct {
	ID               int64 `wire:"Id"`
	Username         string
	FirstName        *string
	LastName         *string
	MobileNumber     *string
	Is2FAEnabled     bool
	TimezoneID       int64 `wire:"TimezoneId"`
	DateTimeFormatID int64 `wire:"DateTimeFormatId"`
	NumberFormatID   int64 `wire:"NumberFormatId"`
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
