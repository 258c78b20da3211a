// Every JSON response an API test receives is checked against the OpenAPI
// document of the server that sent it (issue 16: "the API tests validate
// every JSON response they receive against it, so the description cannot
// drift"). harness.mjs request() and probe.mjs timedRequest() — the helpers
// every test sends through — call checkResponse() after a whole response.
//
// The document is fetched once per server (origin) from
// /api/openapi.json and compiled lazily with ajv (JSON Schema 2020-12,
// which OpenAPI 3.1 uses). A path that matches no route (a miss, a static
// file) must still answer JSON errors in the shared Error schema. A body
// that does not match throws an Error naming the route, status and ajv's
// complaints, which fails the test that sent it.
//
// SINAU_OPENAPI_RECORD=<file> appends {method, pattern, status, request,
// response} lines instead of validating (how the schemas were first drafted).
import fs from 'node:fs';
import http from 'node:http';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const RECORD = process.env.SINAU_OPENAPI_RECORD || '';
const DOC_PATH = '/api/openapi.json';

const docs = new Map(); // origin -> Promise<checker>
let lastGood = null; // the last checker built (same binary), for a server gone since

// GET the document with node:http (not through the hooked helpers).
function fetchDoc(origin) {
  return new Promise((resolve, reject) => {
    const u = new URL(DOC_PATH, origin);
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, agent: false, timeout: 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${origin}${DOC_PATH}: ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// A matcher for one path template: literal segments win over {params}, as
// the server's router has it (router.h).
function compileTemplate(template) {
  const segs = template.split('/').slice(1);
  return { template, segs, literals: segs.filter((s) => !s.startsWith('{')).length };
}

function matches(t, parts) {
  if (t.segs.length !== parts.length) return false;
  return t.segs.every((s, i) => s.startsWith('{') || s === parts[i]);
}

// Better of two matching templates: the one whose first differing segment
// is a literal.
function better(a, b) {
  for (let i = 0; i < a.segs.length; i++) {
    const la = !a.segs[i].startsWith('{');
    const lb = !b.segs[i].startsWith('{');
    if (la !== lb) return la ? a : b;
  }
  return a;
}

function buildChecker(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'sinau:components', components: doc.components ?? {} });
  const templates = Object.keys(doc.paths ?? {}).map(compileTemplate);
  const compiled = new Map();
  const compile = (key, schema) => {
    if (!compiled.has(key)) {
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"sinau:components#/components/');
      compiled.set(key, ajv.compile(JSON.parse(text)));
    }
    return compiled.get(key);
  };
  return {
    doc,
    route(method, pathname) {
      const parts = pathname.split('/').slice(1);
      let best = null;
      for (const t of templates) {
        if (!matches(t, parts)) continue;
        const op = doc.paths[t.template][method === 'head' ? 'get' : method];
        if (op === undefined) continue;
        best = best === null ? t : better(best, t);
      }
      return best && { pattern: best.template, op: doc.paths[best.template][method === 'head' ? 'get' : method] };
    },
    // The validator of a response's body for its media type (without
    // parameters), or {missing: why} when the document declares none.
    validator(method, pathname, status, media) {
      const r = this.route(method, pathname);
      if (r === null && status < 300) return { pattern: null, validate: null }; // a static file
      if (r === null) return { pattern: null, validate: compile('error', { $ref: '#/components/schemas/Error' }) };
      // a success must be declared by its status; errors may fall to default
      const resp = r.op.responses?.[String(status)] ?? (status >= 400 ? r.op.responses?.default : undefined);
      if (resp === undefined) return { pattern: r.pattern, missing: `no response ${status} declared` };
      const target = resp.$ref ? resolveRef(doc, resp.$ref) : resp;
      const content = target.content ?? {};
      const declared = content[media] ?? content[`${media.split('/')[0]}/*`] ?? content['*/*'];
      if (declared === undefined) return { pattern: r.pattern, missing: `response ${status} declares no ${media} body` };
      if (declared.schema === undefined) return { pattern: r.pattern, validate: null };
      return { pattern: r.pattern, validate: compile(`${method} ${r.pattern} ${status} ${media}`, declared.schema) };
    },
  };
}

function resolveRef(doc, ref) {
  return ref
    .slice(2)
    .split('/')
    .reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
}

function checkerFor(origin) {
  if (!docs.has(origin)) {
    const p = fetchDoc(origin).then(
      (doc) => (lastGood = buildChecker(doc)),
      (e) => {
        docs.delete(origin);
        if (lastGood !== null) return lastGood;
        throw new Error(`the OpenAPI document of ${origin} could not be read: ${e.message}`);
      },
    );
    docs.set(origin, p);
  }
  return docs.get(origin);
}

// Forgets the document of an origin (a new server may listen on its port).
export function forgetServer(origin) {
  docs.delete(new URL(origin).origin);
}

function mediaOf(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(media) {
  return /^application\/([a-z.+-]*\+)?json$/.test(media);
}

// Checks one whole response. url: what was requested; method: its method;
// contentType: the response's Content-Type; json: the parsed body (undefined
// when it was not JSON); text: the body; requestBody: the JSON text sent, if
// any (recorded only). A JSON body must match the schema the document
// declares for its route, status and media type; any other body of a
// route's success must have its media type declared. Throws when not.
export async function checkResponse(url, method, status, contentType, json, text, requestBody) {
  const media = mediaOf(contentType);
  if (status === 0) return;
  const u = new URL(url);
  if (u.pathname === DOC_PATH) return;
  if (RECORD && (media === '' || !isJson(media))) {
    const checker = await checkerFor(u.origin);
    const r = checker.route(method.toLowerCase(), u.pathname);
    fs.appendFileSync(RECORD + '.other', JSON.stringify({ method, pattern: r?.pattern ?? null, status, media }) + '\n');
    return;
  }
  const m = method.toLowerCase();
  let checker = await checkerFor(u.origin);
  if (status < 400 && m !== 'head') {
    const r = checker.route(m, u.pathname);
    if (r !== null && r.op.responses?.[String(status)] === undefined) {
      throw new Error(`${method} ${r.pattern} → ${status}: no response ${status} declared in the OpenAPI document`);
    }
  }
  if (media === '' || (!text && !isJson(media))) return;
  let v = checker.validator(m, u.pathname, status, media);
  if (v.pattern === null && status !== 404 && status !== 405) {
    // a route of a newer server on a reused port: read its document again
    docs.delete(u.origin);
    checker = await checkerFor(u.origin);
    v = checker.validator(m, u.pathname, status, media);
  }
  if (!isJson(media)) {
    if (v.pattern !== null && status < 300 && v.missing && !RECORD) {
      throw new Error(`${method} ${v.pattern} → ${status}: ${v.missing} in the OpenAPI document`);
    }
    return;
  }
  if (json === undefined && text) {
    throw new Error(`${method} ${u.pathname} → ${status}: Content-Type ${contentType} but the body is not JSON`);
  }
  if (RECORD) {
    let req;
    try {
      req = requestBody === undefined ? undefined : JSON.parse(requestBody);
    } catch {
      req = undefined;
    }
    fs.appendFileSync(RECORD, JSON.stringify({ method, pattern: v.pattern, status, media, request: req, response: json }) + '\n');
    return;
  }
  if (json === undefined) return; // HEAD, or an empty body
  if (v.missing) throw new Error(`${method} ${v.pattern} → ${status}: ${v.missing} in the OpenAPI document; body: ${text.slice(0, 300)}`);
  if (v.validate !== null && !v.validate(json)) {
    const errs = v.validate.errors.slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
    throw new Error(`${method} ${u.pathname} (${v.pattern ?? 'no route'}) → ${status}: the body does not match the OpenAPI document:\n  ${errs.join('\n  ')}\nbody: ${text.slice(0, 600)}`);
  }
}
