-- Visioning: founders' hopes, two or three vision versions drawing on them, consent rounds (an
-- earlier one blocked by an objection with its reason in groups with three versions; the last one
-- adopted, with an objection withdrawn on the way in groups with two), the adopted vision on the
-- CAN, and three goals. Groups back in visioning for a renewal have a new draft in an open round.

-- step: -
CREATE TEMP TABLE seed_hope ON COMMIT DROP AS
SELECT r.n, r.can_id, r.member_id AS author_id, r.name AS author, r.slot, h.i, pg_temp.uuid7(t.at) AS id,
       t.at AS created_at,
       CASE WHEN t.k < 6 THEN (pg_temp.w('hopes'))[c.theme * 6 + t.k + 1] ELSE (pg_temp.w('common_hopes'))[t.k - 5] END AS body,
       -- Some who shared two hopes withdrew the first.
       CASE WHEN h.i = 1 AND t.two AND pg_temp.r(23, r.n, r.slot) < 0.2 THEN t.at + interval '3 days' END AS withdrawn_at,
       CASE WHEN pg_temp.r(27, r.n, r.slot, h.i) < 0.1 THEN t.at + interval '1 day' ELSE t.at END AS updated_at
FROM seed_roster r JOIN seed_can c USING (n)
CROSS JOIN LATERAL generate_series(1, CASE WHEN pg_temp.r(22, r.n, r.slot) < 0.2 THEN 2 ELSE 1 END) AS h (i)
CROSS JOIN LATERAL (SELECT r.joined_at + interval '20 hours' + (h.i - 1) * interval '1 day' AS at,
                           (r.slot + (h.i - 1) * 8 + r.n) % 16 AS k,
                           pg_temp.r(22, r.n, r.slot) < 0.2 AS two) AS t
-- Every founder shares a hope, except those in slots 10, 17, 24, ...
WHERE r.join_week = 0 AND NOT r.connector AND (r.slot <= 8 OR r.slot % 7 <> 3);

-- step: hopes
INSERT INTO hopes (id, can_id, author_id, body, created_at, updated_at, withdrawn_at)
SELECT id, can_id, author_id, body, created_at, updated_at, withdrawn_at FROM seed_hope;

-- step: -
-- Versions: (number, written at, author's slot, based on, adopted); the renewal draft last.
CREATE TEMP TABLE seed_version ON COMMIT DROP AS
SELECT c.n, c.id AS can_id, v.number, pg_temp.uuid7(v.at) AS id, v.at AS created_at, r.member_id AS author_id,
       r.name AS author, v.based_on, v.number = c.versions AS adopted, v.note,
       (pg_temp.w('visions'))[1 + c.theme]
           || CASE WHEN v.number >= 2 THEN ' We meet every week, decide together, and make sure nobody carries a job alone.' ELSE '' END
           || CASE WHEN v.number >= 3 THEN ' Everyone is welcome, whatever language they speak, and we say so on every poster.' ELSE '' END
           || CASE WHEN v.number > c.versions THEN ' Since we began, new neighbours have joined: this vision is theirs as much as ours.' ELSE '' END
           AS body
FROM seed_can c
CROSS JOIN LATERAL (VALUES
    (1, c.born + CASE WHEN c.versions = 3 THEN interval '14 days' ELSE interval '16 days' END, 1, NULL::int,
     'A first draft from our hopes', true),
    (2, c.born + CASE WHEN c.versions = 3 THEN interval '18 days' ELSE interval '23 days' END, 2, 1,
     'Shorter, and says how we work together', true),
    (3, c.born + interval '25 days', 1, 2, 'Answers the objection raised in the last round', c.versions = 3),
    (c.versions + 1, c.back_at + interval '1 day', 2, c.versions,
     'Renewal: what we have learned since we adopted the vision', c.stage = 'visioning')
) AS v (number, at, slot, based_on, note, wanted)
JOIN seed_roster r ON r.n = c.n AND r.slot = v.slot
WHERE v.wanted;

-- step: vision_versions
INSERT INTO vision_versions (id, can_id, number, body, note, author_id, based_on, created_at, adopted_at)
SELECT v.id, v.can_id, v.number, v.body, v.note, v.author_id, v.based_on, v.created_at,
       CASE WHEN v.adopted THEN c.adopted_at END
FROM seed_version v JOIN seed_can c USING (n);

-- step: vision_version_hopes
-- The first draft draws on most early hopes; later ones on every hope not withdrawn by then.
INSERT INTO vision_version_hopes (version_id, hope_id, can_id)
SELECT v.id, h.id, v.can_id
FROM seed_version v JOIN seed_hope h ON h.n = v.n AND h.created_at < v.created_at
WHERE (h.withdrawn_at IS NULL OR h.withdrawn_at > v.created_at)
  AND (v.number > 1 OR pg_temp.r(24, h.n, h.slot, h.i) < 0.6);

-- step: -
CREATE TEMP TABLE seed_round ON COMMIT DROP AS
SELECT v.n, v.can_id, v.number, k.kind, pg_temp.uuid7(v.created_at + interval '2 hours') AS id, v.id AS version_id,
       CASE WHEN k.kind = 'open' THEN c.t0 - interval '1 day' ELSE v.created_at + interval '2 hours' END AS opened_at,
       CASE k.kind WHEN 'open' THEN c.t0 + interval '5 days' WHEN 'adopted' THEN c.adopted_at
                   ELSE c.born + interval '23 days' END AS closes_at,
       c.t0
FROM seed_version v JOIN seed_can c USING (n)
CROSS JOIN LATERAL (SELECT CASE WHEN v.number > c.versions THEN 'open' WHEN v.adopted THEN 'adopted'
                                WHEN c.versions = 3 AND v.number = 2 THEN 'blocked' END AS kind) AS k
WHERE k.kind IS NOT NULL;

-- step: consent_rounds
INSERT INTO consent_rounds (id, can_id, version_id, opened_by, opened_at, closes_at, closed_at, outcome,
                            quorum_num, quorum_den)
SELECT s.id, s.can_id, s.version_id, r.member_id, s.opened_at, s.closes_at,
       CASE WHEN s.kind <> 'open' THEN s.closes_at END, CASE WHEN s.kind <> 'open' THEN s.kind END, 2, 3
FROM seed_round s JOIN seed_roster r ON r.n = s.n AND r.slot = 1;

-- step: -
-- Answers: everyone who was an active member during the round answers, except those in slots
-- 3, 10, 17, ... (and, while a round is open, about half). One voter per round is the objector:
-- they block the earlier round, object then withdraw in a two-version group's adopted round, and
-- object in an open renewal round. `final` marks the answer that stands.
CREATE TEMP TABLE seed_answer ON COMMIT DROP AS
WITH voters AS (
    SELECT s.*, r.member_id, r.name, r.slot,
           row_number() OVER (PARTITION BY s.id ORDER BY r.slot > 8 DESC, pg_temp.r(25, r.n, r.slot) DESC) = 1 AS objector,
           s.opened_at + (least(s.closes_at, s.t0) - s.opened_at) * (0.05 + 0.6 * pg_temp.r(26, r.n, r.slot, s.number)) AS at,
           CASE WHEN pg_temp.r(29, r.n, r.slot, s.number) < 0.85 THEN 'endorse' ELSE 'stand_aside' END AS usual
    FROM seed_round s JOIN seed_roster r ON r.n = s.n
    WHERE r.joined_at < s.opened_at AND (r.status = 'active' OR r.status_changed_at > s.closes_at)
      AND r.slot % 7 <> 3 AND (s.kind <> 'open' OR r.slot <= 2 OR pg_temp.r(28, r.n, r.slot) < 0.55)
)
SELECT v.id AS round_id, v.can_id, v.n, v.member_id, v.name, v.kind, v.number, x.answer, x.reason, x.at, x.final,
       x.withdrew
FROM voters v
CROSS JOIN LATERAL (VALUES
    (CASE WHEN v.objector AND v.kind IN ('blocked', 'open') THEN 'object' ELSE v.usual END,
     CASE WHEN v.objector AND v.kind IN ('blocked', 'open') THEN (pg_temp.w('objections'))[1 + v.n % 6] ELSE '' END,
     v.at, true, v.objector AND v.kind = 'adopted' AND v.number = 2),
    ('object', (pg_temp.w('objections'))[1 + (v.n + 3) % 6], v.opened_at + (v.closes_at - v.opened_at) * 0.04, false, false)
) AS x (answer, reason, at, final, withdrew)
WHERE x.final OR (v.objector AND v.kind = 'adopted' AND v.number = 2);

-- step: consent_answers
INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason, answered_at)
SELECT round_id, can_id, member_id, answer, reason, at FROM seed_answer WHERE final;

-- step: consent_answer_history
INSERT INTO consent_answer_history (round_id, can_id, member_id, answer, reason, answered_at)
SELECT round_id, can_id, member_id, answer, reason, at FROM seed_answer ORDER BY at;

-- step: -
-- What the closing clock recorded: active members then, and how they answered.
UPDATE consent_rounds cr
SET active_at_close = t.active, answered_at_close = t.answered, endorse_at_close = t.endorse,
    stand_aside_at_close = t.stand_aside, object_at_close = t.object
FROM (SELECT s.id,
             (SELECT count(*) FROM seed_roster r WHERE r.n = s.n AND r.joined_at < s.closes_at
                AND (r.status = 'active' OR r.status_changed_at > s.closes_at)) AS active,
             count(a.member_id) AS answered,
             count(*) FILTER (WHERE a.answer = 'endorse') AS endorse,
             count(*) FILTER (WHERE a.answer = 'stand_aside') AS stand_aside,
             count(*) FILTER (WHERE a.answer = 'object') AS object
      FROM seed_round s JOIN seed_answer a ON a.round_id = s.id AND a.final
      WHERE s.kind <> 'open'
      GROUP BY s.id, s.n, s.closes_at) AS t
WHERE cr.id = t.id;

-- step: -
UPDATE cans SET vision_version_id = v.id, vision_adopted_at = c.adopted_at,
                vision_review_on = ((c.adopted_at AT TIME ZONE c.tz)::date + interval '12 months')::date
FROM seed_version v JOIN seed_can c USING (n)
WHERE v.adopted AND cans.id = v.can_id;

-- step: -
CREATE TEMP TABLE seed_goal ON COMMIT DROP AS
SELECT c.n, c.id AS can_id, i, pg_temp.uuid7(c.goals_at + i * interval '1 hour') AS id,
       c.goals_at + i * interval '1 hour' AS created_at, (pg_temp.w('goals'))[c.theme * 3 + i] AS title,
       CASE WHEN i = 3 AND c.stage = 'sustaining' AND c.n % 4 = 1 THEN 'achieved' ELSE 'active' END AS status,
       r.member_id AS created_by, r.name AS author, v.id AS version_id
FROM seed_can c CROSS JOIN generate_series(1, 3) AS i
JOIN seed_roster r ON r.n = c.n AND r.slot = 2 - i % 2
JOIN seed_version v ON v.n = c.n AND v.adopted;

-- step: goals
INSERT INTO goals (id, can_id, title, description, status, vision_version_id, created_by, created_at, updated_at)
SELECT id, can_id, title, 'Drawn from our adopted vision.', status, version_id, created_by, created_at, created_at
FROM seed_goal;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT can_id, author_id, 'hope.added', 'hope', id, author || ' shared a hope', created_at FROM seed_hope
UNION ALL
SELECT can_id, author_id, 'vision.version_saved', 'vision_version', id, author || ' saved vision version ' || number,
       created_at
FROM seed_version
UNION ALL
SELECT s.can_id, r.member_id, 'consent_round.opened', 'consent_round', s.id,
       r.name || ' opened a consent round on vision version ' || s.number, s.opened_at
FROM seed_round s JOIN seed_roster r ON r.n = s.n AND r.slot = 1
UNION ALL
SELECT can_id, member_id, CASE WHEN withdrew THEN 'consent.objection_withdrawn' ELSE 'consent.answered' END,
       'consent_round', round_id,
       name || CASE WHEN withdrew THEN ' withdrew their objection and now answers ' ELSE ' answered ' END
            || replace(answer, '_', ' '),
       at
FROM seed_answer
UNION ALL
SELECT s.can_id, NULL, 'consent_round.closed', 'consent_round', s.id,
       'The consent round on vision version ' || s.number || ' closed: '
           || CASE s.kind WHEN 'adopted' THEN 'adopted: the vision is the group''s now'
                          ELSE 'not adopted: an objection stood when the round closed' END,
       s.closes_at
FROM seed_round s WHERE s.kind <> 'open'
UNION ALL
SELECT can_id, created_by, 'goal.created', 'goal', id, author || ' set the goal “' || title || '”', created_at
FROM seed_goal;
