package handlers

import "github.com/fileapi/fileapi/handlers/wire"

// The entity tags of the profile handlers of every dialect. The rules are wire's, where they are fuzzed
// (FuzzETagHeaders).

// etag is the strong entity tag of a user version: "7".
func etag(version int64) string { return wire.ETag(version) }

// ifMatch turns an If-Match header into the precondition of a profile change; nil without a header.
func ifMatch(header string) func(version int64) bool { return wire.IfMatch(header) }
