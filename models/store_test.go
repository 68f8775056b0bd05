package models_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/migrations"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

func TestMigrationFoldersHaveTheSameVersions(t *testing.T) {
	versions := func(dir string) []string {
		entries, err := fs.ReadDir(migrations.FS, dir)
		require.NoError(t, err)
		var vs []string
		for _, e := range entries {
			require.Equal(t, ".sql", path.Ext(e.Name()), "unexpected file %s/%s", dir, e.Name())
			v, _, ok := strings.Cut(e.Name(), "_")
			require.True(t, ok, "migration %s/%s has no version prefix", dir, e.Name())
			vs = append(vs, v)
		}
		return vs
	}
	sqlite, mysql := versions("sqlite"), versions("mysql")
	require.NotEmpty(t, sqlite)
	assert.Equal(t, sqlite, mysql)
}

// TestModelsMatchSchema checks every GORM model against the migrated tables: the same columns, and a
// pointer field exactly where the column is nullable.
func TestModelsMatchSchema(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		s := modelstest.OpenDSN(t, dsn)
		problems, err := s.SchemaDrift(context.Background())
		require.NoError(t, err)
		assert.Empty(t, problems)
	})
}

func TestMigrateDownAndUp(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		s := modelstest.OpenDSN(t, dsn)
		ctx := context.Background()
		st, err := s.Migrate(ctx, "status")
		require.NoError(t, err)
		for i := len(st) - 1; i >= 0; i-- { // down rolls back one migration at a time, newest first
			after, err := s.Migrate(ctx, "down")
			require.NoError(t, err)
			assert.False(t, after[i].Applied, "version %d rolled back", after[i].Version)
			if i > 0 {
				assert.True(t, after[i-1].Applied, "version %d still applied", after[i-1].Version)
			}
		}
		st, err = s.Migrate(ctx, "up")
		require.NoError(t, err)
		for _, m := range st {
			assert.True(t, m.Applied)
		}
		_, err = s.Migrate(ctx, "sideways")
		require.Error(t, err)
	})
}

func TestParseDSN(t *testing.T) {
	d, err := models.ParseDSN("sqlite:data/fileapi.db")
	require.NoError(t, err)
	assert.Equal(t, "sqlite", d.Dialect)
	assert.Equal(t, "data/fileapi.db", d.Path)

	d, err = models.ParseDSN("mysql://root:p%40ss@127.0.0.1:3306/fileapi?tls=skip-verify")
	require.NoError(t, err)
	assert.Equal(t, "mysql", d.Dialect)
	assert.Equal(t, "root", d.Config.User)
	assert.Equal(t, "p@ss", d.Config.Passwd)
	assert.Equal(t, "127.0.0.1:3306", d.Config.Addr)
	assert.Equal(t, "fileapi", d.Config.DBName)
	assert.Equal(t, "skip-verify", d.Config.TLSConfig)
	assert.NotContains(t, d.String(), "p@ss")

	d, err = models.ParseDSN("mysql://root@db/fileapi")
	require.NoError(t, err)
	assert.Equal(t, "db:3306", d.Config.Addr)

	for _, bad := range []string{"", "sqlite:", "postgres://x", "mysql://", "mysql://root:pw@host:3306/", "mysql://host/db", "mysql://root:pw@host/a/b", "data.db"} {
		_, err := models.ParseDSN(bad)
		assert.Error(t, err, bad)
	}
	_, err = models.ParseDSN("mongodb://root:hunter2@host/db")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2", "a password never appears in an error")
}

type fixture struct {
	s    *models.Store
	file models.File
	user models.User
}

func newFixture(t testing.TB, dsn models.DSN) fixture {
	t.Helper()
	ctx := context.Background()
	s := modelstest.OpenDSN(t, dsn)
	id := int64(777)
	f, err := s.CreateFile(ctx, models.NewFile{ID: &id, Name: "Acme Pty Ltd", AllowWebServices: true})
	require.NoError(t, err)
	last := "Lee"
	u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann", LastName: &last})
	require.NoError(t, err)
	_, err = s.Grant(ctx, u.ID, f.ID, models.AccessAdministrator, true)
	require.NoError(t, err)
	return fixture{s: s, file: f, user: u}
}

func TestCreateFile(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		assert.Equal(t, "acme-pty-ltd", fx.file.Slug)
		assert.Equal(t, "AU", fx.file.Country)
		assert.Equal(t, "AUD", fx.file.Currency)

		f2, err := fx.s.CreateFile(ctx, models.NewFile{Name: "Acme Pty Ltd"})
		require.NoError(t, err)
		assert.Equal(t, "acme-pty-ltd-2", f2.Slug)
		assert.Greater(t, f2.ID, int64(0))

		dup := int64(777)
		_, err = fx.s.CreateFile(ctx, models.NewFile{ID: &dup, Name: "Other"})
		assert.Equal(t, models.KindConflict, models.KindOf(err))
		for _, id := range []int64{0, -1, models.MaxID + 1} {
			_, err = fx.s.CreateFile(ctx, models.NewFile{ID: &id, Name: "X"})
			assert.Equal(t, models.KindInvalid, models.KindOf(err), "id %d", id)
		}
		maxID := int64(models.MaxID)
		f3, err := fx.s.CreateFile(ctx, models.NewFile{ID: &maxID, Name: "Max"})
		require.NoError(t, err)
		assert.Equal(t, int64(models.MaxID), f3.ID)
		_, err = fx.s.CreateFile(ctx, models.NewFile{Name: "  "})
		assert.Equal(t, models.KindInvalid, models.KindOf(err))
	})
}

func TestCreateUser(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		assert.Equal(t, int64(1), fx.user.Version)
		_, err := fx.s.CreateUser(ctx, models.NewUser{Username: "ANN@example.com", FirstName: "Other"})
		assert.Equal(t, models.KindConflict, models.KindOf(err), "usernames are unique case-insensitively")
		_, err = fx.s.CreateUser(ctx, models.NewUser{Username: "bob@example.com", FirstName: " "})
		assert.Equal(t, models.KindInvalid, models.KindOf(err))
		got, err := fx.s.UserByUsername(ctx, "Ann@Example.com")
		require.NoError(t, err)
		assert.Equal(t, fx.user.ID, got.ID)
		_, err = fx.s.UserByUsername(ctx, "nobody")
		assert.Equal(t, models.KindNotFound, models.KindOf(err))
	})
}

func TestAccessKeysAndMemberships(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		k, err := fx.s.CreateAccessKey(ctx, fx.user.ID, nil, strings.Repeat("a", 64), "fa_ak_ab")
		require.NoError(t, err)

		owner, err := fx.s.UserByAccessKey(ctx, strings.Repeat("a", 64))
		require.NoError(t, err)
		assert.Equal(t, fx.user.ID, owner.User.ID)
		assert.Equal(t, "ann@example.com", owner.User.Username)
		assert.Equal(t, k.ID, owner.KeyID)
		assert.Nil(t, owner.KeyFileID)

		_, err = fx.s.UserByAccessKey(ctx, strings.Repeat("b", 64))
		assert.Equal(t, models.KindUnauthorized, models.KindOf(err))

		fa, err := fx.s.FileAccess(ctx, fx.user.ID, fx.file.ID)
		require.NoError(t, err)
		assert.Equal(t, models.FileAccess{FileID: 777, AccessLevel: "administrator", WebServices: true, AllowWebServices: true}, fa)
		_, err = fx.s.FileAccess(ctx, fx.user.ID, 778)
		assert.Equal(t, models.KindUnauthorized, models.KindOf(err))

		// Grant twice with the same values (MySQL reports no affected rows), then change.
		_, err = fx.s.Grant(ctx, fx.user.ID, fx.file.ID, models.AccessAdministrator, true)
		require.NoError(t, err)
		_, err = fx.s.Grant(ctx, fx.user.ID, fx.file.ID, models.AccessReadonly, false)
		require.NoError(t, err)
		fa, err = fx.s.FileAccess(ctx, fx.user.ID, fx.file.ID)
		require.NoError(t, err)
		assert.Equal(t, "readonly", fa.AccessLevel)
		assert.False(t, fa.WebServices)
		_, err = fx.s.Grant(ctx, fx.user.ID, fx.file.ID, "owner", true)
		assert.Equal(t, models.KindInvalid, models.KindOf(err))
		_, err = fx.s.Grant(ctx, fx.user.ID+100, fx.file.ID, models.AccessStandard, true)
		assert.Equal(t, models.KindNotFound, models.KindOf(err))

		require.NoError(t, fx.s.Revoke(ctx, fx.user.ID, fx.file.ID))
		assert.Equal(t, models.KindNotFound, models.KindOf(fx.s.Revoke(ctx, fx.user.ID, fx.file.ID)))
		_, err = fx.s.FileAccess(ctx, fx.user.ID, fx.file.ID)
		assert.Equal(t, models.KindUnauthorized, models.KindOf(err))

		rk, err := fx.s.RevokeAccessKey(ctx, k.ID)
		require.NoError(t, err)
		require.NotNil(t, rk.RevokedAt)
		_, err = fx.s.UserByAccessKey(ctx, strings.Repeat("a", 64))
		assert.Equal(t, models.KindUnauthorized, models.KindOf(err))
		_, err = fx.s.RevokeAccessKey(ctx, k.ID+99)
		assert.Equal(t, models.KindNotFound, models.KindOf(err))
	})
}

func TestUpdateProfile(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		opt := models.ChangeOptions{ActorUserID: fx.user.ID, Via: "saasu/key"}

		u, changed, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{
			FirstName:  models.To("Anne"),
			LastName:   models.Null[string](),
			TimezoneID: models.To[int64](22),
		}, opt)
		require.NoError(t, err)
		assert.True(t, changed)
		assert.Equal(t, int64(2), u.Version)
		assert.Equal(t, "Anne", *u.FirstName)
		assert.Nil(t, u.LastName)

		stored, err := fx.s.UserByID(ctx, fx.user.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(2), stored.Version)
		assert.Equal(t, "Anne", *stored.FirstName)
		assert.Nil(t, stored.LastName)
		assert.Equal(t, int64(22), *stored.TimezoneID)
		assert.Equal(t, modelstest.Epoch, stored.ChangedAt.UTC())

		evs, err := fx.s.ProfileEvents(ctx, fx.user.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		assert.Equal(t, int64(2), evs[0].Version)
		assert.Equal(t, "saasu/key", evs[0].Via)
		assert.Equal(t, fx.user.ID, *evs[0].ActorUserID)
		assert.JSONEq(t, `{"first_name":{"old":"Ann","new":"Anne"},"last_name":{"old":"Lee","new":null},"timezone_id":{"old":null,"new":22}}`, evs[0].Changed)

		// The same values again: nothing is written.
		u, changed, err = fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{
			FirstName: models.To("Anne"), LastName: models.Null[string](), TimezoneID: models.To[int64](22),
		}, opt)
		require.NoError(t, err)
		assert.False(t, changed)
		assert.Equal(t, int64(2), u.Version)
		evs, err = fx.s.ProfileEvents(ctx, fx.user.ID)
		require.NoError(t, err)
		assert.Len(t, evs, 1)

		// A failed precondition writes nothing.
		opt.Match = func(v int64) bool { return v == 1 }
		_, _, err = fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{FirstName: models.To("X")}, opt)
		assert.Equal(t, models.KindPrecondition, models.KindOf(err))
		stored, err = fx.s.UserByID(ctx, fx.user.ID)
		require.NoError(t, err)
		assert.Equal(t, "Anne", *stored.FirstName)
		assert.Equal(t, int64(2), stored.Version)

		_, _, err = fx.s.UpdateProfile(ctx, 999, models.ProfileChange{FirstName: models.To("X")}, models.ChangeOptions{})
		assert.Equal(t, models.KindNotFound, models.KindOf(err))
	})
}

func TestUpdateProfileUniqueness(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		bob, err := fx.s.CreateUser(ctx, models.NewUser{Username: "bob@example.com", FirstName: "Bob"})
		require.NoError(t, err)
		_, _, err = fx.s.UpdateProfile(ctx, bob.ID, models.ProfileChange{Username: models.To("ANN@example.com")}, models.ChangeOptions{})
		e := models.AsError(err)
		assert.Equal(t, models.KindConflict, e.Kind)
		assert.Equal(t, "Username", e.Field)

		_, _, err = fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{Email: models.To("ann@work.example")}, models.ChangeOptions{})
		require.NoError(t, err)
		_, _, err = fx.s.UpdateProfile(ctx, bob.ID, models.ProfileChange{Email: models.To("Ann@Work.example")}, models.ChangeOptions{})
		assert.Equal(t, "Email", models.AsError(err).Field)

		// A change of case of one's own username is a change.
		u, changed, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{Username: models.To("Ann@example.com")}, models.ChangeOptions{})
		require.NoError(t, err)
		assert.True(t, changed)
		assert.Equal(t, "Ann@example.com", u.Username)
	})
}

func TestUpdateProfileMobileLockedBy2FA(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		_, _, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{TwoFactor: models.To(true), MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{})
		require.NoError(t, err)
		_, _, err = fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{MobileNumber: models.To("0499 999 999")}, models.ChangeOptions{})
		e := models.AsError(err)
		assert.Equal(t, models.KindInvalid, e.Kind)
		assert.Equal(t, "MobileNumber cannot be changed while two-factor authentication is enabled.", e.Message)
		// Sending the stored number is no change, and allowed.
		_, changed, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{})
		require.NoError(t, err)
		assert.False(t, changed)
	})
}

// TestUpdateProfileConcurrent runs writers at once: no update is lost, versions and events stay in step.
func TestUpdateProfileConcurrent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		const n = 20
		concurrently(t, n, func(i int) error {
			_, _, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{LastName: models.To(fmt.Sprintf("L%02d", i))}, models.ChangeOptions{Via: "test"})
			return err
		})
		u, err := fx.s.UserByID(ctx, fx.user.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(1+n), u.Version)
		evs, err := fx.s.ProfileEvents(ctx, fx.user.ID)
		require.NoError(t, err)
		require.Len(t, evs, n)
		var versions []int
		for _, ev := range evs {
			versions = append(versions, int(ev.Version))
			var diff map[string]any
			require.NoError(t, json.Unmarshal([]byte(ev.Changed), &diff))
		}
		assert.True(t, sort.IntsAreSorted(versions))
		assert.Equal(t, 2, versions[0])
		assert.Equal(t, n+1, versions[n-1])
	})
}

// TestUpdateProfileHotRow writes one user from two stores on one database (two instances of a fleet), each
// change planned on a snapshot that is stale by the time it is written. Every change must land once, in
// order: consecutive versions, and each event's old value is the previous event's new one (no lost update).
func TestUpdateProfileHotRow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		other := modelstest.OpenDSN(t, dsn) // a second instance on the same database
		ctx := context.Background()
		snapshot := fx.user
		const n = 40
		stores := [2]*models.Store{fx.s, other}
		concurrently(t, n, func(i int) error {
			_, changed, err := stores[i%2].UpdateProfile(ctx, fx.user.ID, models.ProfileChange{LastName: models.To(fmt.Sprintf("L%02d", i))},
				models.ChangeOptions{Via: "test", Known: &snapshot})
			if err == nil && !changed {
				err = fmt.Errorf("change %d wrote nothing", i)
			}
			return err
		})
		u, err := fx.s.UserByID(ctx, fx.user.ID)
		require.NoError(t, err)
		assert.Equal(t, snapshot.Version+n, u.Version)
		evs, err := fx.s.ProfileEvents(ctx, fx.user.ID)
		require.NoError(t, err)
		require.Len(t, evs, n)
		prev := "Lee"
		for i, ev := range evs {
			assert.Equal(t, snapshot.Version+int64(i)+1, ev.Version)
			var diff map[string]struct{ Old, New *string }
			require.NoError(t, json.Unmarshal([]byte(ev.Changed), &diff))
			require.NotNil(t, diff["last_name"].Old, "event %d", ev.Version)
			assert.Equal(t, prev, *diff["last_name"].Old, "event %d starts where the one before ended", ev.Version)
			prev = *diff["last_name"].New
		}
		assert.Equal(t, prev, *u.LastName)

		// Ten changes under the same If-Match, from both stores: exactly one is applied.
		snapshot = u
		var applied, refused atomic.Int32
		concurrently(t, 10, func(i int) error {
			want := u.Version
			_, _, err := stores[i%2].UpdateProfile(ctx, u.ID, models.ProfileChange{FirstName: models.To(fmt.Sprintf("F%d", i))},
				models.ChangeOptions{Via: "test", Known: &snapshot, Match: func(v int64) bool { return v == want }})
			switch {
			case models.KindOf(err) == models.KindPrecondition:
				refused.Add(1)
			case err == nil:
				applied.Add(1)
			}
			return nil
		})
		assert.Equal(t, int32(1), applied.Load())
		assert.Equal(t, int32(9), refused.Load())
		u2, err := fx.s.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, u.Version+1, u2.Version)
	})
}

// concurrently runs f(0) … f(n-1) at once and requires that none fails.
func concurrently(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() { errs <- f(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestMigrateAtOnce: eight instances start at once on an empty database; each migration is applied once and
// every instance ends up at the binary's version.
func TestMigrateAtOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		ctx := context.Background()
		concurrently(t, 8, func(int) error {
			s, err := models.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer func() { _ = s.Close() }()
			st, err := s.Migrate(ctx, "up")
			for _, m := range st {
				if err == nil && !m.Applied {
					err = fmt.Errorf("migration %d not applied", m.Version)
				}
			}
			return err
		})
		s := modelstest.OpenDSN(t, dsn)
		versions, err := s.AppliedMigrations(ctx)
		require.NoError(t, err)
		seen := map[int64]int{}
		for _, v := range versions {
			seen[v]++
		}
		all, err := s.Migrate(ctx, "status")
		require.NoError(t, err)
		assert.Len(t, seen, len(all))
		for v, n := range seen {
			assert.Equal(t, 1, n, "migration %d applied once", v)
		}
	})
}

// TestConcurrentGrants: grants of one file to users at once, and of one user again and again, from two
// stores (on MySQL they used to end in a deadlock now and then): all succeed, and the memberships are there.
func TestConcurrentGrants(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		ctx := context.Background()
		other := modelstest.OpenDSN(t, dsn)
		var users []models.User
		for i := range 10 {
			u, err := fx.s.CreateUser(ctx, models.NewUser{Username: fmt.Sprintf("g%d@example.com", i), FirstName: "G"})
			require.NoError(t, err)
			users = append(users, u)
		}
		stores := [2]*models.Store{fx.s, other}
		concurrently(t, 40, func(i int) error {
			u := users[i%len(users)]
			_, err := stores[i%2].Grant(ctx, u.ID, fx.file.ID, []string{models.AccessStandard, models.AccessReadonly}[i%2], i%3 == 0)
			return err
		})
		for _, u := range users {
			ms, err := fx.s.Memberships(ctx, u.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 1)
		}
	})
}
