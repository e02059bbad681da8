-- Responsibilities: ongoing roles and tasks, each linked to a goal, spread round the active
-- members (one each where there are enough), most with a backup; some handed off (the old holding
-- kept, ended as handed_off), some first asked of someone who declined; progress notes. A group
-- still organizing has one responsibility nobody carries yet; in some, one person carries too much.

-- step: -
CREATE TEMP TABLE seed_resp ON COMMIT DROP AS
WITH act AS (
    SELECT n, array_agg(member_id ORDER BY slot) AS ids, count(*)::int AS card
    FROM seed_roster WHERE status = 'active' GROUP BY n
), base AS (
    SELECT c.n, c.id AS can_id, c.stage, c.today, c.t0, j, greatest(6, ceil(0.6 * c.m))::int AS total,
           c.org_at + j * interval '3 hours' AS created_at, a.ids, a.card,
           CASE WHEN j <= 6 THEN (pg_temp.w('resp_titles'))[c.theme * 6 + j]
                ELSE (pg_temp.w('common_titles'))[1 + (j - 7) % 8]
                     || CASE WHEN j - 7 >= 8 THEN ' (' || (1 + (j - 7) / 8) || ')' ELSE '' END END AS title,
           CASE WHEN j <= 6 THEN (pg_temp.w('resp_kinds'))[c.theme * 6 + j] ELSE (pg_temp.w('common_kinds'))[1 + (j - 7) % 8] END AS kind,
           CASE WHEN j <= 6 THEN (pg_temp.w('resp_cadences'))[c.theme * 6 + j] ELSE (pg_temp.w('common_cadences'))[1 + (j - 7) % 8] END AS cadence,
           CASE WHEN j <= 6 THEN (pg_temp.wi('resp_efforts'))[c.theme * 6 + j] ELSE (pg_temp.wi('common_efforts'))[1 + (j - 7) % 8] END AS effort
    FROM seed_can c JOIN act a USING (n),
         generate_series(1, greatest(6, ceil(0.6 * c.m))::int) AS j
), shaped AS (
    SELECT b.*,
           b.stage = 'organizing' AND b.j = b.total AS unowned,
           CASE WHEN b.kind = 'task' THEN b.today + (b.j * 11 + b.n) % 42 - 21 END AS due_on,
           CASE WHEN b.kind = 'ongoing' AND pg_temp.r(51, b.n, b.j) < 0.25
                THEN b.today + 10 + (b.j * 13 + b.n) % 90 END AS term_ends_on,
           b.kind = 'ongoing' AND b.j % 3 = 1 AS handed,
           b.j % 5 = 2 AS asked_first
    FROM base b
), held AS (
    SELECT s.*,
           CASE WHEN NOT s.unowned THEN s.ids[1 + (s.j - 1 + s.n) % s.card] END AS carrier,
           CASE WHEN NOT s.unowned AND (s.stage = 'sustaining' OR s.j % 4 <> 0)
                THEN s.ids[1 + (s.j + s.n + (s.card - 1) / 2) % s.card] END AS backup
    FROM shaped s
)
SELECT h.n, h.can_id, h.j, pg_temp.uuid7(h.created_at) AS id, h.title, h.kind, h.cadence, h.due_on, h.term_ends_on,
       h.created_at, h.t0, h.today,
       -- A sustaining group's load is even (nobody above twice the median), as it was when it moved.
       CASE WHEN h.stage = 'sustaining' THEN 1
            WHEN h.j = 1 AND h.n % 4 = 0 THEN 3 ELSE h.effort END AS effort,
       CASE WHEN h.unowned THEN 'open'
            WHEN h.due_on < h.today - 2 AND pg_temp.r(52, h.n, h.j) < 0.75 THEN 'done'
            ELSE 'active' END AS status,
       h.carrier, h.backup,
       CASE WHEN h.handed AND NOT h.unowned THEN prev.member_id END AS prev,
       CASE WHEN h.asked_first AND NOT h.unowned THEN asked.member_id END AS decliner,
       h.created_at + (h.t0 - h.created_at) * (0.35 + 0.3 * pg_temp.r(53, h.n, h.j)) AS handoff_at,
       CASE WHEN pg_temp.r(54, h.n, h.j) < 0.5 THEN interval '7 days' ELSE interval '0' END AS overlap,
       pg_temp.r(55, h.n, h.j) < 0.4 AS assigned,
       CASE WHEN h.unowned THEN 0 ELSE 1 + h.j % 3 END AS notes,
       g.id AS goal_id, k.member_id AS coordinator, k.name AS coordinator_name
FROM held h
JOIN seed_goal g ON g.n = h.n AND g.i = 1 + (h.j - 1) % 3
JOIN seed_roster k ON k.n = h.n AND k.slot = 5
LEFT JOIN LATERAL (
    -- Slots 1-8 are always active, so they are the first eight of `ids`.
    SELECT u AS member_id FROM unnest(h.ids[1:8]) WITH ORDINALITY AS t (u, o)
    WHERE u IS DISTINCT FROM h.carrier AND u IS DISTINCT FROM h.backup
    ORDER BY (o + h.j + h.n) % 8 LIMIT 1) AS prev ON true
LEFT JOIN LATERAL (
    SELECT u AS member_id FROM unnest(h.ids) WITH ORDINALITY AS t (u, o)
    WHERE u IS DISTINCT FROM h.carrier AND u IS DISTINCT FROM h.backup
    ORDER BY (o + 2 * h.j + h.n) % h.card, o LIMIT 1) AS asked ON true;

-- step: responsibilities
INSERT INTO responsibilities (id, can_id, title, description, kind, goal_id, cadence, due_on, term_ends_on, effort,
                              status, version, created_by, created_at, updated_at, due_reminder_sent_at,
                              overdue_reminder_sent_at, term_reminder_sent_at)
SELECT id, can_id, title, '', kind, goal_id, cadence, due_on, term_ends_on, effort, status,
       (status = 'done')::int, coordinator, created_at, created_at,
       CASE WHEN kind = 'task' AND status <> 'done' AND due_on <= today + 2 THEN t0 END,
       CASE WHEN kind = 'task' AND status <> 'done' AND due_on < today THEN t0 END,
       CASE WHEN term_ends_on <= today + 14 THEN t0 END
FROM seed_resp;

-- step: -
-- Earlier holders who handed it on, those asked who declined, the current carrier and backup.
CREATE TEMP TABLE seed_carrier ON COMMIT DROP AS
SELECT s.n, s.can_id, s.id AS responsibility_id, s.title, x.member_id, x.kind, x.from_at, x.until_at,
       x.arranged_by, x.assigned, x.ended_how, x.note, x.line
FROM seed_resp s
CROSS JOIN LATERAL (VALUES
    (s.prev, 'carrier', s.created_at + interval '1 day', s.handoff_at + s.overlap, s.prev, false, 'handed_off',
     (pg_temp.w('handoff_notes'))[1 + (s.j + s.n) % 4], true),
    (s.decliner, 'carrier', s.created_at + interval '12 hours', s.created_at + interval '36 hours', s.coordinator,
     true, 'declined', (pg_temp.w('decline_notes'))[1 + (s.j + s.n) % 4], true),
    (s.carrier, 'carrier', CASE WHEN s.prev IS NOT NULL THEN s.handoff_at ELSE s.created_at + interval '2 days' END,
     NULL, CASE WHEN s.prev IS NOT NULL THEN s.prev WHEN s.assigned THEN s.coordinator ELSE s.carrier END,
     s.prev IS NULL AND s.assigned, NULL,
     CASE WHEN s.prev IS NOT NULL THEN (pg_temp.w('handoff_notes'))[1 + (s.j + s.n) % 4] ELSE '' END, s.prev IS NULL),
    (s.backup, 'backup', s.created_at + interval '3 days', NULL, s.coordinator, true, NULL, '', true)
) AS x (member_id, kind, from_at, until_at, arranged_by, assigned, ended_how, note, line)
WHERE x.member_id IS NOT NULL;

-- step: carriers
INSERT INTO carriers (id, can_id, responsibility_id, member_id, kind, from_at, until_at, arranged_by, assigned,
                      ended_how, note)
SELECT pg_temp.uuid7(from_at), can_id, responsibility_id, member_id, kind, from_at, until_at, arranged_by, assigned,
       ended_how, note
FROM seed_carrier;

-- step: -
CREATE TEMP TABLE seed_note ON COMMIT DROP AS
SELECT s.n, s.can_id, s.id AS responsibility_id, s.title, s.carrier AS author_id,
       (pg_temp.w('progress_notes'))[1 + (s.j + k + s.n) % 8] AS body,
       CASE WHEN s.status = 'done' AND k = s.notes THEN 'done' END AS status_change, t.at
FROM seed_resp s CROSS JOIN LATERAL generate_series(1, s.notes) AS k
CROSS JOIN LATERAL (
    SELECT f.from_at + (s.t0 - f.from_at) * k / (s.notes + 1) AS at
    FROM (SELECT CASE WHEN s.prev IS NOT NULL THEN s.handoff_at ELSE s.created_at + interval '2 days' END AS from_at) AS f
) AS t;

-- step: progress_notes
INSERT INTO progress_notes (id, can_id, responsibility_id, author_id, body, status_change, created_at)
SELECT pg_temp.uuid7(at), can_id, responsibility_id, author_id, body, status_change, at FROM seed_note;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT can_id, coordinator, 'responsibility.created', 'responsibility', id,
       coordinator_name || ' described the responsibility “' || title || '”', created_at
FROM seed_resp
UNION ALL
SELECT c.can_id, c.arranged_by, CASE WHEN c.assigned THEN 'responsibility.assigned' ELSE 'responsibility.volunteered' END,
       'responsibility', c.responsibility_id,
       CASE WHEN c.assigned THEN a.name || ' asked ' || p.name || ' to take on “' || c.title || '” as ' || c.kind
            ELSE p.name || ' took on “' || c.title || '” as ' || c.kind END,
       c.from_at
FROM seed_carrier c
JOIN seed_roster p ON p.n = c.n AND p.member_id = c.member_id
JOIN seed_roster a ON a.n = c.n AND a.member_id = c.arranged_by
WHERE c.line
UNION ALL
SELECT c.can_id, c.member_id, 'responsibility.declined', 'responsibility', c.responsibility_id,
       p.name || ' declined “' || c.title || '”: ' || c.note, c.until_at
FROM seed_carrier c JOIN seed_roster p ON p.n = c.n AND p.member_id = c.member_id
WHERE c.ended_how = 'declined'
UNION ALL
SELECT s.can_id, s.prev, 'responsibility.handed_off', 'responsibility', s.id,
       p.name || ' handed “' || s.title || '” to ' || q.name
           || CASE WHEN s.overlap > interval '0' THEN ', carrying it together for 7 days' ELSE '' END,
       s.handoff_at
FROM seed_resp s JOIN seed_roster p ON p.n = s.n AND p.member_id = s.prev
JOIN seed_roster q ON q.n = s.n AND q.member_id = s.carrier
UNION ALL
SELECT t.can_id, t.author_id, 'responsibility.progress', 'responsibility', t.responsibility_id,
       p.name || ' updated “' || t.title || '”' || coalesce(' to ' || t.status_change, ''), t.at
FROM seed_note t JOIN seed_roster p ON p.n = t.n AND p.member_id = t.author_id;
