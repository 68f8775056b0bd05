package auth

import (
	"context"
	"strings"

	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/models"
)

// Answers of the second factor in the password grant (saasu.md §6.7).
var (
	// ErrCodeSent means a code is on its way by SMS and the grant must be repeated with it.
	ErrCodeSent  = &models.Error{Kind: models.KindForbidden, Message: "A verification code has been sent to your mobile."}
	errWrongCode = &models.Error{Kind: models.KindInvalid, Message: "The verification code is incorrect."}
	errOldCode   = &models.Error{Kind: models.KindInvalid, Message: "The verification code has expired."}
)

// SecondFactor completes a password login for a user with two-factor authentication: with no code it sends
// one by SMS (at most once a minute; a retry reuses the pending code) and answers ErrCodeSent; with a code it
// checks it. Users without 2FA pass, whatever code they send.
func (a *Authenticator) SecondFactor(ctx context.Context, u models.User, code string) error {
	if !u.Is2FAEnabled {
		return nil
	}
	if code == "" {
		c := NewOTP()
		_, err := a.Store.IssueOTP(ctx, models.OTPRequest{UserID: u.ID, Purpose: models.PurposeLogin,
			Destination: authwire.E164AU(deref(u.MobileNumber)), Code: c, CodeHash: HashOTP(u.ID, models.PurposeLogin, c)})
		if err != nil {
			return err
		}
		return ErrCodeSent
	}
	res, err := a.Store.CheckOTP(ctx, u.ID, models.PurposeLogin, HashOTP(u.ID, models.PurposeLogin, strings.TrimSpace(code)))
	switch {
	case err != nil:
		return err
	case res == models.OTPValid:
		return nil
	case res == models.OTPWrong:
		return errWrongCode
	}
	return errOldCode
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
