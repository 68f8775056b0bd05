package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"golang.org/x/text/language"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// zitadelDialect serves the ZITADEL v1 REST profile routes (zitadel.md): one handle adapter, one fail table.
type zitadelDialect struct {
	log *slog.Logger
}

// zitadelHandler is a ZITADEL route: it returns an error instead of writing one.
type zitadelHandler func(c *gin.Context) error

// zitadelStatus is a google.rpc.Status answer; id is set for ZITADEL's own errors, which carry one detail.
type zitadelStatus struct {
	http int
	code int
	text string
	id   string
}

func (e *zitadelStatus) Error() string { return e.message() }

func (e *zitadelStatus) message() string {
	if e.id == "" {
		return e.text
	}
	return e.text + " (" + e.id + ")"
}

// The fixed answers of zitadel.md §7.
var (
	zNotFound     = &zitadelStatus{http: 404, code: 5, text: "Not Found"}
	zNoMethod     = &zitadelStatus{http: 405, code: 12, text: "Method Not Allowed"}
	zTooLarge     = &zitadelStatus{http: 413, code: 8, text: "Request Entity Too Large"}
	zNoAuth       = &zitadelStatus{http: 401, code: 16, text: "auth header missing"}
	zBadAuth      = &zitadelStatus{http: 401, code: 16, text: "invalid auth header", id: "AUTH-toLo1"}
	zBadToken     = &zitadelStatus{http: 401, code: 16, text: "Errors.Token.Invalid", id: "AUTH-7fs1e"}
	zNoOrg        = &zitadelStatus{http: 403, code: 7, text: "Organisation doesn't exist", id: "AUTH-Bs7Ds"}
	zNoMembership = &zitadelStatus{http: 404, code: 5, text: "membership not found", id: "AUTHZ-cdgFk"}
	zNoPermission = &zitadelStatus{http: 403, code: 7, text: "No matching permissions found", id: "AUTH-5mWD2"}
	zNoProfile    = &zitadelStatus{http: 400, code: 9, text: "Profile not found", id: "COMMAND-3M9sd"}
	zPrecondition = &zitadelStatus{http: 412, code: 9, text: "Precondition Failed"}
	zUnchanged    = &zitadelStatus{http: 400, code: 9, text: "Profile not changed", id: "COMMAND-2M0fs"}
	zNoUser       = &zitadelStatus{http: 404, code: 5, text: "User could not be found", id: "QUERY-HNhb3"}
	zNotPersonal  = &zitadelStatus{http: 400, code: 9, text: "The User must be personal", id: "QUERY-WLTce"}
	zInternal     = &zitadelStatus{http: 500, code: 13, text: "An internal error occurred"}
	zUnavailable  = &zitadelStatus{http: 503, code: 14, text: "Service Unavailable"}
)

// invalidArgument is a code 3 status: decoding and validation failures.
func invalidArgument(msg string) error { return &zitadelStatus{http: 400, code: 3, text: msg} }

// handle adapts a zitadelHandler to gin, writing the dialect's error body for any error it returns.
func (d *zitadelDialect) handle(h zitadelHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil && !disconnected(d.log, c) {
			d.fail(c, err)
		}
	}
}

// render writes v as compact JSON with the headers of every ZITADEL answer (§8).
func (d *zitadelDialect) render(c *gin.Context, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Data(status, "application/json", bytes.TrimRight(buf.Bytes(), "\n"))
	return nil
}

type zitadelDetail struct {
	Type    string `json:"@type"`
	ID      string `json:"id"`
	Message string `json:"message"`
}

type zitadelStatusBody struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Details []zitadelDetail `json:"details,omitempty"`
}

// fail writes the ZITADEL answer for err: the one table from error to status and body. Anything that is
// neither a zitadelStatus nor a known models kind is internal: logged, answered generically.
func (d *zitadelDialect) fail(c *gin.Context, err error) {
	var zs *zitadelStatus
	if !errors.As(err, &zs) {
		switch models.KindOf(err) {
		case models.KindPrecondition:
			zs = zPrecondition
		case models.KindUnavailable:
			logUnexpected(d.log, c, err)
			c.Header("Retry-After", "5")
			zs = zUnavailable
		default:
			logUnexpected(d.log, c, err)
			zs = zInternal
		}
	}
	body := zitadelStatusBody{Code: zs.code, Message: zs.message()}
	if zs.id != "" {
		body.Details = []zitadelDetail{{Type: "type.googleapis.com/zitadel.v1.ErrorDetail", ID: zs.id, Message: zs.text}}
	}
	if zs.http == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", body.Message)
	}
	if zs.http == http.StatusMethodNotAllowed {
		c.Header("Allow", "GET, PUT")
	}
	_ = d.render(c, zs.http, body)
}

func (d *zitadelDialect) noRoute(c *gin.Context) error  { return zNotFound }
func (d *zitadelDialect) noMethod(c *gin.Context) error { return zNoMethod }

// zitadelDenials answers each failed check of §2 (auth.Authenticator.Zitadel decides which).
var zitadelDenials = map[auth.ZitadelDenial]*zitadelStatus{
	auth.ZitadelNoAuth: zNoAuth, auth.ZitadelBadAuth: zBadAuth, auth.ZitadelBadToken: zBadToken,
	auth.ZitadelNoOrg: zNoOrg, auth.ZitadelNoMembership: zNoMembership, auth.ZitadelNoPermission: zNoPermission,
}

// authorise runs steps 3 to 7 of §2. perm is "" on auth routes, else the permission the route needs. The
// principal's FileID is the org the call acts in (0 on auth routes).
func (h *zitadelProfiles) authorise(c *gin.Context, perm string) (auth.Principal, error) {
	p, err := h.authn.Zitadel(c.Request.Context(), c.GetHeader("Authorization"), c.GetHeader("X-Zitadel-Orgid"), perm)
	var denial auth.ZitadelDenial
	if errors.As(err, &denial) {
		return p, zitadelDenials[denial]
	}
	return p, err
}

// target finds the user a call acts on (§5): the caller on auth routes, else {userId} within the org.
// missing answers a user who does not exist or lives elsewhere; machine answers a non-human one.
func (h *zitadelProfiles) target(c *gin.Context, call auth.Principal, userID string, missing, machine error) (models.User, error) {
	u := call.User
	if call.FileID != 0 {
		// A user id is users.id as a decimal string, compared as a string (as ZITADEL's ids are): "050" and
		// "+50" name no user.
		id, err := strconv.ParseInt(userID, 10, 64)
		if err != nil || id < 1 || id > models.MaxID || itoa(id) != userID {
			return u, missing
		}
		if u, err = h.store.UserByID(c.Request.Context(), id); models.KindOf(err) == models.KindNotFound {
			return u, missing
		} else if err != nil {
			return u, err
		}
		if u.OwnerFileID == nil || *u.OwnerFileID != call.FileID {
			return u, missing
		}
	}
	if u.UserType != models.UserHuman {
		return u, machine
	}
	return u, nil
}

// zitadelProfiles serves GET and PUT of /auth/v1/users/me/profile and /management/v1/users/{userId}/profile.
type zitadelProfiles struct {
	z     *zitadelDialect
	authn *auth.Authenticator
	store *models.Store
}

// getMine and getHuman answer GetMyProfile and GetHumanProfile.
func (h *zitadelProfiles) getMine(c *gin.Context) error  { return h.get(c, false) }
func (h *zitadelProfiles) getHuman(c *gin.Context) error { return h.get(c, true) }

// putMine and putHuman answer UpdateMyProfile and UpdateHumanProfile.
func (h *zitadelProfiles) putMine(c *gin.Context) error  { return h.put(c, false) }
func (h *zitadelProfiles) putHuman(c *gin.Context) error { return h.put(c, true) }

func (h *zitadelProfiles) get(c *gin.Context, mgmt bool) error {
	if mgmt && c.Param("userId") == "" {
		return zNotFound // users//profile: an empty path segment names no route
	}
	perm := ""
	if mgmt {
		perm = auth.PermUserRead
	}
	call, err := h.authorise(c, perm)
	if err != nil {
		return err
	}
	userID := c.Param("userId")
	if mgmt && utf8.RuneCountInString(userID) > 200 {
		return invalidArgument("invalid GetHumanProfileRequest.UserId: value length must be between 1 and 200 runes, inclusive")
	}
	u, err := h.target(c, call, userID, zNoUser, zNotPersonal)
	if err != nil {
		return err
	}
	c.Header("ETag", etag(u.Version))
	return h.z.render(c, http.StatusOK, zitadelProfileResponse{
		Details: zitadelDetails{Sequence: itoa(u.Version), CreationDate: zitadelTime(u.CreatedAt),
			ChangeDate: zitadelTime(u.ChangedAt), ResourceOwner: resourceOwner(u)},
		Profile: showZitadelProfile(u),
	})
}

func (h *zitadelProfiles) put(c *gin.Context, mgmt bool) error {
	if mgmt && c.Param("userId") == "" {
		return zNotFound // users//profile: an empty path segment names no route
	}
	raw, tooLarge, err := readBody(c.Request)
	switch {
	case tooLarge:
		return zTooLarge
	case err != nil:
		return invalidArgument(err.Error())
	}
	body, err := wire.DecodeZitadelProfile(raw, mgmt)
	if err != nil {
		return invalidArgument(err.Error())
	}
	perm, prefix := "", "invalid UpdateMyProfileRequest."
	if mgmt {
		perm, prefix = auth.PermUserWrite, "invalid UpdateHumanProfileRequest."
		body.UserID = c.Param("userId")
	}
	call, err := h.authorise(c, perm)
	if err != nil {
		return err
	}
	if err := validateZitadelProfile(body, mgmt, prefix); err != nil {
		return err
	}
	target, err := h.target(c, call, body.UserID, zNoProfile, zNoProfile)
	if err != nil {
		return err
	}
	u, changed, err := h.store.UpdateProfile(c.Request.Context(), target.ID, profileChange(target, body), models.ChangeOptions{
		ActorUserID: call.User.ID, Via: "zitadel/bearer", Match: ifMatch(c.GetHeader("If-Match")), Known: &target,
	})
	switch {
	case models.KindOf(err) == models.KindNotFound:
		return zNoProfile
	case err != nil:
		return err
	case !changed:
		return zUnchanged
	}
	c.Header("ETag", etag(u.Version))
	return h.z.render(c, http.StatusOK, zitadelProfileResponse{Details: zitadelDetails{Sequence: itoa(u.Version),
		ChangeDate: zitadelTime(u.ChangedAt), ResourceOwner: resourceOwner(u)}})
}

// zitadelRuleMessages are protoc-gen-validate's messages for the failed rules (§4), after "FIELD".
var zitadelRuleMessages = ruleMessages{
	"runes": func(fe validator.FieldError) string {
		lo, hi := ruleParam(fe.Param(), 0), ruleParam(fe.Param(), 1)
		if lo == 0 {
			return ": value length must be at most " + itoa(hi) + " runes"
		}
		return ": value length must be between " + itoa(lo) + " and " + itoa(hi) + " runes, inclusive"
	},
}

// validateZitadelProfile applies §4: the first failure in proto field order (the body's fields), lengths in
// runes. UserId is checked on the management API only.
func validateZitadelProfile(b wire.ZitadelProfile, mgmt bool, prefix string) error {
	var except []string
	if !mgmt {
		except = []string{"UserID"}
	}
	if failed := failedRules(&b, except...); len(failed) > 0 {
		return invalidArgument(prefix + failed[0].Field() + zitadelRuleMessages.message(failed[0]))
	}
	return nil
}

// profileChange is the full replacement of §5, as the fields whose normalised value differs from the stored
// one: so a NULL stored where "" is sent counts as no change.
func profileChange(u models.User, b wire.ZitadelProfile) models.ProfileChange {
	var pc models.ProfileChange
	var stored wire.ZitadelProfile
	zitadelPlan.show(&stored, &u)
	sent, was, pcv := reflect.ValueOf(b), reflect.ValueOf(stored), reflect.ValueOf(&pc).Elem()
	for _, c := range zitadelPlan.copies {
		v := sent.FieldByIndex(c.index)
		if v.Kind() != reflect.String || c.change == nil || v.String() == was.FieldByIndex(c.index).String() {
			continue
		}
		ch := models.To(v.String())
		if v.String() == "" {
			ch = models.Null[string]()
		}
		pcv.FieldByIndex(c.change).Set(reflect.ValueOf(ch))
	}
	// The loop compared the language as sent ("EN" against a stored "en"); §5 compares it as a parsed tag, so
	// its change is decided here instead.
	pc.PreferredLanguage = models.Change[string]{}
	tag, _ := language.Parse(b.PreferredLanguage) // [orig] a parse error is ignored
	if lang := tag.String(); lang != languageOf(u) {
		pc.PreferredLanguage = models.To(lang)
		if lang == "und" {
			pc.PreferredLanguage = models.Null[string]()
		}
	}
	g := int64(b.Gender)
	if g < 0 || g >= int64(len(wire.ZitadelGenders)) {
		g = 0
	}
	if g != u.Gender {
		pc.Gender = models.To(g)
	}
	// A user without a stored display name shows the derived one: sending just that back changes nothing.
	if pc.DisplayName.Set && u.DisplayName == nil && b.DisplayName == displayName(u) &&
		(pc == models.ProfileChange{DisplayName: pc.DisplayName}) {
		pc.DisplayName = models.Change[string]{}
	}
	return pc
}

type zitadelDetails struct {
	Sequence      string `json:"sequence"`
	CreationDate  string `json:"creationDate,omitempty"`
	ChangeDate    string `json:"changeDate,omitempty"`
	ResourceOwner string `json:"resourceOwner,omitempty"`
}

// zitadelPlan pairs ZitadelProfile's fields with the user's.
var zitadelPlan = newProfilePlan[wire.ZitadelProfile](nil)

// showZitadelProfile is the profile of u as §6 shows it.
func showZitadelProfile(u models.User) *wire.ZitadelProfile {
	var p wire.ZitadelProfile
	zitadelPlan.show(&p, &u)
	p.DisplayName, p.PreferredLanguage = displayName(u), languageOf(u)
	return &p
}

type zitadelProfileResponse struct {
	Details zitadelDetails       `json:"details"`
	Profile *wire.ZitadelProfile `json:"profile,omitempty"`
}

// zitadelTime is a protojson Timestamp of t truncated to microseconds: UTC, 0, 3, 6 or 9 fraction digits.
func zitadelTime(t time.Time) string {
	s := t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000000")
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "000"), "000"), "000")
	return strings.TrimSuffix(s, ".") + "Z"
}

func resourceOwner(u models.User) string {
	if u.OwnerFileID == nil {
		return ""
	}
	return itoa(*u.OwnerFileID)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// displayName is the stored display name, else ZITADEL's creation rule: "first last", the email, the username.
func displayName(u models.User) string {
	switch {
	case str(u.DisplayName) != "":
		return *u.DisplayName
	case str(u.FirstName) != "" && str(u.LastName) != "":
		return *u.FirstName + " " + *u.LastName
	case str(u.Email) != "":
		return *u.Email
	}
	return u.Username
}

// languageOf is the stored preferred language; NULL reads as "und".
func languageOf(u models.User) string {
	if str(u.PreferredLanguage) == "" {
		return "und"
	}
	return *u.PreferredLanguage
}
