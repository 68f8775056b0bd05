package models

import "time"

// User types, as stored in users.user_type.
const (
	UserHuman   = 0
	UserService = 1
	UserSystem  = 2
)

// Access levels of a membership.
const (
	AccessAdministrator = "administrator"
	AccessStandard      = "standard"
	AccessReadonly      = "readonly"
)

// File is a tenant: one company's books.
type File struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	Slug             string
	Country          string
	Currency         string
	AllowWebServices bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// User is a login that reaches one or more files.
type User struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	UsernameKey  string
	Email        *string
	EmailKey     *string
	PasswordHash *string
	// Profile is what the dialects' profile operations show and change (see Profile).
	Profile
	Is2FAEnabled bool `gorm:"column:is_2fa_enabled"`
	UserType     int64
	OwnerFileID  *int64
	Version      int64
	// AccessVersion moves with every change to what the user's credentials reach (migration 00005).
	AccessVersion int64
	ChangedAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Membership gives a user an access level on a file.
type Membership struct {
	FileID      int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID      int64 `gorm:"primaryKey;autoIncrement:false"`
	AccessLevel string
	WebServices bool
	CreatedAt   time.Time
}

// AccessKey is a Saasu WsAccessKey and a workspace API key; only its SHA-256 is stored.
type AccessKey struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	FileID     *int64
	SecretHash string
	Prefix     string
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// OAuthClient is a partner application of the authorization server.
type OAuthClient struct {
	ClientID             string `gorm:"primaryKey"`
	SecretHash           *string
	Name                 string
	RedirectURIs         string `gorm:"column:redirect_uris"` // JSON array of strings
	Public               bool
	ServiceAccountUserID *int64
	CreatedAt            time.Time
}

// OAuthToken is one issued access token and, when it has one, its refresh token.
type OAuthToken struct {
	ID               int64 `gorm:"primaryKey"`
	AccessHash       *string
	RefreshHash      *string
	UserID           int64
	ClientID         *string
	FamilyID         *int64
	Scope            string
	ExpiresAt        time.Time
	RefreshExpiresAt *time.Time
	FamilyExpiresAt  *time.Time
	CreatedAt        time.Time
	RefreshRetiredAt *time.Time
	RevokedAt        *time.Time
}

// ProfileEvent is one row of the audit trail: a profile change and who made it.
type ProfileEvent struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Version     int64
	Changed     string // JSON object: field → {"old": …, "new": …}
	ActorUserID *int64
	Via         string
	At          time.Time
}

// OutboxMessage is an e-mail or SMS waiting to be delivered, or delivered.
type OutboxMessage struct {
	ID            int64 `gorm:"primaryKey"`
	Kind          string
	To            string `gorm:"column:to"`
	Subject       string
	Body          string
	CreatedAt     time.Time
	Attempts      int64
	NextAttemptAt *time.Time
	LastError     *string
	SentAt        *time.Time
	// Claim marks the message as taken by one sender until LeaseUntil (see ClaimMessages).
	Claim      *string
	LeaseUntil *time.Time
}

// TableName implements gorm's tabler.
func (OutboxMessage) TableName() string { return "outbox" }

// TableName implements gorm's tabler.
func (OAuthClient) TableName() string { return "oauth_clients" }

// TableName implements gorm's tabler.
func (OAuthToken) TableName() string { return "oauth_tokens" }
