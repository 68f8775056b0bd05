package models

import "context"

// KeyOwner is an access key that is not revoked, and the user behind it.
type KeyOwner struct {
	KeyID     int64
	KeyFileID *int64 // the file the key is bound to, if any
	User      User
}

// FileAccess is a user's membership on a file, with the file's own web-services switch.
type FileAccess struct {
	FileID           int64
	AccessLevel      string
	WebServices      bool
	AllowWebServices bool
}

// MemberFile is a file a user holds a membership on, with the membership's web-services switch.
type MemberFile struct {
	File
	WebServices bool
}

// MemberFiles lists the files a user holds a membership on, by ascending id.
func (s *Store) MemberFiles(ctx context.Context, userID int64) ([]MemberFile, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT files.id, files.name, files.slug, files.country, files.currency,
		files.allow_web_services, files.created_at, files.updated_at, memberships.web_services
		FROM memberships JOIN files ON files.id = memberships.file_id WHERE memberships.user_id = ? ORDER BY files.id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	var out []MemberFile
	for rows.Next() {
		var m MemberFile
		f := &m.File
		if err := rows.Scan(&f.ID, &f.Name, &f.Slug, &f.Country, &f.Currency, &f.AllowWebServices, &f.CreatedAt, &f.UpdatedAt, &m.WebServices); err != nil {
			return nil, translate(err)
		}
		out = append(out, m)
	}
	return out, translate(rows.Err())
}
