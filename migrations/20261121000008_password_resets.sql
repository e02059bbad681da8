-- Password reset links: single-use, short-lived, stored only as a hash of their token.
CREATE TABLE password_resets (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_resets_member_idx ON password_resets (member_id, created_at);
