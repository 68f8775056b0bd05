-- +goose Up
-- The sweeper (models.Store.Sweep) deletes rows past their use by these columns, in small batches.
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);
CREATE INDEX otps_expires ON otps (expires_at);
CREATE INDEX oauth_tokens_expires ON oauth_tokens (expires_at);
CREATE INDEX oauth_tokens_revoked ON oauth_tokens (revoked_at);

-- +goose Down
DROP INDEX oauth_tokens_revoked;
DROP INDEX oauth_tokens_expires;
DROP INDEX otps_expires;
DROP INDEX oauth_codes_expires;
