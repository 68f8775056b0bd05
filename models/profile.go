package models

import (
	"context"
	"fmt"
)

// Change is one optional field of a ProfileChange. A field that is not Set is kept as stored;
// a Set field with a nil Value is cleared to NULL.
type Change[T comparable] struct {
	Set   bool
	Value *T
}

// To returns a Change that sets the field to v.
func To[T comparable](v T) Change[T] { return Change[T]{Set: true, Value: &v} }

// Null returns a Change that clears the field.
func Null[T comparable]() Change[T] { return Change[T]{Set: true} }

// Profile is the part of a user that the dialects' profile operations show and change, one field per column
// of users, and the one place a profile field is declared in the store. A field here is read with every user,
// compared and written by UpdateProfile and recorded in its profile events; ProfileChange carries a Change of
// the same name and type, checked at start. A field that came after the first schema names its migration in an
// `added` tag, "VERSION SQL-TYPE" (see profileColumnMigrations): no migration file to write. A dialect shows a
// field by naming it in its wire type (see the handlers' profile field plans).
//
// A pointer field is NULL when not set; a Change to nil clears it. A field that is not a pointer (Gender) is
// NOT NULL: a Change to nil stores its zero value.
type Profile struct {
	FirstName         *string
	LastName          *string
	NickName          *string
	DisplayName       *string
	PreferredLanguage *string
	Gender            int64
	MobileNumber      *string
	TimezoneID        *int64
	DateTimeFormatID  *int64
	NumberFormatID    *int64
}

// ProfileChange is what a dialect asks to change in a user's profile; unset fields are kept. Besides the
// Profile fields, of the same names, it changes the sign-in names and the two-factor switch.
type ProfileChange struct {
	Username          Change[string]
	Email             Change[string]
	FirstName         Change[string]
	LastName          Change[string]
	NickName          Change[string]
	DisplayName       Change[string]
	PreferredLanguage Change[string]
	Gender            Change[int64]
	MobileNumber      Change[string]
	TimezoneID        Change[int64]
	DateTimeFormatID  Change[int64]
	NumberFormatID    Change[int64]
	// TwoFactor turns two-factor authentication on or off; it is set only by the 2FA operations.
	TwoFactor Change[bool]
}

// ChangeOptions say who changes a profile, through what, and under which precondition.
type ChangeOptions struct {
	ActorUserID int64
	Via         string // dialect and credential kind, e.g. "saasu/key"
	// Match, when set, is the If-Match precondition: it gets the current version and says whether to go on.
	Match func(version int64) bool
	// Notify, when set, is the message a real change sends, written to the outbox in the same transaction.
	// It gets the user as it was before the change; returning nil sends nothing.
	Notify func(before User) *Message
	// Known, when set, is the user as the caller read it at the start of the request (the principal's):
	// the change is planned on it without reading the row again in the transaction (see UpdateProfile).
	Known *User
}

// Message is an e-mail or SMS for the outbox.
type Message struct {
	Kind, To, Subject, Body string
}

// fieldDiff is one changed field in a profile event.
type fieldDiff struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// planProfile applies a change to the user as read: the precondition, the state rules, and the fields that
// differ. It touches no database.
func planProfile(u User, pc ProfileChange, opt ChangeOptions) (User, map[string]fieldDiff, error) {
	if opt.Match != nil && !opt.Match(u.Version) {
		return User{}, nil, &Error{Kind: KindPrecondition, Message: "the profile has changed since it was read"}
	}
	// While 2FA is on the number is its second factor: only the 2FA operations (which set TwoFactor) move it.
	if pc.MobileNumber.Set && u.Is2FAEnabled && !pc.TwoFactor.Set && !same(u.MobileNumber, pc.MobileNumber.Value) {
		return User{}, nil, &Error{Kind: KindInvalid, Field: "MobileNumber", Message: "MobileNumber cannot be changed while two-factor authentication is enabled."}
	}
	diff := map[string]fieldDiff{}
	if pc.Username.Set && pc.Username.Value != nil && *pc.Username.Value != u.Username {
		diff["username"] = fieldDiff{Old: u.Username, New: *pc.Username.Value}
		u.Username, u.UsernameKey = *pc.Username.Value, Fold(*pc.Username.Value)
	}
	if pc.Email.Set && !same(u.Email, pc.Email.Value) {
		var key *string
		if pc.Email.Value != nil {
			k := Fold(*pc.Email.Value)
			key = &k
		}
		diff["email"] = fieldDiff{Old: u.Email, New: pc.Email.Value}
		u.Email, u.EmailKey = pc.Email.Value, key
	}
	applyProfile(&u.Profile, &pc, diff)
	if pc.TwoFactor.Set && pc.TwoFactor.Value != nil && *pc.TwoFactor.Value != u.Is2FAEnabled {
		diff["is_2fa_enabled"] = fieldDiff{Old: u.Is2FAEnabled, New: *pc.TwoFactor.Value}
		u.Is2FAEnabled = *pc.TwoFactor.Value
	}
	return u, diff, nil
}

// Taken reports whether a user other than self holds value as user name (field "Username") or e-mail (field
// "Email"), compared case-insensitively. It lets a caller report every problem of a request at once; the
// check inside UpdateProfile is the one that holds against a concurrent change.
func (s *Store) Taken(ctx context.Context, field, value string, self int64) (bool, error) {
	if field != "Username" && field != "Email" {
		return false, Errorf(KindInternal, "no uniqueness rule for %q", field)
	}
	err := checkFree(ctx, s.rd, value, self, field)
	if KindOf(err) == KindConflict {
		return true, nil
	}
	return false, translate(err)
}

// checkFree fails with KindConflict when another user holds value (folded) as a sign-in name. The database's
// key on sign_in_names is what holds against a concurrent change; this lets a caller name the field first.
func checkFree(ctx context.Context, db rowQuerier, value string, self int64, field string) error {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sign_in_names WHERE name_key = ? AND user_id <> ?`, Fold(value), self).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nameTaken(field, nil)
	}
	return nil
}

// ProfileEvents lists a user's audit trail, oldest first.
func (s *Store) ProfileEvents(ctx context.Context, userID int64) ([]ProfileEvent, error) {
	var evs []ProfileEvent
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("version").Find(&evs).Error
	return evs, translate(err)
}

func same[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// sqlSetPassword sets a password; it moves the access version, as the tokens revoked with it do.
const sqlSetPassword = `UPDATE users SET password_hash = ?, updated_at = ?, access_version = access_version + 1 WHERE id = ?`

// SetPassword replaces a user's password hash and revokes every access and refresh token of the user, of any
// issuer, except the token row keepTokenID (the caller's own, 0 for none), and every pending password-reset
// link. Access keys stay. It is not a
// profile change: no version bump, no profile event.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keepTokenID int64) error {
	return s.inTx(ctx, func(tx *sqlTx) error {
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL`,
			now, userID, keepTokenID); err != nil {
			return err
		}
		// Pending password-reset links die with the old password.
		if err := voidResetLinks(ctx, tx, now, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, sqlSetPassword, hash, now, userID)
		return oneRow(res, err, fmt.Sprintf("user %d does not exist", userID))
	})
}
