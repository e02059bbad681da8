-- Foundation: members (accounts), their sessions, and the sign-in throttle.
-- Constraints are named so that handlers can map a violation to the form field it concerns.

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE members (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    pronouns      text NOT NULL DEFAULT '',
    neighbourhood text NOT NULL DEFAULT '',
    skills        text NOT NULL DEFAULT '',
    time_zone     text NOT NULL DEFAULT 'UTC',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT members_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 80)
);
-- Emails are unique whatever their case.
CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE TRIGGER members_updated_at BEFORE UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A browser session. Anonymous sessions (member_id NULL) exist so that sign-up and sign-in forms
-- carry a CSRF token too. Only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    token_hash   bytea NOT NULL,
    member_id    uuid REFERENCES members (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    flash_kind   text,
    flash_text   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sessions_flash_kind CHECK (flash_kind IN ('info', 'success', 'error'))
);
CREATE INDEX sessions_member_id_idx ON sessions (member_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Failed sign-ins, counted per account and per client address over a sliding window, so that
-- several app instances share one throttle.
CREATE TABLE sign_in_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope     text NOT NULL,
    key       text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sign_in_failures_scope CHECK (scope IN ('account', 'address'))
);
CREATE INDEX sign_in_failures_lookup_idx ON sign_in_failures (scope, key, failed_at);
