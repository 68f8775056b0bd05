package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	auth.PasswordCost = 4 // bcrypt at full cost would dominate the suite
	code := m.Run()
	if code == 0 && !openAPICoverage(os.Stderr) {
		code = 1
	}
	os.Exit(code)
}

// publicURL is the base of every href in the tests: the spec's examples use it.
const publicURL = "https://api.example.com"

// fixture is a server on a fresh database holding the spec's example world:
//
//	file 777 "Acme Pty Ltd"   ann: administrator, web services on        key: fx.key (any file)
//	file 778 "Beta Pty Ltd"   ann: standard, web services OFF            key: fx.key778 (bound to 778)
//	file 779 "Gamma Pty Ltd"  file has web services OFF; ann member with web services on
//	file 780 "Delta Pty Ltd"  ann is no member; bob is (web services on)  key: fx.bobKey
//	user 42 ann@example.com (Ann Lee); user 43 bob@example.com; fx.revoked is a revoked key of ann
type fixture struct {
	t       testing.TB
	dsn     models.DSN
	store   *models.Store
	handler http.Handler // the router behind the OpenAPI check, for httptest servers
	raw     http.Handler // the router itself (fx.do checks its answers; the benchmarks must not pay for it)
	ann     models.User
	bob     models.User
	key     string
	key778  string
	revoked string
	bobKey  string
}

func newFixture(t testing.TB, dsn models.DSN) *fixture {
	t.Helper()
	ctx := context.Background()
	s := modelstest.OpenDSN(t, dsn)
	fx := &fixture{t: t, dsn: dsn, store: s}
	fx.raw = handlers.New(handlers.Config{Store: s, PublicURL: publicURL})
	fx.handler = openAPIChecked(t, fx.raw)
	for _, f := range []struct {
		id   int64
		name string
		ws   bool
	}{{777, "Acme Pty Ltd", true}, {778, "Beta Pty Ltd", true}, {779, "Gamma Pty Ltd", false}, {780, "Delta Pty Ltd", true}} {
		id := f.id
		_, err := s.CreateFile(ctx, models.NewFile{ID: &id, Name: f.name, AllowWebServices: f.ws})
		require.NoError(t, err)
	}
	pw, err := auth.HashPassword("s3cret!")
	require.NoError(t, err)
	fx.ann = fx.user(models.NewUser{ID: ptr[int64](42), Username: "ann@example.com", FirstName: "Ann", LastName: ptr("Lee"), PasswordHash: &pw})
	fx.bob = fx.user(models.NewUser{ID: ptr[int64](43), Username: "bob@example.com", FirstName: "Bob", PasswordHash: &pw})
	fx.grant(fx.ann.ID, 777, models.AccessAdministrator, true)
	fx.grant(fx.ann.ID, 778, models.AccessStandard, false)
	fx.grant(fx.ann.ID, 779, models.AccessStandard, true)
	fx.grant(fx.bob.ID, 780, models.AccessStandard, true)
	fx.key = fx.newKey(fx.ann.ID, nil)
	fx.key778 = fx.newKey(fx.ann.ID, ptr[int64](778))
	fx.bobKey = fx.newKey(fx.bob.ID, nil)
	fx.revoked = fx.newKey(fx.ann.ID, nil)
	k, err := s.UserByAccessKey(ctx, auth.HashSecret(fx.revoked))
	require.NoError(t, err)
	_, err = s.RevokeAccessKey(ctx, k.KeyID)
	require.NoError(t, err)
	// The spec's UserDetail example: TimezoneId 22, formats 1.
	u, _, err := s.UpdateProfile(ctx, fx.ann.ID, models.ProfileChange{TimezoneID: models.To[int64](22),
		DateTimeFormatID: models.To[int64](1), NumberFormatID: models.To[int64](1)}, models.ChangeOptions{Via: "test"})
	require.NoError(t, err)
	fx.ann = u
	return fx
}

func (fx *fixture) user(nu models.NewUser) models.User {
	u, err := fx.store.CreateUser(context.Background(), nu)
	require.NoError(fx.t, err)
	return u
}

func (fx *fixture) grant(userID, fileID int64, level string, ws bool) {
	_, err := fx.store.Grant(context.Background(), userID, fileID, level, ws)
	require.NoError(fx.t, err)
}

func (fx *fixture) newKey(userID int64, fileID *int64) string {
	secret := auth.NewSecret(auth.PrefixAccessKey)
	_, err := fx.store.CreateAccessKey(context.Background(), userID, fileID, auth.HashSecret(secret), auth.DisplayPrefix(secret))
	require.NoError(fx.t, err)
	return secret
}

// reload reads a user as stored now.
func (fx *fixture) reload(id int64) models.User {
	u, err := fx.store.UserByID(context.Background(), id)
	require.NoError(fx.t, err)
	return u
}

// events lists a user's profile events as stored now.
func (fx *fixture) events(id int64) []models.ProfileEvent {
	evs, err := fx.store.ProfileEvents(context.Background(), id)
	require.NoError(fx.t, err)
	return evs
}

// do sends one request through the real router. headers are "Name: value" strings.
func (fx *fixture) do(method, target, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = "api.example.com"
	req.Header.Del("Content-Type")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	fx.raw.ServeHTTP(w, req)
	checkOpenAPI(fx.t, req, w)
	return w
}

// each runs f on a fresh fixture for every database of this run.
func each(t *testing.T, f func(t *testing.T, fx *fixture)) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		f(t, newFixture(t, dsn))
	})
}

// assertBody compares a response body with want: JSON after parsing, anything else byte for byte.
func assertBody(t *testing.T, want string, w *httptest.ResponseRecorder) {
	t.Helper()
	got := w.Body.String()
	if strings.Contains(w.Header().Get("Content-Type"), "json") && want != "" {
		var a, b any
		require.NoError(t, json.Unmarshal([]byte(want), &a), "want is not JSON: %s", want)
		require.NoError(t, json.Unmarshal([]byte(got), &b), "body is not JSON: %s", got)
		assert.Equal(t, a, b, "body: %s", got)
		return
	}
	assert.Equal(t, want, got)
}

// golden compares the body with testdata/NAME (XML byte for byte, JSON parsed); -update rewrites it.
func golden(t *testing.T, name string, w *httptest.ResponseRecorder) {
	t.Helper()
	path := filepath.Join("..", "testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, w.Body.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file (run with -update, then check it against the spec)")
	assertBody(t, string(bytes.TrimRight(want, "\n")), w)
}

func ptr[T any](v T) *T { return &v }

var _ = io.EOF

// enable2FA turns on two-factor authentication for a user, keeping the stored number.
func (fx *fixture) enable2FA(id int64) {
	u := fx.reload(id)
	_, _, err := fx.store.UpdateProfile(context.Background(), id, models.ProfileChange{TwoFactor: models.To(true), MobileNumber: models.Change[string]{Set: true, Value: u.MobileNumber}}, models.ChangeOptions{Via: "test"})
	require.NoError(fx.t, err)
}
