// Loading openapi.yaml (with any files it $refs) and matching request paths to its operations.
// Shared by validate-responses.mjs and check-routes.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function parseFile(url) {
  const text = fs.readFileSync(new URL(url), 'utf8');
  try {
    return YAML.parse(text, { maxAliasCount: -1 });
  } catch (e) {
    throw new Error(`${url}: ${e.message}`);
  }
}

function collectRefs(node, out) {
  if (Array.isArray(node)) {
    for (const v of node) collectRefs(v, out);
  } else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') out.push(node.$ref);
    for (const v of Object.values(node)) collectRefs(v, out);
  }
}

export function escapePointerSegment(s) {
  return String(s).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointerOf(segments) {
  return segments.map((s) => '/' + escapePointerSegment(s)).join('');
}

/**
 * A contract: the root document plus every document it references, keyed by absolute file URL.
 * `resolve` follows $ref chains of OpenAPI objects (responses, path items, parameters, headers)
 * and returns the node together with where it lives, so schemas can be compiled by reference.
 */
export class Contract {
  constructor(file) {
    this.rootUrl = pathToFileURL(path.resolve(file)).href;
    this.docs = new Map();
    const pending = [this.rootUrl];
    while (pending.length) {
      const url = pending.pop();
      if (this.docs.has(url)) continue;
      const doc = parseFile(url);
      this.docs.set(url, doc);
      const refs = [];
      collectRefs(doc, refs);
      for (const ref of refs) {
        const [target] = ref.split('#');
        if (target) pending.push(new URL(target, url).href);
      }
    }
    this.root = this.docs.get(this.rootUrl);
    if (!this.root || typeof this.root !== 'object' || !this.root.openapi) {
      throw new Error(`${file}: not an OpenAPI document`);
    }
  }

  /** Follows `$ref`s from a node located at (url, pointer); returns {node, url, pointer}. */
  resolve(node, url, pointer) {
    for (let depth = 0; node && typeof node === 'object' && typeof node.$ref === 'string'; depth++) {
      if (depth > 32) throw new Error(`$ref loop at ${url}#${pointer}`);
      const [target, fragment = ''] = node.$ref.split('#');
      url = target ? new URL(target, url).href : url;
      pointer = decodeURIComponent(fragment);
      node = this.at(url, pointer);
      if (node === undefined) throw new Error(`unresolvable $ref ${url}#${pointer}`);
    }
    return { node, url, pointer };
  }

  /** The node at a JSON pointer in one of the documents. */
  at(url, pointer) {
    let node = this.docs.get(url);
    if (!pointer) return node;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
      node = node[key];
    }
    return node;
  }

  /** Every operation: {method (upper case), template, operation, url, pointer}. */
  operations() {
    const out = [];
    for (const [template, item] of Object.entries(this.root.paths ?? {})) {
      const where = this.resolve(item, this.rootUrl, pointerOf(['paths', template]));
      for (const method of HTTP_METHODS) {
        if (!where.node?.[method]) continue;
        out.push({
          method: method.toUpperCase(),
          template,
          operation: where.node[method],
          url: where.url,
          pointer: where.pointer + pointerOf([method]),
        });
      }
    }
    return out;
  }
}

/** A path template such as /v1/kommuner/{code} normalised for comparing: /v1/kommuner/{}. */
export function templateShape(template) {
  return template.replace(/\{[^}/]*\}/g, '{}');
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches concrete request paths against the contract's path templates. Literal segments beat
 * parameters (so /v1/blue-book/csv would beat /v1/blue-book/{id}); segments are compared
 * percent-decoded; a trailing slash is kept, because the server matches none (it answers 404).
 */
export class PathMatcher {
  constructor(templates) {
    this.entries = templates.map((template) => ({
      template,
      segments: template.split('/').slice(1).map((seg) => {
        if (!seg.includes('{')) return { kind: 2, literal: seg };
        const regex = new RegExp(
          '^' + seg.split(/(\{[^}]*\})/).map((p) => (p.startsWith('{') ? '(.+)' : escapeRegExp(p))).join('') + '$',
          'u',
        );
        return { kind: seg.match(/^\{[^}]*\}$/) ? 0 : 1, regex };
      }),
    }));
  }

  static splitPath(rawPath) {
    const p = rawPath.split(/[?#]/)[0];
    return p.split('/').slice(1).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  }

  /** The best matching template for a request path, or undefined. */
  match(rawPath) {
    const segs = PathMatcher.splitPath(rawPath);
    let best;
    for (const e of this.entries) {
      if (e.segments.length !== segs.length) continue;
      const score = [];
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const s = e.segments[i];
        ok = s.kind === 2 ? s.literal === segs[i] : segs[i] !== '' && s.regex.test(segs[i]);
        score.push(s.kind);
      }
      if (!ok) continue;
      if (!best || compareScores(score, best.score) > 0) best = { template: e.template, score };
    }
    return best?.template;
  }
}

function compareScores(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}
