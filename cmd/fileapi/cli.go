package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"strconv"
	"strings"

	"github.com/fileapi/fileapi/models"
)

// usageError is bad input on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const topUsage = `fileapi: the user and identity API of a multi-tenant accounting platform.

Usage: fileapi [--db DSN] COMMAND [flags]

Commands:
  serve            serve HTTP (applies migrations first)
  migrate          up | down | status
  file create      create a file (a tenant)
  file update      switch access keys on a file on or off
  user create      create a user
  user grant       give a user a membership on a file
  user revoke      remove a user's membership on a file
  user set-password  set a user's password (every token of the user stops working)
  key create       create an access key (printed once)
  key revoke       revoke an access key
  audit list       list a user's profile events
  client create    register an OAuth client (its secret is printed once)
  outbox list      list the e-mails and SMS in the outbox

Global flags (also accepted after the command):
  --db DSN         sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DBNAME
                   (env FILEAPI_DB; default sqlite:data/fileapi.db)

Run 'fileapi COMMAND --help' for a command's flags.
`

// env reads FILEAPI_* settings; flags override it.
type env func(string) string

// cli is one invocation: its streams and environment.
type cli struct {
	getenv env
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	db     string // --db given before the command
	usage  map[*flag.FlagSet]string
}

// run executes one command line and returns the exit status: 0 ok, 1 failure, 2 bad usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, usage: map[*flag.FlagSet]string{}}
	err := c.dispatch(ctx, args)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "fileapi: %s\n", ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "fileapi: %s\n", describe(err))
		return 1
	}
}

// describe turns an error into one line for a person: the client-facing message of a domain error.
func describe(err error) string {
	var e *models.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if errors.As(err, &e) && e.Kind == models.KindUnavailable {
		return "the database cannot be reached: " + e.Err.Error()
	}
	return err.Error()
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	// Global flags before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case a == "-h" || a == "--help" || a == "-help":
			fmt.Fprint(c.stdout, topUsage)
			return flag.ErrHelp
		case a == "--db" || a == "-db":
			if len(args) < 2 {
				return usageError{"--db needs a value"}
			}
			c.db, args = args[1], args[2:]
		case strings.HasPrefix(a, "--db=") || strings.HasPrefix(a, "-db="):
			c.db, args = a[strings.Index(a, "=")+1:], args[1:]
		default:
			return usageError{fmt.Sprintf("unknown flag %s (see fileapi --help)", a)}
		}
	}
	if len(args) == 0 {
		fmt.Fprint(c.stderr, topUsage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return c.serve(ctx, rest)
	case "migrate":
		return c.migrate(ctx, rest)
	case "help":
		fmt.Fprint(c.stdout, topUsage)
		return nil
	case "file", "user", "key", "audit", "outbox", "client":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			if len(rest) > 0 && (rest[0] == "--help" || rest[0] == "-h") {
				fmt.Fprint(c.stdout, topUsage)
				return flag.ErrHelp
			}
			return usageError{fmt.Sprintf("%s needs a subcommand (see fileapi --help)", cmd)}
		}
		sub := cmd + " " + rest[0]
		if f, ok := c.admin()[sub]; ok {
			return f(ctx, rest[1:])
		}
		return usageError{fmt.Sprintf("unknown command %q (see fileapi --help)", sub)}
	}
	return usageError{fmt.Sprintf("unknown command %q (see fileapi --help)", cmd)}
}

// flags makes a command's flag set with the shared --db flag and a usage text.
func (c *cli) flags(name, usage string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := fs.String("db", "", "database: sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DBNAME (env FILEAPI_DB)")
	// The flag package calls Usage on every parse error; parse prints the usage itself, for --help only.
	fs.Usage = func() {}
	c.usage[fs] = usage
	return fs, db
}

// parse parses a command's flags; --help prints its usage to stdout.
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(c.stdout, "Usage: fileapi %s\n\nFlags:\n", c.usage[fs])
			fs.SetOutput(c.stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
			return flag.ErrHelp
		}
		return usageError{fmt.Sprintf("%s: %v (see fileapi %s --help)", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// dsn is the database to use: --db after the command, --db before it, FILEAPI_DB, then the default.
func (c *cli) dsn(flagValue string) (models.DSN, error) {
	v := flagValue
	if v == "" {
		v = c.db
	}
	if v == "" {
		v = c.getenv("FILEAPI_DB")
	}
	if v == "" {
		v = "sqlite:data/fileapi.db"
	}
	d, err := models.ParseDSN(v)
	if err != nil {
		return models.DSN{}, usageError{err.Error()}
	}
	return d, nil
}

// open connects to the database and applies pending migrations, so admin commands work on a new database.
func (c *cli) open(ctx context.Context, flagValue string) (*models.Store, error) {
	d, err := c.dsn(flagValue)
	if err != nil {
		return nil, err
	}
	s, err := models.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx, "up"); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// print writes one JSON object on its own line.
func (c *cli) print(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "%s\n", b)
	return err
}

// findUser resolves --user: a username (case-insensitive), else a numeric user id.
func findUser(ctx context.Context, s *models.Store, ref string) (models.User, error) {
	if ref == "" {
		return models.User{}, usageError{"--user is required"}
	}
	u, err := s.UserByUsername(ctx, ref)
	if models.KindOf(err) == models.KindNotFound {
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			return s.UserByID(ctx, id)
		}
	}
	return u, err
}

func (c *cli) migrate(ctx context.Context, args []string) error {
	fs, db := c.flags("migrate", "migrate [up|down|status] [--db DSN]")
	dir := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if dir != "up" && dir != "down" && dir != "status" {
		return usageError{fmt.Sprintf("migrate: unknown direction %q: want up, down or status", dir)}
	}
	d, err := c.dsn(*db)
	if err != nil {
		return err
	}
	s, err := models.Open(ctx, d)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	st, err := s.Migrate(ctx, dir)
	if err != nil {
		return err
	}
	for _, m := range st {
		if err := c.print(m); err != nil {
			return err
		}
	}
	return nil
}

type flagT = flag.Flag
