package handlers

import (
	"net/http"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/handlers/codec"
	"github.com/fileapi/fileapi/models"
)

// saasuCredentials serves POST /User/change-username and /User/change-password (saasu.md §6.4, §6.5).
type saasuCredentials struct {
	saasu *saasuDialect
	store *models.Store
}

// credentialField reads Username or Password of a UserCredential body; a field that is absent, null, not a
// string or only whitespace reads as "".
func credentialField(b codec.Body, name string) string {
	v, ok := b.Get(name)
	if !ok {
		return ""
	}
	s, null, isStr := v.Str()
	if null || !isStr || strings.TrimFunc(s, unicode.IsSpace) == "" {
		return ""
	}
	return s
}

// done answers a BaseResponseModel with a message and no links.
func (h *saasuCredentials) done(c *gin.Context, msg string) error {
	return h.saasu.render(c, http.StatusOK, hal.BaseResponseModel{StatusMessage: &msg, Links: hal.Links{}})
}

// changeUsername changes the caller's login name: an e-mail address nobody else uses. A real change bumps the
// version, writes a profile event and tells the old address, in one transaction.
func (h *saasuCredentials) changeUsername(c *gin.Context, p auth.Principal) error {
	b, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	name := credentialField(b, "Username")
	switch {
	case name == "":
		return models.Errorf(models.KindInvalid, "Username is required.")
	case utf8.RuneCountInString(name) > 254:
		return models.Errorf(models.KindInvalid, "Username must be at most 254 characters.")
	case !isAddress(name):
		return models.Errorf(models.KindInvalid, "Username must be a valid email address.")
	}
	_, _, err = h.store.UpdateProfile(c.Request.Context(), p.UserID(), models.ProfileChange{Username: models.To(name)},
		models.ChangeOptions{ActorUserID: p.UserID(), Via: p.Via, Notify: func(before models.User) *models.Message {
			to := before.Username
			if !isAddress(to) {
				if before.Email == nil {
					return nil
				}
				to = *before.Email
			}
			return &models.Message{Kind: models.MessageEmail, To: to, Subject: "Your username has been changed",
				Body: "The username of your account has been changed to " + name + ".\n\nIf you did not make this change, contact your administrator at once.\n"}
		}})
	if e := models.AsError(err); e.Kind == models.KindConflict {
		return models.Errorf(models.KindInvalid, "The username is already in use.")
	}
	if err != nil {
		return err
	}
	return h.done(c, "Username has been changed.")
}

// changePassword sets the caller's password and revokes every other token of the user; access keys stay.
func (h *saasuCredentials) changePassword(c *gin.Context, p auth.Principal) error {
	b, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	v, _ := b.Get("Password")
	pw, null, isStr := v.Str()
	switch n := utf8.RuneCountInString(pw); {
	case pw == "" || null || !isStr:
		return models.Errorf(models.KindInvalid, "Password is required.")
	case n < 6 || n > 250:
		return models.Errorf(models.KindInvalid, "Password must be between 6 and 250 characters.")
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := h.store.SetPassword(c.Request.Context(), p.UserID(), hash, p.TokenID); err != nil {
		return err
	}
	return h.done(c, "Password has been changed.")
}

// isAddress: net/mail accepts it and its address is the whole input (no display name, no brackets).
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
