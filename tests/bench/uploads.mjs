// uploads.mjs — the load of the P8 upload benchmark (run by p8_uploads.sh),
// three commands, no dependencies:
//
//   node uploads.mjs setup BASE ADMIN_EMAIL PASSWORD N > state.json
//       As the admin (made beforehand with `sinau user create`): a programme
//       with one file-only assignment, published; a cohort with an `umkm`
//       segment; N participants signed up (business name as their profile),
//       registered and confirmed. Prints {base, cohort, assignment, tokens}.
//   node uploads.mjs burst state.json SIZE [BASE,BASE...]
//       Every participant at once (participant i on the i-th of the bases,
//       round-robin, when they are given): a new version, then its file, SIZE bytes
//       of a PDF (magic bytes + noise) through PUT /api/v1/submissions/{id}/file.
//       Prints {ok, by_status (a 503 without Retry-After counted apart), wall_ms, mib_s, upload_p50_ms, upload_max_ms,
//       from, to}: from..to is the uploads' window in epoch milliseconds.
//   node uploads.mjs probe BASE CONNS [WINDOW_FILE]
//       GET /healthz back to back on CONNS keep-alive connections until
//       SIGTERM (or SIGINT); then prints {n, errors, p50_ms, p99_ms, max_ms}
//       of the requests sent within the window {from, to} that WINDOW_FILE
//       holds by then (every request when there is no such file).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

const [cmd, ...args] = process.argv.slice(2);

function die(msg) {
  console.error(`uploads.mjs: ${msg}`);
  process.exit(1);
}

// One request on `agent` (false: a new connection); never rejects.
function req(base, method, path, { token, json, body, headers = {}, agent = false } = {}) {
  return new Promise((resolve) => {
    const u = new URL(path, base);
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (json !== undefined) {
      body = JSON.stringify(json);
      h['content-type'] = 'application/json';
    }
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    const t0 = performance.now();
    const r = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json: parsed, ms: performance.now() - t0, at: performance.timeOrigin + t0 });
      });
      res.on('error', (e) => resolve({ status: 0, text: String(e), ms: performance.now() - t0 }));
    });
    r.on('error', (e) => resolve({ status: 0, text: e.code || e.message, ms: performance.now() - t0 }));
    if (body !== undefined) r.write(body);
    r.end();
  });
}

async function must(p, status, what) {
  const r = await p;
  if (r.status !== status) die(`${what}: expected ${status}, got ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

const round3 = (x) => +x.toFixed(3);

async function setup(base, email, password, nArg) {
  const n = Number(nArg);
  if (!base || !email || !password || !(n > 0)) die('usage: setup BASE ADMIN_EMAIL PASSWORD N');
  const admin = (await must(req(base, 'POST', '/api/v1/auth/login', { json: { email, password } }), 200, 'admin login')).token;
  const slug = `bench-p8-${crypto.randomBytes(3).toString('hex')}`;
  await must(req(base, 'POST', '/api/v1/programmes', { token: admin, json: { slug, title: 'Bench unggahan' } }), 201, 'programme');
  const mod = await must(req(base, 'POST', `/api/v1/programmes/${slug}/modules`, { token: admin, json: { title: 'Modul' } }), 201, 'module');
  const a = await must(req(base, 'POST', `/api/v1/modules/${mod.id}/assignments`, {
    token: admin, json: { title: 'Unggah video', submission_types: ['file'], max_score: 100, pass_score: 70 },
  }), 201, 'assignment');
  await must(req(base, 'POST', `/api/v1/programmes/${slug}/versions`, { token: admin }), 201, 'publish');
  const day = 86400000;
  const iso = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const date = (ms) => new Date(Date.now() + ms).toISOString().slice(0, 10);
  const cohort = await must(req(base, 'POST', `/api/v1/programmes/${slug}/cohorts`, {
    token: admin,
    json: {
      name: 'Angkatan bench', registration_opens_at: iso(-3600000), registration_closes_at: iso(7 * day),
      starts_on: date(14 * day), ends_on: date(44 * day), jp: 32, segments: [{ segment: 'umkm', quota: n, waitlist: false }],
    },
  }), 201, 'cohort');
  const tokens = [];
  for (let i = 0; i < n; i++) {
    const pe = `p8-${i}-${crypto.randomBytes(3).toString('hex')}@bench.invalid`;
    const pw = 'Bench-Unggah-2024!';
    await must(req(base, 'POST', '/api/v1/auth/signup', { json: { email: pe, password: pw, full_name: `Peserta ${i}` } }), 201, 'signup');
    const t = (await must(req(base, 'POST', '/api/v1/auth/login', { json: { email: pe, password: pw } }), 200, 'login')).token;
    await must(req(base, 'PUT', '/api/v1/me/profile', { token: t, json: { business_name: `Warung ${i}` } }), 200, 'profile');
    const reg = await must(req(base, 'POST', `/api/v1/cohorts/${cohort.id}/registrations`, { token: t, json: { segment: 'umkm' } }), 201, 'register');
    if (reg.status !== 'confirmed') die(`registration ${i}: ${reg.status}`);
    tokens.push(t);
  }
  console.log(JSON.stringify({ base, cohort: cohort.id, assignment: a.id, tokens }));
}

async function burst(stateFile, sizeArg, basesArg) {
  const size = Number(sizeArg);
  if (!stateFile || !(size > 8)) die('usage: burst state.json SIZE [BASE,BASE...]');
  const st = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const bases = basesArg ? basesArg.split(',') : [st.base];
  const baseOf = (i) => bases[i % bases.length];
  const file = Buffer.alloc(size);
  crypto.randomFillSync(file);
  file.write('%PDF-1.7\n', 0, 'latin1');
  // the versions first, so that the measured window holds only the uploads
  const subs = await Promise.all(st.tokens.map((t, i) => must(req(baseOf(i), 'POST', `/api/v1/cohorts/${st.cohort}/assignments/${st.assignment}/submissions`, { token: t, json: {} }), 201, 'submission')));
  const t0 = performance.now();
  const from = performance.timeOrigin + t0;
  const results = await Promise.all(st.tokens.map((t, i) => req(baseOf(i), 'PUT', `/api/v1/submissions/${subs[i].id}/file`, {
    token: t, body: file, headers: { 'content-type': 'application/pdf', 'x-filename': `bench-${i}.pdf` },
  })));
  const wall = performance.now() - t0;
  // a 503 counts as a clean refusal only with its Retry-After
  const key = (r) => (r.status === 503 && !r.headers?.['retry-after'] ? '503-without-retry-after' : r.status);
  const byStatus = {};
  for (const r of results) byStatus[key(r)] = (byStatus[key(r)] ?? 0) + 1;
  const bad = results.find((r) => r.status !== 200);
  if (bad) console.error(`uploads.mjs: an upload answered ${bad.status} ${bad.text.slice(0, 200)}`);
  const ms = results.map((r) => r.ms);
  console.log(JSON.stringify({
    ok: byStatus[200] ?? 0, by_status: byStatus, wall_ms: round3(wall),
    mib_s: round3((size * results.length) / 1048576 / (wall / 1000)),
    upload_p50_ms: round3(quantile(ms, 0.5)), upload_max_ms: round3(Math.max(...ms)),
    from: round3(from), to: round3(from + wall),
  }));
}

async function probe(base, connsArg, windowFile) {
  const conns = Number(connsArg);
  if (!base || !(conns > 0)) die('usage: probe BASE CONNS [WINDOW_FILE]');
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const samples = [];
  let errors = 0;
  let running = true;
  const stop = () => {
    running = false;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // tells the script it may stop us now (node's start-up can take seconds on a busy machine)
  if (process.env.PROBE_READY) fs.writeFileSync(process.env.PROBE_READY, '');
  const client = async () => {
    while (running) {
      const r = await req(base, 'GET', '/healthz', { agent });
      if (r.status === 200) samples.push(r);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: conns }, client));
  agent.destroy();
  let inWindow = samples;
  if (windowFile && fs.existsSync(windowFile)) {
    const w = JSON.parse(fs.readFileSync(windowFile, 'utf8'));
    inWindow = samples.filter((r) => r.at >= w.from && r.at <= w.to);
  }
  const ms = inWindow.map((r) => r.ms);
  console.log(JSON.stringify({ n: ms.length, errors, p50_ms: round3(quantile(ms, 0.5)), p99_ms: round3(quantile(ms, 0.99)), max_ms: round3(Math.max(...ms)) }));
}

if (cmd === 'setup') await setup(...args);
else if (cmd === 'burst') await burst(...args);
else if (cmd === 'probe') await probe(...args);
else die('usage: uploads.mjs setup|burst|probe …');
