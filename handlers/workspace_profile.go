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
	firstName, lastName := body.field("FirstName"), body.field("LastName")
	problems := wsProblems{target: "Account"}
	var pc models.ProfileChange
	if problems.typed(userName) && userName.set {
		if userName.value == "" {
			problems.add("Validation.Required", "UserName is required.", userName, wsValidation, nil)
		} else if problems.maxLength(userName, 254) && h.taken(c, p.User, userName, "Username") {
			problems.add("Account.UserNameTaken", "The user name is already in use.", userName, wsBusiness, nil)
		} else {
			pc.Username = models.To(userName.value)
		}
	}
	if problems.typed(email) && email.set {
		switch {
		case email.value == "":
			pc.Email = models.Null[string]()
		case !problems.maxLength(email, 254):
		case !isAddress(email.value):
			problems.add("Validation.EmailInvalid", "Email must be a valid email address.", email, wsValidation, nil)
		case h.taken(c, p.User, email, "Email"):
			problems.add("Account.EmailTaken", "The email address is already in use.", email, wsBusiness, nil)
		default:
			pc.Email = models.To(email.value)
		}
	}
	for _, f := range []struct {
		field  wsField
		change *models.Change[string]
	}{{firstName, &pc.FirstName}, {lastName, &pc.LastName}} {
		if problems.typed(f.field) && f.field.set && problems.maxLength(f.field, 200) {
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
		if e.Field == "Email" {
			return wsFail(http.StatusBadRequest, "Account.EmailTaken", "The email address is already in use.", "Account", email.name, wsBusiness)
		}
		return wsFail(http.StatusBadRequest, "Account.UserNameTaken", "The user name is already in use.", "Account", userName.name, wsBusiness)
	} else if err != nil {
		return err
	}
	c.Header("ETag", etag(u.Version))
	return h.ws.ok(c, profileOf(u))
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
