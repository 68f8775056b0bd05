package hal

import "strconv"

// FileSettings is the settings object nested in a FileIdentitySummary (saasu.md §5.10).
type FileSettings struct {
	SaleAmountsIncludeTax     bool
	PurchaseAmountsIncludeTax bool
	// SaleTradingTerms stands in for Saasu's trading-terms object, which fileapi does not store: keep it nil
	// (JSON null, omitted in XML); a non-nil value is written as a string.
	SaleTradingTerms *string
	// PurchaseTradingTerms stands in for Saasu's trading-terms object, like SaleTradingTerms.
	PurchaseTradingTerms *string
	Links                Links
}

// AppendJSON appends s as a JSON object with _links last.
func (s FileSettings) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"SaleAmountsIncludeTax":`...)
	dst = appendBool(dst, s.SaleAmountsIncludeTax)
	dst = append(dst, `,"PurchaseAmountsIncludeTax":`...)
	dst = appendBool(dst, s.PurchaseAmountsIncludeTax)
	dst = append(dst, `,"SaleTradingTerms":`...)
	dst = appendJSONNullable(dst, s.SaleTradingTerms)
	dst = append(dst, `,"PurchaseTradingTerms":`...)
	dst = appendJSONNullable(dst, s.PurchaseTradingTerms)
	dst = append(dst, `,"_links":`...)
	dst = s.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends s as a nested <FileSettings> element, which carries no namespace attributes.
func (s FileSettings) AppendXML(dst []byte) []byte {
	dst = append(dst, "<FileSettings>"...)
	dst = s.Links.AppendXML(dst)
	dst = appendXMLBool(dst, "<SaleAmountsIncludeTax>", "</SaleAmountsIncludeTax>", s.SaleAmountsIncludeTax)
	dst = appendXMLBool(dst, "<PurchaseAmountsIncludeTax>", "</PurchaseAmountsIncludeTax>", s.PurchaseAmountsIncludeTax)
	dst = appendXMLNullable(dst, "<SaleTradingTerms>", "</SaleTradingTerms>", s.SaleTradingTerms)
	dst = appendXMLNullable(dst, "<PurchaseTradingTerms>", "</PurchaseTradingTerms>", s.PurchaseTradingTerms)
	return append(dst, "</FileSettings>"...)
}

// FileIdentitySummary is one file in the GET /FileIdentities list (saasu.md §5.10).
type FileIdentitySummary struct {
	ID               int64
	Name             *string
	Country          *string
	Zone             *string
	CurrencyCode     *string
	SubscriptionName *string
	FileSettings     FileSettings
	IsTaxRegistered  bool
	Links            Links
}

// AppendJSON appends s as a JSON object with _links last.
func (s FileIdentitySummary) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Id":`...)
	dst = strconv.AppendInt(dst, s.ID, 10)
	dst = append(dst, `,"Name":`...)
	dst = appendJSONNullable(dst, s.Name)
	dst = append(dst, `,"Country":`...)
	dst = appendJSONNullable(dst, s.Country)
	dst = append(dst, `,"Zone":`...)
	dst = appendJSONNullable(dst, s.Zone)
	dst = append(dst, `,"CurrencyCode":`...)
	dst = appendJSONNullable(dst, s.CurrencyCode)
	dst = append(dst, `,"SubscriptionName":`...)
	dst = appendJSONNullable(dst, s.SubscriptionName)
	dst = append(dst, `,"FileSettings":`...)
	dst = s.FileSettings.AppendJSON(dst)
	dst = append(dst, `,"IsTaxRegistered":`...)
	dst = appendBool(dst, s.IsTaxRegistered)
	dst = append(dst, `,"_links":`...)
	dst = s.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends s as a nested <FileIdentitySummary> element, which carries no namespace attributes.
func (s FileIdentitySummary) AppendXML(dst []byte) []byte {
	dst = append(dst, "<FileIdentitySummary>"...)
	dst = s.Links.AppendXML(dst)
	dst = appendXMLInt(dst, "<Id>", "</Id>", s.ID)
	dst = appendXMLNullable(dst, "<Name>", "</Name>", s.Name)
	dst = appendXMLNullable(dst, "<Country>", "</Country>", s.Country)
	dst = appendXMLNullable(dst, "<Zone>", "</Zone>", s.Zone)
	dst = appendXMLNullable(dst, "<CurrencyCode>", "</CurrencyCode>", s.CurrencyCode)
	dst = appendXMLNullable(dst, "<SubscriptionName>", "</SubscriptionName>", s.SubscriptionName)
	dst = s.FileSettings.AppendXML(dst)
	dst = appendXMLBool(dst, "<IsTaxRegistered>", "</IsTaxRegistered>", s.IsTaxRegistered)
	return append(dst, "</FileIdentitySummary>"...)
}

// FileIdentitySummaryResponse is the answer of GET /FileIdentities (saasu.md §5.10).
type FileIdentitySummaryResponse struct {
	// FileIdentities nil and empty are both written as an empty list.
	FileIdentities []FileIdentitySummary
	Links          Links
}

// AppendJSON appends r as {"FileIdentities","_links"}.
func (r FileIdentitySummaryResponse) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"FileIdentities":[`...)
	for i := range r.FileIdentities {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.FileIdentities[i].AppendJSON(dst)
	}
	dst = append(dst, `],"_links":`...)
	dst = r.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends r as a <FileIdentitySummaryResponse> root element with _links first.
func (r FileIdentitySummaryResponse) AppendXML(dst []byte) []byte {
	dst = append(dst, "<FileIdentitySummaryResponse"+xmlns+">"...)
	dst = r.Links.AppendXML(dst)
	if len(r.FileIdentities) == 0 {
		dst = append(dst, "<FileIdentities />"...)
	} else {
		dst = append(dst, "<FileIdentities>"...)
		for i := range r.FileIdentities {
			dst = r.FileIdentities[i].AppendXML(dst)
		}
		dst = append(dst, "</FileIdentities>"...)
	}
	return append(dst, "</FileIdentitySummaryResponse>"...)
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

// AppendJSON appends d as a JSON object with _links last.
func (d FileIdentityDetail) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Name":`...)
	dst = appendJSONNullable(dst, d.Name)
	dst = append(dst, `,"FullLegalName":`...)
	dst = appendJSONNullable(dst, d.FullLegalName)
	dst = append(dst, `,"TradingNameOrAlternativeBrandName":`...)
	dst = appendJSONNullable(dst, d.TradingNameOrAlternativeBrandName)
	dst = append(dst, `,"BusinessIdentifier":`...)
	dst = appendJSONNullable(dst, d.BusinessIdentifier)
	dst = append(dst, `,"CompanyIdentifier":`...)
	dst = appendJSONNullable(dst, d.CompanyIdentifier)
	dst = append(dst, `,"PrimaryPhone":`...)
	dst = appendJSONNullable(dst, d.PrimaryPhone)
	dst = append(dst, `,"Website":`...)
	dst = appendJSONNullable(dst, d.Website)
	dst = append(dst, `,"Email":`...)
	dst = appendJSONNullable(dst, d.Email)
	dst = append(dst, `,"Street":`...)
	dst = appendJSONNullable(dst, d.Street)
	dst = append(dst, `,"City":`...)
	dst = appendJSONNullable(dst, d.City)
	dst = append(dst, `,"State":`...)
	dst = appendJSONNullable(dst, d.State)
	dst = append(dst, `,"PostCode":`...)
	dst = appendJSONNullable(dst, d.PostCode)
	dst = append(dst, `,"Country":`...)
	dst = appendJSONNullable(dst, d.Country)
	dst = append(dst, `,"Zone":`...)
	dst = appendJSONNullable(dst, d.Zone)
	dst = append(dst, `,"CurrencyCode":`...)
	dst = appendJSONNullable(dst, d.CurrencyCode)
	dst = append(dst, `,"_links":`...)
	dst = d.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends d as a <FileIdentityDetail> root element with _links first and null fields omitted.
func (d FileIdentityDetail) AppendXML(dst []byte) []byte {
	dst = append(dst, "<FileIdentityDetail"+xmlns+">"...)
	dst = d.Links.AppendXML(dst)
	dst = appendXMLNullable(dst, "<Name>", "</Name>", d.Name)
	dst = appendXMLNullable(dst, "<FullLegalName>", "</FullLegalName>", d.FullLegalName)
	dst = appendXMLNullable(dst, "<TradingNameOrAlternativeBrandName>", "</TradingNameOrAlternativeBrandName>", d.TradingNameOrAlternativeBrandName)
	dst = appendXMLNullable(dst, "<BusinessIdentifier>", "</BusinessIdentifier>", d.BusinessIdentifier)
	dst = appendXMLNullable(dst, "<CompanyIdentifier>", "</CompanyIdentifier>", d.CompanyIdentifier)
	dst = appendXMLNullable(dst, "<PrimaryPhone>", "</PrimaryPhone>", d.PrimaryPhone)
	dst = appendXMLNullable(dst, "<Website>", "</Website>", d.Website)
	dst = appendXMLNullable(dst, "<Email>", "</Email>", d.Email)
	dst = appendXMLNullable(dst, "<Street>", "</Street>", d.Street)
	dst = appendXMLNullable(dst, "<City>", "</City>", d.City)
	dst = appendXMLNullable(dst, "<State>", "</State>", d.State)
	dst = appendXMLNullable(dst, "<PostCode>", "</PostCode>", d.PostCode)
	dst = appendXMLNullable(dst, "<Country>", "</Country>", d.Country)
	dst = appendXMLNullable(dst, "<Zone>", "</Zone>", d.Zone)
	dst = appendXMLNullable(dst, "<CurrencyCode>", "</CurrencyCode>", d.CurrencyCode)
	return append(dst, "</FileIdentityDetail>"...)
}
