-- Secrets every app instance shares, made once by the database so that no instance has to be
-- configured with them. The first: the key that signs anonymous visitors' CSRF tokens, so that a
-- visitor who only reads pages costs no session row (see src/web/session.rs).
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_secrets_secret_length CHECK (octet_length(secret) >= 32)
);

-- 256 random bits from four version-4 UUIDs (122 random bits each; pgcrypto is not needed).
INSERT INTO app_secrets (name, secret)
VALUES ('csrf', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text
                               || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
