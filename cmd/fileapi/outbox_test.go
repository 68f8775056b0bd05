package main

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// lines parses the JSON objects a command printed, one a line.
func lines(t *testing.T, r result) []map[string]any {
	t.Helper()
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

func TestOutboxList(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			ctx := context.Background()

			// A new database: migrated, nothing printed.
			r := call(t, nil, "outbox", "list", "--db", db)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Empty(t, r.stdout)

			u := object(t, call(t, nil, "--db", db, "user", "create", "--username", "ann@example.com", "--first-name", "Ann"))
			uid := int64(u["id"].(float64))
			d, err := models.ParseDSN(db)
			require.NoError(t, err)
			s, err := models.Open(ctx, d)
			require.NoError(t, err)
			defer func() { _ = s.Close() }()
			for _, m := range []struct{ purpose, to, code string }{
				{models.PurposeLogin, "+61412345678", "012345"},
				{models.PurposeOptIn, "+61487654321", "543210"},
				{models.PurposeOptIn + "2", "+61412345678", "111111"},
			} {
				sent, err := s.IssueOTP(ctx, models.OTPRequest{UserID: uid, Purpose: m.purpose, Destination: m.to,
					Code: m.code, CodeHash: auth.HashOTP(uid, m.purpose, m.code)})
				require.NoError(t, err)
				require.True(t, sent)
			}
			all, err := s.Outbox(ctx, "")
			require.NoError(t, err)
			require.Len(t, all, 3)
			require.NoError(t, s.MarkFailed(ctx, all[1].ID, "webhook answered 502", time.Time{}))
			require.NoError(t, s.MarkSent(ctx, all[2].ID))

			env := map[string]string{"FILEAPI_DB": db}
			got := lines(t, call(t, env, "outbox", "list"))
			require.Len(t, got, 3)
			for i, m := range got {
				assert.Equal(t, []string{"attempts", "body", "created_at", "id", "kind", "last_error", "sent_at", "state", "subject", "to"},
					slices.Sorted(maps.Keys(m)), "message %d", i)
				assert.Equal(t, float64(all[i].ID), m["id"], "newest last")
				assert.Equal(t, "sms", m["kind"])
				assert.Equal(t, "", m["subject"])
				created, err := time.Parse(time.RFC3339Nano, m["created_at"].(string))
				require.NoError(t, err)
				assert.WithinDuration(t, time.Now(), created, time.Minute)
			}
			assert.Equal(t, "+61412345678", got[0]["to"])
			assert.Equal(t, "Your verification code is 012345. It expires in 5 minutes.", got[0]["body"])
			assert.Equal(t, "pending", got[0]["state"])
			assert.Nil(t, got[0]["sent_at"])
			assert.Nil(t, got[0]["last_error"])
			assert.Equal(t, 0.0, got[0]["attempts"])

			assert.Equal(t, "failed", got[1]["state"])
			assert.Equal(t, 1.0, got[1]["attempts"])
			assert.Equal(t, "webhook answered 502", got[1]["last_error"])
			assert.Nil(t, got[1]["sent_at"])

			assert.Equal(t, "sent", got[2]["state"])
			assert.NotNil(t, got[2]["sent_at"])

			// --to filters; the global --db before the command works too.
			got = lines(t, call(t, nil, "--db", db, "outbox", "list", "--to", "+61412345678"))
			require.Len(t, got, 2)
			assert.Equal(t, []any{"pending", "sent"}, []any{got[0]["state"], got[1]["state"]})
			got = lines(t, call(t, env, "outbox", "list", "--to", "nobody@example.com"))
			assert.Empty(t, got)

			for _, c := range []struct {
				args []string
				msg  string
			}{
				{[]string{"outbox"}, "outbox needs a subcommand"},
				{[]string{"outbox", "send"}, `unknown command "outbox send"`},
				{[]string{"outbox", "list", "extra"}, `unexpected argument "extra"`},
				{[]string{"outbox", "list", "--to"}, "flag needs an argument"},
			} {
				r := call(t, env, c.args...)
				assert.Equal(t, 2, r.code, "%v", c.args)
				assert.Contains(t, r.stderr, c.msg, "%v", c.args)
				assert.Empty(t, r.stdout, "%v", c.args)
			}
		})
	}
}

func TestOutboxHelp(t *testing.T) {
	r := call(t, nil, "outbox", "list", "--help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "Usage: fileapi outbox list [--to ADDRESS]")
	assert.Contains(t, r.stdout, "-to")
	assert.Empty(t, r.stderr)
	r = call(t, nil, "--help")
	assert.Contains(t, r.stdout, "outbox list")
	r = call(t, nil, "outbox", "--help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "outbox list")
}
