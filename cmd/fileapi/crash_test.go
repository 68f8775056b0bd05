package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// crashWrite is one PUT /User of the crash test: the value it set and, when it was acknowledged (200), the
// version its ETag named.
type crashWrite struct {
	round   int
	user    string
	value   string
	version int64
}

// crashSeen is what a freshly started server answered to GET /User: the version (ETag) and the first name.
type crashSeen struct {
	round   int
	version int64
	first   string
}

// etagVersion parses the strong entity tag "N" of a profile.
func etagVersion(tag string) (int64, bool) {
	s, ok := strings.CutPrefix(tag, `"`)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, `"`)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// TestCrashDurability runs the real server in a process of its own under concurrent PUT /User load and kills
// it (SIGKILL) while requests are in flight, four times on one database, then checks that every write the
// server acknowledged (200) is there: its profile event at the version its ETag named, with the value it
// set, and the events of each user a gap-free sequence that ends at the stored row. After each restart the
// server answers GET /User for every user, at a version no lower than any acknowledged before.
func TestCrashDurability(t *testing.T) {
	const (
		rounds  = 4
		workers = 8
	)
	names := []string{"c0@example.com", "c1@example.com", "c2@example.com", "c3@example.com"}
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			began := time.Now()
			db := dbFlag(t, dialect)
			keys := world(t, db, names...)
			t.Logf("provisioned in %v", time.Since(began).Round(time.Millisecond))

			var (
				mu       sync.Mutex
				acked    []crashWrite
				sent     = map[string]map[string]int{} // user → value → round, every PUT sent
				seen     = map[string][]crashSeen{}    // user → what each restarted server answered
				maxAcked = map[string]int64{}          // user → highest acknowledged version so far
			)
			for _, u := range names {
				sent[u] = map[string]int{}
			}

			// checkServed asks a freshly started server for every user: 200, at a version no lower than any
			// acknowledged before the crash.
			checkServed := func(inst *instance, round int) {
				t.Helper()
				for _, u := range names {
					code, body, h := inst.call("GET", "/User?FileId=777&wsAccessKey="+keys[u], "")
					require.Equal(t, http.StatusOK, code, "round %d: GET /User of %s after the restart: %s\nserver log:\n%s", round, u, body, inst.logs)
					v, ok := etagVersion(h.Get("ETag"))
					require.True(t, ok, "round %d: ETag %q", round, h.Get("ETag"))
					var d struct{ FirstName *string }
					require.NoError(t, json.Unmarshal([]byte(body), &d), body)
					require.NotNil(t, d.FirstName, body)
					assert.GreaterOrEqual(t, v, maxAcked[u], "round %d: %s is served at version %d, below the acknowledged %d", round, u, v, maxAcked[u])
					seen[u] = append(seen[u], crashSeen{round, v, *d.FirstName})
				}
			}

			total := 0
			for round := 1; round <= rounds; round++ {
				start := time.Now()
				inst := startInstance(t, db)
				ready := time.Since(start)
				checkServed(inst, round)

				// The load: its own client with a short timeout, so a killed server stalls nothing.
				client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
				var (
					stop                     atomic.Bool
					wg                       sync.WaitGroup
					inFlight                 atomic.Int32
					nAcked, nCut, nBodyShort atomic.Int32
				)
				for w := range workers {
					user := names[w%len(names)]
					url := inst.api + "/User?FileId=777&wsAccessKey=" + keys[user]
					wg.Go(func() {
						for i := 0; !stop.Load(); i++ {
							value := fmt.Sprintf("R%dW%dN%d", round, w, i)
							mu.Lock()
							sent[user][value] = round
							mu.Unlock()
							req, err := http.NewRequest("PUT", url, strings.NewReader(`{"FirstName":"`+value+`"}`))
							if err != nil {
								t.Errorf("new request: %v", err)
								return
							}
							req.Header.Set("Content-Type", "application/json")
							inFlight.Add(1)
							resp, err := client.Do(req)
							if err != nil {
								inFlight.Add(-1)
								nCut.Add(1) // cut off by the kill (or refused after it): not acknowledged
								if stop.Load() {
									return
								}
								time.Sleep(time.Millisecond)
								continue
							}
							body, rerr := io.ReadAll(resp.Body)
							_ = resp.Body.Close()
							inFlight.Add(-1)
							switch resp.StatusCode {
							case http.StatusOK:
								// The status line and headers come only after the commit: a 200 is an
								// acknowledgement even when the kill cut the body off.
								if rerr != nil {
									nBodyShort.Add(1)
								}
								v, ok := etagVersion(resp.Header.Get("ETag"))
								if !ok {
									t.Errorf("round %d: PUT %s answered 200 with ETag %q", round, value, resp.Header.Get("ETag"))
									continue
								}
								nAcked.Add(1)
								mu.Lock()
								acked = append(acked, crashWrite{round, user, value, v})
								mu.Unlock()
							default:
								t.Errorf("round %d: PUT %s for %s: %d %s", round, value, user, resp.StatusCode, body)
							}
						}
					})
				}
				loadFor := time.Duration(300+rand.IntN(901)) * time.Millisecond
				time.Sleep(loadFor)
				flying := inFlight.Load()
				inst.kill()
				stop.Store(true)
				wg.Wait()
				client.CloseIdleConnections()

				mu.Lock()
				for _, a := range acked {
					if a.round == round {
						maxAcked[a.user] = max(maxAcked[a.user], a.version)
					}
				}
				mu.Unlock()
				total += int(nAcked.Load())
				t.Logf("round %d: ready in %v, load for %v, killed with %d requests in flight: %d writes acknowledged (%d with the body cut off), %d requests cut off or refused",
					round, ready.Round(time.Millisecond), loadFor, flying, nAcked.Load(), nBodyShort.Load(), nCut.Load())
				require.Positive(t, nAcked.Load(), "round %d: no write was acknowledged: the load did not run", round)
			}

			// Once more up after the last kill: every user answered, nothing corrupt.
			inst := startInstance(t, db)
			checkServed(inst, rounds+1)
			inst.kill()

			// What the database holds.
			dsn, err := models.ParseDSN(db)
			require.NoError(t, err)
			ctx := context.Background()
			s, err := models.Open(ctx, dsn)
			require.NoError(t, err)
			defer func() { _ = s.Close() }()

			byUser := map[string][]crashWrite{}
			for _, a := range acked {
				byUser[a.user] = append(byUser[a.user], a)
			}
			var lost []string
			unacked := 0 // written, but the kill came before the answer
			for _, u := range names {
				usr, err := s.UserByUsername(ctx, u)
				require.NoError(t, err)
				evs, err := s.ProfileEvents(ctx, usr.ID)
				require.NoError(t, err)

				// The events are versions 2, 3, … of the row (1 is the user as created), without a gap, and the
				// row is at the last of them with its value.
				written := map[int64]string{1: "A"}
				values := map[string]int64{}
				for i, ev := range evs {
					require.Equal(t, int64(i+2), ev.Version, "%s: the events are not a gap-free sequence of versions", u)
					var d map[string]struct{ New *string }
					require.NoError(t, json.Unmarshal([]byte(ev.Changed), &d), ev.Changed)
					nv := d["first_name"].New
					require.NotNil(t, nv, "%s: event %d changes no first name: %s", u, ev.Version, ev.Changed)
					_, wasSent := sent[u][*nv]
					assert.True(t, wasSent, "%s: event %d holds %q, which no request set", u, ev.Version, *nv)
					if prev, twice := values[*nv]; twice {
						t.Errorf("%s: %q written twice, at versions %d and %d", u, *nv, prev, ev.Version)
					}
					values[*nv] = ev.Version
					written[ev.Version] = *nv
				}
				require.Equal(t, int64(len(evs)+1), usr.Version, "%s: the row's version is not that of its last event", u)
				require.NotNil(t, usr.FirstName)
				assert.Equal(t, written[usr.Version], *usr.FirstName, "%s: the row's first name is not that of its last event", u)

				// Every acknowledged write is there, at its version.
				versions := map[int64]string{}
				for _, a := range byUser[u] {
					if other, dup := versions[a.version]; dup {
						t.Errorf("%s: version %d acknowledged twice, for %q and %q", u, a.version, other, a.value)
					}
					versions[a.version] = a.value
					if got, ok := written[a.version]; !ok || got != a.value {
						what := "no event at that version"
						if ok {
							what = fmt.Sprintf("the event there holds %q", got)
						}
						if v, ok := values[a.value]; ok {
							what += fmt.Sprintf("; the value is at version %d", v)
						}
						lost = append(lost, fmt.Sprintf("%s: %q acknowledged at version %d in round %d: %s (stored version %d)",
							u, a.value, a.version, a.round, what, usr.Version))
					}
				}
				assert.GreaterOrEqual(t, usr.Version, maxAcked[u], "%s: stored version below the highest acknowledged", u)
				unacked += len(evs) - len(byUser[u])

				// What each restarted server answered is what the database holds at that version.
				for _, sn := range seen[u] {
					assert.Equal(t, written[sn.version], sn.first, "%s: the server started for round %d answered version %d with %q", u, sn.round, sn.version, sn.first)
				}
			}
			sort.Strings(lost)
			assert.Empty(t, lost, "acknowledged writes lost (of %d acknowledged)", len(acked))
			t.Logf("%s: %d writes acknowledged in %d rounds, all durable unless listed above, and %d more written without an answer; %v in all",
				dialect, total, rounds, unacked, time.Since(began).Round(time.Millisecond))
			assert.Less(t, time.Since(began), 90*time.Second, "the test is meant to take well under a minute")
		})
	}
}
