package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// cliProcess runs fileapi's command line in a process of its own (this test binary, re-executed) and
// returns the one JSON object it printed.
func cliProcess(t *testing.T, db string, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--db", db}, args...)...)
	cmd.Env = append(os.Environ(), envRunCLI+"=1")
	out, err := cmd.Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "fileapi %v: %s", args, stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m), string(out))
	return m
}

// TestRevocationByAnotherProcess serves one instance and changes its database from another process, the
// command line, as an operator would: a revoked key, a removed membership and a file whose web services are
// switched off are refused by the very next request, after the instance had served the key (and, on SQLite,
// cached it).
func TestRevocationByAnotherProcess(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			dsn, err := models.ParseDSN(db)
			require.NoError(t, err)
			env := map[string]string{"FILEAPI_DB": db}
			require.Equal(t, 0, call(t, env, "migrate", "up").code)
			object(t, call(t, env, "file", "create", "--name", "Acme", "--id", "777"))
			for _, u := range []string{"ann@example.com", "bob@example.com"} {
				object(t, call(t, env, "user", "create", "--username", u, "--first-name", "A"))
				object(t, call(t, env, "user", "grant", "--user", u, "--file", "777", "--web-services"))
			}
			annKey := object(t, call(t, env, "key", "create", "--user", "ann@example.com"))
			bobKey := object(t, call(t, env, "key", "create", "--user", "bob@example.com"))

			s := modelstest.OpenDSN(t, dsn)
			srv := httptest.NewServer(handlers.New(handlers.Config{Store: s}))
			t.Cleanup(srv.Close)
			get := func(key any) int {
				req, err := http.NewRequestWithContext(context.Background(), "GET", srv.URL+"/User?FileId=777&wsAccessKey="+key.(string), nil)
				require.NoError(t, err)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				_ = resp.Body.Close()
				return resp.StatusCode
			}
			served := func(key any) {
				t.Helper()
				for range 2 {
					require.Equal(t, http.StatusOK, get(key))
				}
			}

			served(annKey["key"])
			served(bobKey["key"])
			cliProcess(t, db, "key", "revoke", "--id", itoaAny(annKey["id"]))
			assert.Equal(t, http.StatusUnauthorized, get(annKey["key"]), "a key revoked by another process")

			cliProcess(t, db, "file", "update", "--id", "777", "--web-services=false")
			assert.Equal(t, http.StatusUnauthorized, get(bobKey["key"]), "web services switched off by another process")
			cliProcess(t, db, "file", "update", "--id", "777", "--web-services=true")
			served(bobKey["key"])

			cliProcess(t, db, "user", "revoke", "--user", "bob@example.com", "--file", "777")
			assert.Equal(t, http.StatusUnauthorized, get(bobKey["key"]), "a membership removed by another process")
		})
	}
}

func itoaAny(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
