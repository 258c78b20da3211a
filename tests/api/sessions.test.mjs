// Sessions (issue 3; SECURITY.md cases 9 and 10): logout and expiry (idle
// and absolute) end a token, only a hash of it is stored, the cookie's
// attributes, CSRF and same-origin checks for cookie sessions, and disabling
// a user ends their sessions.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from './lib/harness.mjs';
import { call, show, me, putProfile, login, newParticipant, newAdmin, sessionCookie, sql, lit, PASSWORD } from './lib/accounts.mjs';

let server; // default session settings
let base;

before(async () => {
  server = await startServer();
  base = server.url;
});

function cookieAttrs(setCookie) {
  const [pair, ...attrs] = setCookie.split(';').map((s) => s.trim());
  const map = new Map();
  for (const a of attrs) {
    const i = a.indexOf('=');
    map.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? true : a.slice(i + 1));
  }
  return { pair, attrs: map };
}

function theSessionCookie(r) {
  const c = r.setCookies.filter((s) => s.startsWith('sinau_session='));
  assert.equal(c.length, 1, `one session cookie: ${JSON.stringify(r.setCookies)}`);
  return cookieAttrs(c[0]);
}

test('case 10: after logout the token is refused with 401, by bearer and by cookie', async () => {
  const p = await newParticipant(base);
  assert.equal((await me(base, p.token)).status, 200);
  assert.equal((await call(base, 'GET', '/api/v1/me', { cookie: p.cookie })).status, 200);

  const out = await call(base, 'POST', '/api/v1/auth/logout', { token: p.token });
  assert.equal(out.status, 204, show(out));
  const cleared = theSessionCookie(out);
  assert.equal(cleared.pair, 'sinau_session=', 'the cookie is emptied');
  assert.equal(cleared.attrs.get('max-age'), '0', 'and expired at once');
  assert.equal(cleared.attrs.get('path'), '/');

  for (const r of [await me(base, p.token), await call(base, 'GET', '/api/v1/me', { cookie: p.cookie })]) {
    assert.equal(r.status, 401, show(r));
    assert.equal(r.json.error.code, 'unauthenticated');
  }
  const put = await putProfile(base, p.token, { agency: 'After logout' });
  assert.equal(put.status, 401, show(put));
  assert.equal(await sql(server, `select count(*) from profiles where agency = 'After logout'`), '0');
  assert.equal(await sql(server, `select count(*) from sessions where user_id = ${lit(p.id)} and revoked_at is not null`), '1');
});

test('logout by cookie needs the CSRF token, then ends the session', async () => {
  const p = await newParticipant(base);
  const noCsrf = await call(base, 'POST', '/api/v1/auth/logout', { cookie: p.cookie });
  assert.equal(noCsrf.status, 403, show(noCsrf));
  assert.equal(noCsrf.json.error.code, 'csrf_failed');
  assert.equal((await me(base, p.token)).status, 200, 'a refused logout leaves the session alive');
  const ok = await call(base, 'POST', '/api/v1/auth/logout', { cookie: p.cookie, csrf: p.csrf });
  assert.equal(ok.status, 204, show(ok));
  assert.equal((await me(base, p.token)).status, 401);
});

// The two expiry tests mostly wait: they run side by side, each on its own server.
describe('case 10: expiry', { concurrency: true }, () => {
  test('case 10: a session idle past SINAU_SESSION_IDLE_S is refused with 401; one in use stays alive', async () => {
    const s = await startServer({ env: { SINAU_SESSION_IDLE_S: 2 } });
    const idle = await newParticipant(s.url);
    const busy = await newParticipant(s.url);
    assert.equal((await me(s.url, idle.token)).status, 200);
    const t0 = Date.now();
    // The busy session is used every 0.4 s for 3.2 s: longer than the idle
    // window, never idle for as long as it.
    while (Date.now() - t0 < 3200) {
      const r = await me(s.url, busy.token);
      assert.equal(r.status, 200, `a session in use expired after ${Date.now() - t0} ms: ${show(r)}`);
      await sleep(400);
    }
    const r = await me(s.url, idle.token);
    assert.equal(r.status, 401, `idle for ${Date.now() - t0} ms: ${show(r)}`);
    assert.equal(r.json.error.code, 'unauthenticated');
    assert.equal((await call(s.url, 'GET', '/api/v1/me', { cookie: idle.cookie })).status, 401, 'by cookie too');
    await s.stop();
  });

  test('case 10: a session past SINAU_SESSION_ABSOLUTE_S is refused with 401 even when in constant use', async () => {
    const s = await startServer({ env: { SINAU_SESSION_ABSOLUTE_S: 2, SINAU_SESSION_IDLE_S: 3600 } });
    const email = (await newParticipant(s.url)).email;
    const l = await login(s.url, email);
    const t0 = Date.now();
    assert.equal(l.status, 200, show(l));
    assert.equal(theSessionCookie(l).attrs.get('max-age'), '2', 'the cookie lives as long as the session');
    let endedAt = null;
    while (Date.now() - t0 < 6000) {
      const r = await me(s.url, l.json.token);
      if (r.status === 401) {
        endedAt = Date.now() - t0;
        break;
      }
      assert.equal(r.status, 200, show(r));
      await sleep(500);
    }
    assert.ok(endedAt !== null, 'the session was still alive 6 s after login with a 2 s absolute lifetime');
    assert.ok(endedAt >= 1500, `the session ended too early: ${endedAt} ms`);
    assert.ok(endedAt <= 3500, `the session ended late: ${endedAt} ms`);
    // And it stays dead; a new login gives a working session.
    assert.equal((await me(s.url, l.json.token)).status, 401);
    const again = await login(s.url, email);
    assert.equal((await me(s.url, again.json.token)).status, 200);
    await s.stop();
  });
});

test('only a BLAKE2b-256 hash of the token is stored, never the token or the cookie value', async () => {
  const p = await newParticipant(base);
  const rows = await sql(server, `select token_hash from sessions where user_id = ${lit(p.id)}`);
  assert.match(rows, /^[0-9a-f]{64}$/, 'one session row with a 64-hex hash');
  assert.notEqual(rows, p.token);
  const dump = await sql(server, 'select s::text from sessions s');
  assert.ok(!dump.includes(p.token), 'no session row contains the token');
  const b64hex = Buffer.from(p.token, 'base64url').toString('hex');
  assert.ok(!dump.includes(b64hex), 'nor its bytes in hex');
  // No table at all holds the token (audit log, users, profiles, …).
  const hits = await sql(
    server,
    `select count(*) from (select t::text as x from sessions t union all select t::text from users t
       union all select t::text from audit_log t union all select t::text from profiles t) a
      where position(${lit(p.token)} in x) > 0`,
  );
  assert.equal(hits, '0');
});

test('the cookie is HttpOnly, SameSite=Lax, Path=/ and not Secure on an http public URL', async () => {
  const l = await login(base, (await newParticipant(base)).email);
  assert.equal(l.status, 200, show(l));
  const c = theSessionCookie(l);
  assert.equal(c.pair, `sinau_session=${l.json.token}`);
  assert.equal(c.attrs.get('httponly'), true);
  assert.equal(String(c.attrs.get('samesite')).toLowerCase(), 'lax');
  assert.equal(c.attrs.get('path'), '/');
  assert.ok(!c.attrs.has('secure'), 'no Secure on http');
  assert.ok(!c.attrs.has('domain'), 'host-only');
  assert.equal(c.attrs.get('max-age'), String(7 * 24 * 3600), 'the default absolute lifetime');
});

test('the cookie is Secure when SINAU_PUBLIC_URL is https', async () => {
  const s = await startServer({ env: { SINAU_PUBLIC_URL: 'https://sinau.example' } });
  const p = await newParticipant(s.url);
  const l = await login(s.url, p.email);
  const c = theSessionCookie(l);
  assert.equal(c.attrs.get('secure'), true, `Set-Cookie: ${l.setCookies}`);
  assert.equal(c.attrs.get('httponly'), true);
  assert.equal(String(c.attrs.get('samesite')).toLowerCase(), 'lax');
  const out = await call(s.url, 'POST', '/api/v1/auth/logout', { token: p.token });
  assert.equal(theSessionCookie(out).attrs.get('secure'), true, 'the clearing cookie too');
  // The public URL's origin is accepted as a same origin for unsafe requests.
  const q = await newParticipant(s.url);
  const ok = await putProfile(s.url, undefined, { agency: 'Via public origin' }, { cookie: q.cookie, csrf: q.csrf, origin: 'https://sinau.example' });
  assert.equal(ok.status, 200, show(ok));
  const bad = await putProfile(s.url, q.token, { agency: 'X' }, { origin: 'http://sinau.example' });
  assert.equal(bad.status, 403, `http:// is another origin than https://: ${show(bad)}`);
  assert.equal(bad.json.error.code, 'bad_origin');
  await s.stop();
});

test('the session cookie is found among other cookies, and only under its exact name', async () => {
  const p = await newParticipant(base);
  for (const c of [`theme=dark; sinau_session=${p.token}`, `sinau_session=${p.token}; lang=id`, `a=1;sinau_session=${p.token}`]) {
    const r = await call(base, 'GET', '/api/v1/me', { headers: { cookie: c } });
    assert.equal(r.status, 200, `${c.replace(p.token, 'TOKEN')}: ${show(r)}`);
  }
  for (const c of [`xsinau_session=${p.token}`, `sinau_session=${p.token}x`, `sinau_session=${p.token.slice(1)}`, `SINAU_SESSION=${p.token}`]) {
    const r = await call(base, 'GET', '/api/v1/me', { headers: { cookie: c } });
    assert.equal(r.status, 401, `${c.replace(p.token, 'TOKEN')}: ${show(r)}`);
  }
});

test('GET /me by cookie returns the session\'s CSRF token; by bearer null', async () => {
  const p = await newParticipant(base);
  const byCookie = await call(base, 'GET', '/api/v1/me', { cookie: p.cookie });
  assert.equal(byCookie.status, 200, show(byCookie));
  assert.equal(byCookie.json.csrf_token, p.csrf);
  const byBearer = await me(base, p.token);
  assert.equal(byBearer.json.csrf_token, null);
});

test('case 9: a cookie-authenticated PUT without X-CSRF-Token is 403 csrf_failed and changes nothing', async () => {
  const p = await newParticipant(base);
  const first = await putProfile(base, p.token, { agency: 'Original' });
  assert.equal(first.status, 200, show(first));
  const attempts = [
    { what: 'no token', opts: {} },
    { what: 'an empty token', opts: { csrf: '' } },
    { what: 'a wrong token', opts: { csrf: 'A'.repeat(p.csrf.length) } },
    { what: 'the session token as CSRF token', opts: { csrf: p.token } },
  ];
  const other = await newParticipant(base);
  attempts.push({ what: "another session's CSRF token", opts: { csrf: other.csrf } });
  for (const a of attempts) {
    const r = await putProfile(base, undefined, { agency: 'Forged' }, { cookie: p.cookie, ...a.opts });
    assert.equal(r.status, 403, `${a.what}: ${show(r)}`);
    assert.equal(r.json.error.code, 'csrf_failed', a.what);
  }
  assert.equal((await me(base, p.token)).json.profile.agency, 'Original', 'nothing changed');

  const ok = await putProfile(base, undefined, { agency: 'By cookie' }, { cookie: p.cookie, csrf: p.csrf });
  assert.equal(ok.status, 200, show(ok));
  assert.equal(ok.json.agency, 'By cookie');
  // A same-origin browser request (Origin = http://<Host>) with the token passes.
  const same = await putProfile(base, undefined, { agency: 'Same origin' }, { cookie: p.cookie, csrf: p.csrf, origin: base });
  assert.equal(same.status, 200, show(same));
});

test('case 9: a foreign Origin is 403 bad_origin even with the right CSRF token, by cookie or bearer', async () => {
  const p = await newParticipant(base);
  await putProfile(base, p.token, { agency: 'Original' });
  const port = new URL(base).port;
  for (const origin of ['https://evil.example', `http://evil.example:${port}`, 'null', `http://localhost:${port}`, `http://127.0.0.1:${port}.evil.example`, 'http://127.0.0.1']) {
    const byCookie = await putProfile(base, undefined, { agency: 'Forged' }, { cookie: p.cookie, csrf: p.csrf, origin });
    assert.equal(byCookie.status, 403, `cookie, Origin ${origin}: ${show(byCookie)}`);
    assert.equal(byCookie.json.error.code, 'bad_origin', origin);
    const byBearer = await putProfile(base, p.token, { agency: 'Forged' }, { origin });
    assert.equal(byBearer.status, 403, `bearer, Origin ${origin}: ${show(byBearer)}`);
    assert.equal(byBearer.json.error.code, 'bad_origin', origin);
  }
  const logout = await call(base, 'POST', '/api/v1/auth/logout', { cookie: p.cookie, csrf: p.csrf, origin: 'https://evil.example' });
  assert.equal(logout.status, 403, show(logout));
  const signupX = await call(base, 'POST', '/api/v1/auth/signup', { json: { email: 'x@evil.example', password: PASSWORD, full_name: 'X' }, origin: 'https://evil.example' });
  assert.equal(signupX.status, 403, `signup from a foreign origin: ${show(signupX)}`);
  assert.equal((await me(base, p.token)).json.profile.agency, 'Original', 'nothing changed');
  // A GET with a foreign Origin is not a state change: it is answered.
  const get = await call(base, 'GET', '/api/v1/me', { token: p.token, origin: 'https://evil.example' });
  assert.equal(get.status, 200, show(get));
});

test('bearer requests need no CSRF token', async () => {
  const p = await newParticipant(base);
  const r = await putProfile(base, p.token, { agency: 'By bearer' });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.agency, 'By bearer');
  // A bearer token wins over a cookie: its request needs no CSRF token even with a cookie beside it.
  const both = await putProfile(base, p.token, { agency: 'Bearer and cookie' }, { cookie: p.cookie });
  assert.equal(both.status, 200, show(both));
});

test("disabling a user revokes their sessions: the token is 401 and login is 401; enabling again allows a new login", async () => {
  const admin = await newAdmin(server);
  const p = await newParticipant(base);
  const second = await login(base, p.email);
  assert.equal((await me(base, p.token)).status, 200);

  const dis = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'disabled' } });
  assert.equal(dis.status, 200, show(dis));
  assert.equal(dis.json.status, 'disabled');
  for (const t of [p.token, second.json.token]) {
    const r = await me(base, t);
    assert.equal(r.status, 401, show(r));
  }
  assert.equal((await call(base, 'GET', '/api/v1/me', { cookie: p.cookie })).status, 401);
  const l = await login(base, p.email);
  assert.equal(l.status, 401, show(l));
  assert.equal(l.json.error.code, 'invalid_credentials');
  assert.equal(await sql(server, `select count(*) from sessions where user_id = ${lit(p.id)} and revoked_at is null`), '0');

  const en = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'active' } });
  assert.equal(en.status, 200, show(en));
  assert.equal((await me(base, p.token)).status, 401, 'revoked sessions stay revoked');
  const back = await login(base, p.email);
  assert.equal(back.status, 200, show(back));
  assert.equal((await me(base, back.json.token)).status, 200);
  assert.ok(sessionCookie(back.setCookies));
});
