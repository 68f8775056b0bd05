// Package wire reads what clients send, as the handlers use it: paths, query strings, headers, form and
// JSON bodies, and the strings of a few fields; and it redacts queries for the access log. Its functions are
// pure, or at most wrap an http.Handler: they look at bytes and decide, and the handlers keep everything that
// needs gin, the store or a dialect's error table.
//
// It imports only the standard library (and auth/authwire, which does too), and its tests use nothing else,
// on purpose: Go's fuzzer copies every coverage counter of the test binary after each execution, so its fuzz
// targets run several times faster here than beside the handlers' gin, GORM, SQLite driver and test helpers.
// Keep it so: a reader that needs anything more belongs in handlers.
package wire
