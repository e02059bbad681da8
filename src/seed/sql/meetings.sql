-- Meetings: one weekly series per CAN, stored as the app stores one (an RRULE, materialised twelve
-- weeks ahead), `w` weeks of past meetings (held, a few cancelled) and the scheduled ones to the
-- horizon; agendas, RSVPs around today, attendance (with members drifting away), minutes,
-- decisions, action items, rotating facilitator and note-taker, check-ins, and a few time polls.

-- step: meeting_series
INSERT INTO meeting_series (id, can_id, title, rrule, starts_on, start_time, duration_minutes, time_zone,
                            location, agenda_template, rotate_roles, materialised_until, created_by,
                            created_at, updated_at, open_to_public, what_to_expect)
SELECT c.series_id, c.id, c.series_title,
       'FREQ=WEEKLY;INTERVAL=1;BYDAY=' || (ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'])[c.weekday],
       c.s0, c.start_time, c.duration, c.tz, c.location,
       E'Welcome and check-in round\nUpdates from those carrying responsibilities\nDecisions, and who does what',
       true, c.today + 84, r.member_id, c.series_at, c.series_at,
       -- Half the listed CANs open their weekly meeting to the neighbourhood (public page and feed).
       c.visibility = 'listed' AND c.n % 2 = 1,
       CASE WHEN c.visibility = 'listed' AND c.n % 2 = 1
            THEN 'Tea, a round of names, and an hour on what the street needs. Come as you are.'
            ELSE '' END
FROM seed_can c JOIN seed_roster r ON r.n = c.n AND r.slot = 3;

-- step: -
-- Every occurrence: weeks 1..w are past, the rest up to the horizon (84 days) are ahead. The
-- facilitator rotates among slots 3, 4 and 6 (7 from mid-way); the note-taker among the core.
CREATE TEMP TABLE seed_meeting ON COMMIT DROP AS
WITH weeks AS (
    SELECT c.n, c.id AS can_id, c.series_id, c.series_title AS title, c.location, c.theme, c.tz, c.t0,
           c.today, c.w, c.mid, c.series_at, wk, c.s0 + 7 * (wk - 1) AS occurrence_on,
           ((c.s0 + 7 * (wk - 1)) + c.start_time) AT TIME ZONE c.tz AS starts_at, c.duration
    FROM seed_can c, generate_series(1, c.w + (c.today + 84 - c.d0) / 7) AS wk
), planned AS (
    SELECT x.*, x.starts_at + x.duration * interval '1 minute' AS ends_at,
           least(x.t0, greatest(x.series_at, x.starts_at - interval '84 days')) AS created_at,
           x.wk <= x.w AS past,
           CASE WHEN x.wk <= x.w
                THEN CASE WHEN x.wk BETWEEN 5 AND x.w - 2 AND pg_temp.r(31, x.n, x.wk) < 0.06 THEN 'cancelled' ELSE 'held' END
                ELSE CASE WHEN x.wk > x.w + 2 AND pg_temp.r(32, x.n, x.wk) < 0.04 THEN 'cancelled' ELSE 'scheduled' END
           END AS status,
           CASE WHEN x.wk <= x.w + 2
                THEN (CASE WHEN x.wk <= x.mid THEN ARRAY[3, 4, 6] ELSE ARRAY[3, 4, 7] END)[1 + (x.wk + x.n) % 3] END AS fac_slot,
           x.wk = x.w AND x.n % 7 = 3 AS minutes_pending,
           pg_temp.r(33, x.n, x.wk) < 0.65 AS decided,
           (pg_temp.w('topics'))[x.theme * 6 + 1 + (x.wk + x.n) % 6] AS topic,
           (pg_temp.w('decisions'))[x.theme * 6 + 1 + (x.wk + 2 * x.n) % 6] AS decision
    FROM weeks x
)
SELECT p.*, pg_temp.uuid7(p.created_at) AS id, ((p.fac_slot + 1 + p.wk % 5) % 8) + 1 AS nt_slot
FROM planned p;

-- step: -
ANALYZE seed_meeting;

-- step: -
-- Who came: members then (joined, not yet away or gone), not drifting away in these recent weeks,
-- by their own reliability; the facilitator and note-taker always.
CREATE TEMP TABLE seed_attend ON COMMIT DROP AS
SELECT g.id AS meeting_id, g.can_id, g.n, g.wk, g.title, g.ends_at, g.nt_slot, g.t0, r.member_id, r.slot,
       r.name, r.drift > 0 AS drifter
FROM seed_meeting g JOIN seed_roster r ON r.n = g.n
WHERE g.status = 'held' AND r.joined_at <= g.starts_at
  AND (r.status = 'active' OR r.status_changed_at > g.ends_at)
  AND NOT (r.drift > 0 AND g.wk > g.w - r.drift)
  AND (r.slot IN (g.fac_slot, g.nt_slot) OR pg_temp.r(34, r.n, r.slot, g.wk) < r.reliability);

-- step: -
CREATE TEMP TABLE seed_present ON COMMIT DROP AS
SELECT meeting_id, count(*) AS present FROM seed_attend GROUP BY meeting_id;

-- step: meetings
INSERT INTO meetings (id, can_id, series_id, occurrence_on, title, starts_at, ends_at, location, status, moved,
                      sequence, facilitator_id, note_taker_id, minutes, minutes_version, minutes_updated_by,
                      minutes_updated_at, carried_forward, reminder_sent_at, minutes_reminder_sent_at,
                      created_at, updated_at)
SELECT g.id, g.can_id, g.series_id, g.occurrence_on, g.title, g.starts_at, g.ends_at, g.location, g.status,
       g.status = 'cancelled', (g.status = 'cancelled')::int, f.member_id, t.member_id,
       m.text, (m.text <> '')::int, CASE WHEN m.text <> '' THEN t.member_id END, m.at,
       g.status = 'held',
       CASE WHEN g.past THEN g.starts_at - interval '1 day'
            WHEN g.starts_at <= g.t0 + interval '26 hours' THEN g.t0 END,
       CASE WHEN g.status = 'held' AND m.text = '' THEN g.t0 END,
       g.created_at,
       CASE WHEN g.status = 'held' THEN coalesce(m.at, g.ends_at)
            WHEN g.status = 'cancelled' THEN greatest(g.created_at, least(g.t0, g.starts_at - interval '2 days'))
            ELSE g.created_at END
FROM seed_meeting g
LEFT JOIN seed_roster f ON f.n = g.n AND f.slot = g.fac_slot
LEFT JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot
LEFT JOIN seed_present n ON n.meeting_id = g.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN g.status <> 'held' OR g.minutes_pending THEN '' ELSE
               'Facilitator: ' || f.name || '. Notes: ' || t.name || '. Present: '
               || coalesce(n.present, 0) || E'.\n\n'
               || E'Check-in round: everyone said how their week had been.\n\n'
               || g.topic || ': we talked it through. '
               || CASE WHEN g.decided THEN 'Decided: ' || g.decision ELSE 'No decision yet; back to it next week.' END
               || E'\n\nUpdates from those carrying responsibilities; the actions are listed below.'
           END AS text,
           CASE WHEN g.status = 'held' AND NOT g.minutes_pending
                THEN least(g.t0, g.ends_at + interval '20 hours') END AS at
) AS m;

-- step: agenda_items
-- The series' template on every occurrence; a topic on held meetings and the next two.
INSERT INTO agenda_items (id, can_id, meeting_id, position, title, owner_id, minutes_budget, status, proposed_by,
                          created_at)
SELECT pg_temp.uuid7(g.created_at), g.can_id, g.id, t.position, t.title, NULL, NULL,
       CASE WHEN g.status = 'held' THEN 'done' ELSE 'open' END, s.member_id, g.created_at
FROM seed_meeting g JOIN seed_roster s ON s.n = g.n AND s.slot = 3
CROSS JOIN (VALUES (1, 'Welcome and check-in round'), (2, 'Updates from those carrying responsibilities'),
                   (4, 'Decisions, and who does what')) AS t (position, title)
UNION ALL
SELECT pg_temp.uuid7(a.at), g.can_id, g.id, 3, g.topic, o.member_id, 30,
       CASE WHEN g.status <> 'held' THEN 'open' WHEN pg_temp.r(39, g.n, g.wk) < 0.1 THEN 'dropped' ELSE 'done' END,
       o.member_id, a.at
FROM seed_meeting g JOIN seed_roster o ON o.n = g.n AND o.slot = 1 + (g.wk * 3 + g.n) % 8
CROSS JOIN LATERAL (SELECT greatest(g.created_at, least(g.t0 - interval '1 hour', g.starts_at - interval '5 days')) AS at) AS a
WHERE g.status = 'held' OR (g.status = 'scheduled' AND g.wk <= g.w + 2);

-- step: rsvps
-- Answers around today: the last three meetings and the next four.
INSERT INTO rsvps (meeting_id, can_id, member_id, answer, updated_at)
SELECT g.id, g.can_id, r.member_id, a.answer,
       least(g.t0, greatest(r.joined_at, g.starts_at - (1 + 5 * q.x) * interval '1 day'))
FROM seed_meeting g JOIN seed_roster r ON r.n = g.n
LEFT JOIN seed_attend p ON p.meeting_id = g.id AND p.member_id = r.member_id
CROSS JOIN LATERAL (SELECT pg_temp.r(36, r.n, r.slot, g.wk) AS x) AS q
CROSS JOIN LATERAL (SELECT CASE
    WHEN g.past THEN CASE WHEN p.member_id IS NOT NULL THEN CASE WHEN q.x < 0.9 THEN 'yes' ELSE 'maybe' END
                          WHEN q.x < 0.5 THEN 'no' END
    WHEN r.status = 'active' AND r.drift = 0
        THEN CASE WHEN q.x < 0.6 THEN 'yes' WHEN q.x < 0.72 THEN 'maybe' WHEN q.x < 0.82 THEN 'no' END
    WHEN r.status = 'paused' AND q.x < 0.5 THEN 'no' END AS answer) AS a
WHERE g.status <> 'cancelled' AND g.wk BETWEEN g.w - 2 AND g.w + 4 AND a.answer IS NOT NULL
  AND r.joined_at <= g.starts_at - interval '1 day'
  AND (r.status <> 'left' OR (g.past AND r.status_changed_at > g.ends_at));

-- step: attendance
INSERT INTO attendance (meeting_id, can_id, member_id, recorded_by, recorded_at)
SELECT a.meeting_id, a.can_id, a.member_id, t.member_id, least(a.t0, a.ends_at + interval '10 minutes')
FROM seed_attend a JOIN seed_roster t ON t.n = a.n AND t.slot = a.nt_slot;

-- step: decisions
INSERT INTO decisions (id, can_id, meeting_id, body, recorded_by, created_at)
SELECT pg_temp.uuid7(g.ends_at - interval '15 minutes'), g.can_id, g.id, g.decision, t.member_id,
       g.ends_at - interval '15 minutes'
FROM seed_meeting g JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot
WHERE g.status = 'held' AND g.decided;

-- step: -
CREATE TEMP TABLE seed_action ON COMMIT DROP AS
SELECT g.n, g.can_id, g.id AS meeting_id, g.title AS meeting_title, g.wk, i,
       pg_temp.uuid7(g.ends_at - interval '10 minutes') AS id,
       (pg_temp.w('actions'))[g.theme * 6 + 1 + (g.wk + 2 * i + g.n) % 6] AS title, o.member_id AS owner_id,
       t.member_id AS created_by, t.name AS author, g.occurrence_on + 7 * i AS due_on,
       g.ends_at - interval '10 minutes' AS created_at,
       CASE WHEN g.occurrence_on + 7 * i < g.today - 3 AND pg_temp.r(38, g.n, g.wk, i) < 0.85
            THEN ((g.occurrence_on + 7 * i - 1) + time '12:00') AT TIME ZONE g.tz END AS done_at
FROM seed_meeting g
CROSS JOIN LATERAL generate_series(1, CASE WHEN pg_temp.r(37, g.n, g.wk) < 0.25 THEN 2
                                           WHEN pg_temp.r(37, g.n, g.wk) < 0.8 THEN 1 ELSE 0 END) AS i
JOIN seed_roster o ON o.n = g.n AND o.slot = 1 + (g.wk * 3 + i * 5 + g.n) % 8
JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot
WHERE g.status = 'held';

-- step: action_items
INSERT INTO action_items (id, can_id, meeting_id, title, owner_id, due_on, status, created_by, created_at, done_at)
SELECT id, can_id, meeting_id, title, owner_id, due_on, CASE WHEN done_at IS NULL THEN 'open' ELSE 'done' END,
       created_by, created_at, done_at
FROM seed_action;

-- step: check_ins
-- About three in ten who came check in afterwards; those drifting away feel it a little less.
INSERT INTO check_ins (meeting_id, can_id, member_id, zest, able_to_act, clarity, worth, connection, note, created_at)
SELECT a.meeting_id, a.can_id, a.member_id,
       3 + floor(pg_temp.r(41, a.n, a.slot, a.wk) * 3)::int - a.drifter::int,
       3 + floor(pg_temp.r(42, a.n, a.slot, a.wk) * 3)::int - a.drifter::int,
       2 + floor(pg_temp.r(43, a.n, a.slot, a.wk) * 4)::int - a.drifter::int,
       3 + floor(pg_temp.r(44, a.n, a.slot, a.wk) * 3)::int - a.drifter::int,
       3 + floor(pg_temp.r(45, a.n, a.slot, a.wk) * 3)::int - a.drifter::int,
       CASE WHEN pg_temp.r(46, a.n, a.slot, a.wk) < 0.25
            THEN (pg_temp.w('check_in_notes'))[1 + (a.slot + a.wk) % array_length(pg_temp.w('check_in_notes'), 1)] ELSE '' END,
       least(a.t0, a.ends_at + (1 + 40 * pg_temp.r(47, a.n, a.slot, a.wk)) * interval '1 hour')
FROM seed_attend a
WHERE pg_temp.r(35, a.n, a.slot, a.wk) < 0.3;

-- step: -
-- Time polls: a third of the groups chose their meeting time by a poll; a quarter have one open
-- now, for a second, daytime meeting.
CREATE TEMP TABLE seed_poll ON COMMIT DROP AS
SELECT c.n, c.id AS can_id, p.open, pg_temp.uuid7(p.at) AS id, p.title, p.duration, p.at AS created_at,
       CASE WHEN NOT p.open THEN c.series_at END AS closed_at, CASE WHEN NOT p.open THEN c.series_id END AS series_id,
       r.member_id AS created_by, r.name AS author, c.weekday, c.start_time, c.series_title
FROM seed_can c JOIN seed_roster r ON r.n = c.n AND r.slot = 3
CROSS JOIN LATERAL (VALUES (false, c.series_at - interval '4 days', c.series_title, c.duration, c.n % 3 = 1),
                           (true, c.t0 - interval '3 days', 'A second, daytime meeting', 120, c.n % 4 = 1))
    AS p (open, at, title, duration, wanted)
WHERE p.wanted;

-- step: time_polls
INSERT INTO time_polls (id, can_id, title, duration_minutes, created_by, created_at, closed_at, series_id)
SELECT id, can_id, title, duration, created_by, created_at, closed_at, series_id FROM seed_poll;

-- step: -
CREATE TEMP TABLE seed_poll_option ON COMMIT DROP AS
SELECT p.n, p.can_id, p.id AS poll_id, p.open, p.created_at, p.closed_at, o.position,
       pg_temp.uuid7(p.created_at) AS id, o.weekday, o.start_time
FROM seed_poll p
CROSS JOIN LATERAL (VALUES
    (1, CASE WHEN p.open THEN 6 ELSE p.weekday END, CASE WHEN p.open THEN time '10:00' ELSE p.start_time END),
    (2, CASE WHEN p.open THEN 6 ELSE 1 + p.weekday % 7 END, CASE WHEN p.open THEN time '14:00' ELSE p.start_time END),
    (3, CASE WHEN p.open THEN 7 ELSE p.weekday END,
        CASE WHEN p.open THEN time '11:00' ELSE p.start_time + interval '1 hour' END)
) AS o (position, weekday, start_time);

-- step: time_poll_options
INSERT INTO time_poll_options (id, can_id, poll_id, weekday, start_time, position)
SELECT id, can_id, poll_id, weekday, start_time, position FROM seed_poll_option;

-- step: time_poll_answers
-- Members then answer every slot; the chosen slot (the first of a closed poll) suits most.
INSERT INTO time_poll_answers (option_id, poll_id, can_id, member_id, answer)
SELECT o.id, o.poll_id, o.can_id, r.member_id,
       CASE WHEN q.x < CASE WHEN NOT o.open AND o.position = 1 THEN 0.7 ELSE 0.35 END THEN 'yes'
            WHEN q.x < 0.85 THEN 'if_need_be' ELSE 'no' END
FROM seed_poll_option o JOIN seed_roster r ON r.n = o.n
CROSS JOIN LATERAL (SELECT pg_temp.r(48, r.n, r.slot, o.position + 3 * o.open::int) AS x) AS q
WHERE r.joined_at < o.created_at AND (r.status = 'active' OR r.status_changed_at > coalesce(o.closed_at, o.created_at))
  AND pg_temp.r(49, r.n, r.slot, o.open::int) < CASE WHEN o.open THEN 0.5 ELSE 0.85 END;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT p.can_id, p.created_by, 'time_poll.created', 'time_poll', p.id,
       p.author || ' asked when to meet: “' || p.title || '”', p.created_at
FROM seed_poll p
UNION ALL
SELECT p.can_id, p.created_by, 'time_poll.chosen', 'time_poll', p.id,
       p.author || ' chose ' || (ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])[p.weekday]
           || 's ' || to_char(p.start_time, 'HH24:MI') || ' for “' || p.title || '”', p.closed_at
FROM seed_poll p WHERE NOT p.open
UNION ALL
SELECT g.can_id, t.member_id, 'meeting.attendance', 'meeting', g.id,
       t.name || ' recorded ' || coalesce(n.present, 0) || ' present at “' || g.title || '”',
       least(g.t0, g.ends_at + interval '10 minutes')
FROM seed_meeting g JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot
LEFT JOIN seed_present n ON n.meeting_id = g.id
WHERE g.status = 'held'
UNION ALL
SELECT g.can_id, t.member_id, 'meeting.decision', 'meeting', g.id,
       t.name || ' recorded a decision at “' || g.title || '”: ' || g.decision, g.ends_at - interval '15 minutes'
FROM seed_meeting g JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot WHERE g.status = 'held' AND g.decided
UNION ALL
SELECT a.can_id, a.created_by, 'meeting.action', 'meeting', a.meeting_id,
       a.author || ' noted an action at “' || a.meeting_title || '”: ' || a.title, a.created_at
FROM seed_action a
UNION ALL
SELECT g.can_id, t.member_id, 'meeting.minutes', 'meeting', g.id,
       t.name || ' saved the minutes of “' || g.title || '”', least(g.t0, g.ends_at + interval '20 hours')
FROM seed_meeting g JOIN seed_roster t ON t.n = g.n AND t.slot = g.nt_slot
WHERE g.status = 'held' AND NOT g.minutes_pending
UNION ALL
SELECT g.can_id, f.member_id, 'meeting.finished', 'meeting', g.id,
       f.name || ' closed “' || g.title || '”; 0 open agenda item(s) carried forward',
       least(g.t0, g.ends_at + interval '5 minutes')
FROM seed_meeting g JOIN seed_roster f ON f.n = g.n AND f.slot = g.fac_slot WHERE g.status = 'held'
UNION ALL
SELECT g.can_id, f.member_id, 'meeting.cancelled', 'meeting', g.id,
       f.name || ' cancelled “' || g.title || '” on ' || to_char(g.occurrence_on, 'FMDD FMMonth YYYY'),
       greatest(g.created_at, least(g.t0, g.starts_at - interval '2 days'))
FROM seed_meeting g JOIN seed_roster f ON f.n = g.n AND f.slot = coalesce(g.fac_slot, 3) WHERE g.status = 'cancelled';
