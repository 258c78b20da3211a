// admin_programme.js — /admin/programmes/:slug: one programme, its published
// versions and all its cohorts, the form that creates a cohort with a
// quota per segment (POST /api/v1/programmes/{slug}/cohorts; also before
// anything is published: the cohort then follows the first version), the
// form that edits its title and description (PUT /api/v1/programmes/{slug};
// the slug never changes), its authors (instructors who write its content
// without being on a cohort: …/authors) and the signatory its certificates
// carry (…/signatory, else the site's).
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDate, fmtDateTime, fmtNumber, isoFromLocal, localInputValue, dateInputIn } from '../i18n.js';
import { h, field, showErrors, clearErrors, setFieldError, toast, busy, SEGMENTS, segmentName, sortSegments, confirmDialog } from '../ui.js';
import { pageHead, fill, labelled, checkbox, hashCode, replace, versionNote, errorBox, instructorPicker } from '../staff_ui.js';
import { signatoryView, signatoryForm } from '../signatory_ui.js';

function cohortCard(c) {
  const id = encodeURIComponent(c.id);
  const seats = sortSegments(c.segments).map((s) => `${segmentName(s.segment)} ${fmtNumber(s.confirmed)}/${fmtNumber(s.quota)}`).join(' · ');
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: `/admin/cohorts/${id}` }, c.name)),
    h('p', { class: 'meta' }, t('staff.cohort.dates', { from: fmtDate(c.starts_on), to: fmtDate(c.ends_on) }), ' · ',
      t('staff.cohort.jp_n', { n: c.jp }), ' · ', versionNote(c)),
    h('p', {}, seats),
    h('p', { class: 'staff-links' },
      h('a', { href: `/staff/cohorts/${id}` }, t('staff.nav.cohort_staff')),
      h('a', { href: `/admin/cohorts/${id}/seats` }, t('staff.nav.seats')),
      h('a', { href: `/admin/cohorts/${id}/registrations` }, t('staff.nav.registrations')),
      h('a', { href: `/staff/cohorts/${id}/sessions` }, t('staff.nav.sessions'))));
}

// One segment's row of the cohort form: offered or not, quota, waitlist.
function segmentFieldset(seg, quota) {
  const on = checkbox(t('staff.cohort.f_segment_on', { segment: segmentName(seg) }), { name: `seg_${seg}_on` }, true);
  const q = h('input', { type: 'number', name: `seg_${seg}_quota`, min: '0', max: '100000', inputmode: 'numeric', value: String(quota) });
  const wl = checkbox(t('staff.cohort.f_waitlist'), { name: `seg_${seg}_waitlist` }, true);
  return h('fieldset', { class: 'staff-segment' },
    h('legend', {}, segmentName(seg)), on, labelled(t('staff.cohort.f_quota'), q), wl);
}

// The cohort body from the form (API.md "Cohort body").
function cohortBody(form, versions) {
  const v = form.elements;
  const body = {
    name: v.name.value.trim(),
    registration_opens_at: isoFromLocal(v.opens.value),
    registration_closes_at: isoFromLocal(v.closes.value),
    starts_on: v.starts_on.value,
    ends_on: v.ends_on.value,
    jp: Number.parseInt(v.jp.value, 10),
    segments: [],
  };
  if (versions.length && v.content_version.value) body.content_version = Number.parseInt(v.content_version.value, 10);
  if (v.residency_prefix.value.trim()) body.residency_prefix = v.residency_prefix.value.trim();
  for (const seg of SEGMENTS) {
    if (!v[`seg_${seg}_on`].checked) continue;
    body.segments.push({ segment: seg, quota: Number.parseInt(v[`seg_${seg}_quota`].value, 10), waitlist: v[`seg_${seg}_waitlist`].checked });
  }
  const rules = {};
  if (v.min_lesson_percent.value !== '') rules.min_lesson_percent = Number.parseInt(v.min_lesson_percent.value, 10);
  if (v.min_attendance_percent.value !== '') rules.min_attendance_percent = Number.parseInt(v.min_attendance_percent.value, 10);
  rules.require_assignments_passed = v.require_assignments_passed.checked;
  rules.auto_issue = v.auto_issue.checked;
  body.certificate_rules = rules;
  return body;
}

// Field checks the API cannot explain well (it answers invalid_date or
// invalid_field for any of them): reported next to the field, nothing sent.
function localProblems(body) {
  const out = [];
  if (!body.name) out.push(['name', t('staff.cohort.e_name')]);
  if (!body.registration_opens_at) out.push(['opens', t('staff.cohort.e_instant')]);
  if (!body.registration_closes_at) out.push(['closes', t('staff.cohort.e_instant')]);
  if (body.registration_opens_at && body.registration_closes_at && body.registration_closes_at <= body.registration_opens_at) out.push(['closes', t('staff.cohort.e_window')]);
  if (!body.starts_on) out.push(['starts_on', t('staff.cohort.e_date')]);
  if (!body.ends_on) out.push(['ends_on', t('staff.cohort.e_date')]);
  if (body.starts_on && body.ends_on && body.ends_on < body.starts_on) out.push(['ends_on', t('staff.cohort.e_dates')]);
  if (!Number.isInteger(body.jp) || body.jp < 0 || body.jp > 1000) out.push(['jp', t('staff.cohort.e_jp')]);
  for (const k of ['min_lesson_percent', 'min_attendance_percent']) {
    const n = body.certificate_rules[k];
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= 100)) out.push([k, t('error.staff_percent')]);
  }
  if (!body.segments.length) out.push(['seg_asn_quota', t('staff.cohort.e_segments')]);
  for (const s of body.segments) if (!Number.isInteger(s.quota) || s.quota < 0) out.push([`seg_${s.segment}_quota`, t('staff.cohort.e_quota')]);
  return out;
}

// Puts each [field name, message] next to its field; focuses the first.
function markProblems(form, problems) {
  clearErrors(form);
  for (const [name, msg] of problems) {
    const wrap = form.querySelector(`.field[data-field="${name}"]`);
    if (wrap && wrap.querySelector('.field-error')) setFieldError(wrap, msg);
  }
  if (problems.length) form.querySelector(`.field[data-field="${problems[0][0]}"] input, .field[data-field="${problems[0][0]}"] select`)?.focus();
}

function cohortForm(ctx, prog) {
  const versions = prog.versions || [];
  const latest = versions.length ? versions[versions.length - 1].version : null;
  const inAWeek = new Date(Date.now() + 7 * 86400000);
  inAWeek.setMinutes(0, 0, 0);
  const now = new Date();
  now.setSeconds(0, 0);
  const num = (name, min, max, value) => h('input', { type: 'number', name, min, max, inputmode: 'numeric', value });
  const submit = h('button', { type: 'submit' }, t('staff.cohort.create'));
  const form = h('form', { class: 'staff-form', novalidate: true, 'aria-labelledby': 'new-cohort' },
    h('h2', { id: 'new-cohort', tabindex: '-1' }, t('staff.cohort.new')),
    versions.length ? null : h('p', { class: 'staff-note', 'data-testid': 'no-version-note' }, t('staff.cohort.no_version_yet'), ' ',
      h('a', { href: `/staff/programmes/${encodeURIComponent(prog.slug)}/content` }, t('staff.nav.content'))),
    field({ label: t('staff.cohort.f_name'), name: 'name', required: true, autocomplete: 'off', value: t('staff.cohort.default_name', { n: (prog.cohorts || []).length + 1 }) }),
    versions.length ? field({ label: t('staff.cohort.f_version'), name: 'content_version', value: latest,
      options: versions.slice().reverse().map((v) => ({ value: v.version, label: t('staff.cohort.version_n', { n: v.version }) })) }) : null,
    h('fieldset', {}, h('legend', {}, t('staff.cohort.window')),
      field({ label: t('staff.cohort.f_opens'), name: 'opens', type: 'datetime-local', value: localInputValue(now.toISOString()) }),
      field({ label: t('staff.cohort.f_closes'), name: 'closes', type: 'datetime-local', value: localInputValue(inAWeek.toISOString()) })),
    h('fieldset', {}, h('legend', {}, t('staff.cohort.dates_legend')),
      field({ label: t('staff.cohort.f_starts'), name: 'starts_on', type: 'date', value: dateInputIn(14) }),
      field({ label: t('staff.cohort.f_ends'), name: 'ends_on', type: 'date', value: dateInputIn(44) })),
    labelled(t('staff.cohort.f_jp'), num('jp', '0', '1000', '20'), { hint: t('staff.cohort.f_jp_hint') }),
    field({ label: t('staff.cohort.f_residency'), name: 'residency_prefix', inputmode: 'numeric', autocomplete: 'off', hint: t('staff.cohort.f_residency_hint') }),
    h('fieldset', { class: 'staff-segments' }, h('legend', {}, t('staff.cohort.quotas')),
      ...SEGMENTS.map((s) => segmentFieldset(s, 70))),
    h('fieldset', {}, h('legend', {}, t('staff.cohort.rules')),
      labelled(t('staff.cohort.f_min_lesson'), num('min_lesson_percent', '0', '100', '100')),
      labelled(t('staff.certs.f_min_attendance'), num('min_attendance_percent', '0', '100', '0')),
      checkbox(t('staff.cohort.f_assignments'), { name: 'require_assignments_passed' }, true),
      checkbox(t('staff.certs.f_auto'), { name: 'auto_issue' }, false)),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = cohortBody(form, versions);
    const problems = localProblems(body);
    markProblems(form, problems);
    if (problems.length) return;
    try {
      const c = await busy(submit, api('POST', paths.programmeCohorts(prog.slug), body));
      toast(t('staff.cohort.created', { name: c.name }));
      ctx.navigate(`/admin/cohorts/${encodeURIComponent(c.id)}`);
    } catch (ex) {
      showErrors(form, ex, { invalid_quota: 'seg_asn_quota', invalid_segments: 'seg_asn_quota', invalid_version: 'content_version' });
    }
  });
  return form;
}

// What the programme form changed, as the PUT body ({} when nothing).
function programmeChanges(form, prog) {
  const v = form.elements;
  const body = {};
  const title = v.title.value.trim();
  const description = v.description.value.trim();
  if (title !== prog.title) body.title = title;
  if (description !== (prog.description || '').trim()) body.description = description;
  return body;
}

// Where a refusal of the programme form belongs: the member it names
// (details.field), the description or else the title (the only other one).
function programmeProblem(err) {
  if (err && err.code === 'invalid_field') {
    const f = err.details && err.details.field;
    return f === 'description' ? ['description', t('staff.edit.e_description')] : ['title', t('error.invalid_title')];
  }
  return null;
}

// The form that edits the title and description, folded away until asked
// for. onSaved(programme) after each save; the form keeps what was typed
// when the server refuses it.
function programmeEditForm(prog, onSaved) {
  let current = prog;
  const submit = h('button', { type: 'submit' }, t('staff.edit.save'));
  const form = h('form', { class: 'staff-form', novalidate: true, 'aria-label': t('staff.edit.programme') },
    field({ label: t('staff.programmes.f_title'), name: 'title', required: true, autocomplete: 'off', maxlength: 200, value: prog.title }),
    field({ label: t('staff.programmes.f_description'), name: 'description', rows: 5, maxlength: 10000, value: prog.description || '' }),
    h('p', { class: 'hint' }, t('staff.edit.slug_stays', { slug: prog.slug })),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = programmeChanges(form, current);
    if (body.title === '') return markProblems(form, [['title', t('staff.edit.e_title')]]);
    if (!Object.keys(body).length) return toast(t('staff.edit.unchanged'));
    try {
      current = await busy(submit, api('PUT', paths.programme(prog.slug), body));
      form.elements.title.value = current.title;
      form.elements.description.value = current.description || '';
      toast(t('staff.edit.programme_saved', { title: current.title }));
      onSaved(current);
    } catch (ex) {
      const where = programmeProblem(ex);
      if (!where) return showErrors(form, ex);
      markProblems(form, [where]);
      form.elements[where[0]].focus(); // markProblems skips textareas
    }
  });
  return h('details', { class: 'card staff-edit', 'data-testid': 'programme-edit' },
    h('summary', {}, t('staff.edit.programme')), form);
}

// The programme's authors: instructors who edit its content without being
// on one of its cohorts (admins always may).
async function authorsSection(slug) {
  const [authors, instructors] = await Promise.all([
    api('GET', paths.programmeAuthors(slug)),
    api('GET', paths.users({ role: 'instructor', limit: 200 })),
  ]);
  let items = authors.items;
  const err = errorBox();
  const list = h('ul', { class: 'staff-inline-list', 'data-testid': 'authors' });
  const draw = () => fill(list, items, (u) => {
    const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.edit.remove_named', { name: u.full_name }) }, t('staff.edit.remove'));
    remove.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.authors.remove_confirm', { name: u.full_name }), { confirmLabel: t('staff.edit.remove_yes') }))) return;
      err.update(null);
      try {
        await busy(remove, api('DELETE', paths.programmeAuthor(slug, u.id)));
        items = items.filter((x) => x.id !== u.id);
        draw();
        toast(t('staff.authors.removed', { name: u.full_name }));
      } catch (ex) {
        err.update(ex);
      }
    });
    return h('li', { class: 'staff-instructor' }, h('span', {}, u.full_name), remove);
  }, t('staff.authors.none'));
  draw();
  const form = instructorPicker(instructors.items, t('staff.authors.add'), async (userId) => {
    const r = await api('POST', paths.programmeAuthors(slug), { user_id: userId });
    items = r.items;
    draw();
    toast(t('staff.authors.added'));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'authors-h' },
    h('h2', { id: 'authors-h' }, t('staff.authors.title')), h('p', { class: 'hint' }, t('staff.authors.intro')), list, err, form);
}

// The signatory of this programme's certificates: its own, or the site's.
async function signatorySection(slug) {
  const path = paths.programmeSignatory(slug);
  let s = await api('GET', path);
  const box = h('section', { class: 'card', 'aria-labelledby': 'sign-h' });
  const draw = () => {
    const source = s.own ? t('staff.sign.own') : s.site ? t('staff.sign.from_site') : t('staff.sign.from_config');
    const back = s.own ? h('button', { type: 'button', class: 'secondary small' }, t('staff.sign.use_site')) : null;
    back?.addEventListener('click', async () => {
      try {
        s = await busy(back, api('DELETE', path));
        draw();
        toast(t('staff.sign.saved'));
      } catch (ex) {
        toast(ex.message, { kind: 'error' });
      }
    });
    replace(box, h('h2', { id: 'sign-h' }, t('staff.sign.programme_title')),
      signatoryView(s.effective || s.configured, { source }), back ? h('p', {}, back) : null,
      h('details', { class: 'staff-edit' }, h('summary', {}, t('staff.sign.set_own')),
        signatoryForm(path, s.own || s.effective || s.configured, (r) => {
          s = r;
          draw();
        })));
  };
  draw();
  return box;
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const slug = ctx.params.slug;
  const prog = await api('GET', paths.programme(slug));
  const versions = prog.versions || [];
  const cohorts = h('ul', { class: 'staff-list' });
  fill(cohorts, prog.cohorts || [], cohortCard, t('staff.cohort.none'));
  const versionList = h('ul', { class: 'staff-versions' });
  fill(versionList, versions.slice().reverse(), (v) => h('li', {},
    h('strong', {}, t('staff.cohort.version_n', { n: v.version })), ' · ', fmtDateTime(v.published_at), ' · ',
    tn('staff.content.lessons_n', v.lessons_total), h('br'), hashCode(v.content_hash)), t('staff.content.no_versions'));

  const head = () => pageHead(prog.title, { back: '/admin/programmes', backLabel: t('staff.programmes.title'), sub: prog.description || null });
  let header = head();
  const edit = programmeEditForm(prog, (saved) => {
    Object.assign(prog, { title: saved.title, description: saved.description });
    const next = head();
    header.replaceWith(next);
    header = next;
  });

  const [authors, signatory] = await Promise.all([authorsSection(slug), signatorySection(slug)]);

  replace(view, 
    header,
    h('p', { class: 'staff-links' },
      h('a', { href: `/staff/programmes/${encodeURIComponent(slug)}/content` }, t('staff.nav.content')),
      h('a', { href: '#new-cohort' }, t('staff.cohort.new')),
      h('a', { href: '#authors-h' }, t('staff.authors.title'))),
    edit,
    h('div', { class: 'staff-grid' },
      h('div', {},
        h('section', { 'aria-labelledby': 'cohorts-h' }, h('h2', { id: 'cohorts-h' }, t('staff.nav.cohorts')), cohorts),
        h('section', { 'aria-labelledby': 'versions-h', class: 'card' }, h('h2', { id: 'versions-h' }, t('staff.content.versions')), versionList),
        authors, signatory),
      h('section', { class: 'card' }, cohortForm(ctx, prog))));
}
