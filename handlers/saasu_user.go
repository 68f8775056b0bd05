package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

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
	return h.saasu.render(c, http.StatusOK, h.userDetail(c, p))
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
	return h.saasu.render(c, http.StatusOK, hal.BaseResponseModel{StatusMessage: &msg, Links: h.self(c, p)})
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

// userDetailChange applies the PUT /User field rules (saasu.md §6.2) to a decoded body. All field problems
// are reported together, at most one per field, in the order of the spec's message list.
func userDetailChange(b codec.Body) (models.ProfileChange, error) {
	var pc models.ProfileChange
	var problems []string
	// In XML a known field holding child elements is a body error, not a field error (saasu.md §4.2).
	if err := b.Check("FirstName", "LastName", "MobileNumber", "TimezoneId", "DateTimeFormatId", "NumberFormatId"); err != nil {
		return pc, err
	}

	v, ok := b.Get("FirstName")
	if !ok {
		problems = append(problems, "FirstName is required.")
	} else if s, null, isStr := v.Str(); !isStr {
		problems = append(problems, "FirstName must be a string.")
	} else if null || strings.TrimFunc(s, unicode.IsSpace) == "" {
		problems = append(problems, "FirstName is required.")
	} else if utf8.RuneCountInString(s) > 200 {
		problems = append(problems, "FirstName must be at most 200 characters.")
	} else {
		pc.FirstName = models.To(s)
	}

	if v, ok := b.Get("LastName"); ok {
		if s, null, isStr := v.Str(); !isStr {
			problems = append(problems, "LastName must be a string.")
		} else if null {
			pc.LastName = models.Null[string]()
		} else if utf8.RuneCountInString(s) > 200 {
			problems = append(problems, "LastName must be at most 200 characters.")
		} else {
			pc.LastName = models.To(s)
		}
	}

	if v, ok := b.Get("MobileNumber"); ok {
		if s, null, isStr := v.Str(); !isStr {
			problems = append(problems, "MobileNumber must be a string.")
		} else if null {
			pc.MobileNumber = models.Null[string]()
		} else if !phoneLike(s) {
			problems = append(problems, "MobileNumber must be at most 20 characters of digits, spaces and + - ( ).")
		} else {
			pc.MobileNumber = models.To(s)
		}
	}

	for _, f := range []struct {
		name string
		max  int64
		to   *models.Change[int64]
	}{
		{"TimezoneId", 1<<31 - 1, &pc.TimezoneID},
		{"DateTimeFormatId", 255, &pc.DateTimeFormatID},
		{"NumberFormatId", 255, &pc.NumberFormatID},
	} {
		if v, ok := b.Get(f.name); ok {
			if n, ok := v.Int(0, f.max); ok {
				*f.to = models.To(n)
			} else {
				problems = append(problems, f.name+" must be a whole number from 0 to "+strconv.FormatInt(f.max, 10)+".")
			}
		}
	}
	if len(problems) > 0 {
		return pc, &models.Error{Kind: models.KindInvalid, Message: strings.Join(problems, " ")}
	}
	return pc, nil
}

// phoneLike: at most 20 characters, each a digit, a space or one of + - ( ).
func phoneLike(s string) bool {
	if len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c == ' ', c == '+', c == '-', c == '(', c == ')':
		default:
			return false
		}
	}
	return true
}
