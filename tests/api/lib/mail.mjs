// Real peers for the messaging tests (issue 13), on loopback only: an SMTP
// server (Debian's python3-aiosmtpd, lib/smtp_sink.py) whose accepted
// messages come back parsed, and an HTTP sink for the WhatsApp/SMS webhook.
// Both can be stopped and started again on the same port (outage tests).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const live = new Set();
// Debian's interpreter, which has python3-aiosmtpd (a python3 earlier on
// PATH, pyenv's say, may not).
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
process.on('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

// A free loopback port.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Waits until pred() is true, polling; throws with what() after ms.
export async function until(pred, ms, what = () => 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await sleep(50);
  }
}

// An SMTP server on 127.0.0.1. Returns {port, url, messages (every accepted
// message, across restarts), stop(), start(), waitFor(n, ms)}; delayMs
// holds each DATA that long.
export async function smtpSink({ port, delayMs = 0 } = {}) {
  const sink = { port: port ?? (await freePort()), messages: [], proc: null };
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  sink.start = async () => {
    const proc = spawn(PYTHON, [path.join(HERE, 'smtp_sink.py'), String(sink.port), String(delayMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(proc);
    sink.proc = proc;
    let buf = '';
    let stderr = '';
    const ready = new Promise((resolve, reject) => {
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (c) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line === 'ready') resolve();
          else if (line.startsWith('{')) sink.messages.push(JSON.parse(line));
        }
      });
      proc.stderr.on('data', (c) => (stderr += c));
      proc.on('close', (code) => {
        live.delete(proc);
        reject(new Error(`smtp_sink exited ${code}: ${stderr}`));
      });
    });
    await ready;
  };
  sink.stop = async () => {
    const proc = sink.proc;
    if (!proc || proc.exitCode !== null) return;
    const closed = new Promise((resolve) => proc.on('close', resolve));
    proc.kill('SIGTERM');
    await closed;
    sink.proc = null;
  };
  sink.waitFor = (n, ms = 20000) => until(() => sink.messages.length >= n, ms, () => `${n} messages (have ${sink.messages.length})`);
  await sink.start();
  return sink;
}

// The Message-ID header of a parsed message.
export const messageId = (m) => m.headers['Message-ID'];

// An HTTP server recording webhook calls: {url, calls: [{headers, body,
// json}], status (answer, settable), close()}.
export async function webhookSink() {
  const sink = { calls: [], status: 200 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      sink.calls.push({ method: req.method, url: req.url, headers: req.headers, body, json });
      res.writeHead(sink.status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  sink.url = `http://127.0.0.1:${server.address().port}/hook`;
  sink.close = () => new Promise((resolve) => server.close(resolve));
  return sink;
}

// Does the X-Sinau-Signature of a webhook call verify with secret?
export function signatureOk(call, secret) {
  const want = `sha256=${crypto.createHmac('sha256', secret).update(call.body).digest('hex')}`;
  const got = call.headers['x-sinau-signature'] ?? '';
  return got.length === want.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

// Environment for a server sending to these sinks, with short retries.
export function mailEnv(smtp, { webhook, secret = 'webhook-secret-for-tests', extra = {} } = {}) {
  const env = {
    SINAU_SMTP_URL: smtp ? smtp.url : undefined,
    SINAU_MAIL_FROM: 'sinau@example.test',
    SINAU_PUBLIC_URL: 'https://sinau.example.test',
    SINAU_OUTBOX_BACKOFF_MS: 200,
    SINAU_OUTBOX_BACKOFF_MAX_MS: 1000,
    SINAU_OUTBOX_MAX_ATTEMPTS: 50,
    SINAU_MAIL_TIMEOUT_MS: 5000,
    SINAU_MAIL_CONNECT_TIMEOUT_MS: 2000,
    ...extra,
  };
  if (webhook) {
    env.SINAU_WEBHOOK_URL = webhook.url;
    env.SINAU_WEBHOOK_SECRET = secret;
  }
  return env;
}

// The messages a sink holds for one address.
export const to = (sink, email) => sink.messages.filter((m) => m.rcpt_tos.includes(email));
