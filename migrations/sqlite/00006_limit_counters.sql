-- +goose Up
-- The credential limits' counters, shared by every instance of a fleet and kept across restarts. A bucket is
-- the SHA-256 of the limiter's name, the kind of key and the key (a folded username or a client address), so
-- that neither is stored in clear; window_ms is when the bucket's window opened (Unix milliseconds).
CREATE TABLE limit_counters (
    bucket    TEXT    NOT NULL PRIMARY KEY,
    window_ms INTEGER NOT NULL,
    n         INTEGER NOT NULL
);
CREATE INDEX limit_counters_window ON limit_counters (window_ms);

-- +goose Down
DROP TABLE limit_counters;
