// admin_cohort.js — /admin/cohorts/:id: one cohort for admins. Its dates,
// window, JP, content version and certificate rules; the quota and waitlist
// of each segment (PUT /api/v1/cohorts/{id}/segments/{segment}, never below
// the seats taken); its instructors (POST …/instructors, DELETE
// …/instructors/{user_id} after a confirmation); moving it to a newer
// content version (on the cohort's staff page, staff_cohort.js, with what
// changes shown first); editing its name, dates, window, JP and settings (PUT
// /api/v1/cohorts/{id}, times in the browser's zone); links to the live
// seats, registrations, sessions.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDate, fmtDateTime, fmtNumber, isoWithZone, zoneOffset, localInputValue } from '../i18n.js';
import { h, field, showErrors, clearErrors, setFieldError, toast, busy, segmentName, sortSegments, confirmDialog } from '../ui.js';
import { pageHead, errorBox, fill, labelled, checkbox, replace, versionNote, instructorPicker, cohortLinks } from '../staff_ui.js';

const enc = encodeURIComponent;

function facts(c) {
  const rules = c.certificate_rules || {};
  const rows = [
    [t('staff.cohort.f_version'), versionNote(c)],
    [t('staff.cohort.window'), t('staff.seats.window', { from: fmtDateTime(c.registration_opens_at), to: fmtDateTime(c.registration_closes_at) })],
    [t('staff.cohort.dates_legend'), t('staff.cohort.dates', { from: fmtDate(c.starts_on), to: fmtDate(c.ends_on) })],
    [t('staff.cohort.f_jp'), fmtNumber(c.jp)],
    [t('staff.cohort.f_residency'), c.residency_prefix || t('staff.cohort.no_residency')],
    [t('staff.cohort.rules'), [
      rules.min_lesson_percent != null ? t('staff.cohort.rule_lessons', { n: rules.min_lesson_percent }) : null,
      rules.min_attendance_percent ? t('staff.cohort.rule_attendance', { n: rules.min_attendance_percent }) : null,
      rules.require_assignments_passed ? t('staff.cohort.rule_assignments') : null,
      rules.auto_issue ? t('staff.cohort.rule_auto') : null,
    ].filter(Boolean).join(' · ') || t('staff.cohort.no_rules')],
    [t('staff.edit.spillover_fact'), c.spillover_at ? t('staff.edit.spillover_from', { when: fmtDateTime(c.spillover_at) }) : t('staff.edit.no_spillover')],
    [t('staff.edit.offer_fact'), c.offer_ttl_s ? t('staff.edit.offer_for', { duration: fmtDuration(c.offer_ttl_s) }) : t('staff.edit.no_offer')],
  ];
  return h('dl', { class: 'facts staff-facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// "2 hari", "36 jam", "90 menit": a number of seconds in the largest whole
// unit (minutes at least).
function fmtDuration(seconds) {
  const min = Math.round(seconds / 60);
  if (min % 1440 === 0) return tn('staff.edit.days_n', min / 1440);
  if (min % 60 === 0) return tn('staff.edit.hours_n', min / 60);
  return tn('staff.edit.minutes_n', min);
}

// ---- Editing the cohort (PUT /api/v1/cohorts/{id}) ----

// The message a refusal of the cohort form shows next to the member it names
// (details.field), and the form field when it is not the member itself.
const FIELD_MESSAGE = {
  name: ['name', 'staff.edit.e_name'],
  registration_closes_at: ['registration_closes_at', 'staff.cohort.e_window'],
  ends_on: ['ends_on', 'staff.cohort.e_dates'],
  jp: ['jp', 'staff.cohort.e_jp'],
  residency_prefix: ['residency_prefix', 'staff.edit.e_residency'],
  offer_ttl_s: ['offer_ttl_min', 'staff.edit.e_ttl'],
};

// The browser's zone for the form's hint: "Asia/Jakarta (UTC+07:00)".
function zoneName() {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const off = `UTC${zoneOffset(new Date())}`;
  return tz ? `${tz} (${off})` : off;
}

// The edit form's values for a cohort (as its inputs hold them).
function editValues(c) {
  return {
    name: c.name,
    registration_opens_at: localInputValue(c.registration_opens_at),
    registration_closes_at: localInputValue(c.registration_closes_at),
    starts_on: c.starts_on,
    ends_on: c.ends_on,
    jp: String(c.jp),
    residency_prefix: c.residency_prefix || '',
    spillover_at: localInputValue(c.spillover_at),
    offer_ttl_min: c.offer_ttl_s == null ? '' : String(c.offer_ttl_s / 60),
  };
}

// The PUT body of the fields that differ from `was` (what the form was
// filled with), and the [field, message] problems found before sending:
// empty or unreadable values. The table's rules (window, dates, ranges)
// are the server's to judge.
function editBody(form, was) {
  const el = form.elements;
  const body = {};
  const problems = [];
  const value = (k) => el[k].value.trim();
  const changed = (k) => value(k) !== was[k] || el[k].validity.badInput;
  if (changed('name')) {
    if (value('name')) body.name = value('name');
    else problems.push(['name', t('staff.cohort.e_name')]);
  }
  for (const k of ['registration_opens_at', 'registration_closes_at', 'spillover_at']) {
    if (!changed(k)) continue;
    const iso = isoWithZone(value(k));
    if (iso) body[k] = iso;
    else if (k === 'spillover_at' && !value(k) && !el[k].validity.badInput) body[k] = null;
    else problems.push([k, t('staff.cohort.e_instant')]);
  }
  for (const k of ['starts_on', 'ends_on']) {
    if (!changed(k)) continue;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value(k))) body[k] = value(k);
    else problems.push([k, t('staff.cohort.e_date')]);
  }
  if (changed('jp')) {
    const n = Number(value('jp'));
    if (value('jp') !== '' && Number.isInteger(n)) body.jp = n;
    else problems.push(['jp', t('staff.cohort.e_jp')]);
  }
  if (changed('residency_prefix')) body.residency_prefix = value('residency_prefix') || null;
  if (changed('offer_ttl_min')) {
    const m = Number(value('offer_ttl_min'));
    if (el.offer_ttl_min.validity.badInput || !Number.isFinite(m)) problems.push(['offer_ttl_min', t('staff.edit.e_ttl')]);
    else body.offer_ttl_s = value('offer_ttl_min') === '' ? null : Math.round(m * 60);
  }
  return { body, problems };
}

// Puts each [field name, message] next to its field; focuses the first.
function markFields(form, problems) {
  clearErrors(form);
  for (const [name, msg] of problems) {
    const wrap = form.querySelector(`.field[data-field="${name}"]`);
    if (wrap) setFieldError(wrap, msg);
  }
  if (problems.length) form.elements[problems[0][0]]?.focus();
}

// The form that edits the cohort, prefilled and folded away until asked
// for. Sends only what changed; a refusal is shown next to its field and
// every field keeps what was typed. onSaved(cohort) after each save.
function cohortEditForm(cohort, onSaved) {
  let was = editValues(cohort);
  const zoneHint = h('p', { class: 'hint', id: 'cohort-edit-zone' }, t('staff.edit.zone', { zone: zoneName() }));
  const num = (name, attrs) => h('input', { type: 'number', name, inputmode: 'numeric', ...attrs });
  const submit = h('button', { type: 'submit' }, t('staff.edit.save'));
  const form = h('form', { class: 'staff-form', novalidate: true, 'aria-label': t('staff.edit.cohort'), 'aria-describedby': 'cohort-edit-zone' },
    zoneHint,
    field({ label: t('staff.cohort.f_name'), name: 'name', required: true, autocomplete: 'off', maxlength: 200 }),
    h('fieldset', {}, h('legend', {}, t('staff.cohort.window')),
      field({ label: t('staff.cohort.f_opens'), name: 'registration_opens_at', type: 'datetime-local' }),
      field({ label: t('staff.cohort.f_closes'), name: 'registration_closes_at', type: 'datetime-local' })),
    h('fieldset', {}, h('legend', {}, t('staff.cohort.dates_legend')),
      field({ label: t('staff.cohort.f_starts'), name: 'starts_on', type: 'date' }),
      field({ label: t('staff.cohort.f_ends'), name: 'ends_on', type: 'date' })),
    labelled(t('staff.cohort.f_jp'), num('jp', { min: '0', max: '1000' }), { hint: t('staff.cohort.f_jp_hint') }),
    h('fieldset', {}, h('legend', {}, t('staff.edit.settings')),
      field({ label: t('staff.cohort.f_residency'), name: 'residency_prefix', inputmode: 'numeric', autocomplete: 'off', maxlength: 6, hint: t('staff.cohort.f_residency_hint') }),
      field({ label: t('staff.edit.f_spillover'), name: 'spillover_at', type: 'datetime-local', hint: t('staff.edit.f_spillover_hint') }),
      labelled(t('staff.edit.f_ttl'), num('offer_ttl_min', { min: '1', max: '20160', step: 'any' }), { hint: t('staff.edit.f_ttl_hint') })),
    submit);
  const fillIn = (values) => {
    for (const [k, v] of Object.entries(values)) form.elements[k].value = v;
  };
  fillIn(was);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { body, problems } = editBody(form, was);
    markFields(form, problems);
    if (problems.length) return;
    if (!Object.keys(body).length) return toast(t('staff.edit.unchanged'));
    try {
      const c = await busy(submit, api('PUT', paths.cohort(cohort.id), body));
      was = editValues(c);
      fillIn(was);
      toast(t('staff.edit.cohort_saved', { name: c.name }));
      onSaved(c);
    } catch (ex) {
      const known = ex && ex.code === 'invalid_field' && FIELD_MESSAGE[ex.details && ex.details.field];
      if (known) markFields(form, [[known[0], t(known[1])]]);
      else showErrors(form, ex);
    }
  });
  return h('details', { class: 'staff-edit', 'data-testid': 'cohort-edit' }, h('summary', {}, t('staff.edit.cohort')), form);
}

// ---- load ----

async function load(id) {
  const cohort = await api('GET', paths.cohort(id));
  const [prog, instructors] = await Promise.all([
    api('GET', paths.programme(cohort.programme_slug)),
    api('GET', paths.users({ role: 'instructor', limit: 200 })),
  ]);
  return { cohort, prog, instructors };
}

// ---- act (state.cohort is the cohort as last answered) ----

// Saves one segment's quota and waitlist; redraw() shows the new counts.
async function saveQuota(state, s, form, save, redraw) {
  clearErrors(form);
  const n = Number.parseInt(form.elements.quota.value, 10);
  if (!Number.isInteger(n) || n < 0) return showErrors(form, { code: 'invalid_quota' }, { invalid_quota: 'quota' });
  try {
    const r = await busy(save, api('PUT', paths.cohortSegment(state.cohort.id, s.segment), { quota: n, waitlist: form.elements.waitlist.checked }));
    state.cohort = { ...state.cohort, segments: r.segments };
    toast(t('staff.cohort.quota_saved', { segment: segmentName(s.segment) }));
    redraw();
  } catch (ex) {
    showErrors(form, ex, { invalid_quota: 'quota', quota_below_confirmed: 'quota' });
  }
  return undefined;
}

// Takes instructor i off the cohort after a confirmation; resolves to
// whether the list changed.
async function removeInstructor(state, i, remove, removeErr) {
  removeErr.update(null);
  const sure = await confirmDialog(t('staff.edit.remove_confirm', { name: i.full_name, cohort: state.cohort.name }), { confirmLabel: t('staff.edit.remove_yes') });
  if (!sure) {
    remove.focus();
    return false;
  }
  try {
    await busy(remove, api('DELETE', paths.cohortInstructor(state.cohort.id, i.id)));
    toast(t('staff.edit.removed', { name: i.full_name }));
  } catch (ex) {
    removeErr.update(ex);
  }
  state.cohort = await api('GET', paths.cohort(state.cohort.id)).catch(() => state.cohort);
  return true;
}

// ---- draw ----

// Quotas: one small form per segment.
function quotaSection(state) {
  const list = h('div', { class: 'staff-quotas' });
  const quotaForm = (s) => {
    const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
    const quota = h('input', { type: 'number', name: 'quota', min: String(s.confirmed), max: '100000', inputmode: 'numeric', value: String(s.quota) });
    const form = h('form', { class: 'card staff-quota', novalidate: true, 'data-segment': s.segment, 'aria-label': segmentName(s.segment) },
      h('h3', {}, segmentName(s.segment)),
      h('p', { class: 'meta' }, t('staff.seats.count', { confirmed: fmtNumber(s.confirmed), quota: fmtNumber(s.quota) }), ' · ',
        t('staff.seats.waiting', { n: fmtNumber(s.waitlisted) })),
      labelled(t('staff.cohort.f_quota'), quota, { hint: t('staff.cohort.quota_min', { n: fmtNumber(s.confirmed) }) }),
      checkbox(t('staff.cohort.f_waitlist'), { name: 'waitlist' }, s.waitlist),
      save);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      saveQuota(state, s, form, save, draw);
    });
    return form;
  };
  const draw = () => list.replaceChildren(...sortSegments(state.cohort.segments).map(quotaForm));
  draw();
  return h('section', { 'aria-labelledby': 'quotas-h' }, h('h2', { id: 'quotas-h', class: 'staff-first-h' }, t('staff.cohort.quotas')), list);
}

// The cohort's instructors, each removable, and the picker that adds one.
function instructorSection(state, instructors) {
  const list = h('ul', { class: 'staff-inline-list', 'data-testid': 'instructors' });
  const removeErr = errorBox();
  const item = (i) => {
    const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.edit.remove_named', { name: i.full_name }) }, t('staff.edit.remove'));
    remove.addEventListener('click', async () => {
      if (!(await removeInstructor(state, i, remove, removeErr))) return;
      draw();
      addForm.elements.user_id.focus(); // the button is gone
    });
    return h('li', { class: 'staff-instructor' }, h('span', {}, i.full_name), remove);
  };
  const draw = () => fill(list, state.cohort.instructors, item, t('staff.cohort.no_instructors'));
  draw();
  const addForm = instructorPicker(instructors.items, t('staff.cohort.add_instructor'), async (userId) => {
    await api('POST', paths.cohortInstructors(state.cohort.id), { user_id: userId });
    state.cohort = await api('GET', paths.cohort(state.cohort.id));
    draw();
    toast(t('staff.cohort.instructor_added'));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'instr-h' },
    h('h2', { id: 'instr-h' }, t('staff.cohort.instructors')), list, removeErr, addForm);
}


// What the cohort is, its edit form and the link to its content version;
// the heading and facts follow a saved edit.
function aboutSection(state, prog, onHead) {
  // The content version: moving it (what changes shown first) and the
  // assignments' dates live on the cohort's staff page.
  const newer = (prog.versions || []).some((v) => v.version > (state.cohort.content_version || 0));
  const versionLink = h('p', { class: 'staff-links' },
    h('a', { href: `/staff/cohorts/${enc(state.cohort.id)}` }, newer ? t('staff.version.review_move') : t('staff.nav.cohort_staff')));
  let factList = facts(state.cohort);
  const editForm = cohortEditForm(state.cohort, (saved) => {
    state.cohort = saved;
    const nextFacts = facts(saved);
    factList.replaceWith(nextFacts);
    factList = nextFacts;
    onHead();
  });
  return h('section', { class: 'card', 'aria-labelledby': 'facts-h' }, h('h2', { id: 'facts-h' }, t('staff.cohort.about')), factList, editForm, versionLink);
}

// ---- the page ----
export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('account'), loadArea('quiz')]);
  const { cohort, prog, instructors } = await load(ctx.params.id);
  const state = { cohort };
  const head = () => pageHead(state.cohort.name, { back: `/admin/programmes/${enc(state.cohort.programme_slug)}`, backLabel: state.cohort.programme_title || state.cohort.programme_slug });
  let header = head();
  const about = aboutSection(state, prog, () => {
    const next = head();
    header.replaceWith(next);
    header = next;
  });
  replace(view,
    header,
    cohortLinks(cohort, true, h('a', { href: `/staff/programmes/${enc(cohort.programme_slug)}/content` }, t('staff.nav.content'))),
    errorBox(),
    h('div', { class: 'staff-grid staff-grid-swap' },
      h('div', {}, about, instructorSection(state, instructors)),
      quotaSection(state)));
}
