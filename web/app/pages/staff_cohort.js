// staff_cohort.js — /staff/cohorts/:id: a cohort for its staff (its
// instructors and admins). Which content version it follows and, when a
// newer one is published, what moving to it would change (modules, lessons,
// assignments and quizzes added, removed, edited: GET …/content-version/
// changes) before moving it (PUT …/content-version; instructors only before
// the cohort starts, admins always); and each assignment's due date and late
// cut-off for this cohort (PUT …/assignments/{aid}/schedule, times in the
// browser's zone).
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDate, fmtDateTime, localInputValue, isoFromLocal } from '../i18n.js';
import { h, showErrors, clearErrors, toast, busy, confirmDialog } from '../ui.js';
import { pageHead, errorBox, fill, replace, labelled } from '../staff_ui.js';

const enc = encodeURIComponent;
const KINDS = ['modules', 'lessons', 'assignments', 'quizzes'];

// One kind of change ("3 lessons added: …"), or null when there is none.
function changeList(kind, what, items) {
  if (!items.length) return null;
  return h('li', { dataset: { change: `${kind}-${what}` } },
    h('strong', {}, tn(`staff.version.${kind}_${what}`, items.length)), ': ',
    items.map((x) => (x.was && x.was !== x.title ? t('staff.version.renamed', { was: x.was, title: x.title }) : x.title)).join(', '));
}

// The changes between the cohort's version and another, as a list.
function changesView(c) {
  const rows = KINDS.flatMap((k) => ['added', 'removed', 'edited'].map((w) => changeList(k, w, c[k][w]))).filter(Boolean);
  return rows.length
    ? h('ul', { class: 'staff-changes', 'data-testid': 'version-changes' }, ...rows)
    : h('p', { class: 'meta', 'data-testid': 'version-changes' }, t('staff.version.no_changes'));
}

// The version panel: where the cohort stands, and moving it forward.
function versionPanel(ctx, cohort, prog, isAdmin, started) {
  const err = errorBox();
  const newer = (prog.versions || []).filter((v) => v.version > (cohort.content_version || 0)).reverse();
  const state = h('p', { 'data-testid': 'version-state' },
    cohort.content_version
      ? t('staff.version.follows', { n: cohort.content_version })
      : t('staff.version.none_yet'),
    newer.length ? ' ' : '',
    newer.length ? h('span', { class: 'badge waitlisted' }, t('staff.version.newer', { n: newer[0].version })) : '');
  const box = h('section', { class: 'card', 'aria-labelledby': 'version-h' },
    h('h2', { id: 'version-h' }, t('staff.version.title')), state, err);
  if (!newer.length) {
    box.append(h('p', { class: 'meta' }, t(cohort.content_version ? 'staff.version.latest' : 'staff.version.waits')));
    return box;
  }
  if (!isAdmin && started) {
    box.append(h('p', { class: 'staff-note' }, t('staff.version.started')));
    return box;
  }
  const select = h('select', { name: 'version', id: 'move-version' },
    ...newer.map((v) => h('option', { value: String(v.version) }, t('staff.cohort.version_n', { n: v.version }))));
  const show = h('button', { type: 'submit', class: 'secondary' }, t('staff.version.show'));
  const changes = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'staff-inline-form', novalidate: true },
    labelled(t('staff.cohort.f_move'), select), show);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.update(null);
    const to = Number(select.value);
    let c;
    try {
      c = await busy(show, api('GET', paths.cohortContentVersionChanges(cohort.id, { to })));
    } catch (ex) {
      err.update(ex);
      return;
    }
    const move = h('button', { type: 'button' }, t('staff.version.move_to', { n: to }));
    move.addEventListener('click', async () => {
      const ok = await confirmDialog(t('staff.version.confirm', { n: to, cohort: cohort.name }), { confirmLabel: t('staff.version.move_to', { n: to }), danger: false });
      if (!ok) return;
      try {
        await busy(move, api('PUT', paths.cohortContentVersion(cohort.id), { version: to }));
        toast(t('staff.cohort.moved'));
        ctx.navigate(location.pathname, { replace: true });
      } catch (ex) {
        err.update(ex);
      }
    });
    changes.replaceChildren(
      h('h3', {}, t('staff.version.changes_h', { from: c.from ?? '—', to })),
      changesView(c),
      h('p', { class: 'staff-actions' }, move));
    changes.querySelector('h3').tabIndex = -1;
    changes.querySelector('h3').focus();
  });
  box.append(form, changes);
  return box;
}

// One assignment's schedule for this cohort: due date and late cut-off.
function scheduleForm(cohortId, a) {
  const due = h('input', { type: 'datetime-local', name: 'due_at', value: localInputValue(a.due_at) });
  const cutoff = h('input', { type: 'datetime-local', name: 'cutoff_at', value: localInputValue(a.cutoff_at) });
  const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
  const form = h('form', { class: 'card staff-schedule', novalidate: true, 'data-assignment': a.id, 'aria-labelledby': `sched-${a.id}` },
    h('h3', { id: `sched-${a.id}` }, a.title),
    h('p', { class: 'meta' }, a.due_at ? t('staff.schedule.now', { due: fmtDateTime(a.due_at), cutoff: a.cutoff_at ? fmtDateTime(a.cutoff_at) : t('staff.schedule.no_cutoff') }) : t('staff.schedule.none')),
    labelled(t('staff.schedule.f_due'), due),
    labelled(t('staff.schedule.f_cutoff'), cutoff, { hint: t('staff.schedule.f_cutoff_hint') }),
    save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { due_at: isoFromLocal(due.value), cutoff_at: isoFromLocal(cutoff.value) };
    if (due.value && !body.due_at) return showErrors(form, { code: 'invalid_time', field: 'due_at' });
    if (cutoff.value && !body.cutoff_at) return showErrors(form, { code: 'invalid_time', field: 'cutoff_at' });
    try {
      const r = await busy(save, api('PUT', paths.cohortAssignmentSchedule(cohortId, a.id), body));
      Object.assign(a, { due_at: r.due_at, cutoff_at: r.cutoff_at });
      form.replaceWith(scheduleForm(cohortId, a));
      toast(t('staff.schedule.saved', { title: a.title }));
    } catch (ex) {
      showErrors(form, ex, { invalid_cutoff: 'cutoff_at', invalid_time: 'due_at' });
    }
  });
  return form;
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const isAdmin = ctx.me.user.role === 'admin';
  const cohort = await api('GET', paths.cohort(id));
  const [prog, assignments] = await Promise.all([
    api('GET', paths.programme(cohort.programme_slug)),
    api('GET', paths.cohortAssignments(id)),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  const started = cohort.starts_on <= today;
  const schedules = h('div', { class: 'staff-schedules', 'data-testid': 'schedules' });
  fill(schedules, assignments.items, (a) => scheduleForm(id, a), cohort.content_version ? t('staff.schedule.no_assignments') : t('staff.version.none_yet'));

  replace(view,
    pageHead(cohort.name, {
      back: isAdmin ? `/admin/cohorts/${enc(id)}` : '/staff',
      backLabel: isAdmin ? cohort.name : t('staff.home.title'),
      sub: `${cohort.programme_title} · ${t('staff.cohort.dates', { from: fmtDate(cohort.starts_on), to: fmtDate(cohort.ends_on) })}`,
    }),
    h('p', { class: 'staff-links' },
      h('a', { href: `/staff/cohorts/${enc(id)}/sessions` }, t('staff.nav.sessions')),
      h('a', { href: `/staff/cohorts/${enc(id)}/grading` }, t('staff.nav.grading')),
      h('a', { href: `/staff/cohorts/${enc(id)}/gradebook` }, t('staff.nav.gradebook')),
      h('a', { href: `/staff/programmes/${enc(cohort.programme_slug)}/content` }, t('staff.nav.content'))),
    h('div', { class: 'staff-grid' },
      versionPanel(ctx, cohort, prog, isAdmin, started),
      h('section', { 'aria-labelledby': 'schedule-h' },
        h('h2', { id: 'schedule-h', class: 'staff-first-h' }, t('staff.schedule.title')),
        h('p', { class: 'hint' }, t('staff.schedule.zone')),
        schedules)));
}
