// api.js — every call to the JSON API goes through here.
//
// api(method, path, body, opts) → the parsed JSON body (null for 204).
// `path` is either a full path ('/api/v1/me') or one under /api/v1 ('/me').
// Failures throw ApiError {status, code, message, details}: the server's
// `{"error":{code,message,details}}`, or status 0 / code 'network' when no
// answer came. Unsafe requests (POST, PUT, DELETE) carry X-CSRF-Token once
// the session's token is known (setCsrf, done by session.js from GET /me and
// by the login page from the login answer).
// opts: {signal, idempotencyKey, headers}.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

export function setCsrf(token) {
  csrfToken = token || null;
}

export function apiUrl(path) {
  return path.startsWith('/api/') ? path : `/api/v1${path}`;
}

const UNSAFE = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

// A random key for Idempotency-Key (works outside secure contexts too).
export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function errorFrom(status, data) {
  const e = data && typeof data === 'object' ? data.error : null;
  if (e && typeof e.code === 'string') return new ApiError(status, e.code, e.message, e.details);
  return new ApiError(status, status >= 500 ? 'server_error' : 'http_' + status, '', null);
}

export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (body !== undefined && body !== null) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(apiUrl(path), init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', String(err && err.message), null);
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw errorFrom(res.status, data);
  return data;
}

// Sends a file as the raw body (PUT, or `method`) with XMLHttpRequest so the
// upload can report progress: onProgress(fraction 0..1). Resolves to the
// parsed answer; rejects with ApiError (413 → code 'body_too_large' or the
// server's own).
export function apiUpload(path, file, onProgress, method = 'PUT') {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, apiUrl(path));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name || 'file'));
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    if (onProgress) {
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
    }
    xhr.addEventListener('load', () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else if (xhr.status === 413 && !(data && data.error)) reject(new ApiError(413, 'body_too_large', '', null));
      else reject(errorFrom(xhr.status, data));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', '', null)));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', '', null)));
    xhr.send(file);
  });
}
