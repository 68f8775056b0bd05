package main

// TestReadmeWalkthroughs runs the walk-throughs of README.md for real and compares every sample answer with
// what the command answers, so the README cannot drift from the server.
//
// The convention (README.md follows it; keep them in step):
//
//   - Only ```sh blocks under the "## " headings listed in readmeWalkthroughs are run, top to bottom, in the
//     order of the README, against one `serve --demo` on a fresh SQLite database (data/fileapi.db in a
//     temporary directory, which is also the working directory of every command, so `bin/fileapi` without
//     --db reaches the served database as it does after `make run`). bin/fileapi there is this test binary,
//     which runs as fileapi (TestMain), as in the other process tests, hashing passwords at bcrypt cost 4. A
//     ```sh block elsewhere may not show a sample answer (the test fails if it does): what is not run is not
//     shown as an answer.
//   - A command is a line that starts with `curl ` or `bin/fileapi `, with the lines it continues onto with a
//     trailing backslash. It runs in bash, as written (a trailing `# comment` is bash's). Every other line
//     (`KEY=…`, comments, blank lines) is not run.
//   - The `# ` lines right after a command (no blank line in between) are its sample answer, one line of
//     output each; a line starting `#  ` (two spaces) continues the previous one: the two are joined without
//     the line break and the leading spaces. No such lines: the answer is not compared, but must succeed.
//   - The last sample line may end with a status, after two or more spaces: `(412)` or `(412: a remark)`.
//     curl's answer must have that HTTP status; without one, a 2xx. A bin/fileapi command must exit 0.
//   - A sample line that starts with `{`, `[` or `"` is JSON and is compared parsed (members in any order,
//     numbers as written: 1 is not 1.0); any other line is compared as text. `…` marks what is left out:
//     inside a string (or anywhere in a text line), any run of characters, none included;
//     in an object in place of a member, any number of members not shown (without one, the members must be
//     exactly those shown); in an array in place of an element, any number of elements, none included;
//     in place of a value (after a colon), any one value; a sample line that is just `…`, any number of
//     further output lines (without one, the output has exactly the lines shown).
//   - What differs per run is substituted: 127.0.0.1:8080 (in commands and samples) by the address served;
//     $KEY and $PASSWORD are the access key and password that serve --demo printed; $CLIENT_ID and
//     $CLIENT_SECRET those of the last `client create` that printed a secret; and in a command, `fa_at_…`,
//     `fa_rt_…` (any fa_XX_…) the last secret with that prefix that an earlier answer held. Any other `…` left
//     in a command fails the test.
//
// The README is also checked to point at nothing outside the repository: no "../", and every relative link
// names a file of the repository.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
)

// readmeWalkthroughs are the README sections whose ```sh blocks the test runs.
var readmeWalkthroughs = []string{
	"A walk through the Saasu API",
	"The ZITADEL API",
	"The workspace API",
	"Command line",
}

// readmeAddr is the address the README's commands and samples name.
const readmeAddr = "127.0.0.1:8080"

// readmeStep is one command of the README and its sample answer.
type readmeStep struct {
	section string
	line    int      // of the command in README.md, from 1
	command string   // as written, continuation lines included
	want    []string // the sample's output lines; nil when the README shows none
	status  int      // the status the sample names; 0: none named
}

var (
	readmeStatus    = regexp.MustCompile(`(?:^|\s{2,})\((\d{3})(?::[^()]*)?\)\s*$`)
	readmeSecret    = regexp.MustCompile(`fa_[a-z]{2}_[A-Za-z0-9_-]{20,}`)
	readmeSecretRef = regexp.MustCompile(`fa_([a-z]{2})_…`)
	readmeDemo      = regexp.MustCompile(`with password (\S+), access key (fa_ak_[A-Za-z0-9_-]+)`)
	readmeLink      = regexp.MustCompile(`\]\(([^)#\s]+)[^)]*\)`)
)

func isReadmeCommand(line string) bool {
	return strings.HasPrefix(line, "curl ") || strings.HasPrefix(line, "bin/fileapi ")
}

// parseReadme returns the steps of the walk-through sections, and the problems of the README's form: sample
// answers outside them, a walk-through section without a command, a malformed sample.
func parseReadme(readme string, walkthroughs []string) (steps []readmeStep, problems []string) {
	run := map[string]bool{}
	for _, s := range walkthroughs {
		run[s] = true
	}
	commands := map[string]int{}
	lines := strings.Split(readme, "\n")
	section := ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if h, ok := strings.CutPrefix(line, "## "); ok {
			section = strings.TrimSpace(h)
			continue
		}
		if strings.TrimSpace(line) != "```sh" {
			continue
		}
		// A ```sh block: lines i+1 up to the closing fence.
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			if !isReadmeCommand(lines[i]) {
				continue
			}
			st := readmeStep{section: section, line: i + 1, command: lines[i]}
			for strings.HasSuffix(lines[i], `\`) && i+1 < len(lines) {
				i++
				st.command += "\n" + lines[i]
			}
			for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], "# ") || lines[i+1] == "#") {
				i++
				text := strings.TrimPrefix(strings.TrimPrefix(lines[i], "#"), " ")
				if strings.HasPrefix(text, " ") && len(st.want) > 0 {
					st.want[len(st.want)-1] += strings.TrimLeftFunc(text, unicode.IsSpace)
				} else {
					st.want = append(st.want, text)
				}
			}
			if n := len(st.want); n > 0 {
				if m := readmeStatus.FindStringSubmatchIndex(st.want[n-1]); m != nil {
					st.status, _ = strconv.Atoi(st.want[n-1][m[2]:m[3]])
					st.want[n-1] = strings.TrimRightFunc(st.want[n-1][:m[0]], unicode.IsSpace)
					if st.want[n-1] == "" {
						st.want = st.want[:n-1]
					}
				}
				for k, w := range st.want {
					if w == "…" && k != len(st.want)-1 {
						problems = append(problems, fmt.Sprintf("README.md:%d: a sample line of just … must be the last", st.line))
					}
				}
				if !run[section] {
					problems = append(problems, fmt.Sprintf("README.md:%d: a sample answer in section %q, which the test does not run (see readmeWalkthroughs)", st.line, section))
				}
				if st.status != 0 && strings.HasPrefix(st.command, "bin/fileapi ") {
					problems = append(problems, fmt.Sprintf("README.md:%d: a status is for curl; a bin/fileapi command must exit 0", st.line))
				}
			}
			if run[section] {
				steps = append(steps, st)
				commands[section]++
			}
		}
	}
	for _, s := range walkthroughs {
		if commands[s] == 0 {
			problems = append(problems, fmt.Sprintf("README.md: no ```sh command under the heading %q (renamed? update readmeWalkthroughs)", s))
		}
	}
	return steps, problems
}

// readmeMarker is what a bare … of a JSON sample becomes (see elidedJSON).
const readmeMarker = "\x00…"

// elidedJSON turns a JSON sample into JSON: a bare … (outside strings) becomes a marker member in an object, a
// marker element in an array, a marker value after a colon or at the top.
func elidedJSON(s string) string {
	var b strings.Builder
	var stack []rune
	inString, escaped := false, false
	last := rune(0) // the last character outside strings that is not white space
	for _, r := range s {
		if inString {
			b.WriteRune(r)
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString, last = false, '"'
			}
			continue
		}
		switch r {
		case '"':
			inString = true
		case '{', '[':
			stack = append(stack, r)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '…':
			marker := `"\u0000…"`
			if last != ':' && len(stack) > 0 && stack[len(stack)-1] == '{' {
				marker += ":null"
			}
			b.WriteString(marker)
			last = '"'
			continue
		}
		b.WriteRune(r)
		if !unicode.IsSpace(r) {
			last = r
		}
	}
	return b.String()
}

// textMatches reports whether got is want with each … standing for any run of characters.
func textMatches(want, got string) bool {
	if !strings.Contains(want, "…") {
		return want == got
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`).MatchString(got)
}

func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

func showJSON(v any) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), `\u0000…`, "…")
}

// jsonMismatch says where got differs from the elided sample want ("" when it matches).
func jsonMismatch(path string, want, got any) string {
	differ := func() string { return fmt.Sprintf("at %s: want %s, got %s", path, showJSON(want), showJSON(got)) }
	switch w := want.(type) {
	case string:
		if w == readmeMarker {
			return ""
		}
		if g, ok := got.(string); !ok || !textMatches(w, g) {
			return differ()
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return differ()
		}
		for k, wv := range w {
			if k == readmeMarker {
				continue
			}
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("at %s: member %q is missing", path, k)
			}
			if m := jsonMismatch(path+"."+k, wv, gv); m != "" {
				return m
			}
		}
		if _, open := w[readmeMarker]; !open {
			for k := range g {
				if _, ok := w[k]; !ok {
					return fmt.Sprintf("at %s: member %q is not in the sample (add it, or … for members left out)", path, k)
				}
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || !arrayMatches(path, w, g) {
			return differ()
		}
	default: // json.Number, bool, nil
		if !reflect.DeepEqual(want, got) {
			return differ()
		}
	}
	return ""
}

// arrayMatches: the elements in order, a marker element standing for any number of them.
func arrayMatches(path string, want, got []any) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == readmeMarker {
		for i := 0; i <= len(got); i++ {
			if arrayMatches(path, want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && jsonMismatch(path, want[0], got[0]) == "" && arrayMatches(path, want[1:], got[1:])
}

// lineMismatch compares one output line with one sample line ("" when it matches).
func lineMismatch(want, got string) string {
	if t := strings.TrimSpace(want); t != "" && strings.ContainsRune(`{["`, rune(t[0])) {
		w, err := decodeJSON(elidedJSON(t))
		if err != nil {
			return fmt.Sprintf("the sample is not JSON (%v): %s", err, want)
		}
		g, err := decodeJSON(got)
		if err != nil {
			return fmt.Sprintf("the answer is not JSON (%v)", err)
		}
		return jsonMismatch("$", w, g)
	}
	if !textMatches(want, got) {
		return "the text differs"
	}
	return ""
}

// outputMismatch compares a command's output with its sample lines ("" when they match).
func outputMismatch(want []string, output string) string {
	got := strings.Split(strings.TrimSuffix(output, "\n"), "\n")
	if output == "" {
		got = nil
	}
	for i, w := range want {
		if w == "…" {
			return ""
		}
		if i >= len(got) {
			return fmt.Sprintf("line %d of the sample has no output line", i+1)
		}
		if m := lineMismatch(w, got[i]); m != "" {
			return fmt.Sprintf("line %d: %s", i+1, m)
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("%d output lines, the sample shows %d (end it with a line of … to leave the rest out)", len(got), len(want))
	}
	return ""
}

// readmeRun is the state of a walk-through: the values substituted and the environment of each command.
type readmeRun struct {
	dir     string
	addr    string
	env     map[string]string // KEY, PASSWORD, CLIENT_ID, CLIENT_SECRET
	secrets map[string]string // prefix ("at") → the last such secret answered
}

// curlWithStatus wraps curl: no ~/.curlrc, no proxy, and the HTTP status written to stderr.
const curlWithStatus = `curl() { command curl -q --noproxy '*' --write-out '%{stderr}%{http_code}' "$@"; }` + "\n"

// command is the step's command with this run's values in place of the README's.
func (r *readmeRun) command(st readmeStep) (string, error) {
	cmd := strings.ReplaceAll(st.command, readmeAddr, r.addr)
	var missing []string
	cmd = readmeSecretRef.ReplaceAllStringFunc(cmd, func(ref string) string {
		prefix := readmeSecretRef.FindStringSubmatch(ref)[1]
		if s, ok := r.secrets[prefix]; ok {
			return s
		}
		missing = append(missing, ref)
		return ref
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no earlier answer held a secret for %s", strings.Join(missing, ", "))
	}
	if strings.Contains(cmd, "…") {
		return "", fmt.Errorf("the command holds a … that the test cannot fill")
	}
	return cmd, nil
}

// exec runs one command in bash and returns its standard output, and the HTTP status for curl.
func (r *readmeRun) exec(st readmeStep, cmd string) (out string, status int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", "-c", curlWithStatus+cmd)
	c.Dir = r.dir
	c.Env = readmeEnviron(r.env)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	runErr := c.Run()
	out = stdout.String()
	if strings.HasPrefix(st.command, "curl ") {
		s := stderr.String()
		if len(s) >= 3 {
			status, _ = strconv.Atoi(s[len(s)-3:])
		}
		if runErr != nil || status == 0 {
			return out, status, fmt.Errorf("curl failed (%v): %s", runErr, s)
		}
		return out, status, nil
	}
	if runErr != nil {
		return out, 0, fmt.Errorf("%v: %s", runErr, stderr.String())
	}
	return out, 0, nil
}

// harvest keeps what later commands may name: the secrets of an answer, a new client's id and secret.
func (r *readmeRun) harvest(out string) {
	for _, s := range readmeSecret.FindAllString(out, -1) {
		r.secrets[s[3:5]] = s
	}
	for _, line := range strings.Split(out, "\n") {
		var c struct {
			ClientID     string  `json:"client_id"`
			ClientSecret *string `json:"client_secret"`
		}
		if json.Unmarshal([]byte(line), &c) == nil && c.ClientID != "" && c.ClientSecret != nil {
			r.env["CLIENT_ID"], r.env["CLIENT_SECRET"] = c.ClientID, *c.ClientSecret
		}
	}
}

// envReadme marks the processes of TestReadmeWalkthroughs: they hash passwords at the lowest bcrypt cost the
// other tests use (the walk-throughs hash and check several; the answers do not depend on the cost).
const envReadme = "FILEAPI_TEST_README"

func init() {
	if os.Getenv(envRunCLI) == "1" && os.Getenv(envReadme) == "1" {
		auth.PasswordCost = 4
	}
}

// readmeEnviron is the test's environment without FILEAPI_* settings (a developer's FILEAPI_DB must not
// redirect bin/fileapi), with the test binary running as fileapi, and with extra.
func readmeEnviron(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FILEAPI_") {
			env = append(env, kv)
		}
	}
	env = append(env, envRunCLI+"=1", envReadme+"=1")
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

func TestReadmeWalkthroughs(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	if !utf8.ValidString(readme) {
		t.Fatal("README.md is not UTF-8")
	}

	t.Run("links", func(t *testing.T) {
		if strings.Contains(readme, "../") {
			t.Error(`README.md names a path outside the repository ("../")`)
		}
		for _, m := range readmeLink.FindAllStringSubmatch(readme, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join("../..", filepath.FromSlash(target))); err != nil {
				t.Errorf("README.md links %s, which is not in the repository", target)
			}
		}
	})

	steps, problems := parseReadme(readme, readmeWalkthroughs)
	for _, p := range problems {
		t.Error(p)
	}
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the README's walk-throughs are not run", tool)
		}
	}

	// bin/fileapi is this test binary, which runs as fileapi with envRunCLI set (TestMain).
	self, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o750))
	require.NoError(t, os.Symlink(self, filepath.Join(dir, "bin", "fileapi")))

	// make run, on a free port: bin/fileapi serve --demo --db sqlite:data/fileapi.db.
	addr := freePort(t)
	cmd := exec.Command(filepath.Join(dir, "bin", "fileapi"), "serve", "--demo", "--db", "sqlite:data/fileapi.db", "--addr", addr)
	cmd.Dir = dir
	cmd.Env = readmeEnviron(nil)
	printed := &lockedBuffer{}
	srv := &instance{t: t, cmd: cmd, api: "http://" + addr, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = printed, srv.logs
	require.NoError(t, cmd.Start())
	go func() { _ = cmd.Wait(); close(srv.done) }()
	t.Cleanup(srv.kill)
	var demo []string
	require.Eventually(t, func() bool {
		demo = readmeDemo.FindStringSubmatch(printed.String())
		return demo != nil && strings.Contains(printed.String(), "/openapi.yaml'")
	}, 20*time.Second, 20*time.Millisecond, "serve --demo printed no password and key; its output:\n%s\nits log:\n%s", printed, srv.logs)

	r := &readmeRun{dir: dir, addr: addr, secrets: map[string]string{},
		env: map[string]string{"KEY": demo[2], "PASSWORD": demo[1]}}
	for _, st := range steps {
		command, err := r.command(st)
		if err != nil {
			t.Errorf("README.md:%d (%s): %v:\n%s", st.line, st.section, err, st.command)
			continue
		}
		out, status, err := r.exec(st, command)
		if err != nil {
			t.Errorf("README.md:%d (%s): %v\n%s", st.line, st.section, err, st.command)
			continue
		}
		r.harvest(out)
		switch {
		case st.status != 0 && status != st.status:
			t.Errorf("README.md:%d (%s): the sample says status %d, the answer is %d:\n%s\nanswer: %s", st.line, st.section, st.status, status, st.command, out)
		case st.status == 0 && status != 0 && (status < 200 || status > 299):
			t.Errorf("README.md:%d (%s): status %d, and the sample names none (add \"  (%d)\" to its last line):\n%s\nanswer: %s", st.line, st.section, status, status, st.command, out)
		}
		if st.want == nil {
			continue
		}
		want := make([]string, len(st.want))
		for i, w := range st.want {
			want[i] = strings.ReplaceAll(w, readmeAddr, addr)
		}
		if m := outputMismatch(want, out); m != "" {
			t.Errorf("README.md:%d (%s): the sample is not what the command answers: %s\ncommand: %s\nsample:\n  %s\nanswer:\n  %s",
				st.line, st.section, m, st.command, strings.Join(st.want, "\n  "), strings.ReplaceAll(strings.TrimSuffix(out, "\n"), "\n", "\n  "))
		}
	}
}

// TestReadmeSampleMatching pins the elision rules that TestReadmeWalkthroughs applies to the README's samples.
func TestReadmeSampleMatching(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{`{"a":1,"b":"x"}`, `{"b":"x","a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,…}`, `{"a":1,"b":2}`, true},
		{`{…,"b":2}`, `{"a":1,"b":2}`, true},
		{`{"a":1,…}`, `{"b":2}`, false},
		{`{"t":"fa_at_…"}`, `{"t":"fa_at_abc"}`, true},
		{`{"t":"fa_at_…"}`, `{"t":"fa_rt_abc"}`, false},
		{`{"a":…}`, `{"a":{"x":[1]}}`, true},
		{`{"l":[…]}`, `{"l":[1,2,3]}`, true},
		{`{"l":[…]}`, `{"l":[]}`, true},
		{`{"l":[1,…]}`, `{"l":[1,2,3]}`, true},
		{`{"l":[…,3]}`, `{"l":[1,2]}`, false},
		{`{"l":[1]}`, `{"l":[1,2]}`, false},
		{`{"n":null,"b":false}`, `{"n":null,"b":false}`, true},
		{`{"n":1}`, `{"n":1.0}`, false},
		{`"FirstName is required."`, `"FirstName is required."`, true},
		{`"FirstName is required."`, `FirstName is required.`, false},
		{`<a>…</a><b>1</b>…`, `<a><x/></a><b>1</b><c/>`, true},
		{`<a>…</a><b>1</b>…`, `<a><x/></a><b>2</b>`, false},
		{`{"s":"a.b"}`, `{"s":"aXb"}`, false},
	} {
		m := lineMismatch(c.want, c.got)
		if (m == "") != c.ok {
			t.Errorf("sample %s, answer %s: matched %v, want %v (%s)", c.want, c.got, m == "", c.ok, m)
		}
	}

	const sample = "## Walk\n```sh\ncurl -s x \\\n  -d y\n# {\"a\":1,\n#  \"b\":2}    (412: changed)\n\nbin/fileapi z\n# one\n# …\n```\n"
	steps, problems := parseReadme(sample, []string{"Run"})
	require.Empty(t, steps, "Walk is not a walk-through section")
	require.Len(t, problems, 3, "two samples outside the walk-throughs, a walk-through without commands: %v", problems)
	steps, problems = parseReadme(sample, []string{"Walk"})
	require.Empty(t, problems)
	require.Len(t, steps, 2)
	require.Equal(t, "curl -s x \\\n  -d y", steps[0].command)
	require.Equal(t, []string{`{"a":1,"b":2}`}, steps[0].want)
	require.Equal(t, 412, steps[0].status)
	require.Equal(t, []string{"one", "…"}, steps[1].want)
	require.Empty(t, outputMismatch(steps[1].want, "one\ntwo\nthree\n"))
	require.NotEmpty(t, outputMismatch([]string{"one"}, "one\ntwo\n"))
}
