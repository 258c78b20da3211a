// A pg_auto_failover formation on loopback for the failover tests and
// benchmarks (issue 19): a monitor, a primary and a standby, each a
// `pg_autoctl run` of its own (as the `postgres` user when we are root),
// with pg_auto_failover's timeouts tuned so that a dead primary is replaced
// in well under 30 s (README "High availability" says what they trade).
//
// Everything lives under one short /tmp folder (unix socket paths stay under
// ~100 bytes): data folders, sockets, logs, and pg_autoctl's own
// configuration and state (XDG_* point there), so nothing touches the
// user's ~/.config. Ports are free loopback ports; every server listens on
// 127.0.0.1 only and trusts loopback (tests only). Whatever a test forgets
// is killed and removed at exit, and noted in SINAU_TEST_RUN_DIR for
// scripts/dev.sh to reap after a crash.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGBIN, SINAU_BIN, asUser, freePort, onExit, psql, runDirNote, runDirForget, sleep } from './harness.mjs';

const execFileP = promisify(execFile);
const PG_AUTOCTL = process.env.SINAU_TEST_PG_AUTOCTL || '/usr/bin/pg_autoctl';

// pg_auto_failover's defaults take about 50 s to replace a dead primary
// (20 s before a node that stopped reporting counts as unhealthy, 30 s for
// it to demote itself). These take ~15 s on an idle machine; the README
// explains the trade (a primary that is unreachable for ~5 s gets replaced).
export const FAST_FAILOVER = {
  monitor: {
    'pgautofailover.health_check_period': '1000',
    'pgautofailover.health_check_timeout': '1000',
    'pgautofailover.health_check_max_retries': '1',
    'pgautofailover.health_check_retry_delay': '500',
    'pgautofailover.node_considered_unhealthy_timeout': '4000',
    'pgautofailover.primary_demote_timeout': '5000',
  },
  // keeper side: an isolated primary stops itself before the monitor can
  // have promoted its standby (6 s < 4 s + 5 s), so two primaries never
  // take writes at once
  keeper: {
    'timeout.network_partition_timeout': '6',
    'timeout.prepare_promotion_walreceiver': '2',
  },
};

export function pgAutoctlAvailable() {
  return fs.existsSync(PG_AUTOCTL) && fs.existsSync(path.join(PGBIN, 'postgres'));
}

function pgUser() {
  return process.env.SINAU_TEST_PGUSER || os.userInfo().username;
}

// ---------------------------------------------------------- processes ----

function ppidMap() {
  const map = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name may hold spaces and parentheses: ppid follows the last ')'
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(entry), Number(rest[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  return map;
}

// root and every process under it (a snapshot).
export function processTree(root) {
  const map = ppidMap();
  const kids = new Map();
  for (const [pid, ppid] of map) {
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(pid);
  }
  const out = [];
  const walk = (p) => {
    if (!map.has(p)) return;
    out.push(p);
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(root);
  return out;
}

function signalAll(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

// The whole machine dies at once: every process of the tree stops (so
// none can fork or answer), then all are killed. Returns the pids killed.
export function killTree(root) {
  const first = processTree(root);
  signalAll(first, 'SIGSTOP');
  const all = [...new Set([...first, ...processTree(root)])];
  signalAll(all, 'SIGSTOP');
  signalAll(all, 'SIGKILL');
  return all;
}

// Processes whose command line names dir (pg_autoctl, postmasters), for the
// clean-up after a crash of the test: killed with SIGKILL.
function killByPath(dir) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(dir)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* gone or not ours */
    }
  }
}

// ---------------------------------------------------------- formation ----

// Starts a formation: monitor, node1 (primary), node2 (synchronous
// standby), database `database` on it, migrated with `sinau migrate` unless
// migrate is false. Options: sync (false: the standby replicates
// asynchronously, replication-quorum false), timeouts (FAST_FAILOVER, or
// null for pg_auto_failover's own), settings (extra postgresql.conf of the
// data nodes). Returns {url, readUrl, monitorUrl, nodes, nodeUrl(name, db),
// state(), primary(), waitFor(pred, what, ms), kill(name), start(name),
// events(n), destroy(), log(name)}.
export async function startFormation({ sync = true, timeouts = FAST_FAILOVER, settings = {}, database = 'sinau', migrate = true, fsync = false } = {}) {
  const pguser = pgUser();
  const base = fs.mkdtempSync('/tmp/sinau-ha-');
  const sock = path.join(base, 's');
  fs.mkdirSync(sock, { mode: 0o700 });
  for (const d of ['cfg', 'share', 'run', 'log']) fs.mkdirSync(path.join(base, d), { mode: 0o700 });
  if (process.getuid?.() === 0 && pguser !== 'root') {
    const { stdout: u } = await execFileP('id', ['-u', pguser]);
    const { stdout: g } = await execFileP('id', ['-g', pguser]);
    for (const p of [base, sock, ...['cfg', 'share', 'run', 'log'].map((d) => path.join(base, d))]) fs.chownSync(p, Number(u), Number(g));
  }
  const env = {
    PATH: `${PGBIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
    XDG_CONFIG_HOME: path.join(base, 'cfg'),
    XDG_DATA_HOME: path.join(base, 'share'),
    XDG_RUNTIME_DIR: path.join(base, 'run'),
    PGHOST: sock,
    LANG: 'C.UTF-8',
  };
  const ports = { monitor: await freePort(), node1: await freePort(), node2: await freePort() };
  const procs = new Map(); // name -> ChildProcess of `pg_autoctl run`
  let destroyed = false;

  const cleanup = () => {
    if (destroyed) return;
    destroyed = true;
    for (const p of procs.values()) if (p.pid) killTree(p.pid);
    killByPath(base);
    fs.rmSync(base, { recursive: true, force: true });
    runDirForget(`${path.basename(base)}.formation`);
  };
  const unregister = onExit(cleanup);
  runDirNote(`${path.basename(base)}.formation`, base);

  const run = async (cmd, args, timeout = 120000) => {
    const [c, a] = asUser(pguser, cmd, args);
    try {
      return await execFileP(c, a, { cwd: '/', env, timeout });
    } catch (e) {
      throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed: ${(e.stderr || e.message).trim().split('\n').slice(-15).join('\n')}`);
    }
  };
  const autoctl = (...args) => run(PG_AUTOCTL, args);
  const pgdata = (name) => path.join(base, name);
  const logFile = (name) => path.join(base, 'log', `${name}.log`);

  // postgresql.auto.conf is read after pg_auto_failover's includes, so it
  // overrides the settings pg_autoctl computes from the machine's memory
  // (6 GB of shared_buffers here); a standby copies it from its primary.
  const autoConf = (name, extra) => {
    const conf = {
      unix_socket_directories: `'${sock}'`,
      unix_socket_permissions: '0700',
      shared_buffers: "'32MB'",
      effective_cache_size: "'256MB'",
      maintenance_work_mem: "'32MB'",
      work_mem: "'4MB'",
      wal_keep_size: "'256MB'",
      max_connections: '100',
      // the tests kill processes, not machines: the OS keeps what was
      // written (harness.mjs's reasoning); benchmarks turn it on
      fsync: fsync ? 'on' : 'off',
      log_min_messages: 'warning',
      ...extra,
    };
    fs.appendFileSync(
      path.join(pgdata(name), 'postgresql.auto.conf'),
      `\n# formation.mjs\n${Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`,
    );
  };

  const initdb = async (name) => {
    await run(path.join(PGBIN, 'initdb'), ['-D', pgdata(name), '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  };

  const startRun = (name) => {
    const fd = fs.openSync(logFile(name), 'a');
    const [c, a] = asUser(pguser, PG_AUTOCTL, ['run', '--pgdata', pgdata(name)]);
    const proc = spawn(c, a, { cwd: '/', env, stdio: ['ignore', fd, fd], detached: true });
    fs.closeSync(fd);
    proc.unref();
    proc.on('error', () => {});
    procs.set(name, proc);
    return proc;
  };

  const monitorUrl = `postgres://autoctl_node@127.0.0.1:${ports.monitor}/pg_auto_failover?sslmode=disable`;
  const monitorAdmin = `host=127.0.0.1 port=${ports.monitor} dbname=pg_auto_failover user=${pguser}`;
  const nodeUrl = (name, db = database) => `host=127.0.0.1 port=${ports[name]} dbname=${db} user=${pguser}`;

  const f = {
    base,
    ports,
    monitorUrl,
    // every data node, the primary found by libpq
    url: `host=127.0.0.1,127.0.0.1 port=${ports.node1},${ports.node2} dbname=${database} user=${pguser} target_session_attrs=read-write`,
    readUrl: `host=127.0.0.1,127.0.0.1 port=${ports.node1},${ports.node2} dbname=${database} user=${pguser} target_session_attrs=prefer-standby`,
    nodeUrl,
    log: (name) => {
      try {
        return fs.readFileSync(logFile(name), 'utf8');
      } catch {
        return '';
      }
    },
    pids: (name) => (procs.get(name)?.pid ? processTree(procs.get(name).pid) : []),

    // [{name, port, reported, goal, health}] from the monitor
    async state() {
      const out = await psql(monitorAdmin, "select nodename, nodeport, reportedstate, goalstate, health from pgautofailover.node order by nodeid", { timeoutMs: 5000 });
      return out.split('\n').filter(Boolean).map((l) => {
        const [name, port, reported, goal, health] = l.split('|');
        return { name, port: Number(port), reported, goal, health: Number(health) };
      });
    },
    async primary() {
      const st = await f.state();
      return st.find((n) => ['primary', 'wait_primary', 'single'].includes(n.reported) && n.reported === n.goal)?.name ?? null;
    },
    async waitFor(pred, what, ms = 90000) {
      const until = Date.now() + ms;
      let last = [];
      for (;;) {
        try {
          last = await f.state();
          if (pred(last)) return last;
        } catch {
          /* the monitor is busy */
        }
        if (Date.now() > until) throw new Error(`formation: no ${what} within ${ms} ms: ${JSON.stringify(last)}`);
        await sleep(250);
      }
    },
    async events(n = 30) {
      return psql(monitorAdmin, `select to_char(eventtime, 'HH24:MI:SS.MS'), nodename, reportedstate, goalstate, description from pgautofailover.event order by eventid desc limit ${Number(n)}`, { timeoutMs: 5000 });
    },
    // SIGKILL of the node's pg_autoctl processes and its postgres (all at
    // once, as when its machine dies). Returns the pids killed.
    kill(name) {
      const proc = procs.get(name);
      if (!proc?.pid) throw new Error(`formation: ${name} is not running`);
      procs.delete(name);
      return killTree(proc.pid);
    },
    // pg_autoctl run again: a killed node rejoins (pg_rewind) as a standby.
    start(name) {
      return startRun(name);
    },
    async destroy() {
      cleanup();
      unregister();
    },
  };

  try {
    // the monitor
    await initdb('monitor');
    autoConf('monitor', timeouts ? timeouts.monitor : {});
    await autoctl('create', 'monitor', '--pgdata', pgdata('monitor'), '--pgport', String(ports.monitor), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--pgctl', path.join(PGBIN, 'pg_ctl'));
    startRun('monitor');
    for (let i = 0; ; i++) {
      try {
        await psql(monitorAdmin, 'select 1', { timeoutMs: 3000 });
        break;
      } catch (e) {
        if (i > 120) throw new Error(`formation: the monitor does not answer: ${e.message}\n${f.log('monitor')}`);
        await sleep(250);
      }
    }
    // node1, then node2 as its standby
    for (const name of ['node1', 'node2']) {
      if (name === 'node1') {
        await initdb(name);
        autoConf(name, settings);
      }
      await autoctl('create', 'postgres', '--pgdata', pgdata(name), '--pgport', String(ports[name]), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--name', name, '--auth', 'trust', '--no-ssl', '--monitor', monitorUrl, '--dbname', database, '--pgctl', path.join(PGBIN, 'pg_ctl'));
      if (timeouts) for (const [k, v] of Object.entries(timeouts.keeper)) await autoctl('config', 'set', '--pgdata', pgdata(name), k, v);
      startRun(name);
      if (name === 'node1') await f.waitFor((st) => st.some((n) => n.name === 'node1' && n.reported === 'single'), 'single primary');
    }
    await f.waitFor((st) => st.some((n) => n.name === 'node1' && n.reported === 'primary' && n.goal === 'primary') && st.some((n) => n.name === 'node2' && n.reported === 'secondary' && n.goal === 'secondary'), 'primary and secondary');
    if (!sync) {
      await autoctl('set', 'node', 'replication-quorum', 'false', '--pgdata', pgdata('node2'));
      await f.waitFor((st) => st.some((n) => n.name === 'node1' && n.reported === 'primary' && n.goal === 'primary'), 'an asynchronous primary');
      for (let i = 0; ; i++) {
        if ((await psql(nodeUrl('node1', 'postgres'), 'show synchronous_standby_names')) === '') break;
        if (i > 120) throw new Error('formation: the primary still replicates synchronously');
        await sleep(250);
      }
    }
    if (migrate) {
      try {
        await execFileP(SINAU_BIN, ['migrate'], { env: { PATH: process.env.PATH, DATABASE_URL: f.url }, timeout: 120000 });
      } catch (e) {
        throw new Error(`sinau migrate failed on the formation: ${(e.stderr || e.message).trim()}`);
      }
    }
  } catch (e) {
    const logs = ['monitor', 'node1', 'node2'].map((n) => `--- ${n}\n${f.log(n).split('\n').slice(-15).join('\n')}`).join('\n');
    await f.destroy();
    throw new Error(`${e.message}\n${logs}`);
  }
  return f;
}
