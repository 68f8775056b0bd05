package handlers

import (
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// workspaceProfiles serves GET and PUT /api/workspace/account/profile (workspace.md §5).
type workspaceProfiles struct {
	ws    *workspaceDialect
	store *models.Store
}

// wsProfile is the profile Data of §3, and with its `put` rules the body of PUT (§5): the string fields a PUT
// may send (null leaves a field as it is), in the order problems are reported. An e-mail of "" clears the
// address. A field of the name of a models.Profile field shows it and is written by PUT as sent.
type wsProfile struct {
	UserID    string  `json:"UserId"`
	UserName  string  `json:"UserName" put:"omitnil,nonempty,max=254"`
	Email     *string `json:"Email" put:"omitnil,max=254,email_or_empty"`
	FirstName *string `json:"FirstName" put:"omitnil,max=200"`
	LastName  *string `json:"LastName" put:"omitnil,max=200"`
	UserType  int64   `json:"UserType"`
}

// wsProfilePlan is the plan of wsProfile; PUT reads every field as a string, nil when not sent.
var wsProfilePlan = newProfilePlan[wsProfile](func(string, reflect.Type) reflect.Type { return reflect.TypeFor[*string]() })

// wsSignInNames are the fields that are sign-in names, held by one user each (compared case-insensitively),
// and the store's name of each.
var wsSignInNames = map[string]string{"UserName": "Username", "Email": "Email"}

func profileOf(u models.User) wsProfile {
	p := wsProfile{UserID: itoa(u.ID), UserName: u.Username}
	wsProfilePlan.show(&p, &u)
	return p
}

func (h *workspaceProfiles) get(c *gin.Context, p auth.Principal) error {
	c.Header("ETag", etag(p.User.Version))
	return h.ws.ok(c, profileOf(p.User))
}

// put applies §5: every field checked (one problem per field, in table order), then one shared profile
// change of the fields sent, which decides alone whether anything changed.
func (h *workspaceProfiles) put(c *gin.Context, p auth.Principal) error {
	body, err := h.ws.readBody(c)
	if err != nil {
		return err
	}
	fields := make([]wire.Field, len(wsProfilePlan.writable))
	for i, w := range wsProfilePlan.writable {
		fields[i] = body.Field(w.wire)
	}
	pc, err := h.profileChange(c, p.User, fields)
	if err != nil {
		return err
	}
	u, _, err := h.store.UpdateProfile(c.Request.Context(), p.User.ID, pc, models.ChangeOptions{
		ActorUserID: p.User.ID, Via: p.Via, Match: ifMatch(c.GetHeader("If-Match")), Known: &p.User,
	})
	if e := models.AsError(err); e.Kind == models.KindConflict {
		// Taken since the checks: the store's own check, inside the change, is the one that holds.
		code, msg := wsTaken(e.Field)
		return wsFail(http.StatusBadRequest, code, msg, "Account", signInField(fields, e.Field).Name, wsBusiness)
	} else if err != nil {
		return err
	}
	c.Header("ETag", etag(u.Version))
	return h.ws.ok(c, profileOf(u))
}

// profileChange checks the fields sent (fields[i] is wsProfilePlan.writable[i]) and returns the change they ask
// for, or the 400 of every problem: a rule a field breaks, or a sign-in name another user holds.
func (h *workspaceProfiles) profileChange(c *gin.Context, self models.User, fields []wire.Field) (models.ProfileChange, error) {
	problems := wsProblems{target: "Account"}
	in, _ := wsProfilePlan.newInput()
	passed := problems.check(in, fields...)
	var pc models.ProfileChange
	for i, f := range fields {
		column := wsSignInNames[wsProfilePlan.writable[i].name]
		switch {
		case !passed[i] || !f.Set:
		case column == "Email" && f.Value == "": // clears the address
			pc.Email = models.Null[string]()
		case column != "" && h.taken(c, self, f, column):
			code, msg := wsTaken(column)
			problems.add(code, msg, f, wsBusiness, nil)
		case column == "Username":
			pc.Username = models.To(f.Value)
		default:
			wsProfilePlan.change(&pc, i, models.To(f.Value))
		}
	}
	return pc, problems.err()
}

// signInField is the field of fields that holds the sign-in name column ("Username" or "Email").
func signInField(fields []wire.Field, column string) wire.Field {
	for i, w := range wsProfilePlan.writable {
		if wsSignInNames[w.name] == column {
			return fields[i]
		}
	}
	return wire.Field{}
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
func (h *workspaceProfiles) taken(c *gin.Context, self models.User, f wire.Field, column string) bool {
	if column == "Username" && models.Fold(f.Value) == self.UsernameKey {
		return false
	}
	if column == "Email" && self.EmailKey != nil && models.Fold(f.Value) == *self.EmailKey {
		return false
	}
	taken, err := h.store.Taken(c.Request.Context(), column, f.Value, self.ID)
	return err == nil && taken
}
