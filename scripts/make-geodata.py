#!/usr/bin/env python3
"""Build Relais's compact gazetteer from the official geographic files.

Reads La Poste's "base officielle des codes postaux" (with latitude/longitude)
and INSEE's Code Officiel Géographique (communes, départements, régions), and
writes, under Directory/geo/:

  communes.tsv.gz   insee, name, postal codes (comma-separated), latitude,
                    longitude, parent insee (arrondissements of Paris, Lyon,
                    Marseille) — one row per commune, gzip-compressed
  departements.tsv  code, name, région code, région name, centroid latitude,
                    centroid longitude (mean of the communes' centroids)

Usage: scripts/make-geodata.py [GEO_DIR]   (default: ../shared/reference/geo)
GEO_DIR holds laposte_hexasmal_2022_latlon.csv, cog_communes.csv,
cog_departements.csv and cog_regions.csv (official URLs in Directory/geo/README.md).
"""
import csv, gzip, io, os, sys
from collections import defaultdict

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
geo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "reference", "geo")
out = os.path.join(root, "Directory", "geo")

names, parent, dep_of = {}, {}, {}
for r in csv.DictReader(open(os.path.join(geo, "cog_communes.csv"), encoding="utf-8")):
    if r["TYPECOM"] in ("COM", "ARM"):
        names[r["COM"]] = r["LIBELLE"]
        dep_of[r["COM"]] = r["DEP"]
        if r["TYPECOM"] == "ARM":
            parent[r["COM"]] = r["COMPARENT"]

postals, points = defaultdict(set), {}
with open(os.path.join(geo, "laposte_hexasmal_2022_latlon.csv"), encoding="utf-8") as f:
    reader = csv.reader(f, delimiter=";")
    next(reader)
    for insee, nom, cp, _l5, _ach, lat, lon in reader:
        postals[insee].add(cp)
        if lat and lon:
            points.setdefault(insee, (float(lat), float(lon)))
        if insee not in names:  # a commune the COG no longer lists (merged) or outside it
            names[insee] = nom.title().replace(" ", "-").replace("-Sur-", "-sur-").replace("-Le-", "-le-").replace("-La-", "-la-")

# Paris, Lyon and Marseille as a whole: every postal code and point of their arrondissements.
children = defaultdict(list)
for arm, com in parent.items():
    children[com].append(arm)
for com, arms in children.items():
    for a in arms:
        postals[com] |= postals[a]
    pts = [points[a] for a in arms if a in points]
    if pts:
        points[com] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))

rows = []
for insee in sorted(postals):
    if insee not in points:
        continue
    lat, lon = points[insee]
    rows.append("\t".join([insee, names[insee], ",".join(sorted(postals[insee])), f"{lat:.4f}", f"{lon:.4f}", parent.get(insee, "")]))
data = ("# insee\tname\tpostal_codes\tlatitude\tlongitude\tparent\n" + "\n".join(rows) + "\n").encode("utf-8")
with open(os.path.join(out, "communes.tsv.gz"), "wb") as f:
    f.write(gzip.compress(data, mtime=0))

regions = {r["REG"]: r["LIBELLE"] for r in csv.DictReader(open(os.path.join(geo, "cog_regions.csv"), encoding="utf-8"))}
sums = defaultdict(lambda: [0.0, 0.0, 0])
for insee, (lat, lon) in points.items():
    if insee in parent:  # counted through the whole commune
        continue
    d = dep_of.get(insee) or (insee[:3] if insee[:2] in ("97", "98") else insee[:2])
    s = sums[d]; s[0] += lat; s[1] += lon; s[2] += 1
lines = ["# code\tname\tregion_code\tregion_name\tlatitude\tlongitude"]
for r in csv.DictReader(open(os.path.join(geo, "cog_departements.csv"), encoding="utf-8")):
    s = sums[r["DEP"]]
    lines.append("\t".join([r["DEP"], r["LIBELLE"], r["REG"], regions[r["REG"]], f"{s[0]/s[2]:.4f}", f"{s[1]/s[2]:.4f}"]))
# Overseas collectivities are not départements in the COG file, yet their communes carry
# INSEE codes 975, 977, 978, 986–988: listed with their chief town's position (the La Poste
# file gives one point for all of French Polynesia or New Caledonia).
for code, name, lat, lon in [("975", "Saint-Pierre-et-Miquelon", 46.7811, -56.1764), ("977", "Saint-Barthélemy", 17.8962, -62.8498),
                             ("978", "Saint-Martin", 18.0708, -63.0501), ("986", "Wallis-et-Futuna", -13.2825, -176.1736),
                             ("987", "Polynésie française", -17.5350, -149.5696), ("988", "Nouvelle-Calédonie", -22.2758, 166.4580)]:
    if not any(l.startswith(code + "\t") for l in lines):
        lines.append("\t".join([code, name, code, name, f"{lat:.4f}", f"{lon:.4f}"]))
open(os.path.join(out, "departements.tsv"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
print(f"{len(rows)} communes, {len(lines) - 1} départements written to {out}")
