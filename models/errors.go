package models

import (
	"errors"
	"fmt"
)

// Kind classifies an Error; each dialect maps a Kind to its own status and body.
// The set is append-only: dialect tables switch on it.
type Kind uint8

// The kinds of Error.
const (
	KindInternal     Kind = iota // unexpected: logged, answered generically
	KindInvalid                  // bad input or a business rule: 400
	KindUnauthorized             // no usable credential, or no access to the file: 401
	KindForbidden                // authenticated but not allowed: 403
	KindNotFound                 // the target does not exist: 404
	KindConflict                 // unique value already taken: 400 or 409 by dialect
	KindPrecondition             // If-Match did not match: 412
	KindUnavailable              // the database cannot be reached: 503
	KindUnchanged                // nothing to change (ZITADEL answers this as an error)
)

var kindNames = [...]string{"internal", "invalid", "unauthorized", "forbidden", "not found", "conflict",
	"precondition failed", "unavailable", "unchanged"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is the application error. Message is safe to show a client; Err is only for the log.
type Error struct {
	Kind    Kind
	Field   string // the request field at fault, when one is
	Message string
	Err     error
}

// Errorf builds an Error of kind k with a client-facing message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Kind.String() + ": " + e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Kind.String() + ": " + e.Err.Error()
	case e.Message != "":
		return e.Kind.String() + ": " + e.Message
	}
	return e.Kind.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Kind: k}) match any Error of kind k.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == "" && t.Err == nil
}

// KindOf returns the Kind of err: KindInternal for anything that is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// AsError returns err as an *Error, wrapping anything else as KindInternal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Err: err}
}
