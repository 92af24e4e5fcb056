#!/usr/bin/env python3
"""Reference expansions for Relais's recurrence tests (python-dateutil, recurring-ical-events).

Mode 1 — rules (default). Reads one rule a line on stdin:

    DTSTART:19970902T090000 RRULE:FREQ=DAILY;COUNT=10 WINDOW:19970101T000000/19980101T000000 LIMIT:500

(WINDOW and LIMIT optional) and prints, for each, one line: the occurrences as
YYYYMMDDTHHMM separated by spaces, or `ERROR <message>`. Times are floating
(naive): dateutil yields only what the rule selects (an unsynchronised DTSTART is
not an occurrence).

Mode 2 — `--ics FILE FROM THROUGH` (dates YYYY-MM-DD): expands the calendar with
recurring_ical_events between FROM and THROUGH and prints one line per occurrence:
`YYYY-MM-DD HH:MM<TAB>STATUS<TAB>SUMMARY`, start in Europe/Paris (all-day events:
`YYYY-MM-DD all-day`), sorted.

Setup (the test command does it):
    python3 -m venv /tmp/relais-oracle-venv
    /tmp/relais-oracle-venv/bin/pip install python-dateutil icalendar recurring-ical-events
"""
import datetime
import itertools
import sys


def parse_dt(s):
    return datetime.datetime.strptime(s[:15], "%Y%m%dT%H%M%S")


def rules():
    from dateutil.rrule import rrulestr

    out = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        fields = dict(part.split(":", 1) for part in line.split(" ") if ":" in part)
        try:
            start = parse_dt(fields["DTSTART"])
            rule = rrulestr(fields["RRULE"], dtstart=start)
            limit = int(fields.get("LIMIT", "500"))
            if "WINDOW" in fields:
                a, b = (parse_dt(x) for x in fields["WINDOW"].split("/"))
                it = rule.xafter(a, inc=True) if hasattr(rule, "xafter") else iter(rule.between(a, b, inc=True))
                occ = [t for t in itertools.islice(itertools.takewhile(lambda t: t <= b, it), limit)]
            else:
                occ = list(itertools.islice(rule, limit))
            out.append(" ".join(t.strftime("%Y%m%dT%H%M") for t in occ))
        except Exception as e:  # the Swift side compares error lines too
            out.append("ERROR " + str(e).replace("\n", " "))
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


def ics(path, start, end):
    import zoneinfo

    import icalendar
    import recurring_ical_events

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    a = datetime.datetime.fromisoformat(start).replace(tzinfo=paris)
    b = datetime.datetime.fromisoformat(end).replace(tzinfo=paris)
    lines = []
    for e in recurring_ical_events.of(cal).between(a, b):
        dt = e["DTSTART"].dt
        if isinstance(dt, datetime.datetime):
            if dt.tzinfo is None:
                when = dt.strftime("%Y-%m-%d %H:%M")  # floating
            else:
                when = dt.astimezone(paris).strftime("%Y-%m-%d %H:%M")
        else:
            when = dt.strftime("%Y-%m-%d") + " all-day"
        status = str(e.get("STATUS", "CONFIRMED")).upper()
        summary = str(e.get("SUMMARY", "")).replace("\t", " ").replace("\n", " ")
        lines.append(f"{when}\t{status}\t{summary}")
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--ics":
        ics(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        rules()
