// api.js — every call to the JSON API goes through here.
//
// api(method, path, body, opts) → the parsed JSON body (null for 204).
// `path` is either a full path ('/api/v1/me') or one under /api/v1 ('/me').
// Failures throw ApiError {status, code, message, details}: the server's
// `{"error":{code,message,details}}`, or status 0 / code 'network' when no
// answer came. Unsafe requests (POST, PUT, DELETE) carry X-CSRF-Token once
// the session's token is known (setCsrf, done by session.js from GET /me and
// by the login page from the login answer).
// opts: {signal, idempotencyKey, headers, raw} (raw: body sent as it is,
// a string, Blob or ArrayBuffer, e.g. a CSV file).

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

// ---- The API's paths: one function per route the pages call ----
//
// paths.cohortQuiz(cohortId, quizId) → '/api/v1/cohorts/c1/quizzes/q9'.
// Each function takes the route's parameters in the order the path names
// them (each encoded as one path segment) and, optionally, one more: the
// query (an object, whose null, undefined and '' values are left out, a
// URLSearchParams or a query string). A missing parameter throws, so a
// page never asks for '/cohorts/undefined'. Pages build no API path by
// hand; a new route gets its line here. (They live in api.js rather than a
// module of their own: api.js is one of the four modules the shell
// preloads, and a fifth file would cost every page one more round trip on
// a slow network, see README "How a page gets to the reader".)

function queryOf(query) {
  if (!query) return '';
  const q =
    typeof query === 'string' || query instanceof URLSearchParams
      ? new URLSearchParams(query)
      : new URLSearchParams(Object.entries(query).filter(([, v]) => v !== null && v !== undefined && v !== ''));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// A path function from a template such as '/cohorts/{id}/quizzes/{quizId}'.
function route(template) {
  const parts = template.split(/\{\w+\}/);
  const count = parts.length - 1;
  return (...args) => {
    let out = `/api/v1${parts[0]}`;
    for (let i = 0; i < count; i++) {
      if (args[i] === undefined || args[i] === null || args[i] === '') throw new TypeError(`${template}: parameter ${i + 1} missing`);
      out += encodeURIComponent(String(args[i])) + parts[i + 1];
    }
    return out + queryOf(args[count]);
  };
}

export const paths = Object.freeze({
  assignment: route('/assignments/{assignmentId}'),
  attachment: route('/attachments/{id}'),
  attempt: route('/attempts/{id}'),
  attemptAnswer: route('/attempts/{id}/answers/{questionId}'),
  attemptClose: route('/attempts/{id}/close'),
  authLogin: route('/auth/login'),
  authLogout: route('/auth/logout'),
  authPasswordReset: route('/auth/password-reset'),
  authPasswordResetConfirm: route('/auth/password-reset/confirm'),
  authSignup: route('/auth/signup'),
  authVerifyEmail: route('/auth/verify-email'),
  certificateImages: route('/certificate-images'),
  certificatesPdfSigning: route('/certificates/pdf-signing'),
  certificateRevoke: route('/certificates/{id}/revoke'),
  cohort: route('/cohorts/{id}'),
  cohortAnnouncements: route('/cohorts/{id}/announcements'),
  cohortAssignments: route('/cohorts/{id}/assignments'),
  cohortAssignment: route('/cohorts/{id}/assignments/{assignmentId}'),
  cohortAssignmentSchedule: route('/cohorts/{id}/assignments/{assignmentId}/schedule'),
  cohortAssignmentSubmissions: route('/cohorts/{id}/assignments/{assignmentId}/submissions'),
  cohortAttendance: route('/cohorts/{id}/attendance'),
  cohortCertificateRules: route('/cohorts/{id}/certificate-rules'),
  cohortCertificates: route('/cohorts/{id}/certificates'),
  cohortContentVersion: route('/cohorts/{id}/content-version'),
  cohortContentVersionChanges: route('/cohorts/{id}/content-version/changes'),
  cohortEligibility: route('/cohorts/{id}/eligibility'),
  cohortGradebook: route('/cohorts/{id}/gradebook'),
  cohortGradesRelease: route('/cohorts/{id}/grades/release'),
  cohortGradingQueue: route('/cohorts/{id}/grading-queue'),
  cohortInstructors: route('/cohorts/{id}/instructors'),
  cohortInstructor: route('/cohorts/{id}/instructors/{userId}'),
  cohortLesson: route('/cohorts/{id}/lessons/{lessonId}'),
  cohortLessonComplete: route('/cohorts/{id}/lessons/{lessonId}/complete'),
  cohortModules: route('/cohorts/{id}/modules'),
  cohortProgress: route('/cohorts/{id}/progress'),
  cohortQuizReport: route('/cohorts/{id}/quiz-report'),
  cohortQuizzes: route('/cohorts/{id}/quizzes'),
  cohortQuiz: route('/cohorts/{id}/quizzes/{quizId}'),
  cohortQuizAttempts: route('/cohorts/{id}/quizzes/{quizId}/attempts'),
  cohortQuizResults: route('/cohorts/{id}/quizzes/{quizId}/results'),
  cohortQuizWindow: route('/cohorts/{id}/quizzes/{quizId}/window'),
  cohortRegistrations: route('/cohorts/{id}/registrations'),
  cohortRegistrationsExport: route('/cohorts/{id}/registrations/export'),
  cohortSegment: route('/cohorts/{id}/segments/{segment}'),
  cohortSessions: route('/cohorts/{id}/sessions'),
  keys: route('/keys'),
  keysRotate: route('/keys/rotate'),
  lesson: route('/lessons/{lessonId}'),
  lessonAttachments: route('/lessons/{lessonId}/attachments'),
  markdownPreview: route('/markdown/preview'),
  me: route('/me'),
  meCertificates: route('/me/certificates'),
  meEmailVerification: route('/me/email-verification'),
  meJp: route('/me/jp'),
  meJpTranscript: route('/me/jp/{year}/transcript'),
  meNotifications: route('/me/notifications'),
  mePassword: route('/me/password'),
  meProfile: route('/me/profile'),
  meRegistrations: route('/me/registrations'),
  messages: route('/messages'),
  messageResend: route('/messages/{id}/resend'),
  module: route('/modules/{id}'),
  moduleAssignments: route('/modules/{id}/assignments'),
  moduleLessons: route('/modules/{id}/lessons'),
  moduleQuizzes: route('/modules/{id}/quizzes'),
  programmes: route('/programmes'),
  programme: route('/programmes/{slug}'),
  programmeAuthors: route('/programmes/{slug}/authors'),
  programmeAuthor: route('/programmes/{slug}/authors/{userId}'),
  programmeCohorts: route('/programmes/{slug}/cohorts'),
  programmeDraft: route('/programmes/{slug}/draft'),
  programmeModules: route('/programmes/{slug}/modules'),
  programmeSignatory: route('/programmes/{slug}/signatory'),
  programmeVersions: route('/programmes/{slug}/versions'),
  question: route('/questions/{id}'),
  quiz: route('/quizzes/{quizId}'),
  quizPreview: route('/quizzes/{quizId}/preview'),
  quizQuestions: route('/quizzes/{quizId}/questions'),
  quizQuestionsImport: route('/quizzes/{quizId}/questions/import'),
  registration: route('/registrations/{id}'),
  registrationAccept: route('/registrations/{id}/accept'),
  reportsJp: route('/reports/jp'),
  sessionAttendance: route('/sessions/{id}/attendance'),
  sessionCheckin: route('/sessions/{id}/checkin'),
  signatory: route('/signatory'),
  submissionFile: route('/submissions/{id}/file'),
  submissionGrade: route('/submissions/{id}/grade'),
  unsubscribe: route('/unsubscribe'),
  users: route('/users'),
  user: route('/users/{userId}'),
  userPasswordReset: route('/users/{userId}/password-reset'),
});

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
  if (body !== undefined && body !== null && opts.raw) {
    init.body = body; // sent as it is, with the Content-Type given in opts.headers
  } else if (body !== undefined && body !== null) {
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
