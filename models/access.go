package models

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
