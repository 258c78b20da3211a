// attempt.js — `/cohorts/:id/attempts/:attemptId`: taking a quiz on a
// phone, and its result afterwards.
//
// Taking: one question a screen (with a numbered navigator) or all on one
// page, as the quiz says. Each answer is saved as it is given (PUT
// …/answers/{question}: radios and checkboxes at once, typed answers after
// a pause), one save in flight per question, each with a rising `seq` so a
// late retry never overwrites a newer answer. Answers not yet acknowledged
// are kept in localStorage: a lost connection (or a reload, or a closed
// tab) loses nothing — they are sent again when the connection is back
// (the `online` event, and retries that back off up to 15 s). The attempt
// resumes on reload or on another device from the server, in the same
// order. The remaining time is the server's (remaining_s, re-read on every
// save), counted down on this device's monotonic clock; when it runs out
// the answers are locked and the attempt is closed. Sending flushes what
// is pending first.
//
// Result: the score where the quiz lets it show, and, where it allows a
// review, each question with what was right and the explanation.
import { api, paths } from '../api.js';
import { t, tn, fmtNumber, fmtDateTime, errorText, fmtCountdown } from '../i18n.js';
import { h, put, busy, toast } from '../ui.js';
import { questionView, answered, safeHtml } from '../quiz_ui.js';

const enc = encodeURIComponent;
const TYPED_PAUSE_MS = 700;
const RETRY_MAX_MS = 15000;

// ---- the answers not yet acknowledged, kept on this device ----

function storeKey(attemptId) {
  return `sinau.quiz.${attemptId}`;
}

function loadPending(attemptId) {
  try {
    return JSON.parse(localStorage.getItem(storeKey(attemptId)) || '{}') || {};
  } catch {
    return {};
  }
}

function savePending(attemptId, pending) {
  try {
    if (Object.keys(pending).length) localStorage.setItem(storeKey(attemptId), JSON.stringify(pending));
    else localStorage.removeItem(storeKey(attemptId));
  } catch {
    /* storage off or full: the answers are still retried from memory */
  }
}

// Sends answers as they are given; see the file's header. Callbacks:
// onSaved(qid, answer), onRejected(qid, err), onClosed(), onSignedOut(),
// onState().
function saver(attemptId, cb) {
  const pending = loadPending(attemptId); // qid → {response, seq}
  const inflight = new Set();
  let offline = false;
  let backoff = 1000;
  let retryTimer = null;
  let lastSeq = Date.now();
  let stopped = false;
  const waiters = [];

  const settle = () => {
    cb.onState();
    if (!Object.keys(pending).length && !inflight.size) while (waiters.length) waiters.shift().resolve();
  };
  const scheduleRetry = () => {
    if (retryTimer || stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      retryAll();
    }, backoff);
    backoff = Math.min(backoff * 2, RETRY_MAX_MS);
  };
  async function send(qid) {
    const item = pending[qid];
    if (!item || inflight.has(qid) || stopped) return;
    inflight.add(qid);
    cb.onState();
    let again = false;
    try {
      const r = await api('PUT', paths.attemptAnswer(attemptId, qid), { ...item.response, seq: item.seq });
      offline = false;
      backoff = 1000;
      if (pending[qid] && pending[qid].seq === item.seq) delete pending[qid];
      savePending(attemptId, pending);
      cb.onSaved(qid, r);
    } catch (err) {
      if (err.status === 409 && err.code === 'attempt_closed') {
        stopped = true;
        cb.onClosed();
      } else if (err.status === 401) {
        // the session ended: what is pending stays on this device for
        // when the participant signs in again and comes back
        stopped = true;
        cb.onSignedOut();
      } else if (err.status === 422 || err.status === 404) {
        if (pending[qid] && pending[qid].seq === item.seq) delete pending[qid];
        savePending(attemptId, pending);
        cb.onRejected(qid, err);
      } else {
        offline = err.status === 0;
        scheduleRetry();
      }
    } finally {
      inflight.delete(qid);
      again = pending[qid] && pending[qid].seq !== item.seq && !offline && !stopped;
      settle();
    }
    if (again) send(qid);
  }
  function retryAll() {
    for (const qid of Object.keys(pending)) send(qid);
  }
  const onOnline = () => {
    backoff = 1000;
    clearTimeout(retryTimer);
    retryTimer = null;
    retryAll();
  };
  window.addEventListener('online', onOnline);
  return {
    pending,
    set(qid, response) {
      lastSeq = Math.max(lastSeq + 1, Date.now());
      pending[qid] = { response, seq: lastSeq };
      savePending(attemptId, pending);
      send(qid);
    },
    retryAll,
    busy: () => inflight.size > 0,
    offline: () => offline,
    count: () => Object.keys(pending).length,
    // Resolves once everything is acknowledged; rejects while offline.
    flush() {
      if (!Object.keys(pending).length && !inflight.size) return Promise.resolve();
      retryAll();
      return new Promise((resolve, reject) => {
        waiters.push({ resolve });
        if (offline) reject(new Error('offline'));
      });
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      window.removeEventListener('online', onOnline);
    },
  };
}

// ---- the result ----

function drawResult(view, att, cohortId) {
  const quizHref = `/cohorts/${enc(cohortId)}/quizzes/${enc(att.quiz_id)}`;
  const isSurvey = att.quiz.kind === 'survey';
  const hasScore = att.percent !== undefined && att.percent !== null;
  const reviewed = att.questions.some((q) => q.review);
  let summary;
  if (isSurvey) summary = h('p', { class: 'done-note', 'data-testid': 'quiz-result' }, `✓ ${t('quiz.survey_thanks')}`);
  else if (hasScore) {
    summary = h(
      'div',
      { class: 'card quiz-score', 'data-testid': 'quiz-result' },
      h('p', { class: 'quiz-percent' }, t('quiz.result_line', { percent: fmtNumber(att.percent) })),
      h('p', { class: 'meta' }, t('quiz.points_of', { got: fmtNumber(att.score), of: fmtNumber(att.max_score) })),
      att.passed === true ? h('p', { class: 'badge open' }, t('quiz.passed')) : att.passed === false ? h('p', { class: 'badge closed' }, t('quiz.not_passed')) : null,
    );
  } else summary = h('p', { class: 'notice', 'data-testid': 'quiz-result' }, t('quiz.sent_later'));
  const questions = reviewed
    ? h(
        'div',
        { class: 'quiz-review-list' },
        h('h2', null, t('quiz.review.title')),
        att.questions.map((q, i) => questionView(q, { number: i + 1, total: att.questions.length, response: q.response, disabled: true, onChange() {}, idPrefix: 'r' }).el),
      )
    : null;
  view.replaceChildren();
  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: `/cohorts/${enc(cohortId)}` }, t('quiz.back_to_cohort'))),
    h('h1', null, att.quiz.title),
    h('p', { class: 'meta' }, t('quiz.attempt_n', { n: att.number }), att.closed_at ? ` · ${t('quiz.sent_at', { date: fmtDateTime(att.closed_at) })}` : null),
    summary,
    questions,
    h('p', null, h('a', { class: 'button secondary', href: quizHref }, t('quiz.back_to_quiz'))),
  );
  const heading = view.querySelector('h1');
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

// ---- the timer ----

// A countdown from the server's remaining seconds on the monotonic clock;
// announces 5 minutes and 1 minute left through `say`. resync(seconds)
// after each save; onEnd once.
function countdown(remainingS, say, onEnd) {
  let endAt = performance.now() + remainingS * 1000;
  const el = h('p', { class: 'quiz-timer', role: 'timer', 'aria-live': 'off', 'data-testid': 'quiz-timer' });
  const announced = new Set();
  let ended = false;
  const tick = () => {
    const left = endAt - performance.now();
    el.textContent = t('quiz.time_left', { time: fmtCountdown(left) });
    el.classList.toggle('low', left <= 60000);
    for (const mark of [300, 60]) {
      if (left <= mark * 1000 && left > (mark - 5) * 1000 && !announced.has(mark)) {
        announced.add(mark);
        say(t(mark === 300 ? 'quiz.five_minutes' : 'quiz.one_minute'));
      }
    }
    if (left <= 0 && !ended) {
      ended = true;
      onEnd();
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  return {
    el,
    resync(seconds) {
      if (typeof seconds === 'number') endAt = performance.now() + seconds * 1000;
    },
    stop: () => clearInterval(timer),
  };
}

// ---- taking ----

function take(view, att, cohortId) {
  const one = att.quiz.layout === 'one';
  const total = att.questions.length;
  const responses = new Map(att.questions.map((q) => [q.id, q.response || null]));
  const views = new Map();
  const status = h('p', { class: 'quiz-status', role: 'status', 'data-testid': 'quiz-save-status' });
  const announce = h('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
  const typed = new Map();
  let current = 0;
  let locked = false;
  let signedOut = false;

  const s = saver(att.id, {
    onSaved(qid, r) {
      views.get(qid)?.status(s.pending[qid] ? '' : t('quiz.saved'));
      if (clock) clock.resync(r.remaining_s);
    },
    onRejected(qid, err) {
      views.get(qid)?.status(errorText(err));
    },
    onClosed() {
      finishWith(null);
    },
    onSignedOut() {
      signedOut = true;
      drawState();
    },
    onState: drawState,
  });

  // What the pending answers on this device say wins over the server's copy
  // (they are newer): a reload while offline keeps them.
  for (const [qid, item] of Object.entries(s.pending)) if (responses.has(qid)) responses.set(qid, item.response);

  function drawState() {
    const n = s.count();
    if (signedOut) status.textContent = t('quiz.signed_out');
    else if (s.offline() && n) status.textContent = tn('quiz.offline_kept', n);
    else if (n || s.busy()) status.textContent = t('quiz.saving');
    else status.textContent = t('quiz.all_saved');
    status.classList.toggle('offline', signedOut || (s.offline() && n > 0));
    for (const [qid, v] of views) if (s.pending[qid]) v.status(s.offline() ? t('quiz.not_sent') : t('quiz.saving_one'));
    drawNav();
  }

  const onChange = (qid, type) => (response) => {
    responses.set(qid, response);
    if (type === 'short_text' || type === 'text' || type === 'numeric') {
      clearTimeout(typed.get(qid));
      typed.set(qid, setTimeout(() => s.set(qid, response), TYPED_PAUSE_MS));
    } else {
      s.set(qid, response);
    }
    drawNav();
  };

  const list = h('div', { class: 'quiz-questions' });
  att.questions.forEach((q, i) => {
    const v = questionView(q, { number: i + 1, total, response: responses.get(q.id), disabled: false, onChange: onChange(q.id, q.type) });
    // a typed answer also goes at once when the reader leaves the field
    v.el.addEventListener('change', (e) => {
      if (e.target.matches('input[type=text], textarea') && typed.has(q.id)) {
        clearTimeout(typed.get(q.id));
        typed.delete(q.id);
        s.set(q.id, responses.get(q.id));
      }
    });
    views.set(q.id, v);
    list.append(v.el);
  });

  // Navigation (one question a screen).
  const nav = h('ol', { class: 'quiz-nav', 'aria-label': t('quiz.nav') });
  const prev = h('button', { type: 'button', class: 'secondary' }, t('quiz.previous'));
  const next = h('button', { type: 'button' }, t('quiz.next'));
  function show(i, focus) {
    current = Math.max(0, Math.min(total - 1, i));
    att.questions.forEach((q, k) => (views.get(q.id).el.hidden = one && k !== current));
    prev.disabled = current === 0;
    next.hidden = current === total - 1;
    drawNav();
    if (focus) views.get(att.questions[current].id).el.querySelector('input, textarea')?.focus();
  }
  prev.addEventListener('click', () => show(current - 1, true));
  next.addEventListener('click', () => show(current + 1, true));
  function drawNav() {
    const done = att.questions.filter((q) => answered(responses.get(q.id))).length;
    progress.textContent = t('quiz.answered_n', { n: fmtNumber(done), total: fmtNumber(total) });
    if (!one) return;
    nav.replaceChildren(
      ...att.questions.map((q, k) => {
        const isAnswered = answered(responses.get(q.id));
        const b = h(
          'button',
          {
            type: 'button',
            class: `quiz-nav-item${isAnswered ? ' answered' : ''}${s.pending[q.id] ? ' pending' : ''}`,
            'aria-current': k === current ? 'step' : null,
            'aria-label': t(isAnswered ? 'quiz.nav_item_answered' : 'quiz.nav_item', { n: k + 1 }),
          },
          String(k + 1),
        );
        b.addEventListener('click', () => show(k, true));
        return h('li', null, b);
      }),
    );
  }
  const progress = h('p', { class: 'meta quiz-progress' });

  // Sending.
  const send = h('button', { type: 'button', class: 'quiz-send' }, att.quiz.kind === 'survey' ? t('quiz.send_survey') : t('quiz.send'));
  const confirmBox = h('div', { class: 'card quiz-confirm', hidden: true, role: 'group', 'aria-labelledby': 'quiz-confirm-text' });
  send.addEventListener('click', () => {
    const left = att.questions.filter((q) => !answered(responses.get(q.id))).length;
    const yes = h('button', { type: 'button' }, t('quiz.send_now'));
    const no = h('button', { type: 'button', class: 'secondary' }, t('quiz.keep_working'));
    yes.addEventListener('click', () => finish(yes));
    no.addEventListener('click', () => {
      confirmBox.hidden = true;
      send.focus();
    });
    confirmBox.replaceChildren(h('p', { id: 'quiz-confirm-text' }, left ? tn('quiz.confirm_unanswered', left) : t('quiz.confirm_send')), h('div', { class: 'staff-actions' }, no, yes));
    confirmBox.hidden = false;
    yes.focus();
  });

  async function finish(button) {
    for (const [qid, timer] of typed) {
      clearTimeout(timer);
      s.set(qid, responses.get(qid));
    }
    typed.clear();
    try {
      await busy(button, s.flush());
    } catch {
      toast(t('quiz.wait_connection'), { kind: 'error' });
      return;
    }
    try {
      const r = await busy(button, api('POST', paths.attemptClose(att.id), {}));
      finishWith(r.attempt);
    } catch (err) {
      if (err.code === 'survey_incomplete') {
        const first = err.details && err.details.question_ids && err.details.question_ids[0];
        const k = att.questions.findIndex((q) => q.id === first);
        confirmBox.hidden = true;
        toast(errorText(err), { kind: 'error' });
        if (k >= 0) show(k, true);
        return;
      }
      toast(errorText(err), { kind: 'error' });
    }
  }

  // Ends taking: the result from `closed` or read again.
  async function finishWith(closed) {
    if (locked) return;
    locked = true;
    cleanup();
    let result = closed;
    savePending(att.id, {}); // the attempt takes no more answers
    if (!result) {
      try {
        result = await api('GET', paths.attempt(att.id));
      } catch (err) {
        toast(errorText(err), { kind: 'error' });
        return;
      }
    }
    if (view.isConnected) drawResult(view, result, cohortId);
  }

  function timeUp() {
    for (const el of view.querySelectorAll('input, textarea')) el.disabled = true;
    announce.textContent = t('quiz.time_up');
    status.textContent = t('quiz.time_up');
    api('POST', paths.attemptClose(att.id), {})
      .then((r) => finishWith(r.attempt))
      .catch(() => finishWith(null));
  }

  const clock = att.remaining_s !== null && att.remaining_s !== undefined ? countdown(att.remaining_s, (msg) => (announce.textContent = msg), timeUp) : null;
  const warnLeave = (e) => {
    if (s.count()) {
      e.preventDefault();
      e.returnValue = '';
    }
  };
  window.addEventListener('beforeunload', warnLeave);
  function cleanup() {
    s.stop();
    clock?.stop();
    for (const timer of typed.values()) clearTimeout(timer);
    window.removeEventListener('beforeunload', warnLeave);
  }

  const description = att.number === 1 && att.quiz.description_html ? safeHtml(h('div', { class: 'quiz-intro' }), att.quiz.description_html) : null;
  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: `/cohorts/${enc(cohortId)}/quizzes/${enc(att.quiz_id)}` }, t('quiz.back_to_quiz'))),
    h('h1', null, att.quiz.title),
    h('div', { class: 'quiz-bar' }, clock ? clock.el : null, progress, status),
    announce,
    att.quiz.anonymous ? h('p', { class: 'notice' }, t('quiz.anonymous_note')) : null,
    description,
    one ? nav : null,
    list,
    one ? h('div', { class: 'quiz-pager' }, prev, next) : null,
    h('div', { class: 'quiz-finish' }, send),
    confirmBox,
  );
  show(0, false);
  drawState();
  s.retryAll(); // what this device kept from before
  return () => {
    if (!locked) cleanup();
  };
}

export default async function render(view, { params, signal }) {
  const { id, attemptId } = params;
  const att = await api('GET', paths.attempt(attemptId), null, { signal });
  document.title = `${att.quiz.title} · Sinau`;
  if (att.status === 'closed') {
    savePending(att.id, {}); // nothing left to send
    drawResult(view, att, id);
    return null;
  }
  return take(view, att, id);
}
