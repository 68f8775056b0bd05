package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// workspaceProfiles serves GET and PUT /api/workspace/account/profile (workspace.md §5).
type workspaceProfiles struct {
	ws    *workspaceDialect
	store *models.Store
}

// wsProfile is the profile Data of §3.
type wsProfile struct {
	UserID    string  `json:"UserId"`
	UserName  string  `json:"UserName"`
	Email     *string `json:"Email"`
	FirstName *string `json:"FirstName"`
	LastName  *string `json:"LastName"`
	UserType  int64   `json:"UserType"`
}

func profileOf(u models.User) wsProfile {
	return wsProfile{UserID: itoa(u.ID), UserName: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, UserType: u.UserType}
}

func (h *workspaceProfiles) get(c *gin.Context, p auth.Principal) error {
	c.Header("ETag", etag(p.User.Version))
	return h.ws.ok(c, profileOf(p.User))
}

// put applies §5: every field checked (one problem per field, in table order), then one shared profile
// change of the fields sent, which decides alone whether anything changed.
func (h *workspaceProfiles) put(c *gin.Context, p auth.Principal) error {
	ctx := c.Request.Context()
	body, err := h.ws.readBody(c)
	if err != nil {
		return err
	}
	userName, email := body.field("UserName"), body.field("Email")
	problems := wsProblems{target: "Account"}
	passed := problems.check(&wsProfileInput{}, userName, email, body.field("FirstName"), body.field("LastName"))
	var pc models.ProfileChange
	for i, f := range []struct {
		field  wsField
		change *models.Change[string]
		column string // a user name or e-mail held by nobody else, compared case-insensitively
	}{{userName, &pc.Username, "Username"}, {email, &pc.Email, "Email"}, {body.field("FirstName"), &pc.FirstName, ""},
		{body.field("LastName"), &pc.LastName, ""}} {
		switch {
		case !passed[i] || !f.field.set:
		case f.column == "Email" && f.field.value == "": // clears the address
			*f.change = models.Null[string]()
		case f.column != "" && h.taken(c, p.User, f.field, f.column):
			code, msg := wsTaken(f.column)
			problems.add(code, msg, f.field, wsBusiness, nil)
		default:
			*f.change = models.To(f.field.value)
		}
	}
	if err := problems.err(); err != nil {
		return err
	}
	u, _, err := h.store.UpdateProfile(ctx, p.User.ID, pc, models.ChangeOptions{
		ActorUserID: p.User.ID, Via: p.Via, Match: ifMatch(c.GetHeader("If-Match")), Known: &p.User,
	})
	if e := models.AsError(err); e.Kind == models.KindConflict {
		// Taken since the checks above: the store's own check, inside the change, is the one that holds.
		f := userName
		if e.Field == "Email" {
			f = email
		}
		code, msg := wsTaken(e.Field)
		return wsFail(http.StatusBadRequest, code, msg, "Account", f.name, wsBusiness)
	} else if err != nil {
		return err
	}
	c.Header("ETag", etag(u.Version))
	return h.ws.ok(c, profileOf(u))
}

// wsProfileInput is the body of PUT /account/profile (§5) with its rules: the string fields sent (null leaves
// a field as it is), in the order problems are reported. An e-mail of "" clears the address.
type wsProfileInput struct {
	UserName  *string `wire:"UserName" validate:"omitnil,nonempty,max=254"`
	Email     *string `wire:"Email" validate:"omitnil,max=254,email_or_empty"`
	FirstName *string `wire:"FirstName" validate:"omitnil,max=200"`
	LastName  *string `wire:"LastName" validate:"omitnil,max=200"`
}

// wsTaken is the business problem of a user name or e-mail (column "Username" or "Email") held by another user.
func wsTaken(column string) (code, message string) {
	if column == "Email" {
		return "Account.EmailTaken", "The email address is already in use."
	}
	return "Account.UserNameTaken", "The user name is already in use."
}

// taken reports whether another user holds the user name or e-mail f (column "Username" or "Email"),
// compared case-insensitively. A lookup that fails is not "taken": the store checks again in the change.
func (h *workspaceProfiles) taken(c *gin.Context, self models.User, f wsField, column string) bool {
	if column == "Username" && models.Fold(f.value) == self.UsernameKey {
		return false
	}
	if column == "Email" && self.EmailKey != nil && models.Fold(f.value) == *self.EmailKey {
		return false
	}
	taken, err := h.store.Taken(c.Request.Context(), column, f.value, self.ID)
	return err == nil && taken
}
