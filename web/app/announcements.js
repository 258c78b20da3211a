// announcements.js — a cohort's announcements (GET/POST
// /api/v1/cohorts/{id}/announcements), shared by the participant's cohort
// page (the list) and the staff page that writes them (the form too). The
// body is the server's safe Markdown rendering (body_html), as a lesson's.
import { api, paths } from './api.js';
import { loadArea, t, fmtDateTime, fmtNumber } from './i18n.js';
import { h, field, showErrors, clearErrors, busy, toast, setSafeHtml } from './ui.js';

function item(a, segmentName) {
  const body = setSafeHtml(h('div', { class: 'prose' }), a.body_html);
  return h('li', { class: 'card announcement', 'data-announcement': a.id },
    h('h3', null, a.subject),
    h('p', { class: 'meta' },
      a.segment ? t('acct.ann.to_segment', { segment: segmentName(a.segment) }) : t('acct.ann.to_all'), ' · ',
      t('acct.ann.by', { name: a.author ? a.author.full_name : 'Sinau', time: fmtDateTime(a.created_at) })),
    body);
}

// A section listing the cohort's announcements the reader may see (nothing
// at all when the API says 404: not a participant). segmentName labels a
// segment code.
export async function announcementList(cohortId, segmentName, { signal } = {}) {
  await loadArea('account');
  let items;
  try {
    items = (await api('GET', paths.cohortAnnouncements(cohortId), null, { signal })).items;
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
  const list = h('ul', { class: 'plain announcements', 'data-testid': 'announcements' });
  const draw = (xs) => (xs.length ? list.replaceChildren(...xs.map((a) => item(a, segmentName)))
    : list.replaceChildren(h('li', { class: 'empty' }, t('acct.ann.none'))));
  draw(items);
  const section = h('section', { 'aria-labelledby': 'ann-h' }, h('h2', { id: 'ann-h' }, t('acct.ann.title')), list);
  section.prepend = (a) => {
    items = [a, ...items];
    draw(items);
  };
  return section;
}

// The staff form: subject, Markdown text, to everyone or one segment.
// onSent(announcement) runs after a send.
export function announcementForm(cohort, segmentName, onSent) {
  const submit = h('button', { type: 'submit' }, t('acct.ann.send'));
  const segments = (cohort.segments || []).map((s) => ({ value: s.segment, label: segmentName(s.segment) }));
  const form = h('form', { novalidate: true, 'data-testid': 'announce' },
    field({ label: t('acct.ann.subject'), name: 'subject', maxlength: 200, required: true }),
    field({ label: t('acct.ann.body'), name: 'body_markdown', rows: 6, maxlength: 20000, required: true }),
    field({ label: t('acct.ann.segment'), name: 'segment', value: '', options: [{ value: '', label: t('acct.ann.everyone') }, ...segments] }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const subject = form.elements.subject.value.trim();
    const body = form.elements.body_markdown.value;
    if (!subject) return showErrors(form, { code: 'required', field: 'subject' });
    if (!body.trim()) return showErrors(form, { code: 'required', field: 'body_markdown' });
    const json = { subject, body_markdown: body };
    if (form.elements.segment.value) json.segment = form.elements.segment.value;
    try {
      const a = await busy(submit, api('POST', paths.cohortAnnouncements(cohort.id), json));
      form.reset();
      toast(t('acct.ann.sent', { n: fmtNumber(a.recipients) }));
      onSent(a);
    } catch (err) {
      showErrors(form, err, { invalid_body: 'body_markdown' });
    }
  });
  return form;
}
