// Test harness for Sinau's black-box tests (node:test, no npm dependencies).
//
// Each test file starts its own `sinau serve` on a fresh database cloned from
// the migrated template, on a free loopback port. Everything started here is
// registered and cleaned up when the test process exits, even after a failed
// assertion: servers are killed, test databases dropped, private clusters
// stopped, temporary folders removed.
//
// Environment (set by scripts/dev.sh test, or `eval "$(scripts/dev.sh env)"`):
//   SINAU_BIN             the binary (CTest sets it; default <source>/build/sinau)
//   SINAU_SOURCE_DIR      the source tree (CTest sets it; default: from this file)
//   SINAU_TEST_ADMIN_URL  libpq conninfo of the `postgres` database of the server
//   SINAU_TEST_TEMPLATE   migrated template database (sinau_template)
//   SINAU_TEST_PGBIN      PostgreSQL binaries (/usr/lib/postgresql/15/bin)
//   SINAU_TEST_PGUSER     OS user that runs PostgreSQL binaries (postgres as root)
//   SINAU_TEST_RUN_DIR    optional: pid files of what we start, for dev.sh to
//                         reap after a crash
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResponse } from './openapi_check.mjs';

const execFileP = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

export const SOURCE_DIR = process.env.SINAU_SOURCE_DIR || path.resolve(HERE, '../../..');
export const SINAU_BIN = process.env.SINAU_BIN || path.join(SOURCE_DIR, 'build', 'sinau');
export const PGBIN = process.env.SINAU_TEST_PGBIN || '/usr/lib/postgresql/15/bin';
const RUN_DIR = process.env.SINAU_TEST_RUN_DIR || '';

// The line the server logs once its listening socket is bound. Tolerates JSON
// logs that escape '/'.
const LISTEN_RE = /listening on http:\\?\/\\?\/(\[[^\]\s]*\]|[^\s:/"\\]+):(\d+)/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------- cleanup ----

const live = {
  procs: new Set(), // child processes (sinau)
  dbs: new Map(), // database name -> admin conninfo
  clusters: new Map(), // base dir -> {dataDir, pguser}
  dirs: new Set(), // temporary folders
  hooks: new Set(), // synchronous clean-ups of other libraries (formation.mjs)
};

// Registers a synchronous clean-up run at exit (also after a failed
// assertion or a signal), before the servers and clusters here are stopped.
// Returns a function that unregisters it.
export function onExit(fn) {
  live.hooks.add(fn);
  return () => live.hooks.delete(fn);
}

export function runDirNote(name, content) {
  if (!RUN_DIR) return;
  try {
    fs.writeFileSync(path.join(RUN_DIR, name), String(content));
  } catch {
    /* the run dir is a best-effort safety net */
  }
}

export function runDirForget(name) {
  if (!RUN_DIR) return;
  fs.rmSync(path.join(RUN_DIR, name), { force: true });
}

function cleanupSync() {
  for (const fn of live.hooks) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  live.hooks.clear();
  for (const proc of live.procs) {
    try {
      proc.kill('SIGKILL');
      runDirForget(`${proc.pid}.pid`);
    } catch {
      /* already gone */
    }
  }
  live.procs.clear();
  for (const [base, c] of live.clusters) {
    try {
      execFileSync(...asUser(c.pguser, path.join(PGBIN, 'pg_ctl'), ['-D', c.dataDir, '-m', 'immediate', '-w', '-s', 'stop']), { stdio: 'ignore', cwd: '/', timeout: 30000 });
    } catch {
      /* not running */
    }
    fs.rmSync(base, { recursive: true, force: true });
    runDirForget(`${path.basename(base)}.cluster`);
  }
  live.clusters.clear();
  const byAdmin = new Map();
  for (const [name, admin] of live.dbs) {
    if (!byAdmin.has(admin)) byAdmin.set(admin, []);
    byAdmin.get(admin).push(name);
  }
  for (const [admin, names] of byAdmin) {
    const args = ['-X', '-qAt', '-d', admin];
    for (const n of names) args.push('-c', `DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
    try {
      execFileSync(psqlBin(), args, { stdio: 'ignore', timeout: 30000 });
      for (const n of names) runDirForget(`${n}.db`);
    } catch {
      /* scripts/dev.sh drops leftovers */
    }
  }
  live.dbs.clear();
  for (const dir of live.dirs) {
    fs.rmSync(dir, { recursive: true, force: true });
    runDirForget(`${path.basename(dir)}.dir`);
  }
  live.dirs.clear();
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    cleanupSync();
    process.exit(128 + os.constants.signals[sig]);
  });
}

// --------------------------------------------------------- PostgreSQL ----

function psqlBin() {
  const p = path.join(PGBIN, 'psql');
  return fs.existsSync(p) ? p : 'psql';
}

function quoteConninfo(v) {
  if (/^[A-Za-z0-9_./:@+-]+$/.test(v)) return v;
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// The same server, another database. Works for URIs and keyword=value strings
// (libpq keeps the last of repeated keywords).
export function conninfoWithDb(url, db) {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (m) return `${m[1]}/${encodeURIComponent(db)}${m[3] ?? ''}`;
  return `${url} dbname=${quoteConninfo(db)}`;
}

// Run one or more SQL statements with psql; resolves to its output
// (unaligned, tuples only). Rejects with psql's stderr in the message.
export async function psql(url, sql, { timeoutMs = 60000 } = {}) {
  const statements = Array.isArray(sql) ? sql : [sql];
  const args = ['-X', '-v', 'ON_ERROR_STOP=1', '-qAt', '-d', url];
  for (const s of statements) args.push('-c', s);
  try {
    const { stdout } = await execFileP(psqlBin(), args, { timeout: timeoutMs });
    return stdout.replace(/\n$/, '');
  } catch (e) {
    const err = new Error(`psql failed: ${(e.stderr || e.message).trim()}\n  sql: ${statements.join('; ')}`);
    err.stderr = e.stderr || '';
    throw err;
  }
}

export function testEnv() {
  const admin = process.env.SINAU_TEST_ADMIN_URL;
  const template = process.env.SINAU_TEST_TEMPLATE;
  if (!admin || !template) {
    throw new Error(
      'SINAU_TEST_ADMIN_URL and SINAU_TEST_TEMPLATE are not set: run the tests with `make test`, ' +
        'or first `eval "$(scripts/dev.sh env)"`',
    );
  }
  if (!/^[A-Za-z0-9_]+$/.test(template)) throw new Error(`bad SINAU_TEST_TEMPLATE: ${template}`);
  return { admin, template };
}

// A new database cloned from the migrated template.
// Returns {name, url, drop()}; dropped at exit if the test does not.
export async function freshDatabase() {
  const { admin, template } = testEnv();
  const name = `t_${crypto.randomBytes(8).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await psql(admin, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (e) {
      // Another session (autovacuum, a concurrent clone's check) on the template.
      if (attempt < 10 && /being accessed by other users/.test(e.stderr)) {
        await sleep(200 * (attempt + 1));
        continue;
      }
      throw e;
    }
  }
  live.dbs.set(name, admin);
  runDirNote(`${name}.db`, name);
  return {
    name,
    url: conninfoWithDb(admin, name),
    async drop() {
      if (!live.dbs.has(name)) return;
      live.dbs.delete(name);
      await psql(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      runDirForget(`${name}.db`);
    },
  };
}

// ------------------------------------------------------------- server ----

function inheritedEnv() {
  // Nothing of the developer's own SINAU_* settings or DATABASE_URL leaks into
  // a test server; PG* variables stay (a password for a DATABASE_URL server).
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SINAU_') || k === 'DATABASE_URL') continue;
    env[k] = v;
  }
  return env;
}

function lineReader(stream, sink, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      sink.push(line);
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (buf) {
      sink.push(buf);
      onLine(buf);
      buf = '';
    }
  });
}

function exitCodeOf(code, signal) {
  if (code !== null && code !== undefined) return code;
  return 128 + (os.constants.signals[signal] ?? 0);
}

// Start `sinau serve` on 127.0.0.1 with a free port.
//   env       extra variables (a value of undefined or null removes one)
//   args      extra command-line arguments after `serve`
//   database  {url} or a conninfo string; default: a fresh database;
//             false: none (give DATABASE_URL through env)
//   dataDir   SINAU_DATA_DIR (default: a fresh temporary folder)
//   timeoutMs how long to wait for the "listening on" line
// Returns {url, port, pid, proc, database, dataDir, logs(), stdout(),
//   waitForLog(re, ms), stop(signal='SIGTERM', {timeoutMs}) → exit code,
//   kill(), exited (promise of the exit code), exitCode()}.
export async function startServer({ env = {}, args = [], database, dataDir, timeoutMs = 15000 } = {}) {
  let db = database;
  if (db === undefined) db = await freshDatabase();
  const dbUrl = db === false || db === null ? undefined : typeof db === 'string' ? db : db.url;
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-test-'));
    live.dirs.add(dataDir);
    runDirNote(`${path.basename(dataDir)}.dir`, dataDir);
  }

  const fullEnv = {
    ...inheritedEnv(),
    SINAU_LISTEN: '127.0.0.1:0',
    SINAU_DATA_DIR: dataDir,
    SINAU_WEB_DIR: path.join(SOURCE_DIR, 'web'),
    SINAU_PWHASH: 'fast',
    SINAU_LOG_LEVEL: 'info',
    // tests sign many accounts up from one loopback address; the signup
    // throttle is tested with its own setting (hardening_throttle.test.mjs)
    SINAU_SIGNUP_PER_HOUR: '0',
  };
  if (dbUrl !== undefined) fullEnv.DATABASE_URL = dbUrl;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) delete fullEnv[k];
    else fullEnv[k] = String(v);
  }

  const proc = spawn(SINAU_BIN, ['serve', ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.procs.add(proc);
  const pidNote = `${proc.pid}.pid`;
  if (proc.pid) runDirNote(pidNote, proc.pid);

  const errLines = [];
  const outLines = [];
  const watchers = new Set();
  const onLine = (line) => {
    for (const w of watchers) w(line);
  };
  lineReader(proc.stderr, errLines, onLine);
  lineReader(proc.stdout, outLines, onLine);

  let exitCode = null;
  let spawnError = null;
  const exited = new Promise((resolve) => {
    proc.on('error', (e) => {
      spawnError = e;
      live.procs.delete(proc);
      exitCode = 127;
      resolve(127);
    });
    proc.on('close', (code, signal) => {
      live.procs.delete(proc);
      runDirForget(pidNote);
      exitCode = exitCodeOf(code, signal);
      resolve(exitCode);
    });
  });

  // The process must not keep the test file alive: whatever a test forgets is
  // killed at exit. Waits below hold a timer so the loop stays up meanwhile.
  proc.unref();
  proc.stdout.unref?.();
  proc.stderr.unref?.();

  const tail = () => errLines.slice(-40).join('\n');

  let port;
  let host;
  try {
    [host, port] = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`sinau did not log "listening on http://…" within ${timeoutMs} ms; its stderr:\n${tail()}`));
      }, timeoutMs);
      const w = (line) => {
        const m = LISTEN_RE.exec(line);
        if (m) {
          clearTimeout(timer);
          watchers.delete(w);
          resolve([m[1], Number(m[2])]);
        }
      };
      watchers.add(w);
      exited.then((code) => {
        clearTimeout(timer);
        const why = spawnError ? `could not be started (${spawnError.message})` : `exited with code ${code} before listening`;
        reject(new Error(`sinau ${why}; its stderr:\n${tail()}`));
      });
    });
  } catch (e) {
    try {
      proc.kill('SIGKILL');
    } catch {
      /* gone */
    }
    throw e;
  }
  if (host === '0.0.0.0' || host === '[::]') host = '127.0.0.1';

  function waitForLog(re, ms = 5000) {
    const found = errLines.find((l) => re.test(l)) ?? outLines.find((l) => re.test(l));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(w);
        reject(new Error(`no log line matching ${re} within ${ms} ms; stderr:\n${tail()}`));
      }, ms);
      const w = (line) => {
        if (re.test(line)) {
          clearTimeout(timer);
          watchers.delete(w);
          resolve(line);
        }
      };
      watchers.add(w);
    });
  }

  return {
    url: `http://${host}:${port}`,
    port,
    pid: proc.pid,
    proc,
    database: db,
    dataDir,
    exited,
    exitCode: () => exitCode,
    logs: () => errLines.slice(),
    stdout: () => outLines.slice(),
    waitForLog,
    // Send `signal`, wait for the exit (SIGKILL after timeoutMs); resolves to
    // the exit code (128 + signal number when killed by a signal).
    async stop(signal = 'SIGTERM', { timeoutMs: stopMs = 30000 } = {}) {
      if (exitCode !== null) return exitCode;
      try {
        proc.kill(signal);
      } catch {
        /* already exiting */
      }
      const timer = setTimeout(() => {
        try {
          proc.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }, stopMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      try {
        proc.kill('SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}

// A free TCP port on 127.0.0.1 (free when asked; bind it soon).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------ requests ----

// fetch wrapper: resolves to {status, headers (a Headers), text, json}; json
// is undefined when the body is not JSON. `json` sends a JSON body. A JSON
// response that does not match the server's OpenAPI document rejects
// (openapi_check.mjs).
export async function request(url, { method = 'GET', headers = {}, body, json, timeoutMs = 30000, redirect = 'manual' } = {}) {
  const h = new Headers(headers);
  if (json !== undefined) {
    body = JSON.stringify(json);
    if (!h.has('content-type')) h.set('content-type', 'application/json');
  }
  const res = await fetch(url, { method, headers: h, body, redirect, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  await checkResponse(url, method, res.status, res.headers.get('content-type'), parsed, text, typeof body === 'string' ? body : undefined);
  return { status: res.status, headers: res.headers, text, json: parsed };
}

// Is `buf` one whole HTTP response (headers plus Content-Length or chunked body)?
function responseComplete(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = buf.subarray(0, end).toString('latin1');
  const body = buf.length - end - 4;
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) return body >= Number(cl[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return buf.subarray(end + 4).includes('0\r\n\r\n');
  return /^HTTP\/1\.\d (1\d\d|204|304)/.test(head);
}

// Send raw bytes on a new connection; resolves to the response text once a
// whole response arrived, the server closed, or timeoutMs passed ('' when
// nothing came). Never rejects on resets. Options: host, end (half-close
// after writing), waitClose (wait for the close even after a whole response),
// detailed (resolve to {text, buffer, closed, timedOut, error}).
export function rawRequest(port, bytes, { timeoutMs = 5000, host = '127.0.0.1', end = false, waitClose = false, detailed = false } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    let error = null;
    const sock = net.connect({ host, port });
    const finish = (why) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buffer = Buffer.concat(chunks);
      const text = buffer.toString('utf8');
      resolve(detailed ? { text, buffer, closed: why === 'close' || why === 'error', timedOut: why === 'timeout', error } : text);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('connect', () => {
      sock.write(bytes, (err) => {
        if (!err && end) sock.end();
      });
    });
    sock.on('data', (c) => {
      chunks.push(c);
      if (!waitClose && responseComplete(Buffer.concat(chunks))) finish('complete');
    });
    sock.on('error', (e) => {
      error = e.code || e.message;
      finish('error');
    });
    sock.on('close', () => finish('close'));
  });
}

// ------------------------------------------------- a private cluster ----

// [command, args] that run cmd as user (through runuser when we are root
// and user is another one).
export function asUser(user, cmd, args) {
  const wantRunuser = process.getuid?.() === 0 && user && user !== 'root';
  return wantRunuser ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
}

// A small PostgreSQL cluster of the test's own (for restarts and outages):
// initdb in a fresh /tmp folder, unix socket only, started, database `sinau`
// created and migrated with `sinau migrate`.
// Returns {url, adminUrl, dataDir, socketDir, conninfo(db), start(),
//   stop(mode='fast'), restart(mode='immediate'), destroy(), log()}.
export async function privateCluster({ settings = {}, database = 'sinau', migrate = true } = {}) {
  const pguser = process.env.SINAU_TEST_PGUSER || os.userInfo().username;
  // Short path: the socket path must stay under ~100 bytes.
  const base = fs.mkdtempSync('/tmp/sinau-pc-');
  const dataDir = path.join(base, 'data');
  const socketDir = path.join(base, 's');
  const logFile = path.join(base, 'pg.log');
  fs.mkdirSync(socketDir, { mode: 0o700 });
  fs.writeFileSync(logFile, '');
  if (process.getuid?.() === 0 && pguser !== 'root') {
    const uid = Number(execFileSync('id', ['-u', pguser]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', pguser]).toString().trim());
    for (const p of [base, socketDir, logFile]) fs.chownSync(p, uid, gid);
  }
  live.clusters.set(base, { dataDir, pguser });
  runDirNote(`${path.basename(base)}.cluster`, dataDir);

  const run = async (bin, args, timeout = 120000) => {
    const [cmd, argv] = asUser(pguser, path.join(PGBIN, bin), args);
    try {
      return await execFileP(cmd, argv, { cwd: '/', timeout });
    } catch (e) {
      let log = '';
      try {
        log = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      } catch {
        /* no log yet */
      }
      throw new Error(`${bin} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}\n${log}`);
    }
  };

  await run('initdb', ['-D', dataDir, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const conf = {
    listen_addresses: "''",
    unix_socket_directories: `'${socketDir}'`,
    unix_socket_permissions: '0700',
    max_connections: '60',
    shared_buffers: '32MB',
    // Safe against the process crashes tests cause (restart -m immediate):
    // the OS keeps what was written. synchronous_commit must stay on, or a
    // commit acknowledged before the crash could be lost.
    fsync: 'off',
    ...settings,
  };
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    `\n# harness.mjs\n${Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`,
  );

  const conninfo = (db) => `host=${quoteConninfo(socketDir)} dbname=${quoteConninfo(db)} user=${quoteConninfo(pguser)}`;
  const adminUrl = conninfo('postgres');
  const url = conninfo(database);
  const pgctl = (...args) => run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s', ...args]);

  const cluster = {
    url,
    adminUrl,
    dataDir,
    socketDir,
    conninfo,
    start: () => pgctl('start'),
    stop: (mode = 'fast') => pgctl('-m', mode, 'stop'),
    restart: (mode = 'immediate') => pgctl('-m', mode, 'restart'),
    log: () => fs.readFileSync(logFile, 'utf8'),
    async destroy() {
      if (!live.clusters.has(base)) return;
      try {
        await pgctl('-m', 'immediate', 'stop');
      } catch {
        /* not running */
      }
      live.clusters.delete(base);
      runDirForget(`${path.basename(base)}.cluster`);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };

  await cluster.start();
  await psql(adminUrl, `CREATE DATABASE "${database}"`);
  if (migrate) {
    try {
      await execFileP(SINAU_BIN, ['migrate'], { env: { ...inheritedEnv(), DATABASE_URL: url }, timeout: 120000 });
    } catch (e) {
      throw new Error(`sinau migrate failed on the private cluster: ${(e.stderr || e.message).trim()}`);
    }
  }
  return cluster;
}
