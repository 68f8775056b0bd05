package models

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Transactions that MySQL or MariaDB ends with a deadlock (1213: also how a Galera cluster refuses a
// transaction that lost certification to one committed on another node) or a lock wait timeout (1205) are run
// again, up to retryAttempts times in all, after a short random wait; only then is the error an outage.
const (
	retryAttempts  = 5
	retryFirstWait = 2 * time.Millisecond
)

// retryable reports whether err ended a transaction that may succeed when run again from the start.
func retryable(err error) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && (my.Number == 1213 || my.Number == 1205)
}

// retry runs f until it succeeds, fails with an error that a new attempt cannot cure, or has run
// retryAttempts times. f must start its transaction (or statement) afresh each time.
func retry(ctx context.Context, f func() error) error {
	wait := retryFirstWait
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt == retryAttempts || !retryable(err) {
			return err
		}
		// Jitter spreads the next attempts of the transactions that collided.
		t := time.NewTimer(wait/2 + rand.N(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// retryValue is retry for a function that returns a value with its error.
func retryValue[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var v T
	err := retry(ctx, func() error {
		var err error
		v, err = f()
		return err
	})
	return v, err
}
