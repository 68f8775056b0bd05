package handlers

import (
	"math"
	"net/http"
	"reflect"
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
	var ud hal.UserDetail
	userDetailPlan.show(&ud, &p.User)
	ud.Links = h.self(c, p)
	return ud
}

// userDetailPlan is the plan of UserDetail. A field PUT /User writes is read as a models.Change of its value's
// type: a field not sent is not Set and keeps what is stored; null sets NULL (FirstName's rule requires it).
var userDetailPlan = newProfilePlan[hal.UserDetail](func(name string, t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return changeString
	case reflect.Int64:
		return changeInt64
	}
	panic("handlers: UserDetail." + name + ": PUT /User reads strings and whole numbers only")
})

// changeString and changeInt64 are the types PUT /User reads a field as.
var changeString, changeInt64 = reflect.TypeFor[models.Change[string]](), reflect.TypeFor[models.Change[int64]]()

// userDetailFields are the wire names of the fields PUT /User writes.
var userDetailFields = userDetailPlan.wireNames()

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
// are reported together, at most one per field, in the order of the spec's message list (UserDetail's fields).
func userDetailChange(b codec.Body) (models.ProfileChange, error) {
	// In XML a known field holding child elements is a body error, not a field error (saasu.md §4.2).
	if err := b.Check(userDetailFields...); err != nil {
		return models.ProfileChange{}, err
	}
	var pc models.ProfileChange
	in, fields := userDetailPlan.newInput()
	decoded := map[string]string{}
	for i, f := range userDetailPlan.writable {
		v, ok := b.Get(f.wire)
		if !ok {
			continue
		}
		var ch any
		switch fields.Field(i).Type() {
		case changeString:
			s, null, isStr := v.Str()
			switch {
			case !isStr:
				decoded[f.wire] = f.wire + " must be a string."
				continue
			case null:
				ch = models.Null[string]()
			default:
				ch = models.To(s)
			}
		case changeInt64:
			n, ok := v.Int(math.MinInt64, math.MaxInt64)
			if !ok {
				n = -1 // not a whole number: the range rule refuses it with the message the spec gives for both
			}
			ch = models.To(n)
		}
		fields.Field(i).Set(reflect.ValueOf(ch))
		userDetailPlan.change(&pc, i, ch)
	}
	if p := problems(in, decoded, saasuRuleMessages); len(p) > 0 {
		return models.ProfileChange{}, &models.Error{Kind: models.KindInvalid, Message: strings.Join(p, " ")}
	}
	return pc, nil
}
