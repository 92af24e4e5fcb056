#!/usr/bin/env python3
"""Validates everything a live Relais serves under /hsds against the official HSDS 3.0 schemas.

    hsds-validate.py BASE_URL SCHEMA_DIR [--max-pages N] [--profile PROFILE_DIR]

Every page of /hsds/services, /organizations, /service_at_locations, /taxonomies and
/taxonomy_terms, and every object again by its id, with jsonschema (Draft 2020-12) and its
format checkers (uuid, email, uri, date-time). With --profile, each schema is first patched
(JSON Merge Patch, RFC 7386) by the profile's file of the same name (profile/schema/): the
output must then conform to Relais's HSDS profile as well. Prints one line per collection, each invalid
object with its first errors, and exits 1 when any object is invalid or a route fails.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE, REF = sys.argv[1].rstrip("/"), sys.argv[2]
MAX_PAGES = int(sys.argv[sys.argv.index("--max-pages") + 1]) if "--max-pages" in sys.argv else 1000
PROFILE = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def load(name):
    with open(os.path.join(REF, name)) as f:
        schema = json.load(f)
    if PROFILE:
        patch = os.path.join(PROFILE, "schema", name)
        if os.path.exists(patch):
            with open(patch) as f:
                schema = merge_patch(schema, json.load(f))
    return schema
GH = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def retrieve(uri):
    name = uri.replace(GH, "").split("#")[0]
    if not os.path.exists(os.path.join(REF, name)):
        name = os.path.basename(name)
    return Resource.from_contents(load(name), default_specification=DRAFT202012)


REGISTRY = Registry(retrieve=retrieve)
VALIDATORS = {}


def validator(name):
    if name not in VALIDATORS:
        compiled = os.path.join(REF, "compiled", name)
        if os.path.exists(compiled) and not PROFILE:
            with open(compiled) as f:
                VALIDATORS[name] = Draft202012Validator(json.load(f), format_checker=FormatChecker())
        else:
            schema = dict(load(name))
            schema.setdefault("$id", GH + name)
            VALIDATORS[name] = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    return VALIDATORS[name]


def get(path, **params):
    query = urllib.parse.urlencode(params)
    url = BASE + path + ("?" + query if query else "")
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}


bad = 0
for path, schema in [
    ("/hsds/services", "service.json"),
    ("/hsds/organizations", "organization.json"),
    ("/hsds/service_at_locations", "service_at_location.json"),
    ("/hsds/taxonomies", "taxonomy.json"),
    ("/hsds/taxonomy_terms", "taxonomy_term.json"),
]:
    count = invalid = 0
    page = 1
    while page <= MAX_PAGES:
        status, body = get(path, page=page, per_page=100)
        if status != 200:
            print(f"FAIL {path}?page={page}: HTTP {status}")
            bad += 1
            break
        for item in body.get("contents", []):
            count += 1
            errors = list(validator(schema).iter_errors(item))
            status1, alone = get(f"{path}/{urllib.parse.quote(item.get('id', ''))}")
            if status1 != 200 or alone.get("id") != item.get("id"):
                errors.append(f"{path}/{{id}}: HTTP {status1}")
            else:
                errors += list(validator(schema).iter_errors(alone))
            if errors:
                invalid += 1
                if invalid <= 5:
                    for e in errors[:3]:
                        where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
                        print(f"  invalid {path} {item.get('id')}: {where}: {getattr(e, 'message', e)}"[:300])
        if body.get("last_page", True):
            break
        page += 1
    print(f"{'ok  ' if invalid == 0 and count > 0 else 'FAIL'} {path}: {count} objects, {invalid} invalid against HSDS 3.0 ({schema})")
    bad += invalid + (count == 0)
sys.exit(1 if bad else 0)
