-- +goose Up
-- Moves, in the same transaction, with every change to what a user's credentials reach: a key revoked, a
-- token revoked, expired early or replaced, a membership granted, changed or removed, the web services of one
-- of the user's files switched, the password set. A request checks a cached credential against it (see
-- models/credcache.go), so the cache stays exact on every instance of a fleet.
ALTER TABLE users ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN access_version;
