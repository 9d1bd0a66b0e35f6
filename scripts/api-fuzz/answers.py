"""What a service answered during the fuzz run, from its own http_requests_total
(`GET /metrics` on stdin): the number of requests by status class and, per documented
operation, by status (how far generated requests reached). Requests to a method or path
the document does not list (schemathesis tries those too) are summed on one line; probes
and the document itself are left out. Used by scripts/api-fuzz.sh:

    curl -s …/metrics | python3 answers.py NAME openapi.json
"""

import json
import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^http_requests_total\{(?P<labels>.*)\} (?P<value>[0-9.e+]+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SKIP = {"/healthz", "/readyz", "/metrics", "/openapi.json"}

name, document = sys.argv[1], sys.argv[2]
with open(document, encoding="utf-8") as f:
    paths = json.load(f)["paths"]
documented = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}

total = 0
by_class = Counter()
by_operation = defaultdict(Counter)
undocumented = Counter()
for line in sys.stdin:
    match = LINE.match(line.strip())
    if not match:
        continue
    labels = dict(LABEL.findall(match["labels"]))
    if labels.get("route") in SKIP:
        continue
    count = int(float(match["value"]))
    status = labels.get("status", "?")
    total += count
    by_class[status[0] + "xx"] += count
    operation = f'{labels.get("method")} {labels.get("route")}'
    if operation in documented:
        by_operation[operation][status] += count
    else:
        undocumented[status] += count

classes = ", ".join(f"{k} {v}" for k, v in sorted(by_class.items()))
print(f"api-fuzz: {name} answered {total} requests ({classes})")
for operation in sorted(documented):
    statuses = by_operation.get(operation, Counter())
    shown = " ".join(f"{s}:{n}" for s, n in sorted(statuses.items())) or "none"
    print(f"api-fuzz:   {operation:<58} {shown}")
if undocumented:
    shown = " ".join(f"{s}:{n}" for s, n in sorted(undocumented.items()))
    print(f"api-fuzz:   {'(methods and paths not in the document)':<58} {shown}")
