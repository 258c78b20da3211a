// assignment.js — `/cohorts/:id/assignments/:assignmentId`: an assignment
// for its participant. Instructions (server-rendered `instructions_html`,
// inert like a lesson body), the due date, my latest submission, and once
// grades are released the score and feedback (`feedback_html`). Handing in:
// POST …/submissions {text?, url?} makes a new version, then a chosen file
// goes up as the raw body of PUT /api/v1/submissions/{id}/file with a
// progress bar (XMLHttpRequest); a file over the limit gets a clear message,
// whether this page or the server (413) notices. A released failing grade
// opens a new attempt until the cut-off, as many as the assignment allows
// (the server says whether and why not: submit_refusal).
import { api, apiUpload, paths } from '../api.js';
import { fmtDateTime, fmtNumber, fmtSize } from '../i18n.js';
import { h, put, field, showErrors, clearErrors, progressBar, setProgress, toast, setSafeHtml } from '../ui.js';

// The server's limit (submissions.c FILE_MAX) and the types it accepts by
// their magic bytes (filetype.h): checked here first to spare a long upload.
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ACCEPT = 'image/png,image/jpeg,application/pdf,video/mp4,.png,.jpg,.jpeg,.pdf,.mp4';


function html(className, markup) {
  return setSafeHtml(h('div', { class: className }), markup);
}

function deadline(a, t) {
  if (!a.due_at) return h('p', { class: 'meta' }, t('assignment.no_due'));
  const past = Date.parse(a.due_at) < Date.now();
  return h(
    'p',
    { class: past ? 'meta late' : 'meta' },
    t('assignment.due', { date: fmtDateTime(a.due_at) }),
    a.cutoff_at && a.cutoff_at !== a.due_at ? ` · ${t('assignment.cutoff', { date: fmtDateTime(a.cutoff_at) })}` : null,
  );
}

// My latest submission and, when released, its grade.
function submissionBlock(s, a, t) {
  if (!s) return h('p', { class: 'empty' }, t('assignment.none_yet'));
  const g = s.grade;
  return h(
    'section',
    { class: 'card submission', 'aria-labelledby': 'sub-h' },
    h('h2', { id: 'sub-h' }, t('assignment.my_work')),
    h(
      'p',
      { class: 'meta' },
      t('assignment.version', { n: s.version, date: fmtDateTime(s.submitted_at) }),
      s.late ? h('span', { class: 'badge waitlisted' }, t('assignment.late')) : null,
    ),
    h('p', null, h('span', { class: `badge ${s.status}` }, t(`assignment.status.${s.status}`))),
    s.text ? h('div', { class: 'submitted-text' }, s.text) : null,
    s.url ? h('p', null, t('assignment.link'), ': ', h('a', { href: s.url, rel: 'noopener noreferrer nofollow', target: '_blank' }, s.url)) : null,
    s.file ? h('p', null, t('assignment.file'), ': ', h('a', { href: s.file.url, download: s.file.original_name || '' }, s.file.original_name || s.file.name), ` (${fmtSize(s.file.size)})`) : null,
    g && s.released
      ? h(
          'div',
          { class: `grade ${g.passed ? 'passed' : 'failed'}` },
          h('h3', null, t('assignment.grade')),
          h('p', { class: 'score' }, t('assignment.score', { score: fmtNumber(g.score), max: fmtNumber(a.max_score) }), ' · ', t(g.passed ? 'assignment.passed' : 'assignment.not_passed')),
          g.feedback_html ? [h('h3', null, t('assignment.feedback')), html('feedback', g.feedback_html)] : null,
        )
      : s.status === 'graded'
        ? h('p', { class: 'meta' }, t('assignment.graded_unreleased'))
        : null,
  );
}

function submitForm(a, cohortId, t, onDone) {
  const types = new Set(a.submission_types || []);
  const submit = h('button', { type: 'submit' }, t('assignment.submit'));
  const bar = progressBar(0, t('assignment.uploading'));
  const barBox = h('div', { class: 'upload-progress', hidden: true }, h('p', { class: 'meta' }, t('assignment.uploading')), bar);
  const form = h(
    'form',
    { class: 'submit-form', novalidate: true },
    types.has('text') ? field({ label: t('assignment.text'), name: 'text', rows: 6, maxlength: 65536 }) : null,
    types.has('url') ? field({ label: t('assignment.url'), name: 'url', type: 'url', inputmode: 'url', placeholder: 'https://', hint: t('assignment.url_hint') }) : null,
    types.has('file') ? field({ label: t('assignment.file_label'), name: 'file', type: 'file', accept: ACCEPT, hint: t('assignment.file_hint', { max: fmtSize(MAX_FILE_BYTES) }) }) : null,
    barBox,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {};
    const text = form.elements.text ? form.elements.text.value : '';
    const url = form.elements.url ? form.elements.url.value.trim() : '';
    const file = form.elements.file && form.elements.file.files[0];
    if (text.trim()) body.text = text;
    if (url) {
      if (!/^https?:\/\/\S+$/i.test(url)) return showErrors(form, { code: 'invalid_url', field: 'url' });
      body.url = url;
    }
    if (file && file.size > MAX_FILE_BYTES) return showErrors(form, { code: 'file_too_big', field: 'file' });
    if (file && file.size === 0) return showErrors(form, { code: 'empty_file', field: 'file' });
    if (!body.text && !body.url && !file) return showErrors(form, { code: 'empty_submission', field: types.has('text') ? 'text' : types.has('url') ? 'url' : 'file' });
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    let sub = null;
    try {
      sub = await api('POST', paths.cohortAssignmentSubmissions(cohortId, a.id), body);
      if (file) {
        barBox.hidden = false;
        setProgress(bar, 0);
        sub = await apiUpload(paths.submissionFile(sub.id), file, (f) => setProgress(bar, f * 100));
      }
      toast(t('assignment.sent'));
      onDone(sub);
    } catch (err) {
      barBox.hidden = true;
      const tooBig = err.status === 413 || err.code === 'body_too_large';
      showErrors(form, tooBig ? { code: 'file_too_big', field: 'file' } : err, { unsupported_file_type: 'file', unsupported_media_type: 'file', empty_file: 'file', invalid_filename: 'file', invalid_text: 'text' });
      if (sub && file) toast(t('assignment.sent_without_file'));
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });
  return form;
}

// Where the attempts stand, once one is graded: "Percobaan 1 dari 3".
function attemptsLine(a, t) {
  if (!a.attempts_used) return null;
  return h('p', { class: 'meta', 'data-testid': 'attempts' }, a.max_attempts
    ? t('assignment.attempts_of', { n: fmtNumber(a.attempts_used), max: fmtNumber(a.max_attempts) })
    : t('assignment.attempts', { n: fmtNumber(a.attempts_used) }));
}

export default async function render(view, { t, params, signal }) {
  const { id, assignmentId } = params;
  const enc = encodeURIComponent(id);
  let [a, cohort] = await Promise.all([
    api('GET', paths.cohortAssignment(id, assignmentId), null, { signal }),
    api('GET', paths.cohort(id), null, { signal }).catch(() => null),
  ]);
  document.title = `${a.title} · Sinau`;
  const mine = a.my_submission;
  const area = h('div', { class: 'assignment-work' });
  const REFUSED = { deadline_passed: 'assignment.closed', already_graded: 'assignment.no_more', attempts_exhausted: 'assignment.attempts_used_up' };

  function draw(sub) {
    const failed = sub && sub.grade && sub.released && !sub.grade.passed;
    area.replaceChildren();
    put(area, submissionBlock(sub, a, t), attemptsLine(a, t));
    if (a.submit_refusal) {
      area.append(h('p', { class: 'meta', 'data-testid': 'submit-refusal' }, t(REFUSED[a.submit_refusal] || 'assignment.no_more')));
      return;
    }
    if (failed) area.append(h('p', { class: 'outcome', role: 'status' }, t('assignment.try_again')));
    area.append(
      h('h2', null, t(failed ? 'assignment.new_attempt' : sub ? 'assignment.resubmit' : 'assignment.hand_in')),
      submitForm(a, id, t, async (fresh) => {
        a = await api('GET', paths.cohortAssignment(id, assignmentId), null, { signal }).catch(() => a);
        draw(fresh);
        area.querySelector('#sub-h')?.setAttribute('tabindex', '-1');
        area.querySelector('#sub-h')?.focus();
      }),
    );
  }
  draw(mine);

  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: `/cohorts/${enc}` }, cohort ? `${cohort.programme_title} · ${cohort.name}` : t('lesson.back_to_cohort'))),
    h('h1', null, a.title),
    h('p', { class: 'meta' }, t(a.required ? 'assignment.required' : 'assignment.optional'), ' · ', t('assignment.pass', { pass: fmtNumber(a.pass_score), max: fmtNumber(a.max_score) })),
    deadline(a, t),
    html('lesson-body instructions', a.instructions_html),
    area,
  );
}
