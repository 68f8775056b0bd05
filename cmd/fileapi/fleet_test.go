package main

// The fleet tests run fileapi as several processes, each on another node of a MariaDB Galera cluster
// (.ci/galera start; make test-galera), and check what a fleet must hold: credentials and revocations seen
// everywhere at once, limits counted fleet-wide, each message sent once, one winner for an If-Match, a node
// lost without errors elsewhere, migrations applied once. Without FILEAPI_TEST_GALERA_DSNS they are skipped.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// envGalera names the cluster's nodes: mysql://… DSNs separated by commas (.ci/galera start prints it).
const envGalera = "FILEAPI_TEST_GALERA_DSNS"

// galeraNodes returns the cluster's node DSNs, or skips the test.
func galeraNodes(t *testing.T) []models.DSN {
	t.Helper()
	raw := os.Getenv(envGalera)
	if raw == "" {
		t.Skipf("no Galera cluster: set %s (make test-galera starts one)", envGalera)
	}
	var nodes []models.DSN
	for _, s := range strings.Split(raw, ",") {
		d, err := models.ParseDSN(strings.TrimSpace(s))
		require.NoError(t, err)
		nodes = append(nodes, d)
	}
	require.Len(t, nodes, 3, "three nodes")
	return nodes
}

// fleetDB creates a database of its own on the cluster (the CREATE reaches every node) and returns its --db
// value on each node.
func fleetDB(t *testing.T, nodes []models.DSN) []string {
	t.Helper()
	var suffix [5]byte
	_, _ = rand.Read(suffix[:])
	name := "fileapi_fleet_" + hex.EncodeToString(suffix[:])
	admin := nodes[0].Config.Clone()
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
		_ = db.Close()
	})
	_, err = db.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	require.NoError(t, err)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = fmt.Sprintf("mysql://%s:%s@%s/%s", n.Config.User, n.Config.Passwd, n.Config.Addr, name)
	}
	return out
}

// instance is fileapi serve, in a process of its own (this test binary, re-executed as the command).
type instance struct {
	t     *testing.T
	cmd   *exec.Cmd
	api   string // http://127.0.0.1:PORT
	admin string
	logs  *lockedBuffer
	done  chan struct{}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// startInstance starts serve on db and waits until it is ready (every migration applied).
func startInstance(t *testing.T, db string, env ...string) *instance {
	t.Helper()
	inst := launchInstance(t, db, env...)
	inst.waitReady(60 * time.Second)
	return inst
}

// launchInstance starts serve on db without waiting for it.
func launchInstance(t *testing.T, db string, env ...string) *instance {
	t.Helper()
	apiAddr, adminAddr := freePort(t), freePort(t)
	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", apiAddr, "--admin-addr", adminAddr, "--public-url", "https://api.example.com")
	cmd.Env = append(append(os.Environ(), envRunCLI+"=1"), env...)
	inst := &instance{t: t, cmd: cmd, api: "http://" + apiAddr, admin: "http://" + adminAddr, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = inst.logs, inst.logs
	require.NoError(t, cmd.Start())
	go func() { _ = cmd.Wait(); close(inst.done) }()
	t.Cleanup(inst.kill)
	return inst
}

func (i *instance) waitReady(within time.Duration) {
	i.t.Helper()
	require.Eventually(i.t, func() bool {
		resp, err := http.Get(i.admin + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, within, 100*time.Millisecond, "instance not ready; its log:\n%s", i.logs)
}

// kill stops the process at once (SIGKILL), as a crash would.
func (i *instance) kill() {
	_ = i.cmd.Process.Signal(syscall.SIGKILL)
	<-i.done
}

var fleetClient = &http.Client{Timeout: 60 * time.Second}

// call sends one request to the instance and returns the status, the body and the headers.
func (i *instance) call(method, path, body string, headers ...string) (int, string, http.Header) {
	i.t.Helper()
	req, err := http.NewRequest(method, i.api+path, strings.NewReader(body))
	require.NoError(i.t, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := fleetClient.Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// world provisions, through the command line on node 1, one file (777) and users with the password s3cret!,
// members with web services, and a key for each (by user; keyIDs has their ids).
func world(t *testing.T, db string, users ...string) (keys map[string]string) {
	keys, _ = worldWithIDs(t, db, users...)
	return keys
}

func worldWithIDs(t *testing.T, db string, users ...string) (keys map[string]string, keyIDs map[string]int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--db", db, "migrate", "up")
	cmd.Env = append(os.Environ(), envRunCLI+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	cliProcess(t, db, "file", "create", "--name", "Acme", "--id", "777")
	keys, keyIDs = map[string]string{}, map[string]int{}
	for _, u := range users {
		cliProcess(t, db, "user", "create", "--username", u, "--first-name", "A", "--password", "s3cret!")
		cliProcess(t, db, "user", "grant", "--user", u, "--file", "777", "--web-services")
		k := cliProcess(t, db, "key", "create", "--user", u)
		keys[u], keyIDs[u] = k["key"].(string), int(k["id"].(float64))
	}
	return keys, keyIDs
}

func TestFleetCredentials(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	keys, keyIDs := worldWithIDs(t, dbs[0], "ann@example.com", "bob@example.com")
	a, b, c := startInstance(t, dbs[0]), startInstance(t, dbs[1]), startInstance(t, dbs[2])
	fleet := []*instance{a, b, c}

	// A token issued through A works on B and C at once.
	code, body, _ := a.call("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`,
		"Content-Type: application/json")
	require.Equal(t, http.StatusOK, code, body)
	var g struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &g))
	for _, inst := range fleet {
		code, body, _ := inst.call("GET", "/User?FileId=777", "", "Authorization: Bearer "+g.AccessToken)
		require.Equal(t, http.StatusOK, code, body)
	}
	// A refresh on A: B refuses the old access token at once, and takes the new one.
	code, body, _ = a.call("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+g.RefreshToken+`"}`,
		"Content-Type: application/json")
	require.Equal(t, http.StatusOK, code, body)
	var next struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &next))
	code, _, _ = b.call("GET", "/User?FileId=777", "", "Authorization: Bearer "+g.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, code, "the replaced token, on another node, at once")
	code, _, _ = b.call("GET", "/User?FileId=777", "", "Authorization: Bearer "+next.AccessToken)
	assert.Equal(t, http.StatusOK, code)

	// A key revoked by the command line on node 3 is refused on A at once (A served it a moment before).
	key := "/User?FileId=777&wsAccessKey=" + keys["ann@example.com"]
	code, _, _ = a.call("GET", key, "")
	require.Equal(t, http.StatusOK, code)
	cliProcess(t, dbs[2], "key", "revoke", "--id", strconv.Itoa(keyIDs["ann@example.com"]))
	code, _, _ = a.call("GET", key, "")
	assert.Equal(t, http.StatusUnauthorized, code, "a key revoked through node 3, refused on node 1 at once")

	// A removed membership is refused everywhere at once.
	bob := "/User?FileId=777&wsAccessKey=" + keys["bob@example.com"]
	for _, inst := range fleet {
		code, _, _ := inst.call("GET", bob, "")
		require.Equal(t, http.StatusOK, code)
	}
	cliProcess(t, dbs[1], "user", "revoke", "--user", "bob@example.com", "--file", "777")
	for i, inst := range fleet {
		code, _, _ := inst.call("GET", bob, "")
		assert.Equal(t, http.StatusUnauthorized, code, "instance %d", i+1)
	}
}

func TestFleetLimits(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	world(t, dbs[0], "ann@example.com")
	fleet := []*instance{startInstance(t, dbs[0]), startInstance(t, dbs[1]), startInstance(t, dbs[2])}
	wrong := `{"grant_type":"password","username":"ann@example.com","password":"wrong!"}`
	for i := range auth.FailuresPerUserAddress {
		code, body, _ := fleet[i%3].call("POST", "/authorisation/token", wrong, "Content-Type: application/json")
		require.Equal(t, http.StatusBadRequest, code, body)
	}
	right := `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`
	for i, inst := range fleet {
		code, _, h := inst.call("POST", "/authorisation/token", right, "Content-Type: application/json")
		assert.Equal(t, http.StatusTooManyRequests, code, "the 11th attempt, on instance %d", i+1)
		assert.NotEmpty(t, h.Get("Retry-After"))
	}
	// A restarted instance still knows.
	fleet[0].kill()
	restarted := startInstance(t, dbs[0])
	code, _, h := restarted.call("POST", "/authorisation/token", right, "Content-Type: application/json")
	assert.Equal(t, http.StatusTooManyRequests, code, "after a restart")
	assert.NotEmpty(t, h.Get("Retry-After"))

	// The per-address limit is fleet-wide too: failures for many usernames from one address.
	fleet[0] = restarted
	for i := range auth.FailuresPerAddress - auth.FailuresPerUserAddress {
		body := fmt.Sprintf(`{"grant_type":"password","username":"nobody%d@example.com","password":"x"}`, i)
		code, resp, _ := fleet[i%3].call("POST", "/authorisation/token", body, "Content-Type: application/json")
		require.Equal(t, http.StatusBadRequest, code, resp)
	}
	for i, inst := range fleet {
		code, _, _ := inst.call("POST", "/authorisation/token", `{"grant_type":"password","username":"carol@example.com","password":"x"}`,
			"Content-Type: application/json")
		assert.Equal(t, http.StatusTooManyRequests, code, "the address is at its limit, on instance %d", i+1)
	}
}

// smsSink is an SMS webhook that counts what each path gets, by recipient. A path under /hold/ takes the
// request and never answers (a sender hangs on it until it is killed).
type smsSink struct {
	mu   sync.Mutex
	got  map[string]int // recipient → deliveries answered
	held atomic.Int32
	srv  *http.Server
	url  string
}

func newSMSSink(t *testing.T) *smsSink {
	s := &smsSink{got: map[string]int{}}
	release := make(chan struct{})
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Body string }
		_ = json.NewDecoder(r.Body).Decode(&m)
		if strings.HasPrefix(r.URL.Path, "/hold/") {
			s.held.Add(1)
			<-release
			return
		}
		s.mu.Lock()
		s.got[m.To]++
		s.mu.Unlock()
	}), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { close(release); _ = s.srv.Close() })
	s.url = "http://" + ln.Addr().String()
	return s
}

func (s *smsSink) counts() (recipients, deliveries int, twice []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for to, n := range s.got {
		deliveries += n
		if n > 1 {
			twice = append(twice, to)
		}
	}
	return len(s.got), deliveries, twice
}

func TestFleetOutbox(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	const users = 300
	names := make([]string, users)
	for i := range names {
		names[i] = fmt.Sprintf("u%03d@example.com", i)
	}
	// The users come through a store on node 1: 300 of them through the command line would take minutes.
	cmd := exec.Command(os.Args[0], "--db", dbs[0], "migrate", "up")
	cmd.Env = append(os.Environ(), envRunCLI+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	dsn, err := models.ParseDSN(dbs[0])
	require.NoError(t, err)
	s, err := models.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	id := int64(777)
	_, err = s.CreateFile(ctx, models.NewFile{ID: &id, Name: "Acme", AllowWebServices: true})
	require.NoError(t, err)
	keys := make([]string, users)
	for i, n := range names {
		u, err := s.CreateUser(ctx, models.NewUser{Username: n, FirstName: "U"})
		require.NoError(t, err)
		_, err = s.Grant(ctx, u.ID, 777, models.AccessStandard, true)
		require.NoError(t, err)
		keys[i] = auth.NewSecret(auth.PrefixAccessKey)
		_, err = s.CreateAccessKey(ctx, u.ID, nil, auth.HashSecret(keys[i]), auth.DisplayPrefix(keys[i]))
		require.NoError(t, err)
	}
	sink := newSMSSink(t)
	lease := "FILEAPI_OUTBOX_LEASE=3s"
	optIn := func(inst *instance, i int) {
		code, body, _ := inst.call("POST", "/User/opt-in-to-2fa?FileId=777&wsAccessKey="+keys[i],
			fmt.Sprintf(`{"MobileNumber":"+614%08d"}`, i), "Content-Type: application/json")
		require.Equal(t, http.StatusOK, code, body)
	}

	// A sender that takes messages and hangs on them, then is killed while it holds them.
	doomed := startInstance(t, dbs[2], lease, "FILEAPI_SMS_WEBHOOK_URL="+sink.url+"/hold/")
	for i := range 30 {
		optIn(doomed, i)
	}
	require.Eventually(t, func() bool { return sink.held.Load() > 0 }, 30*time.Second, 20*time.Millisecond, "the doomed sender delivers")
	doomed.kill()

	// Three senders, and the other 270 messages through all three instances.
	fleet := make([]*instance, 3)
	for i := range fleet {
		fleet[i] = startInstance(t, dbs[i], lease, fmt.Sprintf("FILEAPI_SMS_WEBHOOK_URL=%s/i%d/", sink.url, i+1))
	}
	var wg sync.WaitGroup
	for i := 30; i < users; i++ {
		wg.Go(func() { optIn(fleet[i%3], i) })
		if i%30 == 29 {
			wg.Wait()
		}
	}
	wg.Wait()
	require.Eventually(t, func() bool { n, _, _ := sink.counts(); return n == users }, 120*time.Second, 100*time.Millisecond,
		"every message delivered, those the killed sender held included")
	time.Sleep(4 * time.Second) // a lease's time: a message claimed twice would show up by now
	recipients, deliveries, twice := sink.counts()
	assert.Equal(t, users, recipients)
	assert.Equal(t, users, deliveries, "each message once")
	assert.Empty(t, twice)
}

func TestFleetIfMatch(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	keys := world(t, dbs[0], "ann@example.com")
	fleet := []*instance{startInstance(t, dbs[0]), startInstance(t, dbs[1]), startInstance(t, dbs[2])}
	url := "/User?FileId=777&wsAccessKey=" + keys["ann@example.com"]
	for round := range 3 {
		code, _, h := fleet[round].call("GET", url, "")
		require.Equal(t, http.StatusOK, code)
		tag := h.Get("ETag")
		var wg sync.WaitGroup
		var ok, refused, other atomic.Int32
		for i := range 30 {
			wg.Go(func() {
				code, body, _ := fleet[i%3].call("PUT", url, fmt.Sprintf(`{"FirstName":"R%dW%d"}`, round, i),
					"Content-Type: application/json", "If-Match: "+tag)
				switch code {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusPreconditionFailed:
					refused.Add(1)
				default:
					other.Add(1)
					t.Errorf("PUT through instance %d: %d %s", i%3+1, code, body)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), ok.Load(), "one winner")
		assert.Equal(t, int32(29), refused.Load(), "the rest 412")
		assert.Zero(t, other.Load(), "never a 500 or a 503")
	}
}

// galera runs .ci/galera with a subcommand (the nodes of this run, in GALERA_DIR).
func galera(t *testing.T, args ...string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", ".ci", "galera"))
	require.NoError(t, err)
	out, err := exec.Command(script, args...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(args, " "), out)
}

func TestFleetNodeLoss(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	names := []string{"u0@example.com", "u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com", "u5@example.com"}
	keys := world(t, dbs[0], names...)
	fleet := []*instance{startInstance(t, dbs[0]), startInstance(t, dbs[1]), startInstance(t, dbs[2])}

	type ack struct {
		user  string
		first string
	}
	var (
		mu       sync.Mutex
		acked    []ack
		errs     [3]atomic.Int32 // answers other than 200 on the instances whose node lives
		unavail  atomic.Int32    // 503s of the instance whose node died
		noRetry  atomic.Int32    // 503s without Retry-After
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		nodeDown atomic.Bool
		seq      atomic.Int64
		lastC    atomic.Int32
	)
	for w := range 6 {
		wg.Go(func() {
			inst := w % 3
			user := names[w]
			url := "/User?FileId=777&wsAccessKey=" + keys[user]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				method, body, first := "GET", "", ""
				if i%2 == 1 {
					first = fmt.Sprintf("F%d", seq.Add(1))
					method, body = "PUT", `{"FirstName":"`+first+`"}`
				}
				code, resp, h := fleet[inst].call(method, url, body, "Content-Type: application/json")
				switch {
				case code == http.StatusOK:
					if first != "" {
						mu.Lock()
						acked = append(acked, ack{user, first})
						mu.Unlock()
					}
				case inst == 2 && code == http.StatusServiceUnavailable:
					unavail.Add(1)
					if h.Get("Retry-After") == "" {
						noRetry.Add(1)
					}
				default:
					errs[inst].Add(1)
					t.Logf("instance %d (node down: %v): %d %s", inst+1, nodeDown.Load(), code, resp)
				}
				if inst == 2 {
					lastC.Store(int32(code))
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	time.Sleep(2 * time.Second)
	nodeDown.Store(true)
	galera(t, "kill", "3")
	require.Eventually(t, func() bool { return unavail.Load() > 0 }, 60*time.Second, 50*time.Millisecond,
		"the instance on the dead node answers 503")
	time.Sleep(3 * time.Second)
	galera(t, "restart", "3")
	nodeDown.Store(false)
	require.Eventually(t, func() bool { return lastC.Load() == http.StatusOK }, 60*time.Second, 100*time.Millisecond,
		"the instance on the node that rejoined answers again, without a restart")
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()

	t.Logf("%d acknowledged writes; the instance on the lost node answered %d times 503", len(acked), unavail.Load())
	assert.Zero(t, errs[0].Load(), "instance 1 (node 1 lives): no error")
	assert.Zero(t, errs[1].Load(), "instance 2 (node 2 lives): no error")
	assert.Zero(t, errs[2].Load(), "instance 3: only 503s while its node is away")
	assert.Zero(t, noRetry.Load(), "every 503 says when to retry")
	require.NotEmpty(t, acked)

	// Every acknowledged change is on every node, as its audit row.
	for n, db := range dbs {
		dsn, err := models.ParseDSN(db)
		require.NoError(t, err)
		s, err := models.Open(context.Background(), dsn)
		require.NoError(t, err)
		written := map[string]bool{}
		for _, u := range names {
			usr, err := s.UserByUsername(context.Background(), u)
			require.NoError(t, err)
			evs, err := s.ProfileEvents(context.Background(), usr.ID)
			require.NoError(t, err)
			for _, ev := range evs {
				var d map[string]struct{ New *string }
				require.NoError(t, json.Unmarshal([]byte(ev.Changed), &d))
				if nv := d["first_name"].New; nv != nil {
					written[u+"/"+*nv] = true
				}
			}
		}
		_ = s.Close()
		missing := 0
		for _, a := range acked {
			if !written[a.user+"/"+a.first] {
				missing++
			}
		}
		assert.Zero(t, missing, "acknowledged writes missing on node %d (of %d)", n+1, len(acked))
	}
}

func TestFleetMigrateAtOnce(t *testing.T) {
	nodes := galeraNodes(t)
	dbs := fleetDB(t, nodes)
	var fleet []*instance
	for i := range 6 { // two instances on each node, all started at once on the empty database
		fleet = append(fleet, launchInstance(t, dbs[i%3]))
	}
	for _, inst := range fleet {
		inst.waitReady(120 * time.Second)
	}
	dsn, err := models.ParseDSN(dbs[1])
	require.NoError(t, err)
	s, err := models.Open(context.Background(), dsn)
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	versions, err := s.AppliedMigrations(context.Background())
	require.NoError(t, err)
	seen := map[int64]int{}
	for _, v := range versions {
		seen[v]++
	}
	require.NotEmpty(t, seen)
	for v, n := range seen {
		assert.Equal(t, 1, n, "migration %d applied once", v)
	}
}
