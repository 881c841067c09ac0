#!/usr/bin/env python3
"""The API key hash failing inside the real `kkr serve`.

    crypto_fault.py PATH/TO/kkr SCENARIO      (KKR_FAIL_HMAC_SHIM: the kkr_fail_hmac library)

Every request with a Bearer token is authenticated by the token's HMAC-SHA256 (persistence's
PgApiKeyStore::hashToken). OpenSSL can fail there (no memory, a provider that will not load), and
nothing a client sends can make it fail, so a test needs a fault: the server runs with
tests/process/fail_hmac.cpp preloaded, which makes EVP_MAC_update fail while a flag file exists.

The run creates a database on the test PostgreSQL (KKR_TEST_DATABASE_URL), migrates and seeds it,
makes an editor key with `kkr keys create` (without the fault) and starts one `kkr serve` with it.

Scenario (exit status 0 when every check holds, 1 otherwise):

  hmac-fails  A create and a PATCH with the key work. Then, with the flag set: a create, a PATCH
              and a read with the key, and a request with a token the store never issued, are each
              answered 500 application/problem+json with the generic detail and a trace_id that
              the server's log names beside the failure; the create and the PATCH changed nothing
              (the public list and item are as before); reads without a token, /healthz and
              /readyz are answered 200 meanwhile. With the flag gone, every thread hashes again:
              twenty creates with the key, over fresh connections, are all 201. The log never holds
              the token; the server exits 0 on SIGTERM without a sanitizer report.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
# pylint: disable=wrong-import-position
from harness import (NO_RATE_LIMITS, SANITIZER_REPORT, Client, Server, TestError, admin_sql,
                     create_key, kkr_env, log, main, make_workdir, migrate_and_seed,
                     remove_workdir, server_log)

TEST_LIMIT_S = 100  # the script's own deadline; the ctest TIMEOUT is above it
STOP_LIMIT_S = 20.0
GENERIC_DETAIL = "The server could not complete the request."
RECOVERY_CREATES = 20



def preload(kkr, shim):
    """LD_PRELOAD for the shim. A sanitized kkr needs its ASan runtime loaded before any other
    library, so that runtime goes first when kkr links one."""
    linked = subprocess.run(["ldd", kkr], capture_output=True, text=True, check=False).stdout
    asan = re.search(r"^\s*libasan\.so\S*\s+=>\s+(\S+)", linked, re.MULTILINE)
    return ":".join([asan.group(1), shim] if asan else [shim])


class Rig:
    """A database on the test PostgreSQL, an editor key, and one `kkr serve` with the fault
    preloaded (inactive until the flag file exists)."""

    def __init__(self, kkr, scenario):
        self.kkr = kkr
        self.database = f"kkr_crypto_{scenario.replace('-', '_')}_{os.getpid()}"
        self.workdir = None
        self.server = None
        self.token = None
        self.flag = None

    def __enter__(self):
        admin_url = os.environ.get("KKR_TEST_DATABASE_URL")
        shim = os.environ.get("KKR_FAIL_HMAC_SHIM")
        if not admin_url:
            raise TestError("KKR_TEST_DATABASE_URL is not set: this test needs PostgreSQL")
        if not shim or not os.path.exists(shim):
            raise TestError(f"KKR_FAIL_HMAC_SHIM ({shim}) does not name the kkr_fail_hmac library")
        self.workdir = make_workdir("kkr-crypto-fault-")
        self.flag = os.path.join(self.workdir, "fail-hmac")
        try:
            admin_sql(f'CREATE DATABASE "{self.database}"')
            url = urllib.parse.urlsplit(admin_url)._replace(path=f"/{self.database}").geturl()
            env = kkr_env(url, {**NO_RATE_LIMITS, "KKR_ALLOW_REDUCED_DURABILITY": "true"})
            migrate_and_seed(self.kkr, env)
            self.token = create_key(self.kkr, env, "editor", "crypto-fault-editor")
            # kkr runs in /, where a relative path would name nothing.
            shim = os.path.abspath(shim)
            self.server = Server(self.kkr, {**env, "LD_PRELOAD": preload(self.kkr, shim),
                                            "KKR_TEST_FAIL_HMAC_WHILE": self.flag},
                                 os.path.join(self.workdir, "kkr.log"))
            self.server.start()
            log(f"kkr serve pid {self.server.proc.pid} on port {self.server.port}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def call(self, method, path, body=None, token=None, what=None):
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = ("application/merge-patch+json" if method == "PATCH"
                                       else "application/json")
        what = what or f"{method} {path}{' with the key' if token else ''}"
        answer = Client(self.server.port).exchange(what, method, path, data, headers)
        if answer.status is None:
            raise TestError(f"{answer.what}: no answer ({answer.error})")
        return answer

    def log_text(self):
        with open(self.server.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def logs(self):
        return f"--- kkr log (tail) ---\n{server_log(self.server.log)}" if self.server else ""

    def __exit__(self, *exc):
        if self.server:
            self.server.kill()
        try:
            admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except TestError as e:
            log(f"could not drop {self.database}: {e}")
        if self.workdir:
            remove_workdir(self.workdir)
        return False


def person(number):
    return {"name": f"Testperson Kryptofejl {number}", "kommune_code": "0851", "party": "Ø"}


def check_server_fault(rig, verdict, answer):
    """A 500 problem+json with the generic detail and a trace_id the log names with the failure."""
    verdict.check(answer.status == 500, f"{answer.what}: {answer.status}, not 500")
    verdict.check(answer.headers.get("content-type", "").startswith("application/problem+json"),
                  f"{answer.what}: content type {answer.headers.get('content-type')}")
    try:
        problem = json.loads(answer.body)
    except ValueError:
        verdict.check(False, f"{answer.what}: the body is not JSON: {answer.body[:200]!r}")
        return
    verdict.check(problem.get("status") == 500 and
                  str(problem.get("detail", "")).startswith(GENERIC_DETAIL),
                  f"{answer.what}: not the generic problem: {problem}")
    trace = problem.get("trace_id", "")
    named = [line for line in rig.log_text().splitlines()
             if trace and f"request {trace} " in line and "HMAC-SHA256 failed" in line]
    verdict.check(named, f"{answer.what}: no line of the log names trace_id {trace!r} with the "
                         "HMAC failure")


def hmac_fails(rig, verdict):
    created = rig.call("POST", "/v1/persons", person(1), rig.token)
    verdict.check(created.status == 201, f"a create before the fault: {created.status}")
    item = f"/v1/persons/{json.loads(created.body)['id']}"
    patched = rig.call("PATCH", item, {"party": "A"}, rig.token)
    verdict.check(patched.status == 200, f"a PATCH before the fault: {patched.status}")
    before_item = rig.call("GET", item).body
    before_list = rig.call("GET", "/v1/persons?limit=1000").body

    with open(rig.flag, "w", encoding="utf-8"):
        pass
    log("HMAC fails from now on")
    for answer in (rig.call("POST", "/v1/persons", person(2), rig.token),
                   rig.call("PATCH", item, {"party": "B"}, rig.token),
                   rig.call("GET", item, token=rig.token),
                   rig.call("GET", item, token="kkr_" + "x" * 43,
                            what=f"GET {item} with a token never issued")):
        check_server_fault(rig, verdict, answer)
    for path in (item, "/v1/persons?limit=1000", "/healthz", "/readyz"):
        answer = rig.call("GET", path)
        verdict.check(answer.status == 200, f"GET {path} without a token during the fault: "
                                            f"{answer.status}")
    verdict.check(rig.call("GET", item).body == before_item,
                  "the PATCH answered 500 changed the person")
    verdict.check(rig.call("GET", "/v1/persons?limit=1000").body == before_list,
                  "the create answered 500 changed the list")

    os.unlink(rig.flag)
    log("HMAC works again")
    statuses = [rig.call("POST", "/v1/persons", person(10 + n), rig.token).status
                for n in range(RECOVERY_CREATES)]
    verdict.check(statuses == [201] * RECOVERY_CREATES,
                  f"creates after the fault: {statuses}")
    verdict.figure(f"{RECOVERY_CREATES} creates after the fault: "
                   f"{statuses.count(201)} answered 201")

    verdict.check(rig.token not in rig.log_text(), "the server's log holds the token")
    rig.server.terminate()
    started = time.monotonic()
    status = rig.server.wait(STOP_LIMIT_S)
    verdict.check(status == 0, f"exit status {status} after SIGTERM (None: still running "
                               f"after {time.monotonic() - started:.0f} s)")
    verdict.check(not SANITIZER_REPORT.search(rig.log_text()),
                  "the server logged a sanitizer report")


SCENARIOS = {"hmac-fails": hmac_fails}


if __name__ == "__main__":
    sys.exit(main(sys.argv, SCENARIOS, Rig, TEST_LIMIT_S))
