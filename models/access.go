package models

import (
	"context"
	"time"
)

// KeyOwner is an access key that is not revoked, and the user behind it.
type KeyOwner struct {
	KeyID     int64
	KeyFileID *int64 // the file the key is bound to, if any
	User      User
}

// UserByAccessKey finds the user of an unrevoked access key by the SHA-256 of its secret.
// Any failure to find one is KindUnauthorized; the caller must not learn why.
func (s *Store) UserByAccessKey(ctx context.Context, secretHash string) (KeyOwner, error) {
	var row struct {
		User
		KeyID        int64
		KeyFileID    *int64
		KeyRevokedAt *time.Time
	}
	err := s.db.WithContext(ctx).Table("access_keys").
		Select("users.*, access_keys.id AS key_id, access_keys.file_id AS key_file_id, access_keys.revoked_at AS key_revoked_at").
		Joins("JOIN users ON users.id = access_keys.user_id").
		Where("access_keys.secret_hash = ?", secretHash).
		Take(&row).Error
	if err != nil {
		return KeyOwner{}, unauthorized(err)
	}
	if row.KeyRevokedAt != nil {
		return KeyOwner{}, &Error{Kind: KindUnauthorized, Message: "revoked access key"}
	}
	return KeyOwner{KeyID: row.KeyID, KeyFileID: row.KeyFileID, User: row.User}, nil
}

// FileAccess is a user's membership on a file, with the file's own web-services switch.
type FileAccess struct {
	FileID           int64
	AccessLevel      string
	WebServices      bool
	AllowWebServices bool
}

// FileAccess returns the user's membership on the file. No membership (or no file) is KindUnauthorized.
func (s *Store) FileAccess(ctx context.Context, userID, fileID int64) (FileAccess, error) {
	var fa FileAccess
	err := s.db.WithContext(ctx).Table("memberships").
		Select("memberships.file_id, memberships.access_level, memberships.web_services, files.allow_web_services").
		Joins("JOIN files ON files.id = memberships.file_id").
		Where("memberships.user_id = ? AND memberships.file_id = ?", userID, fileID).
		Take(&fa).Error
	if err != nil {
		return FileAccess{}, unauthorized(err)
	}
	return fa, nil
}

// unauthorized turns "not found" into KindUnauthorized and keeps outages as they are.
func unauthorized(err error) error {
	err = translate(err)
	if KindOf(err) == KindNotFound {
		return &Error{Kind: KindUnauthorized, Err: err}
	}
	return err
}
