#!/usr/bin/env python3
"""Creates N synthetic persons and appointments through the API, for benchmarks.

usage: make_fixture.py BASE_URL TOKEN N
"""
import json
import sys
import urllib.request

base, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])


def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


forum = call("POST", "/v1/forums", {"name": "Benchforum (syntetisk)", "kind": "agreement",
                                     "kkr_action": "appoints", "seats": None})
for i in range(count):
    person = call("POST", "/v1/persons", {"name": f"Benchperson {i:04d} Ærø",
                                          "kommune_code": "0851", "party": "A"})
    call("POST", "/v1/appointments", {"forum_id": forum["id"], "person_id": person["id"],
                                      "period_id": "2022-2026", "role": "observer",
                                      "start_date": "2022-03-01"})
print(count)
