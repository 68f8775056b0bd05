package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxID is the largest file or user id: .NET clients read ids as int.
const MaxID = 1<<31 - 1

// NewFile describes a file to create. A nil ID lets the database assign one.
type NewFile struct {
	ID               *int64
	Name             string
	Country          string // default AU
	Currency         string // default AUD
	AllowWebServices bool
}

var slugJunk = regexp.MustCompile(`[^a-z0-9]+`)

// CreateFile creates a file with a slug derived from its name, made unique with a numeric suffix.
func (s *Store) CreateFile(ctx context.Context, nf NewFile) (File, error) {
	return retryValue(ctx, func() (File, error) {
		name := strings.TrimSpace(nf.Name)
		switch {
		case name == "":
			return File{}, &Error{Kind: KindInvalid, Field: "name", Message: "the file name is required"}
		case utf8.RuneCountInString(name) > 200:
			return File{}, &Error{Kind: KindInvalid, Field: "name", Message: "the file name must be at most 200 characters"}
		case nf.ID != nil && (*nf.ID < 1 || *nf.ID > MaxID):
			return File{}, &Error{Kind: KindInvalid, Field: "id", Message: fmt.Sprintf("the file id must be from 1 to %d", MaxID)}
		}
		f := File{Name: name, Country: nf.Country, Currency: nf.Currency, AllowWebServices: nf.AllowWebServices}
		if f.Country == "" {
			f.Country = "AU"
		}
		if f.Currency == "" {
			f.Currency = "AUD"
		}
		if nf.ID != nil {
			f.ID = *nf.ID
		}
		base := strings.Trim(slugJunk.ReplaceAllString(strings.ToLower(name), "-"), "-")
		if base == "" {
			base = "file"
		}
		if len(base) > 80 {
			base = strings.TrimRight(base[:80], "-")
		}
		err := s.wdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if nf.ID != nil {
				var n int64
				if err := tx.Model(&File{}).Where("id = ?", *nf.ID).Count(&n).Error; err != nil {
					return err
				}
				if n > 0 {
					return &Error{Kind: KindConflict, Field: "id", Message: fmt.Sprintf("file %d already exists", *nf.ID)}
				}
			}
			f.Slug = base
			for i := 2; ; i++ {
				var n int64
				if err := tx.Model(&File{}).Where("slug = ?", f.Slug).Count(&n).Error; err != nil {
					return err
				}
				if n == 0 {
					break
				}
				f.Slug = fmt.Sprintf("%s-%d", base, i)
			}
			return tx.Create(&f).Error
		})
		if err != nil {
			return File{}, translate(err)
		}
		return f, nil
	})
}

// FileByID returns one file.
func (s *Store) FileByID(ctx context.Context, id int64) (File, error) {
	var f File
	if err := s.db.WithContext(ctx).Take(&f, "id = ?", id).Error; err != nil {
		return File{}, notFound(translate(err), "file %d does not exist", id)
	}
	return f, nil
}

// SetFileWebServices turns access keys on a file on or off. Keys in use are refused from the next request on.
func (s *Store) SetFileWebServices(ctx context.Context, id int64, on bool) (File, error) {
	// No row affected is not proof of absence: MySQL counts a row whose values were already equal as unchanged.
	err := s.inTx(ctx, func(tx *sqlTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE files SET allow_web_services = ?, updated_at = ? WHERE id = ?`, on, s.Now(), id); err != nil {
			return err
		}
		return bumpAccessOfFile(ctx, tx, id)
	})
	if err != nil {
		return File{}, err
	}
	return s.FileByID(ctx, id)
}

// NewUser describes a user to create. PasswordHash is already hashed (see package auth).
// A nil ID lets the database assign one.
type NewUser struct {
	ID           *int64
	Username     string
	FirstName    string
	LastName     *string
	Email        *string
	PasswordHash *string
	Type         int64
	OwnerFileID  *int64
}

// CreateUser creates a user at version 1.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	return retryValue(ctx, func() (User, error) {
		switch {
		case strings.TrimSpace(nu.Username) == "":
			return User{}, &Error{Kind: KindInvalid, Field: "username", Message: "the username is required"}
		case utf8.RuneCountInString(nu.Username) > 254:
			return User{}, &Error{Kind: KindInvalid, Field: "username", Message: "the username must be at most 254 characters"}
		case strings.TrimSpace(nu.FirstName) == "":
			return User{}, &Error{Kind: KindInvalid, Field: "first-name", Message: "the first name is required"}
		case utf8.RuneCountInString(nu.FirstName) > 200 || (nu.LastName != nil && utf8.RuneCountInString(*nu.LastName) > 200):
			return User{}, &Error{Kind: KindInvalid, Field: "first-name", Message: "names must be at most 200 characters"}
		case nu.ID != nil && (*nu.ID < 1 || *nu.ID > MaxID):
			return User{}, &Error{Kind: KindInvalid, Field: "id", Message: fmt.Sprintf("the user id must be from 1 to %d", MaxID)}
		case nu.Type < UserHuman || nu.Type > UserSystem:
			return User{}, &Error{Kind: KindInvalid, Field: "type", Message: "unknown user type"}
		}
		now := s.Now()
		first := nu.FirstName
		u := User{
			Username: nu.Username, UsernameKey: Fold(nu.Username),
			Email: nu.Email, PasswordHash: nu.PasswordHash,
			Profile:  Profile{FirstName: &first, LastName: nu.LastName},
			UserType: nu.Type, OwnerFileID: nu.OwnerFileID,
			Version: 1, ChangedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		if nu.ID != nil {
			u.ID = *nu.ID
		}
		if nu.Email != nil {
			k := Fold(*nu.Email)
			u.EmailKey = &k
		}
		if nu.OwnerFileID != nil {
			if _, err := s.FileByID(ctx, *nu.OwnerFileID); err != nil {
				return User{}, err
			}
		}
		err := s.wdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&u).Error; err != nil {
				if isUnique(err) {
					return &Error{Kind: KindConflict, Field: "username", Message: fmt.Sprintf("the username %q is already in use", nu.Username), Err: err}
				}
				return err
			}
			return claimNamesGORM(tx, u)
		})
		if err != nil {
			return User{}, translate(err)
		}
		return u, nil
	})
}

// Fold is the case-insensitive key of a username or e-mail address.
func Fold(s string) string { return strings.ToLower(s) }

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", id).Error; err != nil {
		return User{}, notFound(translate(err), "user %d does not exist", id)
	}
	return u, nil
}

// UserByUsername finds a user by username, case-insensitively.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, "username_key = ?", Fold(username)).Error; err != nil {
		return User{}, notFound(translate(err), "user %q does not exist", username)
	}
	return u, nil
}

// Grant gives a user a membership on a file, or changes the one it has.
func (s *Store) Grant(ctx context.Context, userID, fileID int64, level string, webServices bool) (Membership, error) {
	switch level {
	case AccessAdministrator, AccessStandard, AccessReadonly:
	default:
		return Membership{}, &Error{Kind: KindInvalid, Field: "access-level", Message: "the access level must be administrator, standard or readonly"}
	}
	if _, err := s.UserByID(ctx, userID); err != nil {
		return Membership{}, err
	}
	if _, err := s.FileByID(ctx, fileID); err != nil {
		return Membership{}, err
	}
	m := Membership{FileID: fileID, UserID: userID, AccessLevel: level, WebServices: webServices, CreatedAt: s.Now()}
	// One upsert, not an update then an insert: the gap locks of that pair deadlocked grants running at once.
	q := `INSERT INTO memberships (file_id, user_id, access_level, web_services, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (file_id, user_id) DO UPDATE SET access_level = excluded.access_level, web_services = excluded.web_services`
	if s.dialect == "mysql" {
		q = `INSERT INTO memberships (file_id, user_id, access_level, web_services, created_at) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE access_level = VALUES(access_level), web_services = VALUES(web_services)`
	}
	err := s.inTx(ctx, func(tx *sqlTx) error {
		if _, err := tx.ExecContext(ctx, q, m.FileID, m.UserID, m.AccessLevel, m.WebServices, m.CreatedAt); err != nil {
			return err
		}
		return bumpAccess(ctx, tx, userID)
	})
	if err != nil {
		return Membership{}, err
	}
	return m, nil
}

// Revoke removes a user's membership on a file. Removing one that does not exist is KindNotFound.
func (s *Store) Revoke(ctx context.Context, userID, fileID int64) error {
	return retry(ctx, func() error {
		err := s.wdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Where("file_id = ? AND user_id = ?", fileID, userID).Delete(&Membership{})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return &Error{Kind: KindNotFound, Message: fmt.Sprintf("user %d has no membership on file %d", userID, fileID)}
			}
			return bumpAccessGORM(tx, userID)
		})
		return translate(err)
	})
}

// Memberships lists a user's memberships by ascending file id.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	var ms []Membership
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("file_id").Find(&ms).Error
	return ms, translate(err)
}

// CreateAccessKey stores a new key by the SHA-256 of its secret. The secret itself is never stored.
func (s *Store) CreateAccessKey(ctx context.Context, userID int64, fileID *int64, secretHash, prefix string) (AccessKey, error) {
	return retryValue(ctx, func() (AccessKey, error) {
		if _, err := s.UserByID(ctx, userID); err != nil {
			return AccessKey{}, err
		}
		if fileID != nil {
			if _, err := s.FileByID(ctx, *fileID); err != nil {
				return AccessKey{}, err
			}
		}
		k := AccessKey{UserID: userID, FileID: fileID, SecretHash: secretHash, Prefix: prefix, CreatedAt: s.Now()}
		if err := s.wdb.WithContext(ctx).Create(&k).Error; err != nil {
			return AccessKey{}, translate(err)
		}
		return k, nil
	})
}

// RevokeAccessKey revokes a key; revoking a revoked key changes nothing.
func (s *Store) RevokeAccessKey(ctx context.Context, id int64) (AccessKey, error) {
	return retryValue(ctx, func() (AccessKey, error) {
		var k AccessKey
		err := s.wdb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Take(&k, "id = ?", id).Error; err != nil {
				return err
			}
			if k.RevokedAt != nil {
				return nil
			}
			now := s.Now()
			k.RevokedAt = &now
			if err := tx.Model(&AccessKey{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
				return err
			}
			return bumpAccessGORM(tx, k.UserID)
		})
		if err != nil {
			return AccessKey{}, notFound(translate(err), "access key %d does not exist", id)
		}
		return k, nil
	})
}

// RevokeUnboundKeys revokes every unrevoked access key of a user that is bound to no file, and returns how
// many it revoked.
func (s *Store) RevokeUnboundKeys(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sqlTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE access_keys SET revoked_at = ? WHERE user_id = ? AND file_id IS NULL AND revoked_at IS NULL`,
			s.Now(), userID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return bumpAccess(ctx, tx, userID)
	})
	return n, err
}

// IsEmpty reports whether the database holds no file and no user (for serve --demo).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&File{}).Limit(1).Count(&n).Error; err != nil || n > 0 {
		return false, translate(err)
	}
	err := s.db.WithContext(ctx).Model(&User{}).Limit(1).Count(&n).Error
	return n == 0, translate(err)
}

// notFound gives a KindNotFound error a message for the command line; other errors pass through.
func notFound(err error, format string, args ...any) error {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindNotFound && e.Message == "" {
		return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, args...), Err: e.Err}
	}
	return err
}
