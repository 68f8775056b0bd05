package handlers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// workspaceSessions serves sign-in, the session and change-password (workspace.md §6).
type workspaceSessions struct {
	ws      *workspaceDialect
	authn   *auth.Authenticator
	store   *models.Store
	metrics *Metrics
}

// wsSession is the session Data of §6.1, members in the original's order; AccessToken only on sign-in.
type wsSession struct {
	AccessToken      string         `json:"AccessToken,omitempty"`
	UserID           string         `json:"UserId"`
	UserName         string         `json:"UserName"`
	Email            *string        `json:"Email"`
	FirstName        *string        `json:"FirstName"`
	LastName         *string        `json:"LastName"`
	UserType         int64          `json:"UserType"`
	WorkspaceName    *string        `json:"WorkspaceName"`
	Locale           *string        `json:"Locale"`
	TimeZone         *string        `json:"TimeZone"`
	DateTimeFormat   *string        `json:"DateTimeFormat"`
	DateFormat       *string        `json:"DateFormat"`
	TimeFormat       *string        `json:"TimeFormat"`
	RegionCode       *string        `json:"RegionCode"`
	OnboardingStatus int            `json:"OnboardingStatus"`
	Roles            []string       `json:"Roles"`
	Permissions      []string       `json:"Permissions"`
	Modules          map[string]any `json:"Modules"`
}

var (
	wsBadLogin  = wsFail(http.StatusBadRequest, "Auth.InvalidCredentials", "The user name or password is incorrect.", "Auth", "", wsBusiness)
	wsTwoFactor = wsFail(http.StatusBadRequest, "Auth.TwoFactorRequired",
		"This account uses two-factor authentication, which this sign-in does not support.", "Auth", "", wsBusiness)
)

// session builds the session of u. The workspace is the file u belongs to (owner_file_id), else the
// lowest-id file u holds a membership on, else none; Roles is u's access level on it.
func (h *workspaceSessions) session(ctx context.Context, u models.User) (wsSession, error) {
	s := wsSession{UserID: itoa(u.ID), UserName: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		UserType: u.UserType, Locale: u.PreferredLanguage, Roles: []string{}, Permissions: []string{}, Modules: map[string]any{}}
	store := h.store
	var ws *models.File
	if u.OwnerFileID != nil {
		f, err := store.FileByID(ctx, *u.OwnerFileID)
		if err != nil && models.KindOf(err) != models.KindNotFound {
			return s, err
		}
		if err == nil {
			ws = &f
		}
	}
	if ws == nil {
		files, err := store.MemberFiles(ctx, u.ID)
		if err != nil {
			return s, err
		}
		if len(files) > 0 {
			ws = &files[0].File
		}
	}
	if ws == nil {
		return s, nil
	}
	s.WorkspaceName, s.RegionCode = &ws.Slug, &ws.Country
	fa, err := store.FileAccess(ctx, u.ID, ws.ID)
	switch {
	case err == nil:
		s.Roles = []string{fa.AccessLevel}
	case models.KindOf(err) != models.KindUnauthorized:
		return s, err
	}
	return s, nil
}

// wsLoginInput is the body of POST /auth/login (§6.1), with its rules.
type wsLoginInput struct {
	UserNameOrEmail *string `wire:"UserNameOrEmail" validate:"required,nonempty"`
	Password        *string `wire:"Password" validate:"required,nonempty"`
}

// wsPasswordChangeInput is the body of POST /account/change-password (§6.3), with its rules (lengths in
// characters: the password rule of every dialect).
type wsPasswordChangeInput struct {
	CurrentPassword *string `wire:"CurrentPassword" validate:"required,nonempty"`
	NewPassword     *string `wire:"NewPassword" validate:"required,nonempty,max=250,min=6"`
}

// login signs in with a user name or e-mail and a password (§6.1). Failures share the credential limits of
// the Saasu token endpoint, counted under the user's own name whichever of the two was sent, so that
// switching between them buys no extra attempts.
func (h *workspaceSessions) login(c *gin.Context) error {
	ctx := c.Request.Context()
	body, err := h.ws.readBody(c)
	if err != nil {
		return err
	}
	name, password := body.Field("UserNameOrEmail"), body.Field("Password")
	problems := wsProblems{target: "Auth"}
	problems.check(&wsLoginInput{}, name, password)
	if err := problems.err(); err != nil {
		return err
	}
	authn := h.authn
	u, found, err := authn.UserBySignInName(ctx, name.Value)
	if err != nil {
		return err
	}
	key, addr := models.Fold(name.Value), clientAddr(c.Request)
	if found {
		key = u.UsernameKey
	}
	if wait, err := authn.Limits.Check(ctx, key, addr); err != nil {
		return err
	} else if wait > 0 {
		return wsTooMany(seconds(wait))
	}
	if auth.CheckLogin(u, found, password.Value) != nil {
		h.metrics.SignIn("workspace", false)
		if err := authn.Limits.Fail(ctx, key, addr); err != nil {
			return err
		}
		return wsBadLogin
	}
	h.metrics.SignIn("workspace", true)
	if u.Is2FAEnabled {
		// The password was right, but the window is not reset: that would also reset the count of
		// one-time codes tried against this user at the Saasu token endpoint.
		return wsTwoFactor
	}
	if err := authn.Limits.Succeed(ctx, key, addr); err != nil {
		return err
	}
	grant, err := authn.IssueSession(ctx, u)
	if err != nil {
		return err
	}
	h.metrics.TokenIssued("sign_in")
	s, err := h.session(ctx, u)
	if err != nil {
		return err
	}
	s.AccessToken = grant.AccessToken
	return h.ws.ok(c, s)
}

// me answers the caller's session without a token (§6.2).
func (h *workspaceSessions) me(c *gin.Context, p auth.Principal) error {
	s, err := h.session(c.Request.Context(), p.User)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(p.User.Version))
	return h.ws.ok(c, s)
}

// changePassword checks the current password and sets a new one (§6.3): every other token of the user dies,
// the one used for this call (and its refresh token) and the API keys stay.
func (h *workspaceSessions) changePassword(c *gin.Context, p auth.Principal) error {
	ctx := c.Request.Context()
	body, err := h.ws.readBody(c)
	if err != nil {
		return err
	}
	current, next := body.Field("CurrentPassword"), body.Field("NewPassword")
	problems := wsProblems{target: "Account"}
	problems.check(&wsPasswordChangeInput{}, current, next)
	if err := problems.err(); err != nil {
		return err
	}
	authn := h.authn
	key, addr := p.User.UsernameKey, clientAddr(c.Request)
	if wait, err := authn.Limits.Check(ctx, key, addr); err != nil {
		return err
	} else if wait > 0 {
		return wsTooMany(seconds(wait))
	}
	if !auth.CheckPassword(p.User.PasswordHash, current.Value) {
		if err := authn.Limits.Fail(ctx, key, addr); err != nil {
			return err
		}
		return wsFail(http.StatusBadRequest, "Auth.InvalidCredentials", "The current password is incorrect.", "Auth", current.Name, wsBusiness)
	}
	if err := authn.Limits.Succeed(ctx, key, addr); err != nil {
		return err
	}
	hash, err := auth.HashPassword(next.Value)
	if err != nil {
		return err
	}
	if err := h.store.SetPassword(ctx, p.User.ID, hash, p.TokenID); err != nil {
		return err
	}
	return h.ws.ok(c, struct {
		PasswordChanged bool `json:"PasswordChanged"`
	}{true})
}
