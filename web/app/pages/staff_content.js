// staff_content.js — /staff/programmes/:slug/content: the authoring view of
// a programme's draft (modules → lessons and assignments): add, rename,
// reorder and delete modules, reorder and delete lessons (edited in
// staff_lesson.js) and assignments (staff_assignment.js), and publish the
// draft as the next immutable version, with the versions and their content
// hashes listed. Authors are admins, the instructors an admin named as the
// programme's authors, and the instructors of its cohorts; the API answers
// 404 to anyone else.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, confirmDialog } from '../ui.js';
import { pageHead, errorBox, fill, moved, hashCode, replace, moduleHeading } from '../staff_ui.js';
import { moduleQuizzes } from '../quiz_staff.js';

const enc = encodeURIComponent;

// Gives each item of `order` the position equal to its index, with one PUT
// per item whose position differs (positions may have ties or gaps).
async function renumber(pathOf, order) {
  for (let i = 0; i < order.length; i++) {
    if (order[i].position !== i) await api('PUT', pathOf(order[i].id), { position: i });
  }
}

function moveButtons(label, index, count, onMove) {
  const up = h('button', { type: 'button', class: 'secondary small', 'data-move': 'up', 'aria-label': t('staff.content.move_up', { title: label }), disabled: index === 0 }, '↑');
  const down = h('button', { type: 'button', class: 'secondary small', 'data-move': 'down', 'aria-label': t('staff.content.move_down', { title: label }), disabled: index === count - 1 }, '↓');
  up.addEventListener('click', () => onMove(up, index - 1, 'up'));
  down.addEventListener('click', () => onMove(down, index + 1, 'down'));
  return [up, down];
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const slug = ctx.params.slug;
  const base = `/staff/programmes/${enc(slug)}`;
  let [draft, prog] = await Promise.all([
    api('GET', paths.programmeDraft(slug)),
    api('GET', paths.programme(slug)),
  ]);

  const err = errorBox();
  const modulesEl = h('ol', { class: 'staff-modules' });
  const versionsEl = h('ul', { class: 'staff-versions', 'data-testid': 'versions' });
  const publishResult = h('p', { class: 'staff-success', role: 'status', 'data-testid': 'publish-result' });

  // Runs an edit; on failure shows the error and keeps the page as it is.
  const attempt = async (button, fn) => {
    err.update(null);
    try {
      await busy(button, fn());
      return true;
    } catch (ex) {
      err.update(ex);
      return false;
    }
  };
  // Draws the draft again; `focus` = [row selector, direction] puts the focus
  // back on the moved row's button (the other one at the end of the list).
  const reload = async (focus) => {
    draft = await api('GET', paths.programmeDraft(slug));
    drawModules();
    if (!focus) return;
    const [row, dir] = focus;
    const buttons = [...view.querySelectorAll(`${row} [data-move]`)];
    (buttons.find((b) => b.dataset.move === dir && !b.disabled) || buttons.find((b) => !b.disabled))?.focus();
  };

  function lessonItem(mod, lesson, index) {
    const [up, down] = moveButtons(lesson.title, index, mod.lessons.length, async (btn, to, dir) => {
      if (await attempt(btn, () => renumber(paths.lesson, moved(mod.lessons, index, to)))) {
        await reload([`[data-lesson="${lesson.id}"]`, dir]);
      }
    });
    const del = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.content.delete_lesson', { title: lesson.title }) }, t('staff.common.delete'));
    del.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.content.confirm_delete_lesson', { title: lesson.title })))) return;
      if (await attempt(del, () => api('DELETE', paths.lesson(lesson.id)))) {
        toast(t('staff.content.lesson_deleted'));
        await reload();
      }
    });
    const meta = [];
    if (lesson.duration_minutes != null) meta.push(t('staff.content.minutes', { n: fmtNumber(lesson.duration_minutes) }));
    if (lesson.video) meta.push(t('staff.content.video_of', { provider: lesson.video.provider === 'tiktok' ? 'TikTok' : 'YouTube' }));
    return h('li', { class: 'staff-lesson', 'data-lesson': lesson.id },
      h('div', { class: 'staff-lesson-title' },
        h('a', { href: `${base}/lessons/${enc(lesson.id)}` }, lesson.title),
        meta.length ? h('span', { class: 'meta' }, ` · ${meta.join(' · ')}`) : null),
      h('div', { class: 'staff-actions' }, up, down, del));
  }

  // An assignment of the draft: its editor, what it asks, reorder, delete.
  function assignmentItem(mod, a, index) {
    const list = mod.assignments;
    const [up, down] = moveButtons(a.title, index, list.length, async (btn, to, dir) => {
      if (await attempt(btn, () => renumber(paths.assignment, moved(list, index, to)))) {
        await reload([`[data-assignment="${a.id}"]`, dir]);
      }
    });
    const del = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.content.delete_assignment', { title: a.title }) }, t('staff.common.delete'));
    del.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.content.confirm_delete_assignment', { title: a.title })))) return;
      if (await attempt(del, () => api('DELETE', paths.assignment(a.id)))) {
        toast(t('staff.content.assignment_deleted'));
        await reload();
      }
    });
    const meta = [
      (a.submission_types || []).map((ty) => t(`staff.assignment.type_${ty}`)).join(', '),
      t('staff.content.pass_of', { pass: fmtNumber(a.pass_score), max: fmtNumber(a.max_score) }),
      a.rubric ? tn('staff.content.criteria_n', a.rubric.length) : null,
      a.required ? null : t('staff.assignment.optional'),
    ].filter(Boolean);
    return h('li', { class: 'staff-lesson', 'data-assignment': a.id },
      h('div', { class: 'staff-lesson-title' },
        h('a', { href: `${base}/assignments/${enc(a.id)}` }, a.title),
        h('span', { class: 'meta' }, ` · ${meta.join(' · ')}`)),
      h('div', { class: 'staff-actions' }, up, down, del));
  }

  function moduleItem(mod, index) {
    const heading = h('h2', { id: `module-${mod.id}` }, moduleHeading(index, mod.title));
    const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
    const rename = h('form', { class: 'staff-inline-form', novalidate: true },
      field({ label: t('staff.content.module_title'), name: 'title', value: mod.title, autocomplete: 'off' }), save);
    rename.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(rename);
      const title = rename.elements.title.value;
      try {
        await busy(save, api('PUT', paths.module(mod.id), { title }));
      } catch (ex) {
        showErrors(rename, ex, { invalid_title: 'title' });
        return;
      }
      toast(t('common.saved'));
      mod.title = title;
      heading.textContent = moduleHeading(index, title);
    });
    const [up, down] = moveButtons(mod.title, index, draft.modules.length, async (btn, to, dir) => {
      if (await attempt(btn, () => renumber(paths.module, moved(draft.modules, index, to)))) {
        await reload([`[data-module="${mod.id}"] > .staff-module-head`, dir]);
      }
    });
    const del = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.content.delete_module', { title: mod.title }) }, t('staff.common.delete'));
    del.addEventListener('click', async () => {
      if (!(await confirmDialog(tn('staff.content.confirm_delete_module', mod.lessons.length, { title: mod.title })))) return;
      if (await attempt(del, () => api('DELETE', paths.module(mod.id)))) {
        toast(t('staff.content.module_deleted'));
        await reload();
      }
    });
    const lessons = h('ol', { class: 'staff-lessons' });
    fill(lessons, mod.lessons, (l, i) => lessonItem(mod, l, i), t('staff.content.no_lessons'));
    const assignments = h('ul', { class: 'staff-lessons staff-assignments', 'data-testid': 'assignments' });
    fill(assignments, mod.assignments || [], (a, i) => assignmentItem(mod, a, i), t('staff.content.no_assignments'));
    return h('li', { class: 'card staff-module', 'data-module': mod.id, 'aria-labelledby': `module-${mod.id}` },
      h('div', { class: 'staff-module-head' }, heading, h('div', { class: 'staff-actions' }, up, down, del)),
      rename,
      h('h3', { class: 'staff-sub-h' }, t('staff.content.lessons_h')), lessons,
      h('p', {}, h('a', { class: 'button secondary', href: `${base}/lessons/new?module=${enc(mod.id)}` }, t('staff.content.add_lesson'))),
      h('h3', { class: 'staff-sub-h' }, t('staff.content.assignments_h')), assignments,
      h('p', {}, h('a', { class: 'button secondary', href: `${base}/assignments/new?module=${enc(mod.id)}` }, t('staff.content.add_assignment'))),
      moduleQuizzes(mod, ctx.navigate));
  }

  function drawModules() {
    fill(modulesEl, draft.modules, moduleItem, t('staff.content.no_modules'));
    draftState.textContent = t('staff.content.draft_state', { rev: fmtNumber(draft.draft_rev), version: draft.latest_version ?? '—' });
  }

  function drawVersions() {
    fill(versionsEl, (prog.versions || []).slice().reverse(), (v) => h('li', {},
      h('strong', {}, t('staff.cohort.version_n', { n: v.version })), ' · ', fmtDateTime(v.published_at), ' · ',
      tn('staff.content.lessons_n', v.lessons_total), h('br'),
      h('span', { class: 'meta' }, t('staff.content.hash')), ' ', hashCode(v.content_hash)), t('staff.content.no_versions'));
  }

  // Adding a module.
  const addBtn = h('button', { type: 'submit' }, t('staff.content.add_module'));
  const addForm = h('form', { class: 'staff-form card', novalidate: true, 'aria-labelledby': 'new-module-h' },
    h('h2', { id: 'new-module-h' }, t('staff.content.new_module')),
    field({ label: t('staff.content.module_title'), name: 'title', required: true, autocomplete: 'off' }), addBtn);
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(addForm);
    const title = addForm.elements.title;
    try {
      await busy(addBtn, api('POST', paths.programmeModules(slug), { title: title.value }));
    } catch (ex) {
      showErrors(addForm, ex, { invalid_title: 'title' });
      return;
    }
    title.value = '';
    toast(t('staff.content.module_added'));
    await reload();
  });

  // Publishing.
  const publishBtn = h('button', { type: 'button' }, t('staff.content.publish'));
  publishBtn.addEventListener('click', async () => {
    if (!(await confirmDialog(t('staff.content.confirm_publish'), { confirmLabel: t('staff.content.publish'), danger: false }))) return;
    let v = null;
    if (await attempt(publishBtn, async () => { v = await api('POST', paths.programmeVersions(slug), {}); })) {
      publishResult.replaceChildren(t('staff.content.published', { n: v.version }), ' ', hashCode(v.content_hash));
      toast(t('staff.content.published', { n: v.version }));
      prog = await api('GET', paths.programme(slug));
      drawVersions();
      await reload();
    }
  });
  const draftState = h('p', { class: 'meta' });

  drawModules();
  drawVersions();
  const isAdmin = ctx.me && ctx.me.user && ctx.me.user.role === 'admin';
  replace(view, 
    pageHead(t('staff.content.title', { title: prog.title }), { back: isAdmin ? `/admin/programmes/${enc(slug)}` : '/staff', backLabel: isAdmin ? prog.title : t('staff.home.title') }),
    h('p', { class: 'staff-note' }, t('staff.content.intro')),
    err,
    h('div', { class: 'staff-grid' },
      h('div', {}, modulesEl, addForm),
      h('section', { class: 'card', 'aria-labelledby': 'publish-h' },
        h('h2', { id: 'publish-h' }, t('staff.content.versions')), draftState, publishBtn, publishResult, versionsEl)));
}
