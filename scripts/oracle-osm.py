#!/usr/bin/env python3
"""opening-hours-py (the Rust reference implementation of OSM opening_hours) as an oracle.

Reads lines `OPENING_HOURS<TAB>IANA_ZONE<TAB>LOCAL_DATETIME` (YYYY-MM-DDTHH:MM, wall-clock of
the zone) on stdin and prints, for each, `STATE<TAB>NEXT_CHANGE` where STATE is open, closed or
unknown and NEXT_CHANGE the local wall-clock time of the next change (YYYY-MM-DDTHH:MM) or `-`;
`ERROR <message>` when the string does not parse. Public holidays: France's (country="FR")."""
import datetime
import sys
import zoneinfo

import opening_hours

cache = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line:
        continue
    oh, zone, local = line.split("\t")
    tz = zoneinfo.ZoneInfo(zone)
    try:
        key = (oh, zone)
        if key not in cache:
            cache[key] = opening_hours.OpeningHours(oh, timezone=tz, country="FR", max_interval_days=400)
        x = cache[key]
        dt = datetime.datetime.fromisoformat(local).replace(tzinfo=tz)
        state = str(x.state(dt)[0]).split(".")[-1].lower()
        nxt = x.next_change(dt)
        print(state + "\t" + (nxt.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if nxt else "-"))
    except Exception as e:
        print("ERROR " + str(e).replace("\n", " ")[:200])
