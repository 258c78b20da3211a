// Helpers for the accounts tests (issue 3): API calls with a bearer token or
// the session cookie (node:http, so Cookie and Origin go out as given, and a
// chosen loopback source address for the per-address login limits), unique
// e-mails, signing up and in, the `sinau user create` command with the
// password on stdin, and psql against a server's own database.
import crypto from 'node:crypto';
import { spawn, execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SINAU_BIN, PGBIN, psql } from './harness.mjs';
import { cliEnv, timedRequest } from './probe.mjs';

const execFileP = promisify(execFile);

// A strong password that is not on the common list.
export const PASSWORD = 'Kopi-Tubruk-2024!';

let seq = 0;
// A new e-mail address no other test uses.
export function uniqueEmail(tag = 'u') {
  seq += 1;
  return `${tag}.${process.pid}.${seq}.${crypto.randomBytes(3).toString('hex')}@example.test`;
}

// The session cookie's value from a Set-Cookie list ('' when cleared,
// undefined when absent).
export function sessionCookie(setCookies) {
  for (const c of setCookies) {
    const m = /^sinau_session=([^;]*)/.exec(c);
    if (m) return m[1];
  }
  return undefined;
}

// One API request (probe.mjs timedRequest underneath). Never rejects.
//   token        sends Authorization: Bearer <token>
//   cookie       sends Cookie: sinau_session=<cookie>
//   csrf         sends X-CSRF-Token
//   origin       sends Origin
//   json         a JSON body (Content-Type: application/json)
//   body         a raw body (string or Buffer); give the content type in headers
//   localAddress the loopback source address (127.0.0.x) of the connection
// Resolves to {status, headers (lower-case object), setCookies ([]), text,
// json, ms, error}.
export function call(base, method, urlPath, { token, cookie, csrf, origin, json, body, headers = {}, localAddress, timeoutMs = 15000 } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  if (cookie !== undefined) h.cookie = `sinau_session=${cookie}`;
  if (csrf !== undefined) h['x-csrf-token'] = csrf;
  if (origin !== undefined) h.origin = origin;
  if (json !== undefined) {
    body = JSON.stringify(json);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  }
  if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
  return timedRequest(new URL(urlPath, base).href, { method, headers: h, body, localAddress, timeoutMs });
}

// A short description of a response for assertion messages.
export function show(r) {
  return `${r.status} ${r.error ?? ''} ${r.text.slice(0, 400)}`;
}

export function signup(base, { email = uniqueEmail(), password = PASSWORD, full_name = 'Siti Rahayu', ...rest } = {}, opts = {}) {
  return call(base, 'POST', '/api/v1/auth/signup', { json: { email, password, full_name, ...rest }, ...opts });
}

export function login(base, email, password = PASSWORD, opts = {}) {
  return call(base, 'POST', '/api/v1/auth/login', { json: { email, password }, ...opts });
}

// Signs up a new participant and logs in. Resolves to {email, password, id,
// token, csrf, cookie, user}; throws with the response when a step fails.
export async function newParticipant(base, { email = uniqueEmail('p'), password = PASSWORD, full_name = 'Budi Santoso' } = {}) {
  const s = await signup(base, { email, password, full_name });
  if (s.status !== 201) throw new Error(`signup ${email}: ${show(s)}`);
  return signedIn(base, email, password);
}

// Logs in an existing account; resolves to the same shape as newParticipant.
export async function signedIn(base, email, password = PASSWORD, opts = {}) {
  const l = await login(base, email, password, opts);
  if (l.status !== 200) throw new Error(`login ${email}: ${show(l)}`);
  return {
    email,
    password,
    id: l.json.user.id,
    user: l.json.user,
    token: l.json.token,
    csrf: l.json.csrf_token,
    cookie: sessionCookie(l.setCookies),
  };
}

export function me(base, token, opts = {}) {
  return call(base, 'GET', '/api/v1/me', { token, ...opts });
}

export function putProfile(base, token, json, opts = {}) {
  return call(base, 'PUT', '/api/v1/me/profile', { token, json, ...opts });
}

// Runs `sinau ...args` with `input` on stdin; resolves to {code, signal,
// stdout, stderr, timedOut}. Environment as probe.mjs's cliEnv (no SINAU_*
// of the developer), plus env.
export function runSinauInput(args, input, { env = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve) => {
    const proc = spawn(SINAU_BIN, args, { env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    proc.stdin.on('error', () => {}); // the command may exit before reading
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout, stderr: stderr + String(e), timedOut });
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    proc.stdin.end(input);
  });
}

// The conninfo of a server's database (startServer's `database`).
export function dbUrlOf(server) {
  const db = server.database;
  return typeof db === 'string' ? db : db.url;
}

// `sinau user create` on a database; resolves to runSinauInput's result.
export function cliUserCreate(dbUrl, { email, name = 'Admin Sinau', role = 'admin', password = PASSWORD, ifMissing = false, env = {} } = {}) {
  const args = ['user', 'create', '--email', email, '--name', name, '--role', role];
  if (ifMissing) args.push('--if-missing');
  return runSinauInput(args, `${password}\n`, { env: { DATABASE_URL: dbUrl, SINAU_PWHASH: 'fast', ...env } });
}

// An admin made with the command line on the server's database, signed in.
export async function newAdmin(server, { email = uniqueEmail('admin'), password = PASSWORD } = {}) {
  const r = await cliUserCreate(dbUrlOf(server), { email, password, role: 'admin' });
  if (r.code !== 0) throw new Error(`sinau user create (admin) exited ${r.code}: ${r.stderr}`);
  return signedIn(server.url, email, password);
}

// A SQL string literal.
export function lit(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

// psql on the server's own database.
export function sql(server, statements) {
  return psql(dbUrlOf(server), statements);
}

// pg_dump (plain SQL, data and schema) of a database; resolves to its text.
export async function pgDump(dbUrl) {
  const { stdout } = await execFileP(path.join(PGBIN, 'pg_dump'), ['--no-owner', '-d', dbUrl], { maxBuffer: 256 * 1024 * 1024, timeout: 60000 });
  return stdout;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
