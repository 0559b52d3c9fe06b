// Package db holds the versioned SQL migrations (goose), one folder per
// dialect, embedded into the binary so that `openvest migrate` and
// `openvest serve` need nothing on disk.
package db

import "embed"

// Migrations holds migrations/postgres/*.sql and migrations/sqlite/*.sql.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var Migrations embed.FS
