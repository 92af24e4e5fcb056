#!/usr/bin/env python3
"""Validates Relais's open-data exports with the official schemas.

    export-validate.py hsds DIR REFERENCE_DATAPACKAGE_JSON
    export-validate.py datainclusion DIR

hsds: every CSV of DIR is checked by frictionless against the table schema of the same file
in the official HSDS 3.0 tabular data package (types, formats, required fields, unique ids,
foreign keys between the tables exported); every column must be one HSDS defines.
datainclusion: structures.json and services.json, each object through data-inclusion-schema's
v1 models (pydantic). Prints one line per file; exits 1 on any error.
"""
import json
import os
import sys


def hsds(folder, reference):
    import frictionless

    with open(reference) as f:
        ref = json.load(f)
    ours = json.load(open(os.path.join(folder, "datapackage.json")))
    by_path = {r["path"]: r for r in ref["resources"]}
    exported = {r["name"] for r in ours["resources"]}
    bad = 0
    resources = []
    for r in ours["resources"]:
        official = by_path.get(r["path"])
        if official is None:
            print(f"FAIL {r['path']}: not a table of HSDS 3.0")
            bad += 1
            continue
        schema = json.loads(json.dumps(official["schema"]))
        names = {f["name"] for f in schema["fields"]}
        header = open(os.path.join(folder, r["path"]), encoding="utf-8").readline().strip().split(",")
        unknown = [c for c in header if c not in names]
        if unknown:
            print(f"FAIL {r['path']}: columns HSDS does not define: {unknown}")
            bad += 1
        # The official schema, restricted to the columns written (a column left out is empty).
        schema["fields"] = [f for f in schema["fields"] if f["name"] in header]
        schema["fields"].sort(key=lambda f: header.index(f["name"]))
        missing = [f["name"] for f in official["schema"]["fields"] if f.get("constraints", {}).get("required") and f["name"] not in header]
        if missing:
            print(f"FAIL {r['path']}: required columns missing: {missing}")
            bad += 1
        schema["foreignKeys"] = [k for k in schema.get("foreignKeys", []) if k["reference"]["resource"] in exported and k["fields"] in header]
        resources.append({"name": official["name"], "path": r["path"], "schema": schema, "format": "csv", "encoding": "utf-8"})
    package = frictionless.Package({"name": "relais-check", "resources": resources}, basepath=folder)
    report = package.validate()
    for task in report.tasks:
        errors = task.errors
        print(f"{'ok  ' if not errors else 'FAIL'} {task.name}: {task.stats.get('rows', 0)} rows, {len(errors)} errors")
        for e in errors[:5]:
            print(f"    {e.type}: {e.message}"[:300])
        bad += len(errors)
    return bad


def datainclusion(folder):
    from data_inclusion.schema import v1

    bad = 0
    for name, model in [("structures.json", v1.Structure), ("services.json", v1.Service)]:
        items = json.load(open(os.path.join(folder, name)))
        errors = 0
        for item in items:
            try:
                model.model_validate(item)
            except Exception as e:
                errors += 1
                if errors <= 5:
                    print(f"    {item.get('id')}: {str(e)[:300]}")
        print(f"{'ok  ' if errors == 0 and items else 'FAIL'} {name}: {len(items)} objects, {errors} invalid against data·inclusion v1")
        bad += errors + (not items)
    return bad


if __name__ == "__main__":
    kind = sys.argv[1]
    failures = hsds(sys.argv[2], sys.argv[3]) if kind == "hsds" else datainclusion(sys.argv[2])
    sys.exit(1 if failures else 0)
