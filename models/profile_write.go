package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// UpdateProfile is the one way a profile changes, for every dialect. In one transaction it checks the
// precondition and the state rules, compares, writes the changed fields, bumps the version and appends a
// profile event. It returns the user as it is afterwards and whether anything changed; when nothing
// differs it writes nothing.
//
// Changes to one user are applied in the order they arrive, several to a transaction when they arrive
// together: many clients writing one user (a hot row) then cost one transaction per batch instead of one
// lock wait per change, and each change still gets its own version, If-Match check and profile event, as if
// applied one after the other. A batch is planned on the newest row known without a query (opt.Known, the
// user as the request's credential lookup read it, or the row the previous batch left) and written with one
// UPDATE under "WHERE version = the version planned on"; only when another writer got in between is the row
// read again, locked, inside the transaction, and the batch planned again.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, pc ProfileChange, opt ChangeOptions) (User, bool, error) {
	job := &profileJob{pc: pc, opt: opt, wake: make(chan struct{})}
	s.profiles.run(ctx, s, userID, job)
	return job.u, job.changed, job.err
}

// profileBatchMax is the most changes one transaction applies.
const profileBatchMax = 16

// profileJob is one change waiting for its batch, and then its result.
type profileJob struct {
	pc   ProfileChange
	opt  ChangeOptions
	wake chan struct{} // closed when the result is in, or when this job is to lead the next batch
	lead bool

	u       User
	changed bool
	err     error
}

// profileQueues holds, per user, the changes waiting for a batch. The goroutine whose change finds no batch
// running leads one: it takes the waiting changes, applies them, hands each its result, and hands the lead to
// the first change that arrived meanwhile.
type profileQueues struct {
	mu     sync.Mutex
	queues map[int64]*profileQueue
}

type profileQueue struct {
	jobs    []*profileJob
	running bool
	last    *User // the row as the last batch of this queue left it
}

func (pq *profileQueues) run(ctx context.Context, s *Store, userID int64, job *profileJob) {
	pq.mu.Lock()
	if pq.queues == nil {
		pq.queues = map[int64]*profileQueue{}
	}
	q := pq.queues[userID]
	if q == nil {
		q = &profileQueue{}
		pq.queues[userID] = q
	}
	q.jobs = append(q.jobs, job)
	if q.running {
		pq.mu.Unlock()
		<-job.wake
		if !job.lead {
			return
		}
		pq.mu.Lock()
	}
	q.running = true
	n := min(len(q.jobs), profileBatchMax)
	batch := append([]*profileJob(nil), q.jobs[:n]...)
	q.jobs = append(q.jobs[:0], q.jobs[n:]...)
	base := q.last
	pq.mu.Unlock()

	if len(batch) > 1 {
		// The batch is everyone's: one caller going away must not fail the others' changes.
		ctx = context.WithoutCancel(ctx)
	}
	last := s.applyProfiles(ctx, userID, newestKnown(base, batch), batch)

	pq.mu.Lock()
	q.last = last
	if len(q.jobs) > 0 {
		next := q.jobs[0]
		next.lead = true
		close(next.wake)
	} else {
		q.running = false
		delete(pq.queues, userID)
	}
	pq.mu.Unlock()
	for _, j := range batch {
		if j != job {
			close(j.wake)
		}
	}
}

// newestKnown is the row of the highest version among base and the jobs' Known, or nil when none is known.
func newestKnown(base *User, jobs []*profileJob) *User {
	best := base
	for _, j := range jobs {
		if k := j.opt.Known; k != nil && (best == nil || k.Version > best.Version) {
			best = k
		}
	}
	return best
}

// plannedEvent is one change of a batch that writes: its profile event and its message.
type plannedEvent struct {
	version int64
	changed string
	actor   *int64
	via     string
	message *Message
}

// applyProfiles applies a batch of one user's changes in one transaction, planned on known when it is
// given, and returns the row as the transaction left it (nil when it is not known). A transaction that the
// database ends with a deadlock (on Galera: a lost certification) is run again (see retry).
func (s *Store) applyProfiles(ctx context.Context, userID int64, known *User, jobs []*profileJob) *User {
	if known != nil {
		// A batch that changes nothing needs no transaction: plan it on what is known, without the name checks.
		if _, events, err := s.planProfiles(ctx, nil, *known, jobs); err == nil && len(events) == 0 {
			return known
		}
	}
	var last *User
	err := retry(ctx, func() error {
		var err error
		last, err = s.applyProfilesOnce(ctx, userID, known, jobs)
		return err
	})
	if err != nil && len(jobs) > 1 && KindOf(err) == KindConflict {
		// A name another transaction took between the check and the write: that job alone fails; apply each
		// on its own so that the others still land.
		for _, j := range jobs {
			last = s.applyProfiles(ctx, userID, nil, []*profileJob{j})
		}
		return last
	}
	if err != nil {
		err = translate(err)
		for _, j := range jobs {
			j.u, j.changed, j.err = User{}, false, err
		}
		return nil
	}
	return last
}

// applyProfilesOnce is one attempt of applyProfiles. It sets each job's result and returns the errors that
// end the whole batch.
func (s *Store) applyProfilesOnce(ctx context.Context, userID int64, known *User, jobs []*profileJob) (*User, error) {
	tx, err := s.wr.BeginTx(ctx) // BEGIN IMMEDIATE on SQLite (_txlock): this transaction is the only writer
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	base, locked := known, false
	for {
		if base == nil {
			u, err := lockUser(ctx, tx, s.dialect, userID)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, &Error{Kind: KindNotFound, Message: fmt.Sprintf("user %d does not exist", userID), Err: err}
			} else if err != nil {
				return nil, err
			}
			base, locked = &u, true
		}
		final, events, err := s.planProfiles(ctx, tx, *base, jobs)
		if err != nil {
			return nil, err
		}
		if len(events) == 0 {
			return base, nil
		}
		moved, err := s.writeProfiles(ctx, tx, *base, final, events)
		switch {
		case err != nil:
			return nil, err
		case moved && locked:
			// Unreachable (the row is locked), but a lost update must never pass silently.
			return nil, &Error{Kind: KindPrecondition, Message: "the profile has changed since it was read"}
		case moved:
			base = nil // another writer got in between: read the row, locked, and plan again
			continue
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return &final, nil
	}
}

// lockUser reads a user inside a transaction, locking the row on MySQL (SQLite's immediate transaction
// already excludes other writers).
func lockUser(ctx context.Context, tx *sqlTx, dialect string, userID int64) (User, error) {
	q := sqlUserByID
	if dialect == "mysql" {
		q = sqlUserForUpdate
	}
	var u User
	if err := tx.QueryRowContext(ctx, q, userID).Scan(userFields(&u)...); err != nil {
		return User{}, err
	}
	u.normaliseTimes()
	return u, nil
}

// planProfiles plans each job in order on the row the jobs before it left, sets each job's result, and
// returns the final row and the events to write. A job whose plan fails (If-Match, a state rule, a name
// taken) changes nothing and the next is planned as if it had not come. Without a transaction (tx nil) the
// names are not checked: that plan only tells whether anything would be written.
func (s *Store) planProfiles(ctx context.Context, tx *sqlTx, base User, jobs []*profileJob) (User, []plannedEvent, error) {
	row := base
	now := s.Now()
	var events []plannedEvent
	for _, j := range jobs {
		after, diff, err := planProfile(row, j.pc, j.opt)
		if err == nil && len(diff) > 0 && tx != nil {
			err = checkNames(ctx, tx, after, diff)
		}
		var me *Error
		switch {
		case errors.As(err, &me):
			j.u, j.changed, j.err = User{}, false, err
			continue
		case err != nil:
			return User{}, nil, err
		case len(diff) == 0:
			j.u, j.changed, j.err = row, false, nil
			continue
		}
		after.Version, after.ChangedAt, after.UpdatedAt = row.Version+1, now, now
		changed, err := json.Marshal(diff) // map keys are sorted: the event is deterministic
		if err != nil {
			return User{}, nil, err
		}
		ev := plannedEvent{version: after.Version, changed: string(changed), via: j.opt.Via}
		if j.opt.ActorUserID != 0 {
			actor := j.opt.ActorUserID
			ev.actor = &actor
		}
		if j.opt.Notify != nil {
			ev.message = j.opt.Notify(row)
		}
		events = append(events, ev)
		j.u, j.changed, j.err = after, true, nil
		row = after
	}
	return row, events, nil
}

// checkNames fails with KindConflict when a new username or e-mail of a change is another user's.
func checkNames(ctx context.Context, tx *sqlTx, after User, diff map[string]fieldDiff) error {
	if _, ok := diff["username"]; ok {
		if err := checkFree(ctx, tx, after.Username, after.ID, "Username"); err != nil {
			return err
		}
	}
	if _, ok := diff["email"]; ok && after.Email != nil {
		return checkFree(ctx, tx, *after.Email, after.ID, "Email")
	}
	return nil
}

// sqlWriteProfile writes every profile column of a user, guarded by the version the change was planned on:
// one fixed statement for every change, prepared once, whatever the fields. sqlWriteProfileNames does the
// same with the username and e-mail too; without them a change leaves their unique and lookup indexes
// untouched (the database updates an index when the statement sets one of its columns, whatever the value).
// The profile columns come from Profile (see appendProfile).
var (
	sqlWriteProfile = `UPDATE users SET ` + profileAssignments() + `, is_2fa_enabled = ?, version = ?, changed_at = ?,
	updated_at = ? WHERE id = ? AND version = ?`
	sqlWriteProfileNames = `UPDATE users SET username = ?, username_key = ?, email = ?, email_key = ?, ` +
		profileAssignments() + `, is_2fa_enabled = ?, version = ?, changed_at = ?, updated_at = ? WHERE id = ? AND version = ?`
)

// sqlInsertEvents[n] inserts n profile events in one statement.
var sqlInsertEvents = func() (q [profileBatchMax + 1]string) {
	for n := 1; n <= profileBatchMax; n++ {
		q[n] = `INSERT INTO profile_events (user_id, version, changed, actor_user_id, via, at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ")
	}
	return q
}()

// writeProfiles writes the final row of a batch and its events. moved is true, and nothing is written, when
// the row is no longer at base's version.
func (s *Store) writeProfiles(ctx context.Context, tx *sqlTx, base, u User, events []plannedEvent) (moved bool, err error) {
	now := u.UpdatedAt
	q, args := sqlWriteProfile, make([]any, 0, len(profileFields)+10)
	if u.Username != base.Username || !same(u.Email, base.Email) {
		q, args = sqlWriteProfileNames, append(args, u.Username, u.UsernameKey, u.Email, u.EmailKey)
	}
	args = append(appendProfile(args, &u.Profile), u.Is2FAEnabled, u.Version, u.ChangedAt, u.UpdatedAt, u.ID, base.Version)
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, err
	} else if n != 1 {
		return true, nil
	}
	if q == sqlWriteProfileNames {
		if err := renameUser(ctx, tx, u.ID, base, u); err != nil {
			return false, err
		}
	}
	args = make([]any, 0, 6*len(events))
	for _, ev := range events {
		args = append(args, u.ID, ev.version, ev.changed, ev.actor, ev.via, now)
	}
	if _, err := tx.ExecContext(ctx, sqlInsertEvents[len(events)], args...); err != nil {
		return false, err
	}
	for _, ev := range events {
		if m := ev.message; m != nil {
			if err := enqueue(ctx, tx, now, m.Kind, m.To, m.Subject, m.Body); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}
