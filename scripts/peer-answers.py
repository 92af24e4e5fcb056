#!/usr/bin/env python3
"""The peer's answers (../shared/bench/peer/referral.sql) to the benchmark questions, in process:
listings.csv loaded into an in-memory SQLite table as Datasette's loader types it (latitude and
longitude REAL, the rest TEXT), the questions bound as Datasette binds them (TEXT).

Usage: peer-answers.py REFERRAL_SQL LISTINGS_CSV QUESTIONS_JSON  → JSON list of id lists, one per question.
"""
import csv, json, sqlite3, sys

sql_path, csv_path, questions_path = sys.argv[1:4]
db = sqlite3.connect(":memory:")
with open(csv_path, encoding="utf-8", newline="") as f:
    rows = csv.DictReader(f)
    cols = rows.fieldnames
    real = {"latitude", "longitude"}
    db.execute("create table listings (%s)" % ", ".join(f'"{c}" {"REAL" if c in real else "TEXT"}' for c in cols))
    db.executemany("insert into listings values (%s)" % ", ".join("?" * len(cols)),
                   ([float(r[c]) if c in real and r[c] else (r[c] or None) for c in cols] for r in rows))
db.execute("create index idx_listings_latitude_longitude on listings (latitude, longitude)")
sql = open(sql_path, encoding="utf-8").read()
questions = json.load(open(questions_path, encoding="utf-8"))
answers = []
for q in questions:
    p = dict(need=q["need"], lat=str(q["lat"]), lon=str(q["lon"]), radius_km=str(q["radius_km"]), audience=q["audience"])
    answers.append([r[0] for r in db.execute(sql, p).fetchall()])
json.dump(answers, sys.stdout)
