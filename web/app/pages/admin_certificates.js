// admin_certificates.js — /admin/cohorts/:id/certificates: the cohort's
// certificate rules (PUT …/certificate-rules), who is eligible and what
// the others still lack (GET …/eligibility), issuing to every eligible
// participant without one (POST …/certificates), and the certificates
// issued, each with its public verify page and PDF, revocable with a
// stated reason (POST /api/v1/certificates/{id}/revoke; audited).
// The signing keys are listed and rotated on their own page (/admin/keys,
// admin_keys.js), linked from a card here.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, showErrors, clearErrors, toast, busy, whenSubmitted } from '../ui.js';
import { pageHead, errorBox, fill, checkbox, labelled, replace, askText } from '../staff_ui.js';
import { quizRuleFields, quizRuleBody, quizMissingText } from '../quiz_staff.js';

const enc = encodeURIComponent;

function missingText(m) {
  switch (m.code) {
    case 'lessons': return t('staff.certs.miss_lessons', { have: fmtNumber(m.have), need: fmtNumber(m.need) });
    case 'attendance': return t('staff.certs.miss_attendance', { have: fmtNumber(m.have), need: fmtNumber(m.need) });
    case 'assignment_missing': return t('staff.certs.miss_assignment_missing', { title: m.title });
    case 'assignment_ungraded': return t('staff.certs.miss_assignment_ungraded', { title: m.title });
    case 'assignment_unreleased': return t('staff.certs.miss_assignment_unreleased', { title: m.title });
    case 'assignment_failed': return t('staff.certs.miss_assignment_failed', { title: m.title });
    default: return quizMissingText(m) || m.code;
  }
}

// ---- load ----

// The eligibility report and the certificates issued (again after a change).
async function loadStanding(id) {
  const [elig, certs] = await Promise.all([
    api('GET', paths.cohortEligibility(id)),
    api('GET', paths.cohortCertificates(id)),
  ]);
  return { elig, certs };
}

// ---- act (each reports through `err` or on its form; state holds the
// last answers, redraw() shows them) ----

// The rules form's body, or {error} for a percentage out of range.
function rulesBody(form) {
  const v = form.elements;
  const body = {
    min_lesson_percent: Number(v.min_lesson_percent.value),
    min_attendance_percent: Number(v.min_attendance_percent.value),
    require_assignments_passed: v.require_assignments_passed.checked,
    auto_issue: v.auto_issue.checked,
    ...quizRuleBody(form),
  };
  for (const k of ['min_lesson_percent', 'min_attendance_percent']) {
    if (v[k].value === '' || !(body[k] >= 0 && body[k] <= 100)) return { error: { code: 'staff_percent', field: k } };
  }
  return { body };
}

async function saveRules(id, state, form, button, redraw) {
  clearErrors(form);
  const { body, error } = rulesBody(form);
  if (error) return showErrors(form, error);
  try {
    await busy(button, api('PUT', paths.cohortCertificateRules(id), body));
    state.elig = await api('GET', paths.cohortEligibility(id));
    redraw();
    toast(t('staff.certs.rules_saved'));
  } catch (ex) {
    showErrors(form, ex);
  }
  return undefined;
}

// Issues to everyone eligible; resolves to the note saying how it went.
async function issueAll(id, state, button, err, redraw) {
  err.update(null);
  try {
    const res = await busy(button, api('POST', paths.cohortCertificates(id), {}));
    Object.assign(state, await loadStanding(id));
    redraw();
    return `${tn('staff.certs.issued', res.issued)} ${tn('staff.certs.not_yet', (res.not_eligible || []).length)}`;
  } catch (ex) {
    err.update(ex);
    return null;
  }
}

// Revokes c for a stated reason (audited by the server).
async function revoke(c, button, err, redraw) {
  const reason = await askText({ question: t('staff.certs.revoke_q', { name: c.holder_name }), label: t('staff.certs.reason'), hint: t('staff.certs.reason_hint'), rows: 3, confirmLabel: t('staff.certs.revoke'), danger: true });
  if (!reason) return;
  err.update(null);
  try {
    await busy(button, api('POST', paths.certificateRevoke(c.id), { reason }));
    c.status = 'revoked';
    c.revoked_at = new Date().toISOString();
    redraw();
    toast(t('staff.certs.revoked', { name: c.holder_name }));
  } catch (ex) {
    err.update(ex);
  }
}

// ---- draw ----

function rulesForm(r, onSubmit) {
  const num = (name, value) => h('input', { type: 'number', name, min: '0', max: '100', inputmode: 'numeric', value: String(value) });
  const save = h('button', { type: 'submit', class: 'secondary' }, t('staff.certs.save_rules'));
  const form = h('form', { class: 'staff-form', novalidate: true, 'aria-labelledby': 'rules-h' },
    h('h2', { id: 'rules-h' }, t('staff.cohort.rules')),
    labelled(t('staff.cohort.f_min_lesson'), num('min_lesson_percent', r.min_lesson_percent)),
    labelled(t('staff.certs.f_min_attendance'), num('min_attendance_percent', r.min_attendance_percent)),
    checkbox(t('staff.cohort.f_assignments'), { name: 'require_assignments_passed' }, !!r.require_assignments_passed),
    checkbox(t('staff.certs.f_auto'), { name: 'auto_issue' }, !!r.auto_issue),
    quizRuleFields(r),
    save);
  return whenSubmitted(form, () => onSubmit(form, save));
}

// Who is eligible and what the others lack; returns {summary, body, draw(elig)}.
function eligibilityTable() {
  const body = h('tbody');
  const summary = h('p', { class: 'meta', role: 'status', 'data-testid': 'eligible-count' });
  const draw = (elig) => {
    const n = elig.items.filter((x) => x.eligible && !x.certificate_id).length;
    summary.textContent = tn('staff.certs.eligible_summary', n, { total: fmtNumber(elig.items.length) });
    if (!elig.items.length) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: '2', class: 'wide' }, t('staff.sessions.no_participants'))));
      return;
    }
    body.replaceChildren(...elig.items.map((x) => h('tr', { 'data-user': x.user.id },
      h('td', { 'data-label': t('staff.common.name'), class: 'wide' }, x.user.full_name),
      h('td', { 'data-label': t('staff.certs.standing'), class: 'wide' },
        x.certificate_id ? h('span', { class: 'badge' }, t('staff.certs.has_certificate'))
          : x.eligible ? h('span', { class: 'badge' }, t('staff.certs.eligible'))
            : h('ul', { class: 'certs-missing' }, ...x.missing.map((m) => h('li', {}, missingText(m))))))));
  };
  return { summary, body, draw };
}

// One certificate issued: its state, its pages, and revoking it.
function certItem(c, err, redraw) {
  const revoked = c.status === 'revoked';
  const button = revoked ? null : h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.certs.revoke_of', { name: c.holder_name }) }, t('staff.certs.revoke'));
  button?.addEventListener('click', () => revoke(c, button, err, redraw));
  const path = new URL(c.url, location.origin).pathname;
  return h('li', { class: 'card cert-item', 'data-certificate': c.id },
    h('h3', {}, c.holder_name, ' ', h('span', { class: `badge ${revoked ? 'cancelled' : ''}` }, revoked ? t('staff.certs.status_revoked') : t('staff.certs.status_valid'))),
    h('p', { class: 'meta' }, t('staff.certs.issued_at', { time: fmtDateTime(c.issued_at) }),
      revoked && c.revoked_at ? ` · ${t('staff.certs.revoked_at', { time: fmtDateTime(c.revoked_at) })}` : ''),
    h('p', { class: 'staff-actions' },
      h('a', { href: path, target: '_blank', rel: 'noopener' }, t('staff.certs.verify_page')),
      h('a', { href: `${path}.pdf`, target: '_blank', rel: 'noopener' }, 'PDF'),
      button));
}

function keysCard() {
  return h('section', { class: 'card', 'aria-labelledby': 'keys-h' },
    h('h2', { id: 'keys-h' }, t('staff.keys.title')), h('p', {}, t('staff.keys.card_text')),
    h('p', { class: 'staff-links' },
      h('a', { href: '/admin/keys' }, t('staff.keys.manage')),
      h('a', { href: '/.well-known/jwks.json', target: '_blank', rel: 'noopener' }, t('staff.certs.jwks'))));
}

// ---- the page ----
export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const id = ctx.params.id;
  const cohort = await api('GET', paths.cohort(id));
  const state = await loadStanding(id);
  const err = errorBox();
  const elig = eligibilityTable();
  const certList = h('ul', { class: 'staff-list', 'data-testid': 'certificates' });
  const redraw = () => {
    elig.draw(state.elig);
    fill(certList, state.certs.items, (c) => certItem(c, err, redraw), t('staff.certs.none'));
  };
  redraw();
  const rules = rulesForm(state.elig.rules, (form, button) => saveRules(id, state, form, button, redraw));
  const issue = h('button', { type: 'button' }, t('staff.certs.issue'));
  const issueNote = h('p', { class: 'staff-success', role: 'status', 'data-testid': 'issue-result' });
  issue.addEventListener('click', async () => {
    const note = await issueAll(id, state, issue, err, redraw);
    if (note) issueNote.textContent = note;
  });

  replace(view,
    pageHead(t('staff.certs.title'), { back: `/admin/cohorts/${enc(id)}`, backLabel: cohort.name, sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    err,
    h('div', { class: 'staff-grid' },
      h('div', {},
        h('section', { 'aria-labelledby': 'elig-h' },
          h('h2', { id: 'elig-h' }, t('staff.certs.eligibility')), elig.summary,
          h('div', { class: 'staff-actions' }, issue), issueNote,
          h('table', { class: 'staff-table staff-table-cards', 'data-testid': 'eligibility' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('staff.common.name')), h('th', { scope: 'col' }, t('staff.certs.standing')))),
            elig.body)),
        h('section', { 'aria-labelledby': 'certs-h' }, h('h2', { id: 'certs-h' }, t('staff.certs.issued_h')), certList)),
      h('div', {}, h('section', { class: 'card' }, rules), keysCard())));
}
