package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

const (
	ann2 = "+61412345678"
	ann3 = "+61487654321"
)

// clock fixes a store's clock at Epoch and returns a function that moves it forward.
func clock(s *models.Store) func(d time.Duration) {
	now := modelstest.Epoch
	var mu sync.Mutex
	s.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	return func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
}

// otpFor is a request for a code for the user, to the number.
func otpFor(userID int64, purpose, to, code string) models.OTPRequest {
	return models.OTPRequest{UserID: userID, Purpose: purpose, Destination: to, Code: code, CodeHash: auth.HashOTP(userID, purpose, code)}
}

func smsBody(code string) string {
	return "Your verification code is " + code + ". It expires in 5 minutes."
}

// rawDB opens the test database directly, to look at what the store wrote.
func rawDB(t *testing.T, dsn models.DSN) *sql.DB {
	t.Helper()
	driver, name := "sqlite", dsn.Path
	if dsn.Dialect == "mysql" {
		driver, name = "mysql", dsn.Config.FormatDSN()
	}
	db, err := sql.Open(driver, name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestIssueOTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx, uid := fx.s, context.Background(), fx.user.ID
		advance := clock(s)
		check := func(code string) models.OTPResult {
			t.Helper()
			r, err := s.CheckOTP(ctx, uid, models.PurposeLogin, auth.HashOTP(uid, models.PurposeLogin, code))
			require.NoError(t, err)
			return r
		}

		_, ok, err := s.PendingOTP(ctx, uid, models.PurposeLogin)
		require.NoError(t, err)
		assert.False(t, ok, "nothing pending before the first code")

		sent, err := s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann2, "012345"))
		require.NoError(t, err)
		assert.True(t, sent, "the first code is sent")
		msgs, err := s.Outbox(ctx, ann2)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, "sms", msgs[0].Kind)
		assert.Equal(t, ann2, msgs[0].To)
		assert.Equal(t, "", msgs[0].Subject)
		assert.Equal(t, smsBody("012345"), msgs[0].Body)
		assert.Equal(t, modelstest.Epoch, msgs[0].CreatedAt)
		assert.Nil(t, msgs[0].SentAt)
		dest, ok, err := s.PendingOTP(ctx, uid, models.PurposeLogin)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, ann2, dest)

		// A retry within 60 s (x/oauth2 retries) sends nothing and keeps the first code.
		advance(59 * time.Second)
		sent, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann2, "999999"))
		require.NoError(t, err)
		assert.False(t, sent, "no second SMS within 60 s")
		msgs, err = s.Outbox(ctx, "")
		require.NoError(t, err)
		assert.Len(t, msgs, 1)

		// After 61 s a new code goes out and the old one is void.
		advance(2 * time.Second)
		sent, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann2, "222222"))
		require.NoError(t, err)
		assert.True(t, sent)
		msgs, err = s.Outbox(ctx, ann2)
		require.NoError(t, err)
		require.Len(t, msgs, 2)
		assert.Equal(t, smsBody("222222"), msgs[1].Body, "newest last")
		assert.Equal(t, models.OTPWrong, check("012345"), "the replaced code is no longer accepted")
		assert.Equal(t, models.OTPWrong, check("999999"), "the code of the unsent retry was never stored")
		assert.Equal(t, models.OTPValid, check("222222"))

		// A different number within 60 s gets its own SMS, and its code replaces the pending one.
		advance(time.Minute)
		sent, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann2, "333333"))
		require.NoError(t, err)
		require.True(t, sent)
		advance(10 * time.Second)
		sent, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann3, "444444"))
		require.NoError(t, err)
		assert.True(t, sent, "a different number is not held back")
		msgs, err = s.Outbox(ctx, ann3)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, smsBody("444444"), msgs[0].Body)
		dest, _, err = s.PendingOTP(ctx, uid, models.PurposeLogin)
		require.NoError(t, err)
		assert.Equal(t, ann3, dest)
		assert.Equal(t, models.OTPWrong, check("333333"), "one pending code per user and purpose")
		assert.Equal(t, models.OTPValid, check("444444"))
	})
}

func TestIssueOTPWindow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx, uid := fx.s, context.Background(), fx.user.ID
		advance := clock(s)
		issue := func(purpose, code string) bool {
			t.Helper()
			sent, err := s.IssueOTP(ctx, otpFor(uid, purpose, ann2, code))
			require.NoError(t, err)
			return sent
		}
		check := func(purpose, code string) models.OTPResult {
			t.Helper()
			r, err := s.CheckOTP(ctx, uid, purpose, auth.HashOTP(uid, purpose, code))
			require.NoError(t, err)
			return r
		}

		t.Run("exactly 60 s later a new SMS goes out", func(t *testing.T) {
			require.True(t, issue(models.PurposeLogin, "100000"))
			advance(60 * time.Second)
			assert.True(t, issue(models.PurposeLogin, "100001"))
			assert.Equal(t, models.OTPValid, check(models.PurposeLogin, "100001"))
		})
		t.Run("a used code does not hold back the next one", func(t *testing.T) {
			advance(time.Hour)
			require.True(t, issue(models.PurposeLogin, "200000"))
			require.Equal(t, models.OTPValid, check(models.PurposeLogin, "200000"))
			advance(time.Second)
			assert.True(t, issue(models.PurposeLogin, "200001"), "signing in again right after a sign-in sends a code")
			assert.Equal(t, models.OTPValid, check(models.PurposeLogin, "200001"))
		})
		t.Run("a code out of tries still counts for the 60 s", func(t *testing.T) {
			advance(time.Hour)
			require.True(t, issue(models.PurposeLogin, "300000"))
			for range 5 {
				check(models.PurposeLogin, "000000")
			}
			advance(30 * time.Second)
			assert.False(t, issue(models.PurposeLogin, "300001"), "five wrong guesses do not buy another SMS")
			assert.Equal(t, models.OTPExpired, check(models.PurposeLogin, "300000"))
			advance(30 * time.Second)
			assert.True(t, issue(models.PurposeLogin, "300002"))
			assert.Equal(t, models.OTPValid, check(models.PurposeLogin, "300002"))
		})
		t.Run("purposes are independent", func(t *testing.T) {
			advance(time.Hour)
			require.True(t, issue(models.PurposeLogin, "400000"))
			assert.True(t, issue(models.PurposeOptIn, "400001"), "the window is per purpose")
			assert.Equal(t, models.OTPWrong, check(models.PurposeOptIn, "400000"), "a login code does not verify an opt-in")
			assert.Equal(t, models.OTPValid, check(models.PurposeOptIn, "400001"))
			assert.Equal(t, models.OTPValid, check(models.PurposeLogin, "400000"))
		})
		t.Run("unknown user", func(t *testing.T) {
			_, err := s.IssueOTP(ctx, otpFor(999999, models.PurposeLogin, ann2, "500000"))
			assert.Equal(t, models.KindNotFound, models.KindOf(err))
		})
		t.Run("malformed request", func(t *testing.T) {
			for _, r := range []models.OTPRequest{
				{UserID: uid, Purpose: models.PurposeLogin, Destination: ann2, Code: "12345", CodeHash: auth.HashOTP(uid, "login", "12345")},
				{UserID: uid, Purpose: models.PurposeLogin, Destination: ann2, Code: "123456"},
				{UserID: uid, Purpose: models.PurposeLogin, Code: "123456", CodeHash: auth.HashOTP(uid, "login", "123456")},
				{UserID: uid, Destination: ann2, Code: "123456", CodeHash: auth.HashOTP(uid, "", "123456")},
			} {
				_, err := s.IssueOTP(ctx, r)
				assert.Error(t, err, "%+v", r)
			}
		})
	})
}

func TestCheckOTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx, uid := fx.s, context.Background(), fx.user.ID
		advance := clock(s)
		issue := func(code string) {
			t.Helper()
			advance(time.Hour) // past the resend window and the previous code's life
			sent, err := s.IssueOTP(ctx, otpFor(uid, models.PurposeOptIn, ann2, code))
			require.NoError(t, err)
			require.True(t, sent)
		}
		check := func(code string) models.OTPResult {
			t.Helper()
			r, err := s.CheckOTP(ctx, uid, models.PurposeOptIn, auth.HashOTP(uid, models.PurposeOptIn, code))
			require.NoError(t, err)
			return r
		}

		t.Run("nothing pending", func(t *testing.T) {
			assert.Equal(t, models.OTPNone, check("123456"))
			r, err := s.CheckOTP(ctx, 999999, models.PurposeOptIn, auth.HashOTP(999999, models.PurposeOptIn, "123456"))
			require.NoError(t, err)
			assert.Equal(t, models.OTPNone, r, "unknown user")
		})
		t.Run("an opt-in enrols the number of the code it checked", func(t *testing.T) {
			typed := "0412 345 678"
			advance(time.Hour)
			req := otpFor(uid, models.PurposeOptIn, ann2, "222222")
			req.Number = typed
			_, err := s.IssueOTP(ctx, req)
			require.NoError(t, err)
			advance(time.Hour)
			_, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeOptIn, ann3, "333333")) // a newer opt-in, another number
			require.NoError(t, err)
			r, number, err := s.CheckOptIn(ctx, uid, auth.HashOTP(uid, models.PurposeOptIn, "222222"))
			require.NoError(t, err)
			assert.Equal(t, models.OTPWrong, r, "the older code was replaced")
			assert.Empty(t, number)
			r, number, err = s.CheckOptIn(ctx, uid, auth.HashOTP(uid, models.PurposeOptIn, "333333"))
			require.NoError(t, err)
			assert.Equal(t, models.OTPValid, r)
			assert.Equal(t, ann3, number, "the newer code's own number, not the one pending when the caller looked")
			issue("444444")
			req = otpFor(uid, models.PurposeOptIn, ann2, "555555")
			req.Number = typed
			advance(time.Hour)
			_, err = s.IssueOTP(ctx, req)
			require.NoError(t, err)
			_, number, err = s.CheckOptIn(ctx, uid, auth.HashOTP(uid, models.PurposeOptIn, "555555"))
			require.NoError(t, err)
			assert.Equal(t, typed, number, "as the user typed it")
		})
		t.Run("right code, once", func(t *testing.T) {
			issue("123456")
			assert.Equal(t, models.OTPValid, check("123456"))
			assert.Equal(t, models.OTPNone, check("123456"), "a used code is gone")
			_, ok, err := s.PendingOTP(ctx, uid, models.PurposeOptIn)
			require.NoError(t, err)
			assert.False(t, ok)
		})
		t.Run("four wrong tries, then right", func(t *testing.T) {
			issue("234567")
			for i := range 4 {
				assert.Equal(t, models.OTPWrong, check(fmt.Sprintf("%06d", i)), "try %d", i+1)
			}
			assert.Equal(t, models.OTPValid, check("234567"))
		})
		t.Run("five wrong tries", func(t *testing.T) {
			issue("345678")
			for i := range 4 {
				assert.Equal(t, models.OTPWrong, check(fmt.Sprintf("%06d", i)), "try %d", i+1)
			}
			assert.Equal(t, models.OTPExpired, check("000004"), "the fifth wrong try uses the code up")
			assert.Equal(t, models.OTPExpired, check("345678"), "even the right code is refused now")
			dest, ok, err := s.PendingOTP(ctx, uid, models.PurposeOptIn)
			require.NoError(t, err)
			assert.True(t, ok, "an opt-in out of tries is still there, so the caller can say it has expired")
			assert.Equal(t, ann2, dest)
		})
		t.Run("after 5 minutes", func(t *testing.T) {
			issue("456789")
			advance(5*time.Minute - time.Microsecond)
			assert.Equal(t, models.OTPWrong, check("000000"))
			assert.Equal(t, models.OTPValid, check("456789"), "valid until the last microsecond")
			issue("567890")
			advance(5 * time.Minute)
			assert.Equal(t, models.OTPExpired, check("567890"))
			assert.Equal(t, models.OTPExpired, check("000000"))
		})
		t.Run("another user's code", func(t *testing.T) {
			bob, err := s.CreateUser(ctx, models.NewUser{Username: "bob@example.com", FirstName: "Bob"})
			require.NoError(t, err)
			issue("678901")
			r, err := s.CheckOTP(ctx, bob.ID, models.PurposeOptIn, auth.HashOTP(bob.ID, models.PurposeOptIn, "678901"))
			require.NoError(t, err)
			assert.Equal(t, models.OTPNone, r)
			assert.Equal(t, models.OTPWrong, check("000000"))
			r, err = s.CheckOTP(ctx, uid, models.PurposeOptIn, auth.HashOTP(bob.ID, models.PurposeOptIn, "678901"))
			require.NoError(t, err)
			assert.Equal(t, models.OTPWrong, r, "a hash bound to another user does not match")
			assert.Equal(t, models.OTPValid, check("678901"))
		})
		t.Run("stored only hashed", func(t *testing.T) {
			const code = "314159"
			issue(code)
			rows, err := rawDB(t, dsn).QueryContext(ctx, `SELECT * FROM otps`)
			require.NoError(t, err)
			defer func() { _ = rows.Close() }()
			cols, err := rows.Columns()
			require.NoError(t, err)
			n := 0
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				require.NoError(t, rows.Scan(ptrs...))
				for i, v := range vals {
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					assert.NotContains(t, fmt.Sprint(v), code, "column %s", cols[i])
				}
				n++
			}
			require.NoError(t, rows.Err())
			assert.Greater(t, n, 0)
			var hash string
			require.NoError(t, rawDB(t, dsn).QueryRowContext(ctx, `SELECT code_hash FROM otps ORDER BY id DESC LIMIT 1`).Scan(&hash))
			assert.Equal(t, auth.HashOTP(uid, models.PurposeOptIn, code), hash)
		})
	})
}

// TestOTPConcurrent: the checks of one code are serialised, so a code lets in one caller and a guesser
// gets five tries however many requests run at once; codes of many users are issued at once without a
// deadlock.
func TestOTPConcurrent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		s, ctx, uid := fx.s, context.Background(), fx.user.ID
		run := func(n int, f func(i int) models.OTPResult) map[models.OTPResult]int {
			var mu sync.Mutex
			var wg sync.WaitGroup
			counts := map[models.OTPResult]int{}
			for i := range n {
				wg.Go(func() {
					r := f(i)
					mu.Lock()
					counts[r]++
					mu.Unlock()
				})
			}
			wg.Wait()
			return counts
		}

		_, err := s.IssueOTP(ctx, otpFor(uid, models.PurposeLogin, ann2, "111111"))
		require.NoError(t, err)
		counts := run(8, func(int) models.OTPResult {
			r, err := s.CheckOTP(ctx, uid, models.PurposeLogin, auth.HashOTP(uid, models.PurposeLogin, "111111"))
			assert.NoError(t, err)
			return r
		})
		assert.Equal(t, map[models.OTPResult]int{models.OTPValid: 1, models.OTPNone: 7}, counts)

		_, err = s.IssueOTP(ctx, otpFor(uid, models.PurposeOptIn, ann2, "222222"))
		require.NoError(t, err)
		counts = run(10, func(i int) models.OTPResult {
			r, err := s.CheckOTP(ctx, uid, models.PurposeOptIn, auth.HashOTP(uid, models.PurposeOptIn, fmt.Sprintf("%06d", i)))
			assert.NoError(t, err)
			return r
		})
		assert.Equal(t, map[models.OTPResult]int{models.OTPWrong: 4, models.OTPExpired: 6}, counts)

		users := make([]int64, 8)
		for i := range users {
			u, err := s.CreateUser(ctx, models.NewUser{Username: fmt.Sprintf("u%d@example.com", i), FirstName: "U"})
			require.NoError(t, err)
			users[i] = u.ID
		}
		counts = run(len(users), func(i int) models.OTPResult {
			sent, err := s.IssueOTP(ctx, otpFor(users[i], models.PurposeLogin, fmt.Sprintf("+6141000000%d", i), "333333"))
			assert.NoError(t, err)
			assert.True(t, sent)
			r, err := s.CheckOTP(ctx, users[i], models.PurposeLogin, auth.HashOTP(users[i], models.PurposeLogin, "333333"))
			assert.NoError(t, err)
			return r
		})
		assert.Equal(t, map[models.OTPResult]int{models.OTPValid: len(users)}, counts)
	})
}

func TestOTPResultString(t *testing.T) {
	assert.Equal(t, "none", models.OTPResult(0).String(), "the zero value lets no one in")
	assert.Equal(t, "valid", models.OTPValid.String())
	assert.Equal(t, "expired", models.OTPExpired.String())
	assert.Equal(t, "wrong", models.OTPWrong.String())
	assert.Equal(t, "OTPResult(9)", models.OTPResult(9).String())
}
