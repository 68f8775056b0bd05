package models

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OTP is one one-time code sent by SMS (saasu.md §6.6). Only its hash is stored.
type OTP struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Purpose     string
	Destination string  // the E.164 number the code was sent to
	Number      *string // the number as the user typed it, for an opt-in
	CodeHash    string
	Attempts    int64 // wrong tries so far
	ExpiresAt   time.Time
	LastSentAt  time.Time
	CreatedAt   time.Time
	ConsumedAt  *time.Time // set when the code is used, or voided by a newer code
}

// TableName implements gorm's tabler.
func (OTP) TableName() string { return "otps" }

// Purposes of one-time codes: each user has at most one pending code per purpose.
const (
	PurposeLogin = "login"  // the second factor of a password grant
	PurposeOptIn = "opt_in" // proving a mobile number before two-factor authentication is turned on
)

// The rules of saasu.md §6.6.
const (
	otpLifetime    = 5 * time.Minute
	otpMaxAttempts = 5
	otpResendAfter = 60 * time.Second
)

// OTPRequest asks for a one-time code to be sent.
type OTPRequest struct {
	UserID      int64
	Purpose     string // PurposeLogin or PurposeOptIn
	Destination string // the E.164 number to send the SMS to
	Number      string // the number as the user typed it ("" when it is not news, as in a login)
	// Code and CodeHash are a fresh code and its hash (auth.NewOTP, auth.HashOTP): the code goes into the SMS,
	// only the hash into the database.
	Code, CodeHash string
}

// IssueOTP makes the user's pending code for the purpose and, in the same transaction, writes the SMS that
// carries it to the outbox.
//
// Within 60 s of the last SMS to the same destination for a code that is not used up (still pending, or out
// of tries) it sends nothing and keeps that code: sent is false. That is the limit of one SMS a minute per
// user, purpose and number, which spares the user a second SMS when a client retries. Otherwise it voids any
// unused code of the user for the purpose and stores the new one, valid for 5 minutes, with one outbox row:
// kind "sms", to Destination, no subject, body "Your verification code is 123456. It expires in 5 minutes.".
// An unknown user is KindNotFound.
func (s *Store) IssueOTP(ctx context.Context, r OTPRequest) (sent bool, err error) {
	return retryValue(ctx, func() (bool, error) {
		if r.Purpose == "" || len(r.Purpose) > 20 || r.Destination == "" || len(r.Destination) > 20 ||
			len(r.Code) != 6 || len(r.CodeHash) != 64 {
			return false, fmt.Errorf("issue otp: malformed request (purpose %q, destination %q)", r.Purpose, r.Destination)
		}
		tx, err := s.wr.BeginTx(ctx) // BEGIN IMMEDIATE on SQLite (_txlock): this transaction is the only writer
		if err != nil {
			return false, translate(err)
		}
		defer func() { _ = tx.Rollback() }()
		if err := s.lockOTPs(ctx, tx, r.UserID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return false, &Error{Kind: KindNotFound, Message: fmt.Sprintf("user %d does not exist", r.UserID), Err: err}
			}
			return false, translate(err)
		}
		now := s.Now().UTC()
		unused, err := unusedOTPs(ctx, tx, r.UserID, r.Purpose)
		if err != nil {
			return false, translate(err)
		}
		if len(unused) > 0 {
			cur := unused[0]
			if cur.Destination == r.Destination && now.Sub(cur.LastSentAt) < otpResendAfter && now.Before(cur.ExpiresAt) {
				return false, nil
			}
		}
		// Void every unused code, not only the latest, so that one at most is pending whatever happened before.
		// By id: an UPDATE over the (user_id, purpose) range would take the gap locks lockOTPs avoids.
		for _, o := range unused {
			if _, err := tx.ExecContext(ctx, `UPDATE otps SET consumed_at = ? WHERE id = ?`, now, o.ID); err != nil {
				return false, translate(err)
			}
		}
		var number *string
		if r.Number != "" {
			number = &r.Number
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO otps (user_id, purpose, destination, number, code_hash, attempts, expires_at, last_sent_at, created_at)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`, r.UserID, r.Purpose, r.Destination, number, r.CodeHash, now.Add(otpLifetime), now, now); err != nil {
			return false, translate(err)
		}
		body := fmt.Sprintf("Your verification code is %s. It expires in %d minutes.", r.Code, int(otpLifetime/time.Minute))
		if err := enqueue(ctx, tx, now, MessageSMS, r.Destination, "", body); err != nil {
			return false, translate(err)
		}
		if err := tx.Commit(); err != nil {
			return false, translate(err)
		}
		return true, nil
	})
}

// OTPResult is the outcome of checking a one-time code. Its zero value is OTPNone, so a result read
// beside an error never lets anyone in.
type OTPResult int

// The outcomes of CheckOTP.
const (
	// OTPNone means the user has no unused code for the purpose: none was sent, or it was used or replaced.
	OTPNone OTPResult = iota
	// OTPWrong means the code is not the pending one; the try is counted and the code stays pending.
	OTPWrong
	// OTPExpired means the pending code is older than 5 minutes or out of tries; only a new code helps.
	OTPExpired
	// OTPValid means the code is right; it is used up and will not be accepted again.
	OTPValid
)

var otpResultNames = [...]string{"none", "wrong", "expired", "valid"}

// String names the result, for logs and test messages.
func (r OTPResult) String() string {
	if r >= 0 && int(r) < len(otpResultNames) {
		return otpResultNames[r]
	}
	return fmt.Sprintf("OTPResult(%d)", int(r))
}

// CheckOTP checks the hash of a code (auth.HashOTP) against the user's pending code for the purpose, in one
// transaction. A right code is used up (OTPValid). A wrong one counts a try (OTPWrong); the fifth wrong try
// uses up the tries and answers OTPExpired at once, and so does any try once the code is 5 minutes old: the
// caller should then ask for a new code, which no further try can replace.
func (s *Store) CheckOTP(ctx context.Context, userID int64, purpose, codeHash string) (OTPResult, error) {
	res, _, err := s.checkOTP(ctx, userID, purpose, codeHash)
	return res, err
}

// CheckOptIn is CheckOTP for a 2FA opt-in that also returns the number the accepted code was sent to, as the
// user typed it: read in the same transaction that uses the code up, so a newer opt-in racing this one can
// never enrol a number whose code was not the one checked.
func (s *Store) CheckOptIn(ctx context.Context, userID int64, codeHash string) (OTPResult, string, error) {
	res, otp, err := s.checkOTP(ctx, userID, PurposeOptIn, codeHash)
	number := ""
	if res == OTPValid {
		number = otp.Destination
		if otp.Number != nil {
			number = *otp.Number
		}
	}
	return res, number, err
}

func (s *Store) checkOTP(ctx context.Context, userID int64, purpose, codeHash string) (res OTPResult, o OTP, err error) {
	err = retry(ctx, func() error {
		var err error
		res, o, err = s.checkOTPOnce(ctx, userID, purpose, codeHash)
		return err
	})
	return res, o, err
}

// checkOTPOnce is one attempt of checkOTP.
func (s *Store) checkOTPOnce(ctx context.Context, userID int64, purpose, codeHash string) (OTPResult, OTP, error) {
	tx, err := s.wr.BeginTx(ctx) // BEGIN IMMEDIATE on SQLite (_txlock): this transaction is the only writer
	if err != nil {
		return OTPNone, OTP{}, translate(err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.lockOTPs(ctx, tx, userID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return OTPNone, OTP{}, nil
		}
		return OTPNone, OTP{}, translate(err)
	}
	unused, err := unusedOTPs(ctx, tx, userID, purpose)
	switch {
	case err != nil:
		return OTPNone, OTP{}, translate(err)
	case len(unused) == 0:
		return OTPNone, OTP{}, nil
	}
	cur := unused[0]
	now := s.Now().UTC()
	if cur.Attempts >= otpMaxAttempts || !now.Before(cur.ExpiresAt) {
		return OTPExpired, OTP{}, nil
	}
	result := OTPValid
	if subtle.ConstantTimeCompare([]byte(cur.CodeHash), []byte(codeHash)) == 1 {
		_, err = tx.ExecContext(ctx, `UPDATE otps SET consumed_at = ? WHERE id = ?`, now, cur.ID)
	} else {
		result = OTPWrong
		if cur.Attempts+1 >= otpMaxAttempts {
			result = OTPExpired
		}
		_, err = tx.ExecContext(ctx, `UPDATE otps SET attempts = ? WHERE id = ?`, cur.Attempts+1, cur.ID)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return OTPNone, OTP{}, translate(err)
	}
	return result, cur, nil
}

// PendingOTP returns the number of the user's unused code for the purpose, if there is one: the number a 2FA
// opt-in is to be verified for, as the user typed it (else the E.164 destination). A code that has expired or run out of tries still counts here, so the
// caller can tell "nothing to verify" (ok is false) from "the code has expired" (CheckOTP says OTPExpired).
// Read it before CheckOTP: a code that CheckOTP accepts is used up and no longer pending.
func (s *Store) PendingOTP(ctx context.Context, userID int64, purpose string) (destination string, ok bool, err error) {
	err = s.rd.QueryRowContext(ctx, `SELECT COALESCE(number, destination) FROM otps WHERE user_id = ? AND purpose = ? AND consumed_at IS NULL
		ORDER BY id DESC LIMIT 1`, userID, purpose).Scan(&destination)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, translate(err)
	}
	return destination, true, nil
}

// lockOTPs serialises the one-time-code operations of a user. On MySQL it locks the user's row: a locking
// read on otps itself would take gap locks on the (user_id, purpose) index, and two users' first codes
// could then deadlock on insert. SQLite's immediate transaction already excludes other writers.
// A missing user is sql.ErrNoRows.
func (s *Store) lockOTPs(ctx context.Context, tx *sqlTx, userID int64) error {
	q := `SELECT id FROM users WHERE id = ?`
	if s.dialect == "mysql" {
		q += ` FOR UPDATE`
	}
	var id int64
	return tx.QueryRowContext(ctx, q, userID).Scan(&id)
}

// unusedOTPs reads the user's unused codes for the purpose, latest first (IssueOTP leaves one at most; a
// list keeps that true even if something else ever left more). Under lockOTPs no one else writes the user's codes, and InnoDB takes the
// plain read's snapshot only now, after the lock: it sees every committed change.
func unusedOTPs(ctx context.Context, tx *sqlTx, userID int64, purpose string) ([]OTP, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, destination, number, code_hash, attempts, expires_at, last_sent_at
		FROM otps WHERE user_id = ? AND purpose = ? AND consumed_at IS NULL ORDER BY id DESC`, userID, purpose)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []OTP
	for rows.Next() {
		o := OTP{UserID: userID, Purpose: purpose}
		if err := rows.Scan(&o.ID, &o.Destination, &o.Number, &o.CodeHash, &o.Attempts, &o.ExpiresAt, &o.LastSentAt); err != nil {
			return nil, err
		}
		o.ExpiresAt, o.LastSentAt = o.ExpiresAt.UTC(), o.LastSentAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
