package hal

// FileSettings is the settings object nested in a FileIdentitySummary (saasu.md §5.10).
type FileSettings struct {
	_                         struct{} `wire:",bare"`
	SaleAmountsIncludeTax     bool
	PurchaseAmountsIncludeTax bool
	// SaleTradingTerms stands in for Saasu's trading-terms object, which fileapi does not store: keep it nil
	// (JSON null, omitted in XML); a non-nil value is written as a string.
	SaleTradingTerms *string
	// PurchaseTradingTerms stands in for Saasu's trading-terms object, like SaleTradingTerms.
	PurchaseTradingTerms *string
	Links                Links
}

// FileIdentitySummary is one file in the GET /FileIdentities list (saasu.md §5.10).
type FileIdentitySummary struct {
	_                struct{} `wire:",bare"`
	ID               int64    `wire:"Id"`
	Name             *string
	Country          *string
	Zone             *string
	CurrencyCode     *string
	SubscriptionName *string
	FileSettings     FileSettings
	IsTaxRegistered  bool
	Links            Links
}

// FileIdentitySummaryResponse is the answer of GET /FileIdentities (saasu.md §5.10).
type FileIdentitySummaryResponse struct {
	// FileIdentities nil and empty are both written as an empty list.
	FileIdentities []FileIdentitySummary
	Links          Links
}

// FileIdentityDetail is the answer of GET /FileIdentity: the fields fileapi stores, the rest null (saasu.md §5.10).
type FileIdentityDetail struct {
	Name                              *string
	FullLegalName                     *string
	TradingNameOrAlternativeBrandName *string
	BusinessIdentifier                *string
	CompanyIdentifier                 *string
	PrimaryPhone                      *string
	Website                           *string
	Email                             *string
	Street                            *string
	City                              *string
	State                             *string
	PostCode                          *string
	Country                           *string
	Zone                              *string
	CurrencyCode                      *string
	Links                             Links
}
