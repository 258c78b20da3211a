// The SQL convention (docs/internals/ERRORS.md, issue 16): every refusal
// carries code, message and, when it is about one member of the request,
// details.field — a table rule broken, a member missing, unknown or of the
// wrong type, an identity number taken — decoded in one place in C
// (api_reply_sql); a raised answer undoes what the function wrote; no C
// reads a constraint name and the web app reads details.field, never a
// constraint name or a message's text.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin } from './lib/accounts.mjs';
import { programme, cohort, createCohort, cohortBody, uniqueSlug, dateIn, instantIn } from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

function refused(r, status, code, field, what) {
  assert.equal(r.status, status, `${what}: ${show(r)}`);
  assert.equal(r.json.error.code, code, `${what}: ${show(r)}`);
  assert.equal(typeof r.json.error.message, 'string', what);
  assert.equal(r.json.error.details?.field, field, `${what}: ${show(r)}`);
}

test('a broken table rule names the member it is about (details.field), the rule in details.constraint', async () => {
  const c = await cohort(base, admin);
  const put = (json) => call(base, 'PUT', `/api/v1/cohorts/${c.id}`, { token: admin.token, json });
  const window = await put({ registration_opens_at: instantIn(86400), registration_closes_at: instantIn(3600) });
  refused(window, 422, 'invalid_field', 'registration_closes_at', 'a window closing before it opens');
  assert.equal(window.json.error.details.constraint, 'cohorts_window_check');
  refused(await put({ starts_on: dateIn(40), ends_on: dateIn(30) }), 422, 'invalid_field', 'ends_on', 'dates backwards');
  refused(await put({ jp: 5000 }), 422, 'invalid_field', 'jp', 'too many JP');
  refused(await put({ offer_ttl_s: 30 }), 422, 'invalid_field', 'offer_ttl_s', 'a short offer');
  const p = await programme(base, admin);
  refused(await call(base, 'PUT', `/api/v1/programmes/${p.slug}`, { token: admin.token, json: { description: 'x'.repeat(10001) } }),
    422, 'invalid_field', 'description', 'a long description');
  refused(await call(base, 'POST', '/api/v1/programmes', { token: admin.token, json: { slug: 'Bukan Slug', title: 'x' } }),
    422, 'invalid_field', 'slug', 'a slug with capitals and blanks');
  refused(await call(base, 'POST', '/api/v1/programmes', { token: admin.token, json: { slug: p.slug, title: 'x' } }),
    409, 'slug_taken', 'slug', 'a slug in use');
});

test('a body of the wrong shape names the member: missing, unknown, of the wrong type', async () => {
  const p = await programme(base, admin);
  const put = (json) => call(base, 'PUT', `/api/v1/programmes/${p.slug}`, { token: admin.token, json });
  refused(await put({ title: 5 }), 422, 'invalid_field', 'title', 'a number for a title');
  refused(await put({ title: 'x', description: true }), 422, 'invalid_field', 'description', 'a boolean for a description');
  refused(await put({ slug: 'lain' }), 422, 'unknown_field', 'slug', 'a member it does not take');
  refused(await call(base, 'POST', '/api/v1/programmes', { token: admin.token, json: { slug: uniqueSlug() } }),
    422, 'invalid_field', 'title', 'no title');
});

test('a raised answer undoes what the function wrote: a cohort on a version that does not exist', async () => {
  const p = await programme(base, admin);
  const count = () => sql(server, `select count(*) from cohorts c join programmes p on p.id = c.programme_id where p.slug = ${lit(p.slug)}`);
  const r = await createCohort(base, admin.token, p.slug, cohortBody({ content_version: 99 }));
  refused(r, 422, 'invalid_version', 'content_version', 'version 99');
  assert.equal(await count(), '0', 'no cohort was made');
  const wrongDate = await createCohort(base, admin.token, p.slug, cohortBody({ starts_on: dateIn(40), ends_on: dateIn(30) }));
  refused(wrongDate, 422, 'invalid_field', 'ends_on', 'dates backwards at creation');
  assert.equal(await count(), '0', 'nothing half-made');
});

// Every file below dir whose name ends with ext.
function files(dir, ext) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

test('one reader: no C reads a constraint name or writes the {status, body} columns; the web reads no constraint', () => {
  const root = process.env.SINAU_SOURCE_DIR;
  assert.ok(root, 'SINAU_SOURCE_DIR is set by the harness');
  const c = files(join(root, 'server'), '.c').filter((f) => /PG_DIAG_CONSTRAINT_NAME|r->>'status'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(c, [], 'C files that decode constraint names or the answer columns themselves');
  const web = files(join(root, 'web', 'app'), '.js').filter((f) => /details\.constraint|_check\b|err(or)?\.message\b.*(replace|exec|match)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(web, [], 'web modules that read a constraint name or parse a message');
});
