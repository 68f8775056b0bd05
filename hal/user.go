package hal

import "strconv"

// UserDetail is the authenticated user as GET /User sends it (saasu.md §5.2).
type UserDetail struct {
	ID               int64
	Username         string
	FirstName        *string
	LastName         *string
	MobileNumber     *string
	Is2FAEnabled     bool
	TimezoneID       int64
	DateTimeFormatID int64
	NumberFormatID   int64
	Links            Links
}

// AppendJSON appends u as a JSON object with _links last.
func (u UserDetail) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Id":`...)
	dst = strconv.AppendInt(dst, u.ID, 10)
	dst = append(dst, `,"Username":`...)
	dst = appendJSONString(dst, u.Username)
	dst = append(dst, `,"FirstName":`...)
	dst = appendJSONNullable(dst, u.FirstName)
	dst = append(dst, `,"LastName":`...)
	dst = appendJSONNullable(dst, u.LastName)
	dst = append(dst, `,"MobileNumber":`...)
	dst = appendJSONNullable(dst, u.MobileNumber)
	dst = append(dst, `,"Is2FAEnabled":`...)
	dst = appendBool(dst, u.Is2FAEnabled)
	dst = append(dst, `,"TimezoneId":`...)
	dst = strconv.AppendInt(dst, u.TimezoneID, 10)
	dst = append(dst, `,"DateTimeFormatId":`...)
	dst = strconv.AppendInt(dst, u.DateTimeFormatID, 10)
	dst = append(dst, `,"NumberFormatId":`...)
	dst = strconv.AppendInt(dst, u.NumberFormatID, 10)
	dst = append(dst, `,"_links":`...)
	dst = u.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends u as a <UserDetail> root element with _links first.
func (u UserDetail) AppendXML(dst []byte) []byte {
	dst = append(dst, "<UserDetail"+xmlns+">"...)
	dst = u.Links.AppendXML(dst)
	dst = appendXMLInt(dst, "<Id>", "</Id>", u.ID)
	dst = appendXMLElement(dst, "<Username>", "</Username>", u.Username)
	dst = appendXMLNullable(dst, "<FirstName>", "</FirstName>", u.FirstName)
	dst = appendXMLNullable(dst, "<LastName>", "</LastName>", u.LastName)
	dst = appendXMLNullable(dst, "<MobileNumber>", "</MobileNumber>", u.MobileNumber)
	dst = appendXMLBool(dst, "<Is2FAEnabled>", "</Is2FAEnabled>", u.Is2FAEnabled)
	dst = appendXMLInt(dst, "<TimezoneId>", "</TimezoneId>", u.TimezoneID)
	dst = appendXMLInt(dst, "<DateTimeFormatId>", "</DateTimeFormatId>", u.DateTimeFormatID)
	dst = appendXMLInt(dst, "<NumberFormatId>", "</NumberFormatId>", u.NumberFormatID)
	return append(dst, "</UserDetail>"...)
}

// BaseResponseModel is the answer of the /User operations that change something (saasu.md §5.3).
type BaseResponseModel struct {
	// Root is the XML root element; "" means BaseResponseModel (reset-password uses PasswordResetResponse).
	Root          string
	StatusMessage *string
	Links         Links
}

// AppendJSON appends m as {"StatusMessage","_links"}.
func (m BaseResponseModel) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"StatusMessage":`...)
	dst = appendJSONNullable(dst, m.StatusMessage)
	dst = append(dst, `,"_links":`...)
	dst = m.Links.AppendJSON(dst)
	return append(dst, '}')
}

// AppendXML appends m as a root element named Root with _links first.
func (m BaseResponseModel) AppendXML(dst []byte) []byte {
	root := m.Root
	if root == "" {
		root = "BaseResponseModel"
	}
	dst = append(dst, '<')
	dst = append(dst, root...)
	dst = append(dst, xmlns+">"...)
	dst = m.Links.AppendXML(dst)
	dst = appendXMLNullable(dst, "<StatusMessage>", "</StatusMessage>", m.StatusMessage)
	dst = append(dst, '<', '/')
	dst = append(dst, root...)
	return append(dst, '>')
}

// OptInTo2FAResult answers opt-in-to-2fa; it has no _links (saasu.md §5.5).
type OptInTo2FAResult struct {
	ProviderUserID int64
}

// AppendJSON appends r as {"ProviderUserId"}.
func (r OptInTo2FAResult) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"ProviderUserId":`...)
	dst = strconv.AppendInt(dst, r.ProviderUserID, 10)
	return append(dst, '}')
}

// AppendXML appends r as an <OptInTo2FAResult> root element.
func (r OptInTo2FAResult) AppendXML(dst []byte) []byte {
	dst = append(dst, "<OptInTo2FAResult"+xmlns+">"...)
	dst = appendXMLInt(dst, "<ProviderUserId>", "</ProviderUserId>", r.ProviderUserID)
	return append(dst, "</OptInTo2FAResult>"...)
}
