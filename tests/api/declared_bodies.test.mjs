// The request schemas the routes declare (server/api/schemas/*.json) are
// what a thin route enforces (issue 16): a body that does not match is
// refused 422 like http_unpack refuses, unknown_field for an undeclared
// member and invalid_field for a missing or mistyped one, with the member in
// details.field and the message naming it, never echoing its value; nothing
// is written, and a matching body is served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin } from './lib/accounts.mjs';

let server;
let admin;

before(async () => {
  server = await startServer();
  admin = await newAdmin(server);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0);
});

const post = (json) => call(server.url, 'POST', '/api/v1/programmes', { token: admin.token, json });
const count = (slug) => sql(server, `select count(*) from programmes where slug = ${lit(slug)}`).then(Number);

test('a body against its declared schema: the member named in details.field, never its value', async () => {
  const cases = [
    ['an undeclared member', { slug: 'dec-a', title: 'T', rahasia: 'nilai-rahasia' }, 'unknown_field', 'rahasia'],
    ['a required member missing', { slug: 'dec-b' }, 'invalid_field', 'title'],
    ['a number for a string', { slug: 'dec-c', title: 12345 }, 'invalid_field', 'title'],
    ['null for a string', { slug: 'dec-d', title: 'T', description: null }, 'invalid_field', 'description'],
    ['an object for a string', { slug: 'dec-e', title: { nilai: 'nilai-rahasia' } }, 'invalid_field', 'title'],
  ];
  const wrong = [];
  for (const [what, body, code, field] of cases) {
    const r = await post(body);
    if (r.status !== 422 || r.json?.error?.code !== code || r.json?.error?.details?.field !== field) {
      wrong.push(`${what}: expected 422 ${code} field=${field}, got ${show(r)}`);
      continue;
    }
    const message = r.json.error.message;
    if (!message.includes(field)) wrong.push(`${what}: message "${message}" does not name ${field}`);
    if (message.includes('nilai-rahasia') || message.includes('12345')) wrong.push(`${what}: message "${message}" echoes the value`);
    if ((await count(body.slug)) !== 0) wrong.push(`${what}: a programme was written`);
  }
  assert.deepEqual(wrong, []);
});

test('a body that matches its schema is served', async () => {
  const r = await post({ slug: 'dec-ok', title: 'Sesuai skema', description: 'boleh' });
  assert.equal(r.status, 201, show(r));
  assert.equal(await count('dec-ok'), 1);
});
