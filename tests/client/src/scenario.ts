/**
 * KKR Register — client scenario.
 *
 * A typed client generated from ../../openapi.yaml (openapi-typescript → generated/api.d.ts) and
 * driven through openapi-fetch against a running server. Every request, parameter, body and
 * response below is checked by the TypeScript compiler against the contract; every step asserts
 * the behaviour at runtime and prints one line.
 *
 * Environment:
 *   KKR_BASE_URL  server root, e.g. http://127.0.0.1:8080 (default)
 *   KKR_TOKEN     an admin (or editor) API key, e.g. from `build/kkr keys create --role admin --name client`
 *   KKR_TIMEOUT_MS per-request timeout in milliseconds (default 10000)
 *
 * Exit code 0 when every step passed, 1 otherwise.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/api.js";

type Problem = components["schemas"]["Problem"];
type Person = components["schemas"]["Person"];
type Meeting = components["schemas"]["Meeting"];

const baseUrl = (process.env.KKR_BASE_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
const token = process.env.KKR_TOKEN ?? "";
const timeoutMs = Number(process.env.KKR_TIMEOUT_MS ?? "10000");

/** fetch with a per-request timeout, so a hung server fails the scenario instead of stalling CI. */
const timedFetch = (request: Request): Promise<Response> =>
  fetch(request, { signal: AbortSignal.timeout(timeoutMs) });

/**
 * The media types this scenario reads: JSON bodies and problem+json errors. Lists also offer
 * text/csv; naming the media type here makes `data` the JSON shape instead of `string | JSON`.
 */
type Json = "application/json" | "application/problem+json";

/** Anonymous client: public reads, and the 401 check. */
const anon = createClient<paths, Json>({ baseUrl, fetch: timedFetch });
/** Authenticated client: every request carries the bearer token. */
const authed = createClient<paths, Json>({
  baseUrl,
  fetch: timedFetch,
  headers: { Authorization: `Bearer ${token}` },
});

// ---------------------------------------------------------------------------------------------
// helpers

let passed = 0;
let failed = 0;
const failures: string[] = [];

async function step(name: string, body: () => Promise<string | void>): Promise<void> {
  try {
    const detail = await body();
    passed++;
    console.log(`ok   ${passed + failed} ${name}${detail ? ` — ${detail}` : ""}`);
  } catch (err) {
    failed++;
    const message = err instanceof Error ? err.message : String(err);
    failures.push(`${name}: ${message}`);
    console.log(`FAIL ${passed + failed} ${name} — ${message.split("\n").join("\n       ")}`);
  }
}

function describe(response: Response, error: unknown): string {
  return `${response.status} ${response.statusText} ${error === undefined ? "" : JSON.stringify(error)}`;
}

/** Asserts the response is a problem+json document with the given status. */
function assertProblem(response: Response, problem: Problem, status: number): void {
  assert.equal(response.status, status, `HTTP status ${response.status}, expected ${status}`);
  const contentType = response.headers.get("content-type") ?? "";
  assert.match(contentType, /^application\/problem\+json\b/, `content-type ${contentType}`);
  assert.equal(typeof problem.type, "string", "problem.type is a string");
  assert.ok(problem.type.length > 0, "problem.type is not empty");
  assert.equal(typeof problem.title, "string", "problem.title is a string");
  assert.ok(problem.title.length > 0, "problem.title is not empty");
  assert.equal(problem.status, status, "problem.status matches the HTTP status");
  assert.equal(typeof problem.detail, "string", "problem.detail is a string");
}

/** The cursor carried by a list's `next` link (an absolute or relative URL), or null at the end. */
function cursorOf(next: string | null | undefined, path: string): string | null {
  if (next === null || next === undefined) return null;
  const url = new URL(next, `${baseUrl}/`);
  assert.equal(url.pathname, path, `next link ${next} points at ${path}`);
  const cursor = url.searchParams.get("cursor");
  assert.ok(cursor, `next link ${next} carries a cursor`);
  return cursor;
}

/** Follows `next` links from the first page to the end; returns the item count and page count. */
async function pageThrough(
  path: "/v1/appointments" | "/v1/forums",
  limit: number,
  minItems: number,
): Promise<{ items: number; pages: number }> {
  const seen = new Set<number>();
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const query = cursor === undefined ? { limit } : { limit, cursor };
    const { data, error, response } =
      path === "/v1/appointments"
        ? await anon.GET("/v1/appointments", { params: { query } })
        : await anon.GET("/v1/forums", { params: { query } });
    assert.ok(data, `GET ${path} page ${pages + 1}: ${describe(response, error)}`);
    pages++;
    assert.ok(data.items.length <= limit, `page ${pages} has ${data.items.length} > ${limit} items`);
    for (const item of data.items) {
      assert.ok(!seen.has(item.id), `id ${item.id} repeated on page ${pages}`);
      seen.add(item.id);
    }
    const nextCursor = cursorOf(data.next, path);
    if (nextCursor === null) break;
    assert.ok(data.items.length > 0, `page ${pages} is empty but has a next link`);
    assert.ok(pages < 10_000, "too many pages: the cursor does not advance");
    cursor = nextCursor;
  }
  assert.ok(seen.size >= minItems, `${path} returned ${seen.size} items, expected ≥ ${minItems}`);
  return { items: seen.size, pages };
}

// ---------------------------------------------------------------------------------------------
// the scenario

let person: Person | undefined;
let createdETag = "";
let createdLocation = "";
let currentETag = "";

async function main(): Promise<void> {
  console.log(`client scenario against ${baseUrl}`);

  // (1) kommuner
  await step("list kommuner: 11 items, 0851 Aalborg", async () => {
    const { data, error, response } = await anon.GET("/v1/kommuner");
    assert.ok(data, `GET /v1/kommuner: ${describe(response, error)}`);
    assert.equal(response.status, 200);
    assert.ok(response.headers.get("etag"), "GET carries an ETag");
    assert.equal(data.items.length, 11, `${data.items.length} kommuner`);
    const aalborg = data.items.find((k) => k.code === "0851");
    assert.ok(aalborg, "kommune 0851 is listed");
    assert.equal(aalborg.name, "Aalborg");
    assert.equal(aalborg.region_code, "1081");
    assert.equal(data.next ?? null, null, "one page holds all 11");
    return `${data.items.map((k) => k.code).join(" ")}`;
  });

  await step("GET /v1/kommuner/851 returns code 0851", async () => {
    const { data, error, response } = await anon.GET("/v1/kommuner/{code}", {
      params: { path: { code: "851" } },
    });
    assert.ok(data, `GET /v1/kommuner/851: ${describe(response, error)}`);
    assert.equal(data.code, "0851");
    assert.equal(data.name, "Aalborg");
    return `${data.code} ${data.name}`;
  });

  // (1b) the whole register from one version
  await step("GET /v1/export → every collection, seq = Register-Seq, no contact details", async () => {
    const { data, error, response } = await anon.GET("/v1/export");
    assert.ok(data, `GET /v1/export: ${describe(response, error)}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("register-seq"), String(data.seq), "Register-Seq is the seq");
    assert.equal(data.kommuner.length, 11, `${data.kommuner.length} kommuner`);
    assert.ok(data.persons.every((p) => !("email" in p) && !("phone" in p)), "anonymous: no contact details");
    return `seq ${data.seq}: ${data.persons.length} persons, ${data.forums.length} forums`;
  });

  // (2) cursor paging
  // The reference data seeds no appointments (the forum seats are not in it): on a fresh database
  // this is one empty page with `next: null`; on a filled one, many pages.
  await step("page through /v1/appointments with limit=2", async () => {
    const { items, pages } = await pageThrough("/v1/appointments", 2, 0);
    return `${items} appointments in ${pages} pages, no id repeated`;
  });

  await step("page through /v1/forums with limit=2", async () => {
    const { items, pages } = await pageThrough("/v1/forums", 2, 3);
    return `${items} forums in ${pages} pages, no id repeated`;
  });

  // (3) writes with a token
  const idempotencyKey = randomUUID();
  const newPerson = { name: "Testperson Klient Ærø", kommune_code: "0851", party: "Ø" } as const;

  await step("POST /v1/persons with token → 201, Location, ETag", async () => {
    assert.ok(token, "KKR_TOKEN is not set (an admin API key is needed for writes)");
    const { data, error, response } = await authed.POST("/v1/persons", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: newPerson,
    });
    assert.ok(data, `POST /v1/persons: ${describe(response, error)}`);
    assert.equal(response.status, 201);
    assert.equal(data.name, newPerson.name);
    assert.equal(data.kommune_code, "0851");
    assert.equal(data.party, "Ø");
    assert.equal(typeof data.version, "number");
    createdLocation = response.headers.get("location") ?? "";
    assert.ok(createdLocation, "201 carries a Location header");
    assert.equal(new URL(createdLocation, `${baseUrl}/`).pathname, `/v1/persons/${data.id}`);
    createdETag = response.headers.get("etag") ?? "";
    assert.ok(createdETag, "201 carries an ETag header");
    currentETag = createdETag;
    person = data;
    return `id ${data.id}, version ${data.version}, ETag ${createdETag}`;
  });

  await step("POST again with the same Idempotency-Key returns the first person", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.POST("/v1/persons", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: newPerson,
    });
    assert.ok(data, `retried POST /v1/persons: ${describe(response, error)}`);
    assert.equal(response.status, 201, "the replay repeats the first status");
    assert.equal(data.id, person.id, "a retried create returns the same resource");
    assert.equal(response.headers.get("location"), createdLocation, "same Location");
    assert.equal(response.headers.get("idempotent-replayed"), "true", "Idempotent-Replayed: true");
    return `${response.status}, id ${data.id}, Idempotent-Replayed: true`;
  });

  await step("PATCH merge-patch with If-Match → 200, new version", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.PATCH("/v1/persons/{id}", {
      params: { path: { id: String(person.id) }, header: { "If-Match": createdETag } },
      body: { other_names: ["Klient Ærø"], office: "councillor" },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.ok(data, `PATCH /v1/persons/${person.id}: ${describe(response, error)}`);
    assert.equal(response.status, 200);
    assert.deepEqual(data.other_names, ["Klient Ærø"]);
    assert.equal(data.office, "councillor");
    assert.equal(data.name, newPerson.name, "fields not in the patch are kept");
    assert.ok(data.version > person.version, `version ${data.version} > ${person.version}`);
    const etag = response.headers.get("etag") ?? "";
    assert.ok(etag, "200 carries an ETag header");
    assert.notEqual(etag, createdETag, "the ETag changed with the version");
    currentETag = etag;
    const before = person.version;
    person = data;
    return `version ${before} → ${data.version}, ETag ${etag}`;
  });

  await step("PATCH with the stale ETag → 412 problem", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.PATCH("/v1/persons/{id}", {
      params: { path: { id: String(person.id) }, header: { "If-Match": createdETag } },
      body: { party: "A" },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.equal(data, undefined, `stale PATCH succeeded: ${response.status}`);
    assert.ok(error, "stale PATCH returned an error body");
    assertProblem(response, error, 412);
    return `${error.status} ${error.title}`;
  });

  await step("GET the created person by its Location", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.GET("/v1/persons/{id}", {
      params: { path: { id: String(person.id) } },
    });
    assert.ok(data, `GET /v1/persons/${person.id}: ${describe(response, error)}`);
    assert.equal(data.version, person.version);
    assert.equal(data.party, "Ø", "the stale PATCH changed nothing");
    assert.equal(response.headers.get("etag"), currentETag, "GET ETag matches the last write");
    return `version ${data.version}, party ${data.party ?? "-"}`;
  });

  await step("GET /v1/export?format=ndjson with the key → a line per row, the new person with email", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.GET("/v1/export", {
      params: { query: { format: "ndjson" } },
      parseAs: "text",
    });
    assert.ok(data !== undefined, `GET /v1/export?format=ndjson: ${describe(response, error)}`);
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const lines = data.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    const seq = Number(response.headers.get("register-seq"));
    assert.ok(lines.every((l) => l.seq === seq), "every line carries the Register-Seq");
    const mine = lines.find((l) => l.entity === "person" && l.id === String(person?.id));
    assert.ok(mine, "the created person is exported");
    assert.ok("email" in mine.data, "with a key: contact details (here null)");
    return `${lines.length} lines at seq ${seq}`;
  });

  // (3b) the audit log searched for this person, and the erasure of its contact details
  await step("GET /v1/audit?entity=person&id=… → the person's history, by this key", async () => {
    assert.ok(person, "no person was created");
    const id = String(person.id);
    // Changes are numbered once no older transaction is open: allow a moment.
    for (let attempt = 0; ; ++attempt) {
      const { data, error, response } = await authed.GET("/v1/audit", {
        params: { query: { entity: "person", id } },
      });
      assert.ok(data, `GET /v1/audit: ${describe(response, error)}`);
      if (data.items.length >= 2 || attempt >= 50) {
        assert.deepEqual(
          data.items.map((i) => i.op),
          ["create", "update"],
        );
        assert.ok(data.items.every((i) => i.entity === "person" && i.id === id));
        assert.match(data.next, /entity=person/, "next keeps the filters");
        return `${data.items.length} entries, actor ${data.items[0]?.actor ?? "-"}`;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  await step("POST /v1/persons/{id}/erasure → 200, email and phone null", async () => {
    assert.ok(person, "no person was created");
    const { data, error, response } = await authed.POST("/v1/persons/{id}/erasure", {
      params: { path: { id: String(person.id) }, header: { "Idempotency-Key": randomUUID() } },
    });
    assert.ok(data, `POST erasure: ${describe(response, error)}`);
    assert.equal(response.status, 200);
    assert.equal(data.email, null);
    assert.equal(data.phone, null);
    assert.ok(data.version > person.version, "the erasure is a new version");
    currentETag = response.headers.get("etag") ?? "";
    person = data;
    return `version ${data.version}`;
  });

  // (3c) a meeting, a KKR seat it decided, and what it decided
  let meeting: Meeting | undefined;
  let seatId = 0;
  await step("POST /v1/meetings → 201; a seat names it in decided_at; ?decided_at= lists it", async () => {
    assert.ok(person, "no person was created");
    const created = await authed.POST("/v1/meetings", {
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: { date: "2022-05-20", place: "Testsal Klient", kind: "constituent" },
    });
    assert.ok(created.data, `POST /v1/meetings: ${describe(created.response, created.error)}`);
    assert.equal(created.response.status, 201);
    assert.equal(created.data.kind, "constituent");
    meeting = created.data;
    const seat = await authed.POST("/v1/members", {
      body: {
        person_id: person.id,
        period_id: "2022-2026",
        role: "member",
        seat_basis: "party",
        start_date: "2022-06-01",
        end_date: "2022-06-02",
        decided_at: meeting.id,
      },
    });
    assert.ok(seat.data, `POST /v1/members: ${describe(seat.response, seat.error)}`);
    assert.equal(seat.data.decided_at, meeting.id);
    seatId = seat.data.id;
    const decided = await anon.GET("/v1/members", {
      params: { query: { decided_at: String(meeting.id) } },
    });
    assert.ok(decided.data, `GET /v1/members?decided_at: ${describe(decided.response, decided.error)}`);
    assert.deepEqual(
      decided.data.items.map((m) => m.id),
      [seatId],
    );
    const listed = await anon.GET("/v1/meetings", { params: { query: { kind: "constituent" } } });
    assert.ok(listed.data, `GET /v1/meetings: ${describe(listed.response, listed.error)}`);
    assert.ok(listed.data.items.some((m) => m.id === meeting?.id), "the meeting is listed");
    return `meeting ${meeting.id} decided seat ${seatId}`;
  });

  await step("DELETE a meeting that decided something → 409; after its seat is gone → 204", async () => {
    assert.ok(meeting, "no meeting was created");
    const refused = await authed.DELETE("/v1/meetings/{id}", {
      params: { path: { id: String(meeting.id) } },
    });
    assert.ok(refused.error, `DELETE of a deciding meeting: ${refused.response.status}`);
    assertProblem(refused.response, refused.error, 409);
    const seat = await authed.DELETE("/v1/members/{id}", { params: { path: { id: String(seatId) } } });
    assert.equal(seat.response.status, 204, `DELETE seat: ${describe(seat.response, seat.error)}`);
    const gone = await authed.DELETE("/v1/meetings/{id}", {
      params: { path: { id: String(meeting.id) } },
    });
    assert.equal(gone.response.status, 204, `DELETE meeting: ${describe(gone.response, gone.error)}`);
    return `409 "${refused.error.detail ?? ""}", then 204`;
  });

  // (4) a 404 problem, typed by the generated error type
  await step("GET /v1/persons/999999999 → 404 problem", async () => {
    const { data, error, response } = await anon.GET("/v1/persons/{id}", {
      params: { path: { id: "999999999" } },
    });
    assert.equal(data, undefined, `GET of a missing person succeeded: ${response.status}`);
    assert.ok(error, "404 carries a problem body");
    const problem: Problem = error; // the contract's 404 response type
    assertProblem(response, problem, 404);
    return `${problem.status} ${problem.title}: ${problem.detail ?? ""}`;
  });

  // (5) anonymous write
  await step("anonymous POST /v1/persons → 401 with WWW-Authenticate", async () => {
    const { data, error, response } = await anon.POST("/v1/persons", {
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: newPerson,
    });
    assert.equal(data, undefined, `anonymous POST succeeded: ${response.status}`);
    assert.ok(error, "401 carries a problem body");
    assertProblem(response, error, 401);
    const challenge = response.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer\b/i, `WWW-Authenticate: ${challenge}`);
    return `WWW-Authenticate: ${challenge}`;
  });

  await step("POST /v1/batch: create, patch and delete a person by ref, all or nothing", async () => {
    const { data, error, response } = await authed.POST("/v1/batch", {
      body: {
        operations: [
          { op: "create", resource: "persons", ref: "p", body: { name: "Testperson Klient Batch", kommune_code: "0851" } },
          { op: "delete", resource: "persons", id: 999999999 },
        ],
      },
    });
    assert.ok(error, `a batch with a missing row must fail: ${response.status}`);
    assertProblem(response, error, 404);
    assert.equal(error.operations?.[0]?.index, 1, "the problem names the failing operation");
    const created = await authed.POST("/v1/batch", {
      body: {
        operations: [
          { op: "create", resource: "persons", ref: "p", body: { name: "Testperson Klient Batch", kommune_code: "0851" } },
        ],
      },
    });
    assert.ok(created.data, `POST /v1/batch: ${describe(created.response, created.error)}`);
    const id = created.data.results[0]?.id ?? "";
    const removed = await authed.POST("/v1/batch", {
      body: {
        operations: [
          { op: "update", resource: "persons", id, patch: { party: "Å" } },
          { op: "delete", resource: "persons", id },
        ],
      },
    });
    assert.ok(removed.data, `POST /v1/batch: ${describe(removed.response, removed.error)}`);
    assert.deepEqual(removed.data.results.map((r) => r.status), [200, 204]);
    assert.match(removed.data.action ?? "", /^batch:/);
    const gone = await anon.GET("/v1/persons/{id}", { params: { path: { id } } });
    assert.equal(gone.response.status, 404);
    return `person ${id} created, then patched and deleted in one action ${removed.data.action}`;
  });

  await step("POST /v1/periods/{id}/constitution?dry_run=true → the plan, nothing changes", async () => {
    const periods = await anon.GET("/v1/periods", {});
    const open = periods.data?.items.find((p) => p.end_date === null);
    assert.ok(open, "an open period");
    const startYear = Number(open.id.slice(5));
    const next = `${startYear}-${startYear + 4}`;
    const { data, error, response } = await authed.POST("/v1/periods/{id}/constitution", {
      params: { path: { id: open.id }, query: { dry_run: "true" } },
      body: { period: { id: next, start_date: `${startYear}-01-01` } },
    });
    assert.ok(data, `constitution dry run: ${describe(response, error)}`);
    assert.equal(response.status, 200);
    assert.equal(data.dry_run, true);
    assert.equal(data.action, null);
    assert.equal(data.period.id, next);
    assert.equal((data.closed.body as { end_date?: string | null }).end_date, `${startYear - 1}-12-31`);
    const still = await anon.GET("/v1/periods/{id}", { params: { path: { id: open.id } } });
    assert.equal(still.data?.end_date, null, "a dry run changes nothing");
    return `${open.id} would close on ${startYear - 1}-12-31, ${data.ended.length} rows would end`;
  });

  // clean up: the test person has no history, so it can be deleted
  await step("DELETE the test person with If-Match → 204, then 404", async () => {
    assert.ok(person, "no person was created");
    const del = await authed.DELETE("/v1/persons/{id}", {
      params: { path: { id: String(person.id) }, header: { "If-Match": currentETag } },
    });
    assert.equal(del.response.status, 204, `DELETE: ${describe(del.response, del.error)}`);
    const { error, response } = await anon.GET("/v1/persons/{id}", {
      params: { path: { id: String(person.id) } },
    });
    assert.ok(error, `GET after DELETE: ${response.status}`);
    assertProblem(response, error, 404);
    return `deleted ${person.id}`;
  });

  if (failed > 0) {
    console.log(`client scenario: ${passed} passed, ${failed} failed`);
    for (const f of failures) console.log(`  - ${f.split("\n")[0]}`);
    process.exitCode = 1;
  } else {
    console.log(`client scenario: ${passed} passed, 0 failed`);
  }
}

main().catch((err: unknown) => {
  console.error("client scenario crashed:", err);
  process.exitCode = 1;
});
