// The OpenAPI document (GET /api/openapi.json, issue 16): an outside
// validator (@apidevtools/swagger-parser) accepts it as OpenAPI 3.1, every
// operation declares its success bodies and, where it takes one, its request
// body, and the schemas are true rather than loose: an object lists its
// members and says whether others may come, and a schema with no type is
// marked free-form on purpose ($comment "free-form: …", e.g. a credential's
// JSON-LD). That every route of the route tables has an entry is checked at
// the source by tests/unit/test_openapi.c; that every response of every API
// test matches is checked by lib/openapi_check.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startServer, request } from './lib/harness.mjs';
import { checkResponse } from './lib/openapi_check.mjs';

let srv;
let doc;

before(async () => {
  srv = await startServer({ env: { SINAU_DEBUG_ROUTES: '1' } });
  const res = await request(`${srv.url}/api/openapi.json`);
  assert.equal(res.status, 200);
  doc = res.json;
});

after(async () => {
  await srv?.stop();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

test('the document passes @apidevtools/swagger-parser as OpenAPI 3.1', async () => {
  assert.equal(doc.openapi, '3.1.0');
  // validate() dereferences in place: give it a copy
  const api = await SwaggerParser.validate(structuredClone(doc));
  assert.equal(api.info.title, 'Sinau API');
});

test('the document refuses to validate when it is broken (the validator is not a no-op)', async () => {
  const broken = structuredClone(doc);
  broken.paths['/healthz'].get.responses = { 200: { content: {} } }; // no description
  await assert.rejects(SwaggerParser.validate(broken));
  const dangling = structuredClone(doc);
  dangling.paths['/healthz'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
  await assert.rejects(SwaggerParser.validate(dangling));
});

test('every operation declares a success response, and every JSON body has a schema', () => {
  const ops = operations();
  assert.ok(ops.length >= 140, `only ${ops.length} operations`);
  for (const { path, method, op } of ops) {
    const ok = Object.keys(op.responses).filter((s) => /^[23]/.test(s));
    assert.ok(ok.length > 0, `${method} ${path}: no success response`);
    assert.deepEqual(op.responses.default, { $ref: '#/components/responses/Error' }, `${method} ${path}: errors`);
    const bodies = [...ok.map((s) => op.responses[s]), ...(op.requestBody ? [op.requestBody] : [])];
    for (const b of bodies) {
      for (const [media, m] of Object.entries(b.content ?? {})) {
        if (/json$/.test(media)) assert.ok(m.schema, `${method} ${path} ${media}: no schema`);
      }
    }
  }
});

test('POST, PUT and PATCH operations that read a body declare it', () => {
  const withBody = operations().filter(({ op }) => op.requestBody);
  assert.ok(withBody.length >= 50, `only ${withBody.length} request bodies`);
  for (const { path, method, op } of withBody) {
    assert.ok(['post', 'put', 'patch'].includes(method), `${method} ${path} has a request body`);
    assert.ok(Object.keys(op.requestBody.content).length > 0, `${method} ${path}: empty request content`);
  }
});

// Walks a schema; calls visit(schema, where) on each subschema.
function walk(s, where, visit) {
  if (s === null || typeof s !== 'object') return;
  visit(s, where);
  for (const k of ['items', 'not', 'additionalProperties']) if (typeof s[k] === 'object') walk(s[k], `${where}/${k}`, visit);
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) (s[k] ?? []).forEach((x, i) => walk(x, `${where}/${k}/${i}`, visit));
  for (const [name, p] of Object.entries(s.properties ?? {})) walk(p, `${where}.${name}`, visit);
}

const CONSTRAINING = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'const', 'enum', 'not'];

test('schemas are true, not loose: typed, objects closed, free-form only on purpose', () => {
  const problems = [];
  const visit = (s, where) => {
    const freeForm = typeof s.$comment === 'string' && s.$comment.startsWith('free-form');
    if (!freeForm && !CONSTRAINING.some((k) => k in s)) problems.push(`${where}: no type`);
    const isObject = s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object'));
    if (isObject && !freeForm && !('additionalProperties' in s)) problems.push(`${where}: object without additionalProperties`);
  };
  for (const [name, s] of Object.entries(doc.components.schemas)) walk(s, `#/components/schemas/${name}`, visit);
  for (const { path, method, op } of operations()) {
    for (const [status, r] of Object.entries(op.responses)) {
      for (const [media, m] of Object.entries(r.content ?? {})) if (m.schema) walk(m.schema, `${method} ${path} ${status} ${media}`, visit);
    }
    for (const [media, m] of Object.entries(op.requestBody?.content ?? {})) if (m.schema) walk(m.schema, `${method} ${path} request ${media}`, visit);
  }
  assert.deepEqual(problems, []);
});

test('errors share one schema: {error: {code, message, details?}}', async () => {
  const e = doc.components.schemas.Error;
  assert.deepEqual(e.required, ['error']);
  assert.deepEqual(e.properties.error.required, ['code', 'message']);
  assert.deepEqual(Object.keys(e.properties.error.properties).sort(), ['code', 'details', 'message']);
  // a miss is checked against it by the request hook (lib/openapi_check.mjs)
  const res = await request(`${srv.url}/api/v1/no-such-thing`);
  assert.equal(res.status, 404);
  assert.equal(typeof res.json.error.code, 'string');
});

test('the request hook fails a response that does not match the document', async () => {
  const url = `${srv.url}/healthz`;
  const ok = '{"status":"ok"}';
  await checkResponse(url, 'GET', 200, 'application/json', JSON.parse(ok), ok);
  const wrong = '{"status":"fine","extra":1}';
  await assert.rejects(checkResponse(url, 'GET', 200, 'application/json', JSON.parse(wrong), wrong), /does not match the OpenAPI document/);
  // a status the route does not declare, a media type it does not declare
  await assert.rejects(checkResponse(url, 'GET', 201, 'application/json', JSON.parse(ok), ok), /no response 201 declared/);
  await assert.rejects(checkResponse(url, 'GET', 200, 'text/plain', undefined, 'ok'), /declares no text\/plain body/);
  // an error body that is not the shared Error
  const bad = '{"message":"no"}';
  await assert.rejects(checkResponse(`${srv.url}/api/v1/me`, 'GET', 401, 'application/json', JSON.parse(bad), bad), /does not match/);
});
