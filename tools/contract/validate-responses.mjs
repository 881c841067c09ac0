#!/usr/bin/env node
// Validates every HTTP response the tests logged against the contract.
//
//   node validate-responses.mjs openapi.yaml responses.jsonl
//
// The log has one JSON object per line (written by the HTTP test client, KKR_CONTRACT_LOG):
//   {"method":"GET","path":"/v1/kommuner/0851?limit=2","status":200,
//    "content_type":"application/json","body":"<raw response body>",
//    "headers":{"etag":"\"k-1\""},            optional: response headers, names in lower case
//    "test":"KommuneHttp.GetsOne"}            optional: shown next to a mismatch
//
// For each response: the path (query stripped, percent-decoded, literal segments beating
// parameters) and method must name a documented operation; the status must be documented
// (exact code, else 1XX..5XX, else default); 204 and 304 bodies must be empty; a body needs a
// declared media type matching Content-Type; JSON bodies (application/json, *+json) must parse
// and validate against the schema (JSON Schema 2020-12 with ajv-formats); required response
// headers must be present when the log carries headers. A media type with `x-line-schema` (NDJSON)
// has each of its lines validated against that schema. Requests no operation matches (unknown
// path: 404, known path with an undocumented method: 405) cannot be documented per path: they
// must be 4XX application/problem+json bodies valid against #/components/schemas/Problem. A CORS
// preflight (OPTIONS answered 204 on a documented path) must have an empty body.
// Exits 1 listing every mismatch; prints how many responses were validated per operation.
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Contract, PathMatcher, pointerOf } from './contract.mjs';

const MAX_LISTED = 200;

function usage() {
  console.error('usage: node validate-responses.mjs openapi.yaml responses.jsonl');
  process.exit(2);
}

const [contractFile, logFile] = process.argv.slice(2);
if (!contractFile || !logFile) usage();

const contract = new Contract(contractFile);
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
// OpenAPI's own formats (https://spec.openapis.org/registry/format/).
const INT32 = 2 ** 31;
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
ajv.addFormat('binary', true);
ajv.addFormat('password', true);
for (const [url, doc] of contract.docs) ajv.addSchema(doc, url);

const validators = new Map();
function validatorAt(url, pointer) {
  const key = `${url}#${pointer}`;
  if (!validators.has(key)) {
    const fragment = pointer
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
    validators.set(key, ajv.compile({ $ref: `${url}#${fragment}` }));
  }
  return validators.get(key);
}

const operations = contract.operations();
const byTemplate = new Map();
for (const op of operations) {
  if (!byTemplate.has(op.template)) byTemplate.set(op.template, new Map());
  byTemplate.get(op.template).set(op.method, op);
}
const matcher = new PathMatcher([...byTemplate.keys()]);
const problemPointer = pointerOf(['components', 'schemas', 'Problem']);
const hasProblemSchema = contract.at(contract.rootUrl, problemPointer) !== undefined;

function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
function isJson(type) {
  return type === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]*\+json$/.test(type);
}
function findMedia(content, type) {
  const entries = Object.entries(content ?? {});
  const exact = entries.find(([k]) => mediaType(k) === type);
  if (exact) return exact;
  const [major] = type.split('/');
  return entries.find(([k]) => mediaType(k) === `${major}/*`) ?? entries.find(([k]) => mediaType(k) === '*/*');
}
function findResponse(responses, status) {
  const code = String(status);
  if (responses?.[code]) return code;
  const range = `${code[0]}XX`;
  const key = Object.keys(responses ?? {}).find((k) => k.toUpperCase() === range);
  if (key) return key;
  return responses?.default ? 'default' : undefined;
}
function ajvErrors(validate) {
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('; ');
}
function coerceHeader(value, schema) {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return value;
}

const counts = new Map(); // "METHOD template" -> Map(status -> n)
const mismatches = [];
let total = 0;

function count(label, status) {
  if (!counts.has(label)) counts.set(label, new Map());
  const m = counts.get(label);
  m.set(status, (m.get(status) ?? 0) + 1);
}

function checkJsonBody(body, url, pointer, problems) {
  let value;
  try {
    value = JSON.parse(body);
  } catch (e) {
    problems.push(`body is not valid JSON (${e.message})`);
    return;
  }
  if (pointer === undefined) return;
  const validate = validatorAt(url, pointer);
  if (!validate(value)) problems.push(`body does not match the schema: ${ajvErrors(validate)}`);
}

function checkLine(entry) {
  const problems = [];
  const method = String(entry.method ?? '').toUpperCase();
  const status = Number(entry.status);
  const body = entry.body ?? '';
  const type = mediaType(entry.content_type);
  if (!method || typeof entry.path !== 'string' || !Number.isInteger(status)) {
    return { label: '(malformed log line)', problems: ['needs method, path and an integer status'] };
  }
  const template = matcher.match(entry.path);
  // HEAD is implied by GET (the contract's description): its status and headers are GET's.
  const op =
    template &&
    (byTemplate.get(template).get(method) ?? (method === 'HEAD' ? byTemplate.get(template).get('GET') : undefined));
  if (!op && method === 'OPTIONS' && status === 204 && template) {
    // A CORS preflight the server answers for every documented path (docs/api.md, CORS). It is
    // transport, like 405: OpenAPI has no per-path place for it, so only its shape is checked.
    if (body !== '') problems.push('a CORS preflight response must have an empty body');
    return { label: `(CORS preflight) ${template}`, problems };
  }
  if (!op) {
    // Unknown route or method: nothing the contract can document per path.
    const label = template ? `(method not allowed) ${method} ${template}` : '(no route)';
    if (status < 400 || status > 499) problems.push(`status ${status} for an undocumented operation`);
    if (type !== 'application/problem+json') problems.push(`content type '${type}' is not application/problem+json`);
    else if (!hasProblemSchema) problems.push('the contract has no #/components/schemas/Problem');
    else if (method === 'HEAD') {
      if (body !== '') problems.push('a HEAD response must have an empty body');
    } else checkJsonBody(body, contract.rootUrl, problemPointer, problems);
    return { label, problems };
  }
  const label = `${method} ${template}${op.operation.operationId ? ` (${op.operation.operationId}${op.method === method ? '' : `, as ${op.method}`})` : ''}`;
  const responsesPointer = op.pointer + pointerOf(['responses']);
  const key = findResponse(op.operation.responses, status);
  if (!key) {
    problems.push(`status ${status} is not documented`);
    return { label, problems };
  }
  const resp = contract.resolve(op.operation.responses[key], op.url, responsesPointer + pointerOf([key]));
  if (status === 204 || status === 304 || method === 'HEAD') {
    if (body !== '') problems.push(`a ${method === 'HEAD' ? 'HEAD' : status} response must have an empty body`);
  } else if (!resp.node?.content || Object.keys(resp.node.content).length === 0) {
    if (body !== '') problems.push(`response ${key} declares no content but the body has ${Buffer.byteLength(body)} bytes`);
  } else {
    const found = findMedia(resp.node.content, type);
    if (!found) {
      problems.push(`content type '${type}' is not declared for ${key} (declared: ${Object.keys(resp.node.content).join(', ')})`);
    } else if (isJson(type)) {
      const [mediaKey, media] = found;
      const schemaPointer = media.schema === undefined ? undefined : resp.pointer + pointerOf(['content', mediaKey, 'schema']);
      checkJsonBody(body, resp.url, schemaPointer, problems);
    } else if (found[1]?.['x-line-schema'] !== undefined) {
      // NDJSON: every line is a JSON document valid against the media type's x-line-schema.
      const linePointer = resp.pointer + pointerOf(['content', found[0], 'x-line-schema']);
      if (body !== '' && !body.endsWith('\n')) problems.push('the last line does not end in a line feed');
      body.split('\n').slice(0, -1).forEach((line, n) => {
        const before = problems.length;
        checkJsonBody(line, resp.url, linePointer, problems);
        for (let i = before; i < problems.length; i++) problems[i] = `line ${n + 1}: ${problems[i]}`;
      });
    }
  }
  if (entry.headers && typeof entry.headers === 'object') {
    const got = Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    for (const [name, h] of Object.entries(resp.node?.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') continue;
      const header = contract.resolve(h, resp.url, resp.pointer + pointerOf(['headers', name]));
      const value = got[name.toLowerCase()];
      if (value === undefined) {
        if (header.node?.required && status !== 304) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (header.node?.schema !== undefined) {
        const validate = validatorAt(header.url, header.pointer + pointerOf(['schema']));
        if (!validate(coerceHeader(value, header.node.schema))) {
          problems.push(`header ${name}: ${JSON.stringify(value)} does not match: ${ajvErrors(validate)}`);
        }
      }
    }
  }
  return { label, problems };
}

if (!fs.existsSync(logFile)) {
  console.error(`contract: no response log at ${logFile}`);
  process.exit(1);
}
const lines = fs.readFileSync(logFile, 'utf8').split('\n');
lines.forEach((line, i) => {
  if (line.trim() === '') return;
  total++;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch (e) {
    mismatches.push(`line ${i + 1}: not JSON (${e.message})`);
    return;
  }
  let result;
  try {
    result = checkLine(entry);
  } catch (e) {
    result = { label: '(error)', problems: [`validator error: ${e.message}`] };
  }
  count(result.label, entry.status);
  for (const p of result.problems) {
    const where = `${entry.method} ${entry.path} -> ${entry.status}${entry.test ? ` [${entry.test}]` : ''}`;
    mismatches.push(`line ${i + 1}: ${where}: ${p}`);
  }
});

console.log('responses validated per operation:');
for (const label of [...counts.keys()].sort()) {
  const m = counts.get(label);
  const n = [...m.values()].reduce((a, b) => a + b, 0);
  const statuses = [...m.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}×${c}`).join(' ');
  console.log(`  ${String(n).padStart(5)}  ${label}  [${statuses}]`);
}
const exercised = new Set([...counts.keys()].map((l) => l.replace(/ \(.*\)$/, '')));
const untested = operations.map((o) => `${o.method} ${o.template}`).filter((l) => !exercised.has(l));
if (untested.length) console.log(`operations with no logged response (${untested.length}): ${untested.join(', ')}`);

if (total === 0) {
  console.error('contract: the response log is empty: the HTTP tests logged nothing');
  process.exit(1);
}
if (mismatches.length) {
  console.error(`contract: ${mismatches.length} mismatch(es) in ${total} responses:`);
  for (const m of mismatches.slice(0, MAX_LISTED)) console.error(`  ${m}`);
  if (mismatches.length > MAX_LISTED) console.error(`  ... and ${mismatches.length - MAX_LISTED} more`);
  process.exit(1);
}
console.log(`contract: ${total} responses validated against ${contractFile}, 0 mismatches`);
