package handlers

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/handlers/codec"
	"github.com/fileapi/fileapi/models"
)

// saasuUsers serves GET and PUT /User: the authenticated user's own details.
type saasuUsers struct {
	saasu *saasuDialect
	store *models.Store
	links linker
}

// get answers the UserDetail of the caller, the same for every file the caller can reach.
func (h *saasuUsers) get(c *gin.Context, p auth.Principal) error {
	c.Header("ETag", etag(p.User.Version))
	ud := h.userDetail(c, p)
	return h.saasu.render(c, http.StatusOK, &ud)
}

// put changes the caller's details: partial bodies keep what they omit, read-only fields are ignored.
func (h *saasuUsers) put(c *gin.Context, p auth.Principal) error {
	body, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	change, err := userDetailChange(body)
	if err != nil {
		return err
	}
	u, _, err := h.store.UpdateProfile(c.Request.Context(), p.UserID(), change, models.ChangeOptions{
		ActorUserID: p.UserID(), Via: p.Via, Match: ifMatch(c.GetHeader("If-Match")), Known: &p.User,
	})
	if err != nil {
		return err
	}
	c.Header("ETag", etag(u.Version))
	msg := "User details have been updated."
	return h.saasu.render(c, http.StatusOK, &hal.BaseResponseModel{StatusMessage: &msg, Links: h.self(c, p)})
}

func (h *saasuUsers) self(c *gin.Context, p auth.Principal) hal.Links {
	return hal.Links{{Rel: "self", Href: h.links.base(c.Request) + "/User?FileId=" + strconv.FormatInt(p.FileID, 10), Method: "GET"}}
}

// userDetail is the wire form of the caller (saasu.md §5.2); NULL numbers read as 0.
func (h *saasuUsers) userDetail(c *gin.Context, p auth.Principal) hal.UserDetail {
	u := p.User
	return hal.UserDetail{
		ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, MobileNumber: u.MobileNumber,
		Is2FAEnabled: u.Is2FAEnabled, TimezoneID: orZero(u.TimezoneID), DateTimeFormatID: orZero(u.DateTimeFormatID),
		NumberFormatID: orZero(u.NumberFormatID), Links: h.self(c, p),
	}
}

func orZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// userDetailInput is the part of a UserDetail that PUT /User changes (saasu.md §6.2), with its rules. A field
// not sent is not Set and keeps what is stored; null sets NULL, except for FirstName, which is required.
type userDetailInput struct {
	FirstName        models.Change[string] `wire:"FirstName" validate:"required,notblank,max=200"`
	LastName         models.Change[string] `wire:"LastName" validate:"omitempty,max=200"`
	MobileNumber     models.Change[string] `wire:"MobileNumber" validate:"omitempty,phone"`
	TimezoneID       models.Change[int64]  `wire:"TimezoneId" validate:"omitempty,upto=2147483647"`
	DateTimeFormatID models.Change[int64]  `wire:"DateTimeFormatId" validate:"omitempty,upto=255"`
	NumberFormatID   models.Change[int64]  `wire:"NumberFormatId" validate:"omitempty,upto=255"`
}

// saasuRuleMessages are the Saasu messages of the failed rules (saasu.md §6.2).
var saasuRuleMessages = ruleMessages{
	"required": func(fe validator.FieldError) string { return fe.Field() + " is required." },
	"notblank": func(fe validator.FieldError) string { return fe.Field() + " is required." },
	"max": func(fe validator.FieldError) string {
		return fe.Field() + " must be at most " + fe.Param() + " characters."
	},
	"phone": func(fe validator.FieldError) string {
		return fe.Field() + " must be at most 20 characters of digits, spaces and + - ( )."
	},
	"upto": func(fe validator.FieldError) string {
		return fe.Field() + " must be a whole number from 0 to " + fe.Param() + "."
	},
}

// userDetailChange applies the PUT /User field rules (saasu.md §6.2) to a decoded body. All field problems
// are reported together, at most one per field, in the order of the spec's message list (the input's fields).
func userDetailChange(b codec.Body) (models.ProfileChange, error) {
	// In XML a known field holding child elements is a body error, not a field error (saasu.md §4.2).
	if err := b.Check("FirstName", "LastName", "MobileNumber", "TimezoneId", "DateTimeFormatId", "NumberFormatId"); err != nil {
		return models.ProfileChange{}, err
	}
	var in userDetailInput
	decoded := map[string]string{}
	for _, f := range []struct {
		name string
		to   *models.Change[string]
	}{{"FirstName", &in.FirstName}, {"LastName", &in.LastName}, {"MobileNumber", &in.MobileNumber}} {
		if v, ok := b.Get(f.name); ok {
			if s, null, isStr := v.Str(); !isStr {
				decoded[f.name] = f.name + " must be a string."
			} else if null {
				*f.to = models.Null[string]()
			} else {
				*f.to = models.To(s)
			}
		}
	}
	for _, f := range []struct {
		name string
		to   *models.Change[int64]
	}{{"TimezoneId", &in.TimezoneID}, {"DateTimeFormatId", &in.DateTimeFormatID}, {"NumberFormatId", &in.NumberFormatID}} {
		if v, ok := b.Get(f.name); ok {
			n, ok := v.Int(math.MinInt64, math.MaxInt64)
			if !ok {
				n = -1 // not a whole number: the range rule refuses it with the message the spec gives for both
			}
			*f.to = models.To(n)
		}
	}
	if p := problems(&in, decoded, saasuRuleMessages); len(p) > 0 {
		return models.ProfileChange{}, &models.Error{Kind: models.KindInvalid, Message: strings.Join(p, " ")}
	}
	return models.ProfileChange{FirstName: in.FirstName, LastName: in.LastName, MobileNumber: in.MobileNumber,
		TimezoneID: in.TimezoneID, DateTimeFormatID: in.DateTimeFormatID, NumberFormatID: in.NumberFormatID}, nil
}
