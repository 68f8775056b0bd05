package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
)

// The three dialects change a profile through one Store method (docs/architecture.md): a change made through one is read
// back through the others with the same version, the same values and one audit row; no-change detection and
// If-Match agree.

// xdSaasuUpdated is the Saasu PUT /User answer (saasu.md §6.2), for a change and for no change alike.
const xdSaasuUpdated = `{"StatusMessage":"User details have been updated.","_links":[{"rel":"self","href":"https://api.example.com/User?FileId=777","method":"GET","title":null}]}`

// xdWriter changes ann's first and last name through one dialect and credential.
type xdWriter struct {
	name, via string
	put       func(fx *fixture, bearer, first, last string, headers ...string) *httptest.ResponseRecorder
}

func xdJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func xdSaasuPut(fx *fixture, target, first, last string, headers ...string) *httptest.ResponseRecorder {
	return fx.do("PUT", target, xdJSON(map[string]string{"FirstName": first, "LastName": last}),
		append([]string{"Content-Type: application/json", "Accept: application/json"}, headers...)...)
}

// xdZitadelPut sends a full ZITADEL replacement; the display name is kept as "Ann Lee" (the fixture's derived one).
func xdZitadelPut(fx *fixture, bearer, first, last string, headers ...string) *httptest.ResponseRecorder {
	return fx.do("PUT", zMe, xdJSON(map[string]string{"firstName": first, "lastName": last, "displayName": "Ann Lee"}), append([]string{bearer}, headers...)...)
}

func xdWorkspacePut(fx *fixture, auth, first, last string, headers ...string) *httptest.ResponseRecorder {
	return fx.do("PUT", wsProfile, xdJSON(map[string]string{"FirstName": first, "LastName": last}),
		append([]string{auth, "Content-Type: application/json"}, headers...)...)
}

var xdWriters = []xdWriter{
	{"saasu bearer", "saasu/bearer", func(fx *fixture, bearer, first, last string, h ...string) *httptest.ResponseRecorder {
		return xdSaasuPut(fx, "/User?FileId=777", first, last, append([]string{bearer}, h...)...)
	}},
	{"saasu key", "saasu/key", func(fx *fixture, _, first, last string, h ...string) *httptest.ResponseRecorder {
		return xdSaasuPut(fx, "/User?FileId=777&wsAccessKey="+fx.key, first, last, h...)
	}},
	{"zitadel bearer", "zitadel/bearer", xdZitadelPut},
	{"workspace bearer", "workspace/bearer", xdWorkspacePut},
	{"workspace key", "workspace/key", func(fx *fixture, _, first, last string, h ...string) *httptest.ResponseRecorder {
		return xdWorkspacePut(fx, "X-Api-Key: "+fx.key, first, last, h...)
	}},
}

// xdReadBack reads ann through the GET route of every dialect and checks the version (ETag, and ZITADEL's
// sequence) and the names.
func xdReadBack(t *testing.T, fx *fixture, bearer string, version int64, first, last string) {
	t.Helper()
	tag := `"` + strconv.FormatInt(version, 10) + `"`

	w := fx.do("GET", "/User?FileId=777", "", bearer, "Accept: application/json")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, tag, w.Header().Get("ETag"), "Saasu ETag")
	assertBody(t, `{"Id":42,"Username":"ann@example.com","FirstName":`+xdJSON(first)+`,"LastName":`+xdJSON(last)+
		`,"MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":22,"DateTimeFormatId":1,"NumberFormatId":1,"_links":[{"rel":"self","href":"https://api.example.com/User?FileId=777","method":"GET","title":null}]}`, w)

	w = fx.do("GET", zMe, "", bearer)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, tag, w.Header().Get("ETag"), "ZITADEL ETag")
	var z struct {
		Details struct{ Sequence string }
		Profile struct{ FirstName, LastName string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &z))
	assert.Equal(t, strconv.FormatInt(version, 10), z.Details.Sequence, "ZITADEL sequence")
	assert.Equal(t, first, z.Profile.FirstName)
	assert.Equal(t, last, z.Profile.LastName)

	w = fx.do("GET", wsProfile, "", bearer)
	wsEnvelope(t, w, http.StatusOK, wsOK(`{"UserId":"42","UserName":"ann@example.com","Email":null,"FirstName":`+xdJSON(first)+`,"LastName":`+xdJSON(last)+`,"UserType":0}`))
	assert.Equal(t, tag, w.Header().Get("ETag"), "workspace ETag")
	w = fx.do("GET", wsMe, "", bearer)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, tag, w.Header().Get("ETag"), "workspace me ETag")
}

// TestCrossDialectProfileChange: one change through each dialect and credential kind, read back through all
// three; one profile event with that dialect's via.
func TestCrossDialectProfileChange(t *testing.T) {
	for _, wr := range xdWriters {
		t.Run(wr.name, func(t *testing.T) {
			each(t, func(t *testing.T, fx *fixture) {
				bearer := "Authorization: Bearer " + fx.login(t).AccessToken
				xdReadBack(t, fx, bearer, 2, "Ann", "Lee")
				w := wr.put(fx, bearer, "Zed", "Quinn")
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, `"3"`, w.Header().Get("ETag"))
				xdReadBack(t, fx, bearer, 3, "Zed", "Quinn")
				evs := fx.events(fx.ann.ID)
				require.Len(t, evs, 2, "exactly one event for the change")
				assert.Equal(t, wr.via, evs[1].Via)
				assert.Equal(t, int64(3), evs[1].Version)
				require.NotNil(t, evs[1].ActorUserID)
				assert.Equal(t, fx.ann.ID, *evs[1].ActorUserID)
				cols := wsChangedColumns(t, evs[1])
				assert.Contains(t, cols, "first_name")
				assert.Contains(t, cols, "last_name")
			})
		})
	}
}

// TestCrossDialectChain: changes through the three dialects in turn on one user; each is read back through the
// others, and the versions count up across dialects.
func TestCrossDialectChain(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken
		for i, wr := range xdWriters {
			first := "N" + strconv.Itoa(i)
			w := wr.put(fx, bearer, first, "Lee")
			require.Equal(t, http.StatusOK, w.Code, "%s: %s", wr.name, w.Body.String())
			version := int64(3 + i)
			assert.Equal(t, `"`+strconv.FormatInt(version, 10)+`"`, w.Header().Get("ETag"), wr.name)
			xdReadBack(t, fx, bearer, version, first, "Lee")
		}
		evs := fx.events(fx.ann.ID)
		require.Len(t, evs, 1+len(xdWriters))
		for i, wr := range xdWriters {
			assert.Equal(t, wr.via, evs[1+i].Via)
			assert.Equal(t, int64(3+i), evs[1+i].Version)
		}
	})
}

// TestCrossDialectNoChange: a PUT of the stored values writes nothing in any dialect, each answering per its
// spec (Saasu 200, ZITADEL 400 "Profile not changed", workspace 200), whichever dialect made the last change.
func TestCrossDialectNoChange(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken
		unchanged := zErr(9, "Profile not changed", "COMMAND-2M0fs")
		same := func(t *testing.T, version int64, first, display string) {
			t.Helper()
			tag := `"` + strconv.FormatInt(version, 10) + `"`
			events := len(fx.events(fx.ann.ID))

			w := xdSaasuPut(fx, "/User?FileId=777", first, "Lee", bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertBody(t, xdSaasuUpdated, w)
			assert.Equal(t, tag, w.Header().Get("ETag"), "Saasu")

			w = fx.do("PUT", zMe, xdJSON(map[string]string{"firstName": first, "lastName": "Lee", "displayName": display}), bearer)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			assertBody(t, unchanged, w)

			w = xdWorkspacePut(fx, bearer, first, "Lee")
			wsEnvelope(t, w, http.StatusOK, wsOK(`{"UserId":"42","UserName":"ann@example.com","Email":null,"FirstName":`+xdJSON(first)+`,"LastName":"Lee","UserType":0}`))
			if got := w.Header().Get("ETag"); got != "" {
				assert.Equal(t, tag, got, "workspace")
			}
			w = fx.do("PUT", wsProfile, `{"UserName":"ann@example.com","Email":null}`, bearer)
			wsEnvelope(t, w, http.StatusOK, "")

			assert.Equal(t, version, fx.reload(fx.ann.ID).Version, "version unchanged")
			assert.Len(t, fx.events(fx.ann.ID), events, "no event")
			xdReadBack(t, fx, bearer, version, first, "Lee")
		}
		t.Run("as set up", func(t *testing.T) { same(t, 2, "Ann", "Ann Lee") })

		t.Run("after a ZITADEL change", func(t *testing.T) {
			w := fx.do("PUT", zMe, `{"firstName":"Zed","lastName":"Lee","displayName":"Zed Lee"}`, bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			same(t, 3, "Zed", "Zed Lee")
		})
		t.Run("after a workspace change", func(t *testing.T) {
			w := xdWorkspacePut(fx, bearer, "Yan", "Lee")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			same(t, 4, "Yan", "Zed Lee")
		})
		t.Run("after a Saasu change", func(t *testing.T) {
			w := xdSaasuPut(fx, "/User?FileId=777&wsAccessKey="+fx.key, "Xia", "Lee")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			same(t, 5, "Xia", "Zed Lee")
		})
	})
}

// TestCrossDialectIfMatch: a stale ETag is refused by all three dialects (Saasu and workspace 412 with their
// bodies, ZITADEL 412 "Precondition Failed") and nothing is written; an ETag read through one dialect is
// accepted by the others.
func TestCrossDialectIfMatch(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken
		w := xdWorkspacePut(fx, bearer, "Zed", "Lee")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Equal(t, `"3"`, w.Header().Get("ETag"))
		stale := `If-Match: "2"`

		t.Run("stale", func(t *testing.T) {
			w := xdSaasuPut(fx, "/User?FileId=777", "Old", "Lee", bearer, stale)
			require.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
			assertBody(t, `"Record to be updated has changed since last read."`, w)

			w = xdZitadelPut(fx, bearer, "Old", "Lee", stale)
			require.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
			assertBody(t, `{"code":9,"message":"Precondition Failed"}`, w)

			w = xdWorkspacePut(fx, bearer, "Old", "Lee", stale)
			wsEnvelope(t, w, http.StatusPreconditionFailed, wsFail(wsConflict))

			w = xdWorkspacePut(fx, "X-Api-Key: "+fx.key, "Old", "Lee", stale)
			wsEnvelope(t, w, http.StatusPreconditionFailed, wsFail(wsConflict))

			assert.Equal(t, int64(3), fx.reload(fx.ann.ID).Version, "nothing written")
			assert.Equal(t, "Zed", *fx.reload(fx.ann.ID).FirstName)
			assert.Len(t, fx.events(fx.ann.ID), 2)
			xdReadBack(t, fx, bearer, 3, "Zed", "Lee")
		})

		t.Run("an ETag read through another dialect", func(t *testing.T) {
			tag := fx.do("GET", wsProfile, "", bearer).Header().Get("ETag")
			w := xdSaasuPut(fx, "/User?FileId=777", "Saasu", "Lee", bearer, "If-Match: "+tag)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"4"`, w.Header().Get("ETag"))

			tag = fx.do("GET", "/User?FileId=777", "", bearer).Header().Get("ETag")
			w = xdZitadelPut(fx, bearer, "Zitadel", "Lee", "If-Match: "+tag)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"5"`, w.Header().Get("ETag"))

			tag = fx.do("GET", zMe, "", bearer).Header().Get("ETag")
			w = xdWorkspacePut(fx, bearer, "Workspace", "Lee", "If-Match: "+tag)
			wsEnvelope(t, w, http.StatusOK, "")
			assert.Equal(t, `"6"`, w.Header().Get("ETag"))

			// The ETag of a PUT answer is good for the next PUT in another dialect.
			w = xdZitadelPut(fx, bearer, "Again", "Lee", "If-Match: "+w.Header().Get("ETag"))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			w = xdSaasuPut(fx, "/User?FileId=777&wsAccessKey="+fx.key, "Last", "Lee", "If-Match: "+w.Header().Get("ETag"))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			xdReadBack(t, fx, bearer, 8, "Last", "Lee")
			evs := fx.events(fx.ann.ID)
			require.Len(t, evs, 7)
			var vias []string
			for _, ev := range evs[1:] {
				vias = append(vias, ev.Via)
			}
			assert.Equal(t, []string{"workspace/bearer", "saasu/bearer", "zitadel/bearer", "workspace/bearer", "zitadel/bearer", "saasu/key"}, vias)
		})
	})
}

// TestCrossDialectUserName: a user name changed through the workspace is what Saasu shows and logs in with, and
// one changed through Saasu's change-username is what the workspace shows and logs in with.
func TestCrossDialectUserName(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken
		w := fx.do("PUT", wsProfile, `{"UserName":"ann.lee@example.org"}`, bearer)
		wsEnvelope(t, w, http.StatusOK, "")
		s := fx.do("GET", "/User?FileId=777", "", bearer, "Accept: application/json")
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		assert.Contains(t, s.Body.String(), `"Username":"ann.lee@example.org"`)
		assert.Equal(t, `"3"`, s.Header().Get("ETag"))
		tok := fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"Ann.Lee@example.org","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusOK, tok.Code, "Saasu logs in with the new user name")
		tok = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusBadRequest, tok.Code, "the old user name is gone")

		s = fx.do("POST", "/User/change-username?FileId=777", `{"Username":"ann@example.net"}`, bearer, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		w = fx.do("GET", wsProfile, "", bearer)
		wsEnvelope(t, w, http.StatusOK, wsOK(`{"UserId":"42","UserName":"ann@example.net","Email":null,"FirstName":"Ann","LastName":"Lee","UserType":0}`))
		assert.Equal(t, `"4"`, w.Header().Get("ETag"))
		wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ANN@example.net","Password":"s3cret!"}`),
			wsSession(`{"UserId":"42","UserName":"ann@example.net","Email":null,"FirstName":"Ann","LastName":"Lee","UserType":0}`, "acme-pty-ltd", "", "AU", "administrator"))
		evs := fx.events(fx.ann.ID)
		require.Len(t, evs, 3)
		assert.Equal(t, "workspace/bearer", evs[1].Via)
		assert.Equal(t, "saasu/bearer", evs[2].Via)
	})
}

// TestCrossDialectManagement: another user's profile, changed through the workspace by its owner, is what an
// administrator reads through ZITADEL's management route, and the administrator's change there is what the
// owner reads through the workspace and Saasu; each event names its actor.
func TestCrossDialectManagement(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		// dave belongs to org 777 (owner_file_id), which ann administers; he is a member of 777 with web services.
		dave := fx.user(models.NewUser{ID: ptr[int64](50), Username: "dave@example.com", FirstName: "Dave", LastName: ptr("Doe"), OwnerFileID: ptr[int64](777)})
		fx.grant(dave.ID, 777, models.AccessStandard, true)
		daveKey := fx.newKey(dave.ID, nil)
		ann := fx.zToken(fx.ann.ID, "full fileid:777")
		mgmt := "/management/v1/users/50/profile"
		daveTag := func() string { return `"` + strconv.FormatInt(fx.reload(dave.ID).Version, 10) + `"` }

		w := xdWorkspacePut(fx, "X-Api-Key: "+daveKey, "David", "Doe")
		wsEnvelope(t, w, http.StatusOK, "")
		tag := w.Header().Get("ETag")
		assert.Equal(t, daveTag(), tag)

		w = fx.do("GET", mgmt, "", ann, "x-zitadel-orgid: 777")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, tag, w.Header().Get("ETag"))
		assert.Contains(t, w.Body.String(), `"firstName":"David"`)

		w = fx.do("PUT", mgmt, `{"firstName":"Dai","lastName":"Doe","displayName":"Dai Doe"}`, ann, "x-zitadel-orgid: 777", "If-Match: "+tag)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		tag = w.Header().Get("ETag")
		assert.Equal(t, daveTag(), tag)

		w = fx.do("GET", wsProfile, "", "X-Api-Key: "+daveKey)
		wsEnvelope(t, w, http.StatusOK, wsOK(`{"UserId":"50","UserName":"dave@example.com","Email":null,"FirstName":"Dai","LastName":"Doe","UserType":0}`))
		assert.Equal(t, tag, w.Header().Get("ETag"))
		w = fx.do("GET", "/User?FileId=777&wsAccessKey="+daveKey, "", "Accept: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, tag, w.Header().Get("ETag"))
		assert.Contains(t, w.Body.String(), `"FirstName":"Dai"`)

		evs := fx.events(dave.ID)
		require.GreaterOrEqual(t, len(evs), 2)
		ws, z := evs[len(evs)-2], evs[len(evs)-1]
		assert.Equal(t, "workspace/key", ws.Via)
		require.NotNil(t, ws.ActorUserID)
		assert.Equal(t, dave.ID, *ws.ActorUserID, "the owner changed it")
		assert.Equal(t, "zitadel/bearer", z.Via)
		require.NotNil(t, z.ActorUserID)
		assert.Equal(t, fx.ann.ID, *z.ActorUserID, "the administrator changed it")
	})
}
