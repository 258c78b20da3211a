// admin_cohort.js — /admin/cohorts/:id: one cohort for admins. Its dates,
// window, JP, content version and certificate rules; the quota and waitlist
// of each segment (PUT /api/v1/cohorts/{id}/segments/{segment}, never below
// the seats taken); its instructors (POST …/instructors); moving it to a
// newer content version; links to the live seats, registrations, sessions.
import { api } from '../api.js';
import { loadArea, t, fmtDate, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy } from '../ui.js';
import { pageHead, errorBox, fill, segmentLabel, sortSegments, labelled, checkbox, replace } from '../staff_ui.js';

const enc = encodeURIComponent;

function facts(c) {
  const rules = c.certificate_rules || {};
  const rows = [
    [t('staff.cohort.f_version'), t('staff.cohort.version_n', { n: c.content_version })],
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
  ];
  return h('dl', { class: 'facts staff-facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  let cohort = await api('GET', `/api/v1/cohorts/${enc(id)}`);
  const [prog, instructors] = await Promise.all([
    api('GET', `/api/v1/programmes/${enc(cohort.programme_slug)}`),
    api('GET', '/api/v1/users?role=instructor&limit=200'),
  ]);
  const err = errorBox();

  // Quotas: one small form per segment.
  const quotaList = h('div', { class: 'staff-quotas' });
  const quotaForm = (s) => {
    const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
    const quota = h('input', { type: 'number', name: 'quota', min: String(s.confirmed), max: '100000', inputmode: 'numeric', value: String(s.quota) });
    const form = h('form', { class: 'card staff-quota', novalidate: true, 'data-segment': s.segment, 'aria-label': segmentLabel(s.segment) },
      h('h3', {}, segmentLabel(s.segment)),
      h('p', { class: 'meta' }, t('staff.seats.count', { confirmed: fmtNumber(s.confirmed), quota: fmtNumber(s.quota) }), ' · ',
        t('staff.seats.waiting', { n: fmtNumber(s.waitlisted) })),
      labelled(t('staff.cohort.f_quota'), quota, { hint: t('staff.cohort.quota_min', { n: fmtNumber(s.confirmed) }) }),
      checkbox(t('staff.cohort.f_waitlist'), { name: 'waitlist' }, s.waitlist),
      save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const n = Number.parseInt(quota.value, 10);
      if (!Number.isInteger(n) || n < 0) return showErrors(form, { code: 'invalid_quota' }, { invalid_quota: 'quota' });
      try {
        const r = await busy(save, api('PUT', `/api/v1/cohorts/${enc(id)}/segments/${enc(s.segment)}`, { quota: n, waitlist: form.elements.waitlist.checked }));
        cohort = { ...cohort, segments: r.segments };
        toast(t('staff.cohort.quota_saved', { segment: segmentLabel(s.segment) }));
        drawQuotas();
      } catch (ex) {
        showErrors(form, ex, { invalid_quota: 'quota', quota_below_confirmed: 'quota' });
      }
    });
    return form;
  };
  const drawQuotas = () => quotaList.replaceChildren(...sortSegments(cohort.segments).map(quotaForm));
  drawQuotas();

  // Instructors.
  const instructorList = h('ul', { class: 'staff-inline-list', 'data-testid': 'instructors' });
  const drawInstructors = () => fill(instructorList, cohort.instructors, (i) => h('li', {}, i.full_name), t('staff.cohort.no_instructors'));
  drawInstructors();
  const candidates = instructors.items.filter((u) => u.status === 'active');
  const addBtn = h('button', { type: 'submit', class: 'secondary' }, t('staff.cohort.add_instructor'));
  const addForm = h('form', { class: 'staff-inline-form', novalidate: true },
    field({ label: t('staff.cohort.f_instructor'), name: 'user_id', options: [{ value: '', label: t('staff.cohort.pick_instructor') }, ...candidates.map((u) => ({ value: u.id, label: `${u.full_name} (${u.email})` }))] }),
    addBtn);
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(addForm);
    const userId = addForm.elements.user_id.value;
    if (!userId) return showErrors(addForm, { code: 'staff_required' }, { staff_required: 'user_id' });
    try {
      await busy(addBtn, api('POST', `/api/v1/cohorts/${enc(id)}/instructors`, { user_id: userId }));
      cohort = await api('GET', `/api/v1/cohorts/${enc(id)}`);
      drawInstructors();
      toast(t('staff.cohort.instructor_added'));
    } catch (ex) {
      showErrors(addForm, ex, { not_instructor: 'user_id' });
    }
  });

  // Moving to a newer content version.
  const newer = (prog.versions || []).filter((v) => v.version > (cohort.content_version || 0));
  let moveForm = null;
  if (newer.length) {
    const moveBtn = h('button', { type: 'submit', class: 'secondary' }, t('staff.cohort.move'));
    moveForm = h('form', { class: 'staff-inline-form', novalidate: true },
      field({ label: t('staff.cohort.f_move'), name: 'version', options: newer.slice().reverse().map((v) => ({ value: v.version, label: t('staff.cohort.version_n', { n: v.version }) })) }),
      moveBtn);
    moveForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(moveForm);
      try {
        await busy(moveBtn, api('PUT', `/api/v1/cohorts/${enc(id)}/content-version`, { version: Number(moveForm.elements.version.value) }));
        toast(t('staff.cohort.moved'));
        ctx.navigate(location.pathname, { replace: true });
      } catch (ex) {
        showErrors(moveForm, ex);
      }
    });
  }

  replace(view, 
    pageHead(cohort.name, { back: `/admin/programmes/${enc(cohort.programme_slug)}`, backLabel: cohort.programme_title || cohort.programme_slug }),
    h('p', { class: 'staff-links' },
      h('a', { href: `/admin/cohorts/${enc(id)}/seats` }, t('staff.nav.seats')),
      h('a', { href: `/admin/cohorts/${enc(id)}/registrations` }, t('staff.nav.registrations')),
      h('a', { href: `/staff/cohorts/${enc(id)}/sessions` }, t('staff.nav.sessions')),
      h('a', { href: `/staff/cohorts/${enc(id)}/grading` }, t('staff.nav.grading')),
      h('a', { href: `/staff/cohorts/${enc(id)}/gradebook` }, t('staff.nav.gradebook')),
      h('a', { href: `/admin/cohorts/${enc(id)}/certificates` }, t('staff.nav.certificates')),
      h('a', { href: `/staff/programmes/${enc(cohort.programme_slug)}/content` }, t('staff.nav.content'))),
    err,
    h('div', { class: 'staff-grid staff-grid-swap' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'facts-h' }, h('h2', { id: 'facts-h' }, t('staff.cohort.about')), facts(cohort),
          moveForm ? h('div', {}, h('h3', {}, t('staff.cohort.version_h')), moveForm) : null),
        h('section', { class: 'card', 'aria-labelledby': 'instr-h' },
          h('h2', { id: 'instr-h' }, t('staff.cohort.instructors')), instructorList, addForm)),
      h('section', { 'aria-labelledby': 'quotas-h' }, h('h2', { id: 'quotas-h', class: 'staff-first-h' }, t('staff.cohort.quotas')), quotaList)));
}
