package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/handlers/codec"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// saasu2FA serves the two-factor calls of /User (saasu.md §6.6).
type saasu2FA struct {
	saasu *saasuDialect
	store *models.Store
	creds *saasuCredentials
}

// optIn sends a code to the number to verify; 2FA turns on only when verify-2fa-opt-in gets it back. It is
// allowed while 2FA is on: verifying then re-enrols with the new number.
func (h *saasu2FA) optIn(c *gin.Context, p auth.Principal) error {
	b, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	number := credentialField(b, "MobileNumber")
	switch {
	case number == "":
		return models.Errorf(models.KindInvalid, "MobileNumber is required.")
	case !wire.AUMobile(number):
		return models.Errorf(models.KindInvalid, "MobileNumber must be an Australian mobile number.")
	}
	code := auth.NewOTP()
	if _, err := h.store.IssueOTP(c.Request.Context(), models.OTPRequest{UserID: p.UserID(), Purpose: models.PurposeOptIn,
		Destination: authwire.E164AU(number), Number: number, Code: code, CodeHash: auth.HashOTP(p.UserID(), models.PurposeOptIn, code)}); err != nil {
		return err
	}
	return h.saasu.render(c, http.StatusOK, hal.OptInTo2FAResult{ProviderUserID: p.UserID()})
}

// verify checks the code of the pending opt-in and turns 2FA on with the number as it was sent.
func (h *saasu2FA) verify(c *gin.Context, p auth.Principal) error {
	b, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	v, present := b.Get("ProviderUserId")
	provider, isInt := v.Int(1, models.MaxID)
	otp := credentialField(b, "Otp")
	switch {
	case !present || v.Kind == codec.KindNull:
		return models.Errorf(models.KindInvalid, "ProviderUserId is required.")
	case otp == "":
		return models.Errorf(models.KindInvalid, "Otp is required.")
	}
	ctx := c.Request.Context()
	_, pending, err := h.store.PendingOTP(ctx, p.UserID(), models.PurposeOptIn)
	switch {
	case err != nil:
		return err
	case !isInt || provider != p.UserID() || !pending:
		return models.Errorf(models.KindInvalid, "There is no pending two-factor opt-in.")
	}
	res, number, err := h.store.CheckOptIn(ctx, p.UserID(), auth.HashOTP(p.UserID(), models.PurposeOptIn, strings.TrimSpace(otp)))
	switch {
	case err != nil:
		return err
	case res == models.OTPWrong:
		return models.Errorf(models.KindInvalid, "The verification code is incorrect.")
	case res != models.OTPValid:
		return models.Errorf(models.KindInvalid, "The verification code has expired.")
	}
	if _, _, err := h.store.UpdateProfile(ctx, p.UserID(), models.ProfileChange{TwoFactor: models.To(true), MobileNumber: models.To(number)},
		models.ChangeOptions{ActorUserID: p.UserID(), Via: p.Via}); err != nil {
		return err
	}
	return h.creds.done(c, "Two-factor authentication has been enabled.")
}

// optOut turns 2FA off and keeps the number; already off, it writes nothing. Any body is ignored unread.
func (h *saasu2FA) optOut(c *gin.Context, p auth.Principal) error {
	if _, _, err := h.store.UpdateProfile(c.Request.Context(), p.UserID(), models.ProfileChange{TwoFactor: models.To(false)},
		models.ChangeOptions{ActorUserID: p.UserID(), Via: p.Via}); err != nil {
		return err
	}
	return h.creds.done(c, "Two-factor authentication has been disabled.")
}
