#!/usr/bin/env node
// Compares the server's routes with the contract's operations, both ways.
//
//   build/kkr routes | node check-routes.mjs openapi.yaml
//
// stdin: one JSON object per line, {"method":"GET","path":"/v1/kommuner/{code}","access":"public"}, with
// OpenAPI-style {param} templates (Pistache-style :param is accepted too). Paths are compared
// with parameter names ignored, then the names are compared as well. Exits 1 listing every
// route the contract lacks, every operation the server lacks, and every parameter-name mismatch.
//
// HEAD is implied by GET (RFC 9110 §9.3.2; the contract's description says so): a served HEAD
// route is documented by the contract's GET on the same path, and the server must serve HEAD
// wherever the contract has a GET. A HEAD operation written in the contract is compared as such.
//
// Each route's "access" must be what the operation's security says: no requirement → "open";
// anonymous or a key (`{}` beside bearerAuth) → "public"; a key only → its `x-required-role`
// ("editor" or "admin"), which such an operation must name.
import fs from 'node:fs';
import { Contract, templateShape } from './contract.mjs';

const [contractFile] = process.argv.slice(2);
if (!contractFile) {
  console.error('usage: kkr routes | node check-routes.mjs openapi.yaml');
  process.exit(2);
}

const contract = new Contract(contractFile);
const problems = [];

/** The access an operation documents: open, public, editor or admin (see above). */
function documentedAccess(op) {
  const security = op.operation.security ?? contract.root.security ?? [];
  if (security.length === 0) return 'open';
  if (security.some((requirement) => Object.keys(requirement).length === 0)) return 'public';
  const role = op.operation['x-required-role'];
  if (role !== 'editor' && role !== 'admin') {
    problems.push(`${op.method} ${op.template} needs a key but names no x-required-role (editor or admin)`);
  }
  return role;
}

const documented = new Map(); // "METHOD shape" -> {template, access}
for (const op of contract.operations()) {
  documented.set(`${op.method} ${templateShape(op.template)}`, { template: op.template, access: documentedAccess(op) });
}
let implied = 0;
for (const op of contract.operations()) {
  const head = `HEAD ${templateShape(op.template)}`;
  if (op.method === 'GET' && !documented.has(head)) {
    documented.set(head, documented.get(`GET ${templateShape(op.template)}`));
    implied++;
  }
}

const served = new Map(); // "METHOD shape" -> {template, access}
const input = fs.readFileSync(0, 'utf8');
input.split('\n').forEach((line, i) => {
  if (line.trim() === '') return;
  let route;
  try {
    route = JSON.parse(line);
  } catch (e) {
    problems.push(`line ${i + 1}: not JSON: ${line}`);
    return;
  }
  if (typeof route.method !== 'string' || typeof route.path !== 'string' || typeof route.access !== 'string') {
    problems.push(`line ${i + 1}: needs "method", "path" and "access": ${line}`);
    return;
  }
  const template = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
  served.set(`${route.method.toUpperCase()} ${templateShape(template)}`, { template, access: route.access });
});

if (served.size === 0) problems.push('the server listed no routes');
const undocumented = [...served.keys()].filter((k) => !documented.has(k)).sort();
const missing = [...documented.keys()].filter((k) => !served.has(k)).sort();
for (const k of undocumented) problems.push(`served but not in the contract: ${k.split(' ')[0]} ${served.get(k).template}`);
for (const k of missing) problems.push(`in the contract but not served: ${k.split(' ')[0]} ${documented.get(k).template}`);
for (const [k, route] of served) {
  const doc = documented.get(k);
  if (!doc) continue;
  if (doc.template !== route.template) {
    problems.push(`parameter names differ: server ${route.template}, contract ${doc.template}`);
  }
  if (doc.access !== route.access) {
    problems.push(`access differs for ${k.split(' ')[0]} ${route.template}: server ${route.access}, contract ${doc.access}`);
  }
}

if (problems.length) {
  console.error(`routes: ${problems.length} difference(s) between the server and ${contractFile}:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `routes: the server's ${served.size} routes and the contract's ${documented.size} operations ` +
    `(${implied} of them HEAD, implied by GET) match, with their access`,
);
