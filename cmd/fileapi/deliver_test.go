package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// mailbox is an SMTP server on 127.0.0.1 that records what it receives. It offers AUTH PLAIN without TLS
// and accepts only the one user it is given.
type mailbox struct {
	addr       string
	user, pass string

	mu    sync.Mutex
	mails []receivedMail
	auths []string // "user:password" of every AUTH attempt
}

// receivedMail is one message as the SMTP server got it.
type receivedMail struct {
	envelopeFrom string
	envelopeTo   []string
	data         string
}

func newMailbox(t *testing.T, user, pass string) *mailbox {
	t.Helper()
	mb := &mailbox{user: user, pass: pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{mb: mb}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	mb.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return mb
}

func (mb *mailbox) received() []receivedMail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]receivedMail(nil), mb.mails...)
}

// mailSession is one SMTP connection to a mailbox.
type mailSession struct {
	mb     *mailbox
	authed bool
	cur    receivedMail
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.mb.mu.Lock()
		s.mb.auths = append(s.mb.auths, user+":"+pass)
		s.mb.mu.Unlock()
		if user != s.mb.user || pass != s.mb.pass {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.envelopeFrom = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.envelopeTo = append(s.cur.envelopeTo, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, s.cur)
	s.mb.mu.Unlock()
	s.cur = receivedMail{}
	return nil
}

func (s *mailSession) Reset()        { s.cur = receivedMail{} }
func (s *mailSession) Logout() error { return nil }

// parsedMail is a received message's headers and decoded text body.
type parsedMail struct{ from, to, subject, body string }

func parseMail(t *testing.T, raw string) parsedMail {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err, raw)
	from, err := netmail.ParseAddress(m.Header.Get("From"))
	require.NoError(t, err)
	to, err := netmail.ParseAddress(m.Header.Get("To"))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Contains(t, m.Header.Get("Content-Type"), "text/plain")
	body := m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	// The final line break ends the message data, not the body.
	return parsedMail{from.Address, to.Address, subject, strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")}
}

// clock is a store clock that a test moves while a sender reads it.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return modelstest.Epoch.Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func newClockedStore(t *testing.T, dialect string) (*models.Store, *clock) {
	t.Helper()
	s := modelstest.Open(t, dialect)
	c := &clock{}
	s.Now = c.now
	return s, c
}

// startSender runs a sender on s until the test ends, polling every 20 ms.
func startSender(t *testing.T, s *models.Store, log *slog.Logger, d delivery) {
	t.Helper()
	snd := newSender(s, log, d)
	snd.interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); snd.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("the sender did not stop")
		}
	})
}

// onlyMessage returns the one message of the outbox.
func onlyMessage(t *testing.T, s *models.Store) models.OutboxMessage {
	t.Helper()
	msgs, err := s.Outbox(context.Background(), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	return msgs[0]
}

// issueSMS creates a user and makes the store write one OTP SMS to +61412345678.
func issueSMS(t *testing.T, s *models.Store, code string) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann"})
	require.NoError(t, err)
	sent, err := s.IssueOTP(ctx, models.OTPRequest{UserID: u.ID, Purpose: models.PurposeLogin, Destination: "+61412345678",
		Code: code, CodeHash: auth.HashOTP(u.ID, models.PurposeLogin, code)})
	require.NoError(t, err)
	require.True(t, sent)
}

func TestDeliverSMTP(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newClockedStore(t, dialect)
			mb := newMailbox(t, "mailer", "p@ss:w/rd")
			u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann"})
			require.NoError(t, err)
			body := "Open https://api.example.com/password-reset?token=fa_pr_abc to choose a new password.\nThe link expires in 1 hour."
			require.NoError(t, s.StartReset(ctx, u.ID, auth.HashSecret("fa_pr_abc"), modelstest.Epoch.Add(time.Hour),
				models.Message{Kind: models.MessageEmail, To: "ann@example.com", Subject: "Reset your password", Body: body}))

			d, err := parseDelivery("smtp+insecure://mailer:p%40ss%3Aw%2Frd@"+mb.addr+"?from=noreply@example.com", "")
			require.NoError(t, err)
			logs := &lockedBuffer{}
			startSender(t, s, slog.New(slog.NewJSONHandler(logs, nil)), d)

			require.Eventually(t, func() bool { return onlyMessage(t, s).SentAt != nil }, 10*time.Second, 20*time.Millisecond, "logs: %s", logs)
			got := mb.received()
			require.Len(t, got, 1, "sent once")
			assert.Equal(t, "noreply@example.com", got[0].envelopeFrom)
			assert.Equal(t, []string{"ann@example.com"}, got[0].envelopeTo)
			m := parseMail(t, got[0].data)
			assert.Equal(t, parsedMail{"noreply@example.com", "ann@example.com", "Reset your password", body}, m)
			assert.Equal(t, modelstest.Epoch, *onlyMessage(t, s).SentAt)
			assert.NotContains(t, logs.String(), "fa_pr_abc", "with SMTP configured, bodies stay out of the log")
		})
	}
}

// TestDeliverSMTPFailure: a refused login is a failed attempt whose reason does not hold the password.
func TestDeliverSMTPFailure(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newClockedStore(t, dialect)
			mb := newMailbox(t, "mailer", "right")
			u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann"})
			require.NoError(t, err)
			require.NoError(t, s.StartReset(ctx, u.ID, auth.HashSecret("x"), modelstest.Epoch.Add(time.Hour),
				models.Message{Kind: models.MessageEmail, To: "ann@example.com", Subject: "Reset your password", Body: "b"}))
			d, err := parseDelivery("smtp+insecure://mailer:hunter2@"+mb.addr, "")
			require.NoError(t, err)
			logs := &lockedBuffer{}
			startSender(t, s, slog.New(slog.NewJSONHandler(logs, nil)), d)

			require.Eventually(t, func() bool { return onlyMessage(t, s).Attempts == 1 }, 10*time.Second, 20*time.Millisecond, "logs: %s", logs)
			m := onlyMessage(t, s)
			assert.Nil(t, m.SentAt)
			require.NotNil(t, m.LastError)
			assert.Contains(t, *m.LastError, "smtp")
			assert.NotContains(t, *m.LastError, "hunter2")
			assert.NotContains(t, logs.String(), "hunter2")
			assert.Empty(t, mb.received())
		})
	}
}

func TestDeliverWebhook(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			s, clk := newClockedStore(t, dialect)
			var status atomic.Int32
			status.Store(http.StatusInternalServerError)
			var mu sync.Mutex
			var posts []map[string]any
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var p map[string]any
				err := json.NewDecoder(r.Body).Decode(&p)
				mu.Lock()
				if err == nil && r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json" {
					posts = append(posts, p)
				}
				mu.Unlock()
				w.WriteHeader(int(status.Load()))
			}))
			defer hook.Close()
			nposts := func() int { mu.Lock(); defer mu.Unlock(); return len(posts) }

			issueSMS(t, s, "123456")
			d, err := parseDelivery("", hook.URL+"/sms?token=t0k3n")
			require.NoError(t, err)
			logs := &lockedBuffer{}
			startSender(t, s, slog.New(slog.NewJSONHandler(logs, nil)), d)

			// The first attempt fails: still pending, one attempt, the reason recorded, the URL not in it.
			require.Eventually(t, func() bool { return onlyMessage(t, s).Attempts == 1 }, 10*time.Second, 20*time.Millisecond, "logs: %s", logs)
			m := onlyMessage(t, s)
			assert.Nil(t, m.SentAt)
			require.NotNil(t, m.LastError)
			assert.Equal(t, "sms webhook answered 500 Internal Server Error", *m.LastError)
			require.NotNil(t, m.NextAttemptAt)
			assert.Equal(t, modelstest.Epoch.Add(30*time.Second), *m.NextAttemptAt)

			// Before the backoff has passed nothing is tried, even when the webhook is back.
			status.Store(http.StatusAccepted)
			time.Sleep(200 * time.Millisecond)
			assert.Equal(t, 1, nposts())
			assert.Equal(t, int64(1), onlyMessage(t, s).Attempts)

			clk.advance(31 * time.Second)
			require.Eventually(t, func() bool { return onlyMessage(t, s).SentAt != nil }, 10*time.Second, 20*time.Millisecond, "logs: %s", logs)
			assert.Equal(t, 2, nposts())
			mu.Lock()
			assert.Equal(t, map[string]any{"to": "+61412345678", "body": "Your verification code is 123456. It expires in 5 minutes."}, posts[1])
			mu.Unlock()
			assert.Equal(t, modelstest.Epoch.Add(31*time.Second), *onlyMessage(t, s).SentAt)
			assert.NotContains(t, logs.String(), "123456", "with the webhook configured, codes stay out of the log")
			assert.NotContains(t, logs.String(), "t0k3n")
		})
	}
}

// TestDeliverToLog: without SMTP or a webhook, each message is one Info line that carries the whole message.
func TestDeliverToLog(t *testing.T) {
	logs := &lockedBuffer{}
	snd := newSender(nil, slog.New(slog.NewJSONHandler(logs, nil)), delivery{})
	ctx := context.Background()
	require.NoError(t, snd.deliver(ctx, models.OutboxMessage{ID: 1, Kind: models.MessageEmail, To: "ann@example.com", Subject: "Reset your password", Body: "link"}))
	require.NoError(t, snd.deliver(ctx, models.OutboxMessage{ID: 2, Kind: models.MessageSMS, To: "+61412345678", Body: "code 123456"}))
	assert.ErrorContains(t, snd.deliver(ctx, models.OutboxMessage{ID: 3, Kind: "fax"}), `unknown message kind "fax"`)
	var got []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var l map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l))
		delete(l, "time")
		got = append(got, l)
	}
	assert.Equal(t, []map[string]any{
		{"level": "INFO", "msg": "outbox delivered to log", "id": 1.0, "kind": "email", "to": "ann@example.com", "subject": "Reset your password", "body": "link"},
		{"level": "INFO", "msg": "outbox delivered to log", "id": 2.0, "kind": "sms", "to": "+61412345678", "subject": "", "body": "code 123456"},
	}, got)
}

// TestDeliverAfterCrash: a message written while no sender ran is sent by the next start of serve.
func TestDeliverAfterCrash(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			dsn, err := models.ParseDSN(db)
			require.NoError(t, err)
			// The real clock: serve's store runs on it, and must find the message due.
			s, err := models.Open(context.Background(), dsn)
			require.NoError(t, err)
			defer func() { _ = s.Close() }()
			_, err = s.Migrate(context.Background(), "up")
			require.NoError(t, err)
			issueSMS(t, s, "654321")

			got := make(chan smsPayload, 10)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var p smsPayload
				_ = json.NewDecoder(r.Body).Decode(&p)
				got <- p
			}))
			defer hook.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			logs := &lockedBuffer{}
			done := make(chan int, 1)
			env := map[string]string{"FILEAPI_SMS_WEBHOOK_URL": hook.URL}
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--log-format", "json"},
					func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
			}()
			select {
			case p := <-got:
				assert.Equal(t, smsPayload{To: "+61412345678", Body: "Your verification code is 654321. It expires in 5 minutes."}, p)
			case <-time.After(10 * time.Second):
				t.Fatalf("the webhook got nothing; logs: %s", logs)
			}
			require.Eventually(t, func() bool { return onlyMessage(t, s).SentAt != nil }, 10*time.Second, 20*time.Millisecond, "logs: %s", logs)
			cancel()
			select {
			case code := <-done:
				assert.Equal(t, 0, code, logs.String())
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop")
			}
			assert.Empty(t, got, "sent once")
			assert.NotContains(t, logs.String(), "654321")
		})
	}
}

func TestDeliverSettings(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/x.db"
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		msg  string
	}{
		{"smtp scheme", nil, []string{"--smtp-url", "ftp://u:hunter2@mail.example.com"}, "--smtp-url must be smtp://, smtps:// or smtp+insecure://"},
		{"smtp unparsable", nil, []string{"--smtp-url", "smtp://u:hunter2@mail.example.com:bad"}, "--smtp-url must be"},
		{"smtp bad escape", nil, []string{"--smtp-url", "smtp://u:hunter2%zz@mail.example.com"}, "--smtp-url must be"},
		{"smtp port", nil, []string{"--smtp-url", "smtp://u:hunter2@mail.example.com:99999"}, "--smtp-url must be"},
		{"smtp no host", map[string]string{"FILEAPI_SMTP_URL": "smtp://u:hunter2@"}, nil, "--smtp-url must be"},
		{"smtp path", nil, []string{"--smtp-url", "smtp://u:hunter2@mail.example.com/x"}, "--smtp-url must be"},
		{"smtp from", nil, []string{"--smtp-url", "smtps://u:hunter2@mail.example.com?from=Ann <a@example.com>"}, "from must be a bare e-mail address"},
		{"smtp parameter", nil, []string{"--smtp-url", "smtp://u:hunter2@mail.example.com?form=a@example.com"}, `unknown parameter "form"`},
		{"webhook scheme", nil, []string{"--sms-webhook-url", "ftp://u:hunter2@sms.example.com/send"}, "--sms-webhook-url must be an http or https URL"},
		{"webhook no host", map[string]string{"FILEAPI_SMS_WEBHOOK_URL": "https://u:hunter2@/send"}, nil, "--sms-webhook-url must be"},
		{"webhook unparsable", nil, []string{"--sms-webhook-url", "https://u:hunter2@sms.example.com:x/"}, "--sms-webhook-url must be"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, c.env, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, c.args...)...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, c.msg)
			assert.NotContains(t, r.stderr, "hunter2")
			assert.Empty(t, r.stdout)
		})
	}

	for _, c := range []struct {
		url        string
		host, from string
		port       int
	}{
		{"smtp://mail.example.com", "mail.example.com", defaultFrom, 587},
		{"smtps://u:p@mail.example.com?from=noreply@example.com", "mail.example.com", "noreply@example.com", 465},
		{"smtp+insecure://127.0.0.1:1025", "127.0.0.1", defaultFrom, 25 + 1000},
		{"smtp://[::1]:2525/", "::1", defaultFrom, 2525},
	} {
		srv, err := parseSMTPURL(c.url)
		require.NoError(t, err, c.url)
		assert.Equal(t, []any{c.host, c.port, c.from}, []any{srv.host, srv.port, srv.from}, c.url)
	}
}

// TestSendersShareTheOutbox: three senders on one database (three instances) deliver 60 SMS to one webhook,
// each exactly once. Messages that a sender claimed and never delivered (it was killed) are delivered by
// another once the claim's lease has run out, and not before.
func TestSendersShareTheOutbox(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := modelstest.NewDSN(t, dialect)
			open := func() *models.Store { // on the real clock: leases run out
				s := modelstest.OpenDSN(t, dsn)
				s.Now = func() time.Time { return time.Now().UTC() }
				return s
			}
			s := open()
			var mu sync.Mutex
			got := map[string]int{}
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var m struct{ To, Body string }
				_ = json.NewDecoder(r.Body).Decode(&m)
				mu.Lock()
				got[m.Body]++
				mu.Unlock()
			}))
			t.Cleanup(hook.Close)
			u, err := s.CreateUser(ctx, models.NewUser{Username: "ann@example.com", FirstName: "Ann"})
			require.NoError(t, err)
			issue := func(i int) {
				code := fmt.Sprintf("%06d", i)
				_, err := s.IssueOTP(ctx, models.OTPRequest{UserID: u.ID, Purpose: "p" + code, Destination: "+61412345678",
					Code: code, CodeHash: auth.HashOTP(u.ID, "p"+code, code)})
				require.NoError(t, err)
			}
			for i := range 5 {
				issue(i)
			}
			// A sender that claimed these five and was killed before it delivered any.
			dead, err := s.ClaimMessages(ctx, 10, 2*time.Second)
			require.NoError(t, err)
			require.Len(t, dead, 5)
			claimed := time.Now()
			for i := 5; i < 60; i++ {
				issue(i)
			}
			for range 3 {
				startSender(t, open(), slog.New(slog.DiscardHandler), delivery{webhook: hook.URL})
			}
			total := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(got)
			}
			require.Eventually(t, func() bool { return total() == 55 }, 10*time.Second, 10*time.Millisecond)
			mu.Lock()
			early := got["Your verification code is 000000. It expires in 5 minutes."]
			mu.Unlock()
			if time.Since(claimed) < 2*time.Second {
				assert.Zero(t, early, "a live claim is left alone")
			}
			require.Eventually(t, func() bool { return total() == 60 }, 10*time.Second, 20*time.Millisecond, "the dead sender's messages are delivered after its lease")
			time.Sleep(100 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			for body, n := range got {
				assert.Equal(t, 1, n, "delivered once: %s", body)
			}
		})
	}
}
