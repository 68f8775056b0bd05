package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Secret prefixes name what a secret is, so a leaked one can be recognised (and refused where it does not belong).
const (
	PrefixAccessKey = "fa_ak_"
)

// NewSecret returns prefix + 43 base64url characters of 256 random bits. The alphabet is URL-safe,
// so clients may paste it into a query string unencoded.
func NewSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret is the stored form of a key or token: hex SHA-256. Lookups go by this hash, never by the secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// DisplayPrefix is the part of a secret that may be shown to identify it (the type and 4 characters).
func DisplayPrefix(secret string) string {
	if len(secret) > 10 {
		return secret[:10]
	}
	return secret
}

// EqualHash compares two hashes in constant time.
func EqualHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// PasswordCost is the bcrypt work factor; tests lower it.
var PasswordCost = 12

// HashPassword returns the bcrypt hash of a password.
func HashPassword(password string) (string, error) {
	if len(password) > 72 {
		// bcrypt reads only 72 bytes; longer passwords are pre-hashed so every byte counts.
		sum := sha256.Sum256([]byte(password))
		password = base64.RawStdEncoding.EncodeToString(sum[:])
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// CheckPassword reports whether password matches the bcrypt hash. With no hash it still does the same
// bcrypt work against a fixed dummy hash, so unknown users take as long as known ones.
func CheckPassword(hash *string, password string) bool {
	if len(password) > 72 {
		sum := sha256.Sum256([]byte(password))
		password = base64.RawStdEncoding.EncodeToString(sum[:])
	}
	h := dummyHash()
	if hash != nil && *hash != "" {
		h = []byte(*hash)
	}
	err := bcrypt.CompareHashAndPassword(h, []byte(password))
	return err == nil && hash != nil && *hash != ""
}

var (
	dummyMu sync.Mutex
	dummy   []byte
)

// dummyHash is a bcrypt hash at the current cost, made once per cost.
func dummyHash() []byte {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if dummy == nil || costOf(dummy) != PasswordCost {
		dummy, _ = bcrypt.GenerateFromPassword([]byte("fileapi dummy password"), PasswordCost)
	}
	return dummy
}

func costOf(h []byte) int {
	c, err := bcrypt.Cost(h)
	if err != nil {
		return -1
	}
	return c
}

// ErrNoCredential means a request carried no credential at all.
var ErrNoCredential = errors.New("no credential")
