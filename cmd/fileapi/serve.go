package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// Server timeouts: slow or stalled clients cannot hold connections for ever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 30 * time.Second
)

// setting is a flag's value when it was given, else the environment variable, else the default.
func (c *cli) setting(fs *flag.FlagSet, name, envName, def string) string {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return fs.Lookup(name).Value.String()
	}
	if v := c.getenv(envName); v != "" {
		return v
	}
	return def
}

// serveConfig is what serve was asked for, flags over environment over defaults.
type serveConfig struct {
	db                                string
	addr, adminAddr, publicURL        string
	logFormat, smtpURL, smsWebhookURL string
	demo                              bool
	lease                             time.Duration // FILEAPI_OUTBOX_LEASE; 0: the sender's default
}

// serveSettings reads serve's flags and environment, and checks them.
func (c *cli) serveSettings(args []string) (serveConfig, error) {
	fs, db := c.flags("serve", "serve [--addr 127.0.0.1:8080] [--public-url URL] [--demo] [--log-format text|json] [--smtp-url URL] [--sms-webhook-url URL] [--db DSN]")
	fs.String("addr", "127.0.0.1:8080", "listen address (env FILEAPI_ADDR)")
	fs.String("admin-addr", "", "listen address of /healthz, /readyz and /metrics, e.g. 127.0.0.1:9090 (env FILEAPI_ADMIN_ADDR; default: none)")
	fs.String("public-url", "", "base of every link href, e.g. https://api.example.com (env FILEAPI_PUBLIC_URL; default: the request's scheme and host)")
	fs.String("log-format", "text", "text or json (env FILEAPI_LOG_FORMAT)")
	fs.String("smtp-url", "", "send e-mail over SMTP: smtp://, smtps:// or smtp+insecure://[USER:PASSWORD@]HOST[:PORT][?from=ADDRESS] (env FILEAPI_SMTP_URL; default: to the log)")
	fs.String("sms-webhook-url", "", "send SMS as a JSON POST {\"to\",\"body\"} to this http(s) URL (env FILEAPI_SMS_WEBHOOK_URL; default: to the log)")
	demo := fs.Bool("demo", false, "on an empty database, create a demo file, user and access key, and print a ready curl")
	if err := c.parse(fs, args); err != nil {
		return serveConfig{}, err
	}
	cfg := serveConfig{
		db:            *db,
		addr:          c.setting(fs, "addr", "FILEAPI_ADDR", "127.0.0.1:8080"),
		adminAddr:     c.setting(fs, "admin-addr", "FILEAPI_ADMIN_ADDR", ""),
		publicURL:     c.setting(fs, "public-url", "FILEAPI_PUBLIC_URL", ""),
		logFormat:     c.setting(fs, "log-format", "FILEAPI_LOG_FORMAT", "text"),
		smtpURL:       c.setting(fs, "smtp-url", "FILEAPI_SMTP_URL", ""),
		smsWebhookURL: c.setting(fs, "sms-webhook-url", "FILEAPI_SMS_WEBHOOK_URL", ""),
		demo:          *demo,
	}
	if cfg.publicURL != "" {
		u, err := url.Parse(cfg.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return cfg, usageError{"serve: --public-url must be an http or https URL without query, fragment or credentials"}
		}
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return cfg, usageError{"serve: --log-format must be text or json"}
	}
	// FILEAPI_OUTBOX_LEASE: how long a sender's claim on messages holds before another instance may take them.
	if v := c.getenv("FILEAPI_OUTBOX_LEASE"); v != "" {
		lease, err := time.ParseDuration(v)
		if err != nil || lease < time.Second {
			return cfg, usageError{"serve: FILEAPI_OUTBOX_LEASE must be a duration of at least 1s, e.g. 2m"}
		}
		cfg.lease = lease
	}
	return cfg, nil
}

// serveLogs are serve's two logs, both to stderr: the error log, and the access log, whose lines are written
// out in batches (lineBuffer) that flush must write out before serve returns.
func serveLogs(format string, stderr io.Writer) (log, access *slog.Logger, flush func()) {
	lines := newLineBuffer(stderr)
	if format == "json" {
		return slog.New(slog.NewJSONHandler(stderr, nil)), slog.New(slog.NewJSONHandler(lines, nil)), lines.Flush
	}
	return slog.New(slog.NewTextHandler(stderr, nil)), slog.New(slog.NewTextHandler(lines, nil)), lines.Flush
}

func (c *cli) serve(ctx context.Context, args []string) error {
	cfg, err := c.serveSettings(args)
	if err != nil {
		return err
	}
	log, accessLog, flush := serveLogs(cfg.logFormat, c.stderr)
	defer flush()
	if c.getenv("GOGC") == "" {
		debug.SetGCPercent(handlers.ServeGCPercent)
	}
	deliv, err := parseDelivery(cfg.smtpURL, cfg.smsWebhookURL)
	if err != nil {
		return err
	}
	s, err := c.open(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	d, _ := c.dsn(cfg.db)
	log.Info("database ready", slog.String("db", d.String()))

	metrics := handlers.NewMetrics(s)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	if cfg.adminAddr != "" {
		stopAdmin, err := serveAdmin(cfg.adminAddr, s, metrics, log)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stopAdmin()
	}
	srv := apiServer(ctx, handlers.Config{Store: s, PublicURL: cfg.publicURL, ListenAddr: ln.Addr().String(), Logger: log,
		AccessLog: accessLog, Metrics: metrics})
	if err := c.announce(ctx, s, ln.Addr(), cfg, log); err != nil {
		_ = ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	stopBackground := startBackground(ctx, s, log, deliv, metrics, cfg.lease)
	defer stopBackground()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return drain(srv, errc, stopBackground, log)
}

// announce logs the address, warns when links sent by e-mail and SMS would point at an address that clients
// elsewhere may not reach, and with --demo seeds the demo data and prints a ready curl.
func (c *cli) announce(ctx context.Context, s *models.Store, addr net.Addr, cfg serveConfig, log *slog.Logger) error {
	log.Info("listening", slog.String("addr", addr.String()))
	if cfg.publicURL == "" && !loopback(addr) {
		log.Warn("listening beyond loopback without --public-url: links sent by e-mail and SMS point at http://"+
			addr.String()+", which clients elsewhere may not reach; set --public-url (FILEAPI_PUBLIC_URL)",
			slog.String("addr", addr.String()))
	}
	if !cfg.demo {
		return nil
	}
	base := cfg.publicURL
	if base == "" {
		base = "http://" + addr.String()
	}
	return seedDemo(ctx, s, c.stdout, base)
}

// drain finishes the requests in flight and refuses new ones; then it stops the background work (the sender may
// have messages of those requests to send).
func drain(srv *http.Server, errc <-chan error, stopBackground func(), log *slog.Logger) error {
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopBackground()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// apiServer is the HTTP server of the API, with serve's timeouts. Requests keep ctx's values but not its
// cancellation: a stop lets them finish.
func apiServer(ctx context.Context, cfg handlers.Config) *http.Server {
	return &http.Server{
		Handler:           handlers.New(cfg),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// serveAdmin serves /healthz, /readyz and /metrics on their own address until the returned stop is called.
func serveAdmin(addr string, s *models.Store, metrics *handlers.Metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	admin := &http.Server{Handler: handlers.Admin(s, metrics), ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout}
	go func() { _ = admin.Serve(ln) }()
	log.Info("admin listening", slog.String("addr", ln.Addr().String()))
	return func() { _ = admin.Close() }, nil
}

// startBackground starts the outbox sender and the sweeper. They outlive ctx until stop is called (after the
// server has finished its requests, which may write messages), and stop before the store closes. stop may be
// called more than once.
func startBackground(ctx context.Context, s *models.Store, log *slog.Logger, deliv delivery, metrics *handlers.Metrics,
	lease time.Duration) (stop func()) {
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	senderDone := make(chan struct{})
	snd := newSender(s, log, deliv)
	snd.metrics = metrics
	if lease != 0 {
		snd.lease = lease
	}
	go func() {
		defer close(senderDone)
		snd.run(bg)
	}()
	go sweep(bg, s, log)
	return sync.OnceFunc(func() { cancel(); <-senderDone })
}

// Demo data: the examples of the spec.
const (
	demoFileID   = 777
	demoUsername = "ann@example.com"
)

// seedDemo fills an empty database with one file, one user with a password, and one access key, and
// prints them with ready curl lines. On a database that already holds the demo user it issues a fresh key
// (keys are stored hashed, so the first one cannot be shown again); on any other database it does nothing.
func seedDemo(ctx context.Context, s *models.Store, out io.Writer, base string) error {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	password := ""
	var u models.User
	if empty {
		if u, password, err = createDemo(ctx, s); err != nil {
			return err
		}
	} else {
		u, err = s.UserByUsername(ctx, demoUsername)
		if err != nil {
			fmt.Fprintln(out, "The database is not empty and has no demo user: no demo data created.")
			return nil
		}
		if _, err := s.FileAccess(ctx, u.ID, demoFileID); err != nil {
			fmt.Fprintln(out, "The demo user has no membership on the demo file: no demo key created.")
			return nil
		}
		// Keys are stored as hashes: the last start's key cannot be shown again, so it is revoked and a new one
		// made, rather than leaving one more live key at every start.
		if _, err := s.RevokeUnboundKeys(ctx, u.ID); err != nil {
			return err
		}
	}
	_, key, err := createKey(ctx, s, u.ID, nil)
	if err != nil {
		return err
	}
	printDemo(out, base, password, key)
	return nil
}

// createDemo creates the demo file and its administrator, with a password made up for the occasion.
func createDemo(ctx context.Context, s *models.Store) (models.User, string, error) {
	id := int64(demoFileID)
	if _, err := s.CreateFile(ctx, models.NewFile{ID: &id, Name: "Acme Pty Ltd", AllowWebServices: true}); err != nil {
		return models.User{}, "", err
	}
	password := auth.NewSecret("")[:16]
	h, err := auth.HashPassword(password)
	if err != nil {
		return models.User{}, "", err
	}
	u, err := s.CreateUser(ctx, models.NewUser{Username: demoUsername, FirstName: "Ann", LastName: ptr("Lee"), PasswordHash: &h, Email: ptr(demoUsername)})
	if err != nil {
		return models.User{}, "", err
	}
	if _, err := s.Grant(ctx, u.ID, demoFileID, models.AccessAdministrator, true); err != nil {
		return models.User{}, "", err
	}
	return u, password, nil
}

// printDemo tells what the demo holds, with curl lines that work as they are; password is "" after the first
// start.
func printDemo(out io.Writer, base, password, key string) {
	fmt.Fprintf(out, "\nDemo data: file %d (Acme Pty Ltd), user %s", demoFileID, demoUsername)
	if password != "" {
		fmt.Fprintf(out, " with password %s", password)
	}
	fmt.Fprintf(out, ", access key %s\n", key)
	if password == "" {
		fmt.Fprintf(out, "(The password was printed at the first start; for a new one: bin/fileapi user set-password --user %s.\n"+
			"The key of the last start is revoked.)\n", demoUsername)
	}
	fmt.Fprintf(out, "\nTry:\n")
	fmt.Fprintf(out, "  curl -s '%s/User?FileId=%d&wsAccessKey=%s'\n", base, demoFileID, key)
	fmt.Fprintf(out, "  curl -s -H 'Accept: application/xml' '%s/User?FileId=%d&wsAccessKey=%s'\n", base, demoFileID, key)
	fmt.Fprintf(out, "  curl -s -X PUT -H 'Content-Type: application/json' -H 'X-Api-Key: %s' -d '{\"FirstName\":\"Anne\"}' '%s/User?FileId=%d'\n", key, base, demoFileID)
	fmt.Fprintf(out, "  curl -s -H 'X-Api-Key: %s' '%s/api/workspace/account/profile'\n", key, base)
	fmt.Fprintf(out, "  curl -s '%s/openapi.yaml'\n\n", base)
}

func ptr[T any](v T) *T { return &v }

// loopback reports whether a listen address is reachable from this machine only.
func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Sweeper timing: every instance sweeps every sweepInterval (with jitter, so that a fleet started at once does
// not sweep in step), deleting at most sweepBatch rows a statement. Several instances sweeping is harmless.
const (
	sweepInterval = time.Minute
	sweepBatch    = 500
	sweepRounds   = 20
)

// sweep deletes what is past its use (models.Store.Sweep) until ctx ends.
func sweep(ctx context.Context, s *models.Store, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(sweepInterval/2 + rand.N(sweepInterval)):
		}
		w, err := s.Sweep(ctx, sweepBatch, sweepRounds)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("sweep failed; trying again later", slog.String("error", describe(err)))
		case w.Total() > 0:
			log.Info("swept", slog.Int64("codes", w.Codes), slog.Int64("otps", w.OTPs), slog.Int64("tokens", w.Tokens),
				slog.Int64("messages", w.Messages), slog.Int64("limits", w.Limits))
		}
	}
}
