"""Expands a calendar feed the way calendar programs do, with Python's `icalendar` and
`recurring-ical-events` (a second, independent reader of Canopy's feeds; tests/it/feeds.rs runs it).

    check_feed.py FEED.ics FROM-DATE TO-DATE

prints a JSON object: `events`, every occurrence between the two dates (inclusive of FROM, exclusive
of TO) with its UID, summary, start and end (ISO 8601 with offset), its local start time and zone,
RECURRENCE-ID and SEQUENCE; and `vtimezones`, for each VTIMEZONE in the feed whether the offsets it
gives (built from its own observances, not looked up by name) agree with the tz database at every
occurrence in its zone.
"""

import datetime
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events


def iso(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value.isoformat() if value is not None else None


def main():
    path, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    start = datetime.date.fromisoformat(start)
    end = datetime.date.fromisoformat(end)

    events = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        dtstart = event.get("DTSTART").dt
        dtend = event.get("DTEND").dt if event.get("DTEND") else dtstart + event.get("DURATION").dt
        rid = event.get("RECURRENCE-ID")
        zone = getattr(dtstart.tzinfo, "key", None) or str(dtstart.tzinfo)
        events.append(
            {
                "uid": str(event.get("UID")),
                "summary": str(event.get("SUMMARY")),
                "start": iso(dtstart),
                "end": iso(dtend),
                "local_time": dtstart.strftime("%H:%M"),
                "local_date": dtstart.strftime("%Y-%m-%d"),
                "zone": zone,
                "recurrence_id": iso(rid.dt) if rid is not None else None,
                "sequence": int(event.get("SEQUENCE", 0)),
                "status": str(event.get("STATUS", "")),
            }
        )
    events.sort(key=lambda e: (e["start"], e["uid"]))

    vtimezones = {}
    for vtz in calendar.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        ours = vtz.to_tz(lookup_tzid=False)
        database = zoneinfo.ZoneInfo(tzid)
        disagreements = []
        for e in events:
            if e["zone"] != tzid:
                continue
            local = datetime.datetime.fromisoformat(e["start"]).replace(tzinfo=None)
            a = local.replace(tzinfo=ours).utcoffset()
            b = local.replace(tzinfo=database).utcoffset()
            if a != b:
                disagreements.append({"local": local.isoformat(), "vtimezone": str(a), "tzdb": str(b)})
        vtimezones[tzid] = {"checked": sum(e["zone"] == tzid for e in events), "disagreements": disagreements}

    json.dump({"events": events, "vtimezones": vtimezones}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
