package handlers_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestCost counts what a request runs on the database. An authenticated GET costs at most one
// statement: none on SQLite once its credential is cached (the cache needs no query there), one on MySQL (the
// user's row, which the cached credential is checked against). A PUT costs the credential's statement and
// one transaction of two: the UPDATE and the INSERT of its audit row. A PUT that changes nothing opens no
// transaction.
func TestRequestCost(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		g := fx.login(t)
		bearer := "Authorization: Bearer " + g.AccessToken
		key := "/User?FileId=777&wsAccessKey=" + fx.key
		getCost := int64(1)
		if fx.store.Dialect() == "sqlite" {
			getCost = 0
		}
		cost := func(t *testing.T, method, target, body string, headers ...string) (int64, int64) {
			t.Helper()
			c0 := fx.store.Cost()
			w := fx.do(method, target, body, headers...)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			c1 := fx.store.Cost()
			return c1.Statements - c0.Statements, c1.Transactions - c0.Transactions
		}
		for _, c := range []struct {
			name, target string
			headers      []string
		}{
			{"Saasu, access key", key, nil},
			{"Saasu, bearer token", "/User?FileId=777", []string{bearer}},
			{"ZITADEL, bearer token", "/auth/v1/users/me/profile", []string{bearer}},
			{"workspace, API key", "/api/workspace/account/profile", []string{"X-Api-Key: " + fx.key}},
			{"workspace, bearer token", "/api/workspace/account/profile", []string{bearer}},
		} {
			t.Run("GET "+c.name, func(t *testing.T) {
				cost(t, "GET", c.target, "", c.headers...) // the first use reads the credential
				statements, transactions := cost(t, "GET", c.target, "", c.headers...)
				assert.Equal(t, getCost, statements, "statements")
				assert.Zero(t, transactions, "transactions")
			})
		}
		t.Run("PUT", func(t *testing.T) {
			cost(t, "GET", key, "")
			statements, transactions := cost(t, "PUT", key, `{"FirstName":"Anne"}`, "Content-Type: application/json")
			assert.Equal(t, getCost+2, statements, "the credential, then the UPDATE and the audit row")
			assert.Equal(t, int64(1), transactions)
			evs := fx.events(fx.ann.ID)
			assert.Equal(t, `{"first_name":{"old":"Ann","new":"Anne"}}`, evs[len(evs)-1].Changed, "the audit row is written")

			cost(t, "GET", key, "")
			statements, transactions = cost(t, "PUT", key, `{"FirstName":"Anne"}`, "Content-Type: application/json")
			assert.Equal(t, getCost, statements, "a PUT that changes nothing reads its credential only")
			assert.Zero(t, transactions)
		})
		t.Run("no SQL text is prepared again in steady state", func(t *testing.T) {
			round := func(i int) {
				for _, h := range [][]string{nil, {bearer}} {
					target := key
					if h != nil {
						target = "/User?FileId=777"
					}
					cost(t, "GET", target, "", h...)
					cost(t, "PUT", target, `{"FirstName":"Ann`+itoa(int64(i))+`"}`, append(h, "Content-Type: application/json")...)
				}
				cost(t, "GET", "/auth/v1/users/me/profile", "", bearer)
				cost(t, "GET", "/api/workspace/account/profile", "", "X-Api-Key: "+fx.key)
			}
			round(0)
			prepared := fx.store.Cost().Prepared
			for i := 1; i <= 20; i++ {
				round(i)
			}
			assert.Equal(t, prepared, fx.store.Cost().Prepared)
		})
	})
}
