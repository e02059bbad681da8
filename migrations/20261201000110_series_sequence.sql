-- A series' SEQUENCE for calendar feeds (issue 14): each series is one event with its rule, and a
-- calendar program takes a changed event only when its SEQUENCE grows. It grows here, whoever
-- changes the series, when what a calendar shows of it changes: the rule, its dates, its time,
-- length or zone, its title, place or what to expect. Extending the materialised horizon
-- (materialised_until) or the agenda template does not touch it.
ALTER TABLE meeting_series ADD COLUMN sequence integer NOT NULL DEFAULT 0;

CREATE FUNCTION meeting_series_next_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.rrule, NEW.starts_on, NEW.until_on, NEW.start_time, NEW.duration_minutes,
        NEW.time_zone, NEW.title, NEW.location, NEW.what_to_expect)
       IS DISTINCT FROM
       (OLD.rrule, OLD.starts_on, OLD.until_on, OLD.start_time, OLD.duration_minutes,
        OLD.time_zone, OLD.title, OLD.location, OLD.what_to_expect) THEN
        NEW.sequence := OLD.sequence + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER meeting_series_sequence BEFORE UPDATE ON meeting_series
    FOR EACH ROW EXECUTE FUNCTION meeting_series_next_sequence();
