// Package migrations embeds the SQL schema, one folder per SQL dialect with the same version numbers.
package migrations

import "embed"

// FS holds sqlite/*.sql and mysql/*.sql, applied with goose.
//
//go:embed sqlite/*.sql mysql/*.sql
var FS embed.FS
