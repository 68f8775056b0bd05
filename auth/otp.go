package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"strconv"
)

// otpSpace is the number of distinct codes: 6 decimal digits.
const otpSpace = 1_000_000

// otpLimit is the largest multiple of otpSpace that fits in 32 bits: random values at or above it are
// drawn again, so that every code is equally likely (a plain modulo would favour the low codes).
const otpLimit = (1 << 32) / otpSpace * otpSpace

// NewOTP returns a one-time code of 6 random decimal digits, leading zeros kept.
func NewOTP() string {
	code, err := otpFrom(rand.Reader)
	if err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return code
}

// otpFrom draws a code from r by rejection sampling.
func otpFrom(r io.Reader) (string, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", err
		}
		if n := binary.BigEndian.Uint32(b[:]); n < otpLimit {
			s := strconv.FormatUint(uint64(n%otpSpace), 10)
			return "000000"[len(s):] + s, nil
		}
	}
}

// HashOTP is the stored form of a one-time code: hex SHA-256 of the code bound to the user and the purpose,
// so the same code sent to two users, or for two purposes, is stored differently.
func HashOTP(userID int64, purpose, code string) string {
	h := sha256.New()
	// The parts are length-prefixed so that no two (user, purpose, code) triples hash the same input.
	for _, part := range []string{"fileapi-otp", strconv.FormatInt(userID, 10), purpose, code} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(part)))
		h.Write(n[:])
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}
