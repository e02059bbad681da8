-- CANs (community action networks), membership with shared leadership roles, invitations, join
-- requests, and the append-only activity log. Every CAN-scoped table carries can_id.

CREATE TABLE cans (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL,
    name        text NOT NULL,
    place       text NOT NULL DEFAULT '',
    purpose     text NOT NULL,
    rationale   text NOT NULL DEFAULT '',
    rules       text NOT NULL,
    time_zone   text NOT NULL,
    visibility  text NOT NULL,
    stage       text NOT NULL DEFAULT 'visioning',
    created_by  uuid NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cans_slug_key UNIQUE (slug),
    CONSTRAINT cans_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) BETWEEN 3 AND 60),
    CONSTRAINT cans_visibility CHECK (visibility IN ('listed', 'invite_only')),
    CONSTRAINT cans_stage CHECK (stage IN ('visioning', 'organizing', 'sustaining'))
);
CREATE INDEX cans_listed_name_idx ON cans (lower(name)) WHERE visibility = 'listed';
CREATE TRIGGER cans_updated_at BEFORE UPDATE ON cans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    can_id      uuid NOT NULL REFERENCES cans (id),
    token_hash  bytea NOT NULL,
    email       text,
    note        text NOT NULL DEFAULT '',
    max_uses    integer NOT NULL,
    uses        integer NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    revoked_by  uuid REFERENCES members (id),
    created_by  uuid NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
    CONSTRAINT invitations_max_uses CHECK (max_uses BETWEEN 1 AND 500),
    CONSTRAINT invitations_uses CHECK (uses BETWEEN 0 AND max_uses)
);
CREATE INDEX invitations_can_idx ON invitations (can_id, created_at DESC);

CREATE TABLE memberships (
    id                    uuid PRIMARY KEY,
    can_id                uuid NOT NULL REFERENCES cans (id),
    member_id             uuid NOT NULL REFERENCES members (id),
    status                text NOT NULL DEFAULT 'active',
    joined_at             timestamptz NOT NULL DEFAULT now(),
    rules_acknowledged_at timestamptz NOT NULL,
    invitation_id         uuid REFERENCES invitations (id),
    status_changed_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memberships_can_member_key UNIQUE (can_id, member_id),
    CONSTRAINT memberships_status CHECK (status IN ('active', 'paused', 'left'))
);
CREATE INDEX memberships_member_idx ON memberships (member_id);

-- Each grant of a role is a row: the active set is the rows not yet ended; the rest is history.
CREATE TABLE role_grants (
    id            uuid PRIMARY KEY,
    can_id        uuid NOT NULL,
    member_id     uuid NOT NULL,
    role          text NOT NULL,
    granted_by    uuid REFERENCES members (id),
    granted_at    timestamptz NOT NULL DEFAULT now(),
    term_ends_on  date,
    ended_at      timestamptz,
    ended_by      uuid REFERENCES members (id),
    CONSTRAINT role_grants_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT role_grants_role CHECK (role IN ('organiser', 'facilitator', 'coordinator')),
    CONSTRAINT role_grants_ended_after_granted CHECK (ended_at IS NULL OR ended_at >= granted_at)
);
CREATE UNIQUE INDEX role_grants_one_active_key ON role_grants (can_id, member_id, role)
    WHERE ended_at IS NULL;

CREATE TABLE join_requests (
    id                    uuid PRIMARY KEY,
    can_id                uuid NOT NULL REFERENCES cans (id),
    member_id             uuid NOT NULL REFERENCES members (id),
    message               text NOT NULL DEFAULT '',
    rules_acknowledged_at timestamptz NOT NULL,
    status                text NOT NULL DEFAULT 'pending',
    created_at            timestamptz NOT NULL DEFAULT now(),
    decided_by            uuid REFERENCES members (id),
    decided_at            timestamptz,
    CONSTRAINT join_requests_status CHECK (status IN ('pending', 'approved', 'declined', 'withdrawn'))
);
CREATE UNIQUE INDEX join_requests_one_pending_key ON join_requests (can_id, member_id)
    WHERE status = 'pending';

-- Who did what in a CAN. Append-only: the trigger refuses updates and deletes.
CREATE TABLE activity_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    can_id       uuid NOT NULL REFERENCES cans (id),
    actor_id     uuid REFERENCES members (id),
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   uuid,
    summary      text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_log_can_idx ON activity_log (can_id, id DESC);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER activity_log_append_only BEFORE UPDATE OR DELETE ON activity_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
