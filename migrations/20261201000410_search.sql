-- Full-text search inside a CAN (issue 17): one index table over what every member of the CAN may
-- read — proposals, decisions, meetings (title and minutes), hopes (not withdrawn), comments (not
-- deleted, not hidden) and responsibilities — kept exact by triggers inside every writer's own
-- transaction, so no page and no job has to remember to re-index. Nothing only some members may see
-- (support requests, notifications, private notes) is indexed.
--
-- New rows are indexed by statement-level triggers (one set-based insert per statement, so bulk
-- inserts such as the seed's stay cheap); changes and removals, which the app makes a row at a time,
-- by row-level ones.
--
-- Each CAN searches in its own language ('en' or 'es'; the interface will use it too), through
-- PostgreSQL's text search configuration for it: 'gardens' finds 'garden', 'jardines' finds
-- 'jardín'. Changing a CAN's language re-indexes its rows.

-- A CAN's language.
ALTER TABLE cans
    ADD COLUMN language text NOT NULL DEFAULT 'en',
    ADD CONSTRAINT cans_language CHECK (language IN ('en', 'es'));

-- The text search configuration of a language (english for anything unknown). IMMUTABLE, so the
-- index table's generated column may use it; the body is parsed once, here, so the configuration
-- names are bound now and no search_path can change them.
CREATE FUNCTION search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE language WHEN 'es' THEN 'pg_catalog.spanish'::regconfig
                         ELSE 'pg_catalog.english'::regconfig END;

-- btree_gin lets one GIN index serve "this CAN's rows matching these words" (trusted since
-- PostgreSQL 13: the database's owner may create it).
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- One row per searchable thing. The title weighs more than the body (A against B). `parent_*`
-- say where a result leads when it has no page of its own: a decision to its proposal or meeting,
-- a comment to its thread (an objection's thread is its round and objector).
CREATE TABLE search_entries (
    kind             text NOT NULL,
    subject_id       uuid NOT NULL,
    can_id           uuid NOT NULL REFERENCES cans (id),
    language         text NOT NULL,
    title            text NOT NULL,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL,
    parent_kind      text,
    parent_id        uuid,
    parent_member_id uuid,
    tsv              tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(search_config(language), title), 'A')
        || setweight(to_tsvector(search_config(language), body), 'B')) STORED,
    PRIMARY KEY (kind, subject_id),
    CONSTRAINT search_entries_kind CHECK (
        kind IN ('proposal', 'decision', 'meeting', 'hope', 'comment', 'responsibility')),
    CONSTRAINT search_entries_parent_kind CHECK (
        parent_kind IS NULL OR parent_kind IN ('proposal', 'meeting', 'objection', 'hope', 'responsibility'))
);
-- "This CAN's rows matching these words" in one index (can_id through btree_gin).
CREATE INDEX search_entries_can_tsv_idx ON search_entries USING gin (can_id, tsv);

-- Puts one thing's text in the index (or replaces it), in its CAN's language.
CREATE FUNCTION search_put(p_can uuid, p_kind text, p_subject uuid, p_title text, p_body text,
                           p_created timestamptz, p_parent_kind text DEFAULT NULL,
                           p_parent uuid DEFAULT NULL, p_parent_member uuid DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT p_kind, p_subject, p_can, c.language, p_title, p_body, p_created,
           p_parent_kind, p_parent, p_parent_member
    FROM cans c WHERE c.id = p_can
    ON CONFLICT (kind, subject_id) DO UPDATE
        SET title = EXCLUDED.title, body = EXCLUDED.body, language = EXCLUDED.language
$$;

CREATE FUNCTION search_drop(p_kind text, p_subject uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM search_entries WHERE kind = p_kind AND subject_id = p_subject
$$;

-- Proposals: title and current text.
CREATE FUNCTION search_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_put(NEW.can_id, 'proposal', NEW.id, NEW.title, NEW.body, NEW.created_at);
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_proposals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'proposal', n.id, n.can_id, c.language, n.title, n.body, n.created_at, NULL, NULL, NULL
    FROM inserted n JOIN cans c ON c.id = n.can_id;
    RETURN NULL;
END $$;
CREATE TRIGGER proposals_search_insert AFTER INSERT ON proposals
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_proposals_inserted();
CREATE TRIGGER proposals_search_update AFTER UPDATE OF title, body ON proposals
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION search_proposals();

-- Decisions (the minutes' and adopted proposals'): the decision's text is its title; it leads to
-- its proposal when it has one, else to its meeting.
CREATE FUNCTION search_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_drop('decision', OLD.id);
        RETURN NULL;
    END IF;
    PERFORM search_put(NEW.can_id, 'decision', NEW.id, NEW.body, '', NEW.created_at,
                       CASE WHEN NEW.proposal_id IS NOT NULL THEN 'proposal' ELSE 'meeting' END,
                       coalesce(NEW.proposal_id, NEW.meeting_id));
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_decisions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'decision', n.id, n.can_id, c.language, n.body, '', n.created_at,
           CASE WHEN n.proposal_id IS NOT NULL THEN 'proposal' ELSE 'meeting' END,
           coalesce(n.proposal_id, n.meeting_id), NULL
    FROM inserted n JOIN cans c ON c.id = n.can_id;
    RETURN NULL;
END $$;
CREATE TRIGGER decisions_search_insert AFTER INSERT ON decisions
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_decisions_inserted();
CREATE TRIGGER decisions_search_update AFTER UPDATE OF body ON decisions
    FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION search_decisions();
CREATE TRIGGER decisions_search_delete AFTER DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION search_decisions();

-- Meetings: title and minutes.
CREATE FUNCTION search_meetings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_drop('meeting', OLD.id);
        RETURN NULL;
    END IF;
    PERFORM search_put(NEW.can_id, 'meeting', NEW.id, NEW.title, NEW.minutes, NEW.starts_at);
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_meetings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'meeting', n.id, n.can_id, c.language, n.title, n.minutes, n.starts_at, NULL, NULL, NULL
    FROM inserted n JOIN cans c ON c.id = n.can_id;
    RETURN NULL;
END $$;
CREATE TRIGGER meetings_search_insert AFTER INSERT ON meetings
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_meetings_inserted();
CREATE TRIGGER meetings_search_update AFTER UPDATE OF title, minutes ON meetings
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.minutes IS DISTINCT FROM NEW.minutes)
    EXECUTE FUNCTION search_meetings();
CREATE TRIGGER meetings_search_delete AFTER DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION search_meetings();

-- Hopes, while not withdrawn.
CREATE FUNCTION search_hopes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_drop('hope', OLD.id);
    ELSIF NEW.withdrawn_at IS NULL THEN
        PERFORM search_put(NEW.can_id, 'hope', NEW.id, '', NEW.body, NEW.created_at);
    ELSE
        PERFORM search_drop('hope', NEW.id);
    END IF;
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_hopes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'hope', n.id, n.can_id, c.language, '', n.body, n.created_at, NULL, NULL, NULL
    FROM inserted n JOIN cans c ON c.id = n.can_id
    WHERE n.withdrawn_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER hopes_search_insert AFTER INSERT ON hopes
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_hopes_inserted();
CREATE TRIGGER hopes_search_update AFTER UPDATE OF body, withdrawn_at ON hopes
    FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at)
    EXECUTE FUNCTION search_hopes();
CREATE TRIGGER hopes_search_delete AFTER DELETE ON hopes
    FOR EACH ROW EXECUTE FUNCTION search_hopes();

-- Comments, while neither deleted by their author nor hidden by an organiser; each leads to its
-- thread.
CREATE FUNCTION search_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_drop('comment', OLD.id);
    ELSIF NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL THEN
        PERFORM search_put(NEW.can_id, 'comment', NEW.id, '', NEW.body, NEW.created_at,
            CASE WHEN NEW.proposal_id IS NOT NULL THEN 'proposal'
                 WHEN NEW.objection_round_id IS NOT NULL THEN 'objection'
                 WHEN NEW.hope_id IS NOT NULL THEN 'hope'
                 WHEN NEW.responsibility_id IS NOT NULL THEN 'responsibility'
                 ELSE 'meeting' END,
            coalesce(NEW.proposal_id, NEW.objection_round_id, NEW.hope_id, NEW.responsibility_id,
                     NEW.meeting_id),
            NEW.objection_member_id);
    ELSE
        PERFORM search_drop('comment', NEW.id);
    END IF;
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_comments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'comment', n.id, n.can_id, c.language, '', n.body, n.created_at,
           CASE WHEN n.proposal_id IS NOT NULL THEN 'proposal'
                WHEN n.objection_round_id IS NOT NULL THEN 'objection'
                WHEN n.hope_id IS NOT NULL THEN 'hope'
                WHEN n.responsibility_id IS NOT NULL THEN 'responsibility'
                ELSE 'meeting' END,
           coalesce(n.proposal_id, n.objection_round_id, n.hope_id, n.responsibility_id, n.meeting_id),
           n.objection_member_id
    FROM inserted n JOIN cans c ON c.id = n.can_id
    WHERE n.deleted_at IS NULL AND n.hidden_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER comments_search_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_comments_inserted();
CREATE TRIGGER comments_search_update AFTER UPDATE OF body, deleted_at, hidden_at ON comments
    FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
                       OR OLD.hidden_at IS DISTINCT FROM NEW.hidden_at)
    EXECUTE FUNCTION search_comments();
CREATE TRIGGER comments_search_delete AFTER DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION search_comments();

-- Responsibilities: title and description.
CREATE FUNCTION search_responsibilities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_drop('responsibility', OLD.id);
        RETURN NULL;
    END IF;
    PERFORM search_put(NEW.can_id, 'responsibility', NEW.id, NEW.title, NEW.description, NEW.created_at);
    RETURN NULL;
END $$;
-- New rows, a statement at a time (set-based: a bulk insert, the seed's, costs one query).
CREATE FUNCTION search_responsibilities_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                                parent_kind, parent_id, parent_member_id)
    SELECT 'responsibility', n.id, n.can_id, c.language, n.title, n.description, n.created_at, NULL, NULL, NULL
    FROM inserted n JOIN cans c ON c.id = n.can_id;
    RETURN NULL;
END $$;
CREATE TRIGGER responsibilities_search_insert AFTER INSERT ON responsibilities
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION search_responsibilities_inserted();
CREATE TRIGGER responsibilities_search_update AFTER UPDATE OF title, description ON responsibilities
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION search_responsibilities();
CREATE TRIGGER responsibilities_search_delete AFTER DELETE ON responsibilities
    FOR EACH ROW EXECUTE FUNCTION search_responsibilities();

-- A CAN that changes its language: its rows are re-indexed in the new one (the generated column
-- is recomputed).
CREATE FUNCTION search_cans_language() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_entries SET language = NEW.language WHERE can_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER cans_search_language AFTER UPDATE OF language ON cans
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION search_cans_language();

-- What is already there (every CAN is 'en' until now).
INSERT INTO search_entries (kind, subject_id, can_id, language, title, body, created_at,
                            parent_kind, parent_id, parent_member_id)
SELECT 'proposal', id, can_id, 'en', title, body, created_at, NULL, NULL, NULL::uuid FROM proposals
UNION ALL
SELECT 'decision', id, can_id, 'en', body, '', created_at,
       CASE WHEN proposal_id IS NOT NULL THEN 'proposal' ELSE 'meeting' END,
       coalesce(proposal_id, meeting_id), NULL FROM decisions
UNION ALL
SELECT 'meeting', id, can_id, 'en', title, minutes, starts_at, NULL, NULL, NULL FROM meetings
UNION ALL
SELECT 'hope', id, can_id, 'en', '', body, created_at, NULL, NULL, NULL FROM hopes
WHERE withdrawn_at IS NULL
UNION ALL
SELECT 'comment', id, can_id, 'en', '', body, created_at,
       CASE WHEN proposal_id IS NOT NULL THEN 'proposal'
            WHEN objection_round_id IS NOT NULL THEN 'objection'
            WHEN hope_id IS NOT NULL THEN 'hope'
            WHEN responsibility_id IS NOT NULL THEN 'responsibility'
            ELSE 'meeting' END,
       coalesce(proposal_id, objection_round_id, hope_id, responsibility_id, meeting_id),
       objection_member_id
FROM comments WHERE deleted_at IS NULL AND hidden_at IS NULL
UNION ALL
SELECT 'responsibility', id, can_id, 'en', title, description, created_at, NULL, NULL, NULL
FROM responsibilities;
