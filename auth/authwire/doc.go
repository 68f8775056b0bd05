// Package authwire reads the credentials and parameters a client sends, as auth uses them: query values
// (FileId, wsAccessKey), FileIds, bearer headers. Its functions are pure: they look at bytes and decide, and
// auth holds everything that needs the store.
//
// It imports only the standard library, and its tests use nothing else, on purpose: Go's fuzzer copies every
// coverage counter of the test binary after each execution, so its fuzz targets run several times faster here
// than beside auth's store, GORM and SQLite driver. Keep it so: a reader that needs anything more belongs in
// auth.
package authwire
