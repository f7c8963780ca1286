#!/usr/bin/python3
# What python feedparser (the reference most feed readers descend from) reads in each file given
# on the command line: one JSON object {file: {...}} on stdout. Used by
# src/pipeline/parse/agreement.test.ts. A gzip file is gunzipped first, as any HTTP client
# that sniffs the body would (feedparser only undoes gzip named by Content-Encoding).
import gzip
import json
import sys

try:
    import feedparser
except ImportError:
    print(json.dumps({"error": "python3-feedparser is not installed"}))
    sys.exit(3)

out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    d = feedparser.parse(data)
    out[path] = {
        "version": d.get("version", ""),
        "bozo": bool(d.get("bozo")),
        "bozoException": str(d.get("bozo_exception", "")) if d.get("bozo") else None,
        "entries": [
            {
                "id": e.get("id"),
                "link": e.get("link"),
                "title": e.get("title"),
            }
            for e in d.entries
        ],
    }
print(json.dumps({"feedparserVersion": feedparser.__version__, "files": out}))
