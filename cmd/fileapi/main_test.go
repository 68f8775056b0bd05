package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

func TestMain(m *testing.M) {
	if os.Getenv(envRunCLI) == "1" {
		// The test binary re-executed as the command line: a second process on the same database.
		main()
	}
	auth.PasswordCost = 4
	os.Exit(m.Run())
}

// envRunCLI makes the test binary run as fileapi itself (see cliProcess).
const envRunCLI = "FILEAPI_TEST_RUN_CLI"

// dbFlag is the --db value of a fresh database of the dialect.
func dbFlag(t *testing.T, dialect string) string {
	d := modelstest.NewDSN(t, dialect)
	if d.Dialect == "sqlite" {
		return "sqlite:" + d.Path
	}
	return "mysql://" + d.Config.User + ":" + d.Config.Passwd + "@" + d.Config.Addr + "/" + d.Config.DBName
}

type result struct {
	code           int
	stdout, stderr string
}

func call(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// object parses the one JSON object a command printed.
func object(t *testing.T, r result) map[string]any {
	t.Helper()
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &m), r.stdout)
	require.Equal(t, 1, strings.Count(r.stdout, "\n"), "one object per line")
	return m
}

func TestAdminCommands(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			env := map[string]string{"FILEAPI_DB": db} // the environment names the database

			f := object(t, call(t, env, "file", "create", "--name", "Acme Pty Ltd", "--id", "777"))
			assert.Equal(t, map[string]any{"id": 777.0, "name": "Acme Pty Ltd", "slug": "acme-pty-ltd", "country": "AU", "currency": "AUD", "allow_web_services": true}, f)
			f = object(t, call(t, env, "file", "create", "--name", "Beta", "--web-services=false"))
			assert.Equal(t, false, f["allow_web_services"])

			u := object(t, call(t, env, "user", "create", "--username", "ann@example.com", "--first-name", "Ann", "--last-name", "Lee", "--password", "s3cret!", "--email", "ann@example.com"))
			assert.Equal(t, "ann@example.com", u["username"])
			assert.Equal(t, "human", u["type"])
			assert.NotContains(t, u, "password_hash")
			svc := object(t, call(t, env, "user", "create", "--username", "robot", "--first-name", "Robot", "--type", "service", "--owner-file", "777"))
			assert.Equal(t, "service", svc["type"])
			assert.Equal(t, 777.0, svc["owner_file_id"])

			m := object(t, call(t, env, "user", "grant", "--user", "ANN@example.com", "--file", "777", "--access-level", "administrator", "--web-services"))
			assert.Equal(t, map[string]any{"user_id": u["id"], "file_id": 777.0, "access_level": "administrator", "web_services": true}, m)

			k := object(t, call(t, env, "key", "create", "--user", "ann@example.com"))
			key := k["key"].(string)
			assert.Regexp(t, `^fa_ak_[A-Za-z0-9_-]{43}$`, key)

			// What the commands did is in the database, and the key works as a key.
			d, err := models.ParseDSN(db)
			require.NoError(t, err)
			s, err := models.Open(context.Background(), d)
			require.NoError(t, err)
			defer func() { _ = s.Close() }()
			owner, err := s.UserByAccessKey(context.Background(), auth.HashSecret(key))
			require.NoError(t, err)
			assert.Equal(t, "ann@example.com", owner.User.Username)
			require.NotNil(t, owner.User.PasswordHash)
			assert.True(t, auth.CheckPassword(owner.User.PasswordHash, "s3cret!"), "the password is stored as a bcrypt hash")
			fa, err := s.FileAccess(context.Background(), owner.User.ID, 777)
			require.NoError(t, err)
			assert.True(t, fa.WebServices)

			// --db after the command wins over the environment.
			r := call(t, map[string]string{"FILEAPI_DB": "sqlite:" + filepath.Join(t.TempDir(), "other.db")}, "key", "create", "--user", "ann@example.com", "--db", db)
			require.Equal(t, 0, r.code, r.stderr)

			rk := object(t, call(t, env, "key", "revoke", "--id", "1"))
			assert.NotNil(t, rk["revoked_at"])
			assert.NotContains(t, rk, "key", "a secret is shown only when created")
			_, err = s.UserByAccessKey(context.Background(), auth.HashSecret(key))
			assert.Equal(t, models.KindUnauthorized, models.KindOf(err))

			_, _, err = s.UpdateProfile(context.Background(), owner.User.ID, models.ProfileChange{FirstName: models.To("Anne")}, models.ChangeOptions{Via: "saasu/key", ActorUserID: owner.User.ID})
			require.NoError(t, err)
			r = call(t, env, "audit", "list", "--user", "ann@example.com")
			require.Equal(t, 0, r.code, r.stderr)
			var ev map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &ev))
			assert.Equal(t, 2.0, ev["version"])
			assert.Equal(t, "saasu/key", ev["via"])
			assert.Equal(t, map[string]any{"first_name": map[string]any{"old": "Ann", "new": "Anne"}}, ev["changed"])

			object(t, call(t, env, "user", "revoke", "--user", "ann@example.com", "--file", "777"))
			_, err = s.FileAccess(context.Background(), owner.User.ID, 777)
			assert.Equal(t, models.KindUnauthorized, models.KindOf(err))

			// Bad input: a clear message on stderr and a non-zero status.
			for _, c := range []struct {
				args []string
				code int
				msg  string
			}{
				{[]string{"user", "create", "--username", "Ann@Example.com", "--first-name", "A"}, 1, "already in use"},
				{[]string{"user", "grant", "--user", "nobody", "--file", "777"}, 1, `user "nobody" does not exist`},
				{[]string{"user", "grant", "--user", "ann@example.com", "--file", "999"}, 1, "file 999 does not exist"},
				{[]string{"user", "grant", "--user", "ann@example.com", "--file", "777", "--access-level", "owner"}, 1, "access level"},
				{[]string{"user", "revoke", "--user", "ann@example.com", "--file", "777"}, 1, "no membership"},
				{[]string{"key", "revoke", "--id", "99"}, 1, "access key 99 does not exist"},
				{[]string{"file", "create", "--name", "X", "--id", "777"}, 1, "file 777 already exists"},
				{[]string{"file", "create", "--name", "X", "--id", "2147483648"}, 1, "file id must be from 1 to 2147483647"},
				{[]string{"file", "create"}, 2, "--name is required"},
				{[]string{"user", "create", "--username", "x"}, 2, "--first-name are required"},
				{[]string{"user", "create", "--username", "x", "--first-name", "X", "--type", "robot"}, 2, "--type must be human or service"},
				{[]string{"user", "create", "--username", "x", "--first-name", "X", "--password", "123"}, 2, "6 to 250"},
				{[]string{"key", "create", "--user", "ann@example.com", "--bogus"}, 2, "flag provided but not defined: -bogus"},
				{[]string{"file", "delete"}, 2, `unknown command "file delete"`},
				{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
				{[]string{}, 2, "no command given"},
				{[]string{"migrate", "sideways"}, 2, "unknown direction"},
			} {
				r := call(t, env, c.args...)
				assert.Equal(t, c.code, r.code, "%v: %s", c.args, r.stderr)
				assert.Contains(t, r.stderr, c.msg, "%v", c.args)
				assert.Empty(t, r.stdout, "%v", c.args)
			}
		})
	}
}

func TestDatabaseErrors(t *testing.T) {
	for _, c := range []struct {
		db, msg string
		code    int
	}{
		{"postgres://u:hunter2@h/db", "want sqlite:PATH or mysql://", 2},
		{"mysql://root:hunter2@127.0.0.1:1/fileapi", "connect to mysql://root@127.0.0.1:1/fileapi", 1},
		{"mysql://:hunter2@host", "invalid database URL", 2},
		{"sqlite:", "want sqlite:PATH", 2},
	} {
		r := call(t, nil, "migrate", "status", "--db", c.db)
		assert.Equal(t, c.code, r.code, c.db)
		assert.Contains(t, r.stderr, c.msg, c.db)
		assert.NotContains(t, r.stderr, "hunter2", "a password never appears in a message")
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"file", "create", "--help"},
		{"user", "create", "--help"}, {"user", "grant", "--help"}, {"user", "revoke", "--help"},
		{"key", "create", "--help"}, {"key", "revoke", "--help"}, {"audit", "list", "--help"}, {"user", "--help"},
	} {
		r := call(t, nil, args...)
		assert.Equal(t, 0, r.code, "%v", args)
		assert.Contains(t, r.stdout, "Usage: fileapi", "%v", args)
		assert.Empty(t, r.stderr, "%v", args)
	}
}

func TestMigrateCommand(t *testing.T) {
	db := dbFlag(t, "sqlite")
	r := call(t, nil, "migrate", "status", "--db", db)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"applied":false`)
	r = call(t, nil, "--db", db, "migrate")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `{"version":1,"source":"00001_init.sql","applied":true}`)
	assert.Contains(t, r.stdout, `{"version":2,"source":"00002_otp.sql","applied":true}`)
	r = call(t, nil, "migrate", "down", "--db", db)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"applied":false`)
}

// lockedBuffer is an io.Writer that a running server and the test may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var curlURL = regexp.MustCompile(`curl -s '(http://[^']+)'`)

// TestServe boots the real command on port 0 with --demo, calls the printed curl, and stops it with a request
// in flight: the request finishes, then run returns 0.
func TestServe(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out, logs := &lockedBuffer{}, &lockedBuffer{}
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", db, "--log-format", "json"},
					func(string) string { return "" }, strings.NewReader(""), out, logs)
			}()
			var url string
			require.Eventually(t, func() bool {
				m := curlURL.FindStringSubmatch(out.String())
				if m != nil {
					url = m[1]
				}
				return m != nil
			}, 10*time.Second, 20*time.Millisecond, "no curl printed; logs: %s", logs.String())

			resp, err := http.Get(url)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Contains(t, string(body), `"Username":"ann@example.com"`)
			assert.Contains(t, string(body), `"FirstName":"Ann"`)

			// The workspace line works as printed too.
			ws := regexp.MustCompile(`curl -s -H 'X-Api-Key: (\S+)' '(http://\S+/api/workspace/account/profile)'`).FindStringSubmatch(out.String())
			require.NotNil(t, ws, out.String())
			wsReq, _ := http.NewRequest("GET", ws[2], nil)
			wsReq.Header.Set("X-Api-Key", ws[1])
			resp, err = http.DefaultClient.Do(wsReq)
			require.NoError(t, err)
			body, _ = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Contains(t, string(body), `"UserName":"ann@example.com"`)

			// A PUT whose body arrives slowly is in flight when the server is told to stop.
			pr, pw := io.Pipe()
			putURL := strings.Replace(url, "/User?", "/User?", 1)
			req, _ := http.NewRequest("PUT", putURL, pr)
			req.Header.Set("Content-Type", "application/json")
			status := make(chan int, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					status <- -1
					return
				}
				_ = resp.Body.Close()
				status <- resp.StatusCode
			}()
			_, _ = pw.Write([]byte(`{"FirstName":`))
			time.Sleep(100 * time.Millisecond)
			cancel()
			time.Sleep(100 * time.Millisecond)
			_, _ = pw.Write([]byte(`"Anne"}`))
			_ = pw.Close()
			assert.Equal(t, http.StatusOK, <-status, "the request in flight finished")
			select {
			case code := <-done:
				assert.Equal(t, 0, code, logs.String())
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not stop")
			}

			// The log is JSON, has request ids, and no secret.
			key := regexp.MustCompile(`fa_ak_[A-Za-z0-9_-]{43}`).FindString(out.String())
			require.NotEmpty(t, key)
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			requests := 0
			for sc.Scan() {
				var line map[string]any
				require.NoError(t, json.Unmarshal(sc.Bytes(), &line), sc.Text())
				if line["msg"] == "request" {
					requests++
					assert.NotEmpty(t, line["request_id"])
				}
			}
			assert.Equal(t, 3, requests, "the GET, the workspace GET and the PUT in flight")
			assert.NotContains(t, logs.String(), key)
			assert.Contains(t, logs.String(), "wsAccessKey=REDACTED")

			// A second start on the same database prints a fresh, working key.
			ctx2, cancel2 := context.WithCancel(context.Background())
			out2 := &lockedBuffer{}
			go func() {
				done <- run(ctx2, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", db},
					func(string) string { return "" }, strings.NewReader(""), out2, io.Discard)
			}()
			require.Eventually(t, func() bool { return curlURL.MatchString(out2.String()) }, 10*time.Second, 20*time.Millisecond)
			resp, err = http.Get(curlURL.FindStringSubmatch(out2.String())[1])
			require.NoError(t, err)
			body, _ = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), `"FirstName":"Anne"`, "the PUT in flight was written")
			assert.Contains(t, out2.String(), "bin/fileapi user set-password --user ann@example.com", "how to get a password")
			// The first start's key is revoked, not left live.
			second := curlURL.FindStringSubmatch(out2.String())[1]
			resp, err = http.Get(second[:strings.Index(second, "wsAccessKey=")] + "wsAccessKey=" + key)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the earlier demo key is revoked")
			cancel2()
			assert.Equal(t, 0, <-done)
		})
	}
}

// TestSettingsPrecedence: a flag wins over FILEAPI_*, which wins over the default.
func TestSettingsPrecedence(t *testing.T) {
	c := &cli{getenv: func(k string) string {
		return map[string]string{"FILEAPI_ADDR": "127.0.0.1:9999", "FILEAPI_LOG_FORMAT": "json"}[k]
	}, usage: map[*flag.FlagSet]string{}}
	fs, _ := c.flags("serve", "serve")
	fs.String("addr", "127.0.0.1:8080", "")
	fs.String("log-format", "text", "")
	fs.String("public-url", "", "")
	require.NoError(t, fs.Parse([]string{"--log-format", "text"}))
	assert.Equal(t, "127.0.0.1:9999", c.setting(fs, "addr", "FILEAPI_ADDR", "127.0.0.1:8080"), "env over default")
	assert.Equal(t, "text", c.setting(fs, "log-format", "FILEAPI_LOG_FORMAT", "text"), "flag over env")
	assert.Equal(t, "", c.setting(fs, "public-url", "FILEAPI_PUBLIC_URL", ""), "default")

	r := call(t, nil, "serve", "--public-url", "ftp://x", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--public-url must be an http or https URL")
	r = call(t, map[string]string{"FILEAPI_LOG_FORMAT": "xml"}, "serve", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--log-format must be text or json")
}
