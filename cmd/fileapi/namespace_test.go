package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fileapi/fileapi/models/modelstest"
)

// TestUserCreateNamespace: the command line keeps the one sign-in namespace: a new user's username or e-mail
// may not equal, in any case, another user's username or e-mail.
func TestUserCreateNamespace(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			env := map[string]string{"FILEAPI_DB": dbFlag(t, dialect)}
			object(t, call(t, env, "user", "create", "--username", "ann@example.com", "--first-name", "Ann", "--email", "ann.lee@example.org"))
			for _, c := range []struct {
				args []string
				msg  string
			}{
				{[]string{"--username", "ANN@example.com"}, `the username "ANN@example.com" is already in use`},
				{[]string{"--username", "Ann.Lee@Example.org"}, `the username "Ann.Lee@Example.org" is already in use`},
				{[]string{"--username", "bob@example.com", "--email", "ann@EXAMPLE.com"}, `the e-mail "ann@EXAMPLE.com" is already in use`},
				{[]string{"--username", "bob@example.com", "--email", "ANN.LEE@example.org"}, `the e-mail "ANN.LEE@example.org" is already in use`},
			} {
				r := call(t, env, append([]string{"user", "create", "--first-name", "B"}, c.args...)...)
				assert.Equal(t, 1, r.code, "%v: %s", c.args, r.stderr)
				assert.Contains(t, r.stderr, c.msg, "%v", c.args)
			}
			object(t, call(t, env, "user", "create", "--username", "bob@example.com", "--first-name", "Bob", "--email", "BOB@example.com"))
		})
	}
}
