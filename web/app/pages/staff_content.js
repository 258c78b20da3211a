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

// ---- act (pg: the page's {slug, base, attempt, reload, navigate}; attempt
// runs an edit and shows its failure, reload draws the draft again) ----

// Runs fn with the button busy; on failure shows the error in err and
// keeps the page as it is. Resolves to whether it went through.
async function attemptWith(err, button, fn) {
  err.update(null);
  try {
    await busy(button, fn());
    return true;
  } catch (ex) {
    err.update(ex);
    return false;
  }
}

// Renames module mod to what the form holds; resolves to the new title or null.
async function renameModule(mod, form, save) {
  clearErrors(form);
  const title = form.elements.title.value;
  try {
    await busy(save, api('PUT', paths.module(mod.id), { title }));
  } catch (ex) {
    showErrors(form, ex, { invalid_title: 'title' });
    return null;
  }
  toast(t('common.saved'));
  return title;
}

async function addModule(pg, form, button) {
  clearErrors(form);
  const title = form.elements.title;
  try {
    await busy(button, api('POST', paths.programmeModules(pg.slug), { title: title.value }));
  } catch (ex) {
    showErrors(form, ex, { invalid_title: 'title' });
    return;
  }
  title.value = '';
  toast(t('staff.content.module_added'));
  await pg.reload();
}

// Publishes the draft as the next version; resolves to it, or null.
async function publish(pg, button) {
  if (!(await confirmDialog(t('staff.content.confirm_publish'), { confirmLabel: t('staff.content.publish'), danger: false }))) return null;
  let v = null;
  if (!(await pg.attempt(button, async () => { v = await api('POST', paths.programmeVersions(pg.slug), {}); }))) return null;
  toast(t('staff.content.published', { n: v.version }));
  return v;
}

// ---- draw ----

// The ↑ ↓ and delete buttons of an item of `list` (a module, a lesson, an
// assignment): moving renumbers the list (then the focus returns to the
// row `rowSel`), deleting asks `question` first and then says `deleted`.
function itemActions(pg, { label, list, index, pathOf, item, rowSel, deleteLabel, question, deleted }) {
  const [up, down] = moveButtons(label, index, list.length, async (btn, to, dir) => {
    if (await pg.attempt(btn, () => renumber(pathOf, moved(list, index, to)))) await pg.reload([rowSel, dir]);
  });
  const del = h('button', { type: 'button', class: 'danger small', 'aria-label': deleteLabel }, t('staff.common.delete'));
  del.addEventListener('click', async () => {
    if (!(await confirmDialog(question))) return;
    if (await pg.attempt(del, () => api('DELETE', pathOf(item.id)))) {
      toast(deleted);
      await pg.reload();
    }
  });
  return h('div', { class: 'staff-actions' }, up, down, del);
}

// The two kinds of item a module lists, and what differs between them.
const ITEM_KINDS = {
  lesson: {
    list: (mod) => mod.lessons, pathOf: paths.lesson, page: 'lessons',
    deleteKey: 'staff.content.delete_lesson', questionKey: 'staff.content.confirm_delete_lesson', deletedKey: 'staff.content.lesson_deleted',
  },
  assignment: {
    list: (mod) => mod.assignments, pathOf: paths.assignment, page: 'assignments',
    deleteKey: 'staff.content.delete_assignment', questionKey: 'staff.content.confirm_delete_assignment', deletedKey: 'staff.content.assignment_deleted',
  },
};

// A lesson or an assignment of the draft: its editor, `meta` (what it
// holds or asks), reorder, delete.
function draftItem(pg, mod, kind, x, index, meta) {
  const k = ITEM_KINDS[kind];
  return h('li', { class: 'staff-lesson', [`data-${kind}`]: x.id },
    h('div', { class: 'staff-lesson-title' },
      h('a', { href: `${pg.base}/${k.page}/${enc(x.id)}` }, x.title),
      meta.length ? h('span', { class: 'meta' }, ` · ${meta.join(' · ')}`) : null),
    itemActions(pg, {
      label: x.title, list: k.list(mod), index, pathOf: k.pathOf, item: x, rowSel: `[data-${kind}="${x.id}"]`,
      deleteLabel: t(k.deleteKey, { title: x.title }), question: t(k.questionKey, { title: x.title }), deleted: t(k.deletedKey),
    }));
}

function lessonMeta(lesson) {
  const meta = [];
  if (lesson.duration_minutes != null) meta.push(t('staff.content.minutes', { n: fmtNumber(lesson.duration_minutes) }));
  if (lesson.video) meta.push(t('staff.content.video_of', { provider: lesson.video.provider === 'tiktok' ? 'TikTok' : 'YouTube' }));
  return meta;
}

function assignmentMeta(a) {
  return [
    (a.submission_types || []).map((ty) => t(`staff.assignment.type_${ty}`)).join(', '),
    t('staff.content.pass_of', { pass: fmtNumber(a.pass_score), max: fmtNumber(a.max_score) }),
    a.rubric ? tn('staff.content.criteria_n', a.rubric.length) : null,
    a.required ? null : t('staff.assignment.optional'),
  ].filter(Boolean);
}

function moduleItem(pg, modules, mod, index) {
  const heading = h('h2', { id: `module-${mod.id}` }, moduleHeading(index, mod.title));
  const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
  const rename = h('form', { class: 'staff-inline-form', novalidate: true },
    field({ label: t('staff.content.module_title'), name: 'title', value: mod.title, autocomplete: 'off' }), save);
  rename.addEventListener('submit', async (e) => {
    e.preventDefault();
    const title = await renameModule(mod, rename, save);
    if (title === null) return;
    mod.title = title;
    heading.textContent = moduleHeading(index, title);
  });
  const lessons = h('ol', { class: 'staff-lessons' });
  fill(lessons, mod.lessons, (l, i) => draftItem(pg, mod, 'lesson', l, i, lessonMeta(l)), t('staff.content.no_lessons'));
  const assignments = h('ul', { class: 'staff-lessons staff-assignments', 'data-testid': 'assignments' });
  fill(assignments, mod.assignments || [], (a, i) => draftItem(pg, mod, 'assignment', a, i, assignmentMeta(a)), t('staff.content.no_assignments'));
  return h('li', { class: 'card staff-module', 'data-module': mod.id, 'aria-labelledby': `module-${mod.id}` },
    h('div', { class: 'staff-module-head' }, heading, itemActions(pg, {
      label: mod.title, list: modules, index, pathOf: paths.module, item: mod, rowSel: `[data-module="${mod.id}"] > .staff-module-head`,
      deleteLabel: t('staff.content.delete_module', { title: mod.title }),
      question: tn('staff.content.confirm_delete_module', mod.lessons.length, { title: mod.title }),
      deleted: t('staff.content.module_deleted'),
    })),
    rename,
    h('h3', { class: 'staff-sub-h' }, t('staff.content.lessons_h')), lessons,
    h('p', {}, h('a', { class: 'button secondary', href: `${pg.base}/lessons/new?module=${enc(mod.id)}` }, t('staff.content.add_lesson'))),
    h('h3', { class: 'staff-sub-h' }, t('staff.content.assignments_h')), assignments,
    h('p', {}, h('a', { class: 'button secondary', href: `${pg.base}/assignments/new?module=${enc(mod.id)}` }, t('staff.content.add_assignment'))),
    moduleQuizzes(mod, pg.navigate));
}

function drawVersions(el, prog) {
  fill(el, (prog.versions || []).slice().reverse(), (v) => h('li', {},
    h('strong', {}, t('staff.cohort.version_n', { n: v.version })), ' · ', fmtDateTime(v.published_at), ' · ',
    tn('staff.content.lessons_n', v.lessons_total), h('br'),
    h('span', { class: 'meta' }, t('staff.content.hash')), ' ', hashCode(v.content_hash)), t('staff.content.no_versions'));
}

// Adding a module.
function moduleForm(pg) {
  const button = h('button', { type: 'submit' }, t('staff.content.add_module'));
  const form = h('form', { class: 'staff-form card', novalidate: true, 'aria-labelledby': 'new-module-h' },
    h('h2', { id: 'new-module-h' }, t('staff.content.new_module')),
    field({ label: t('staff.content.module_title'), name: 'title', required: true, autocomplete: 'off' }), button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    addModule(pg, form, button);
  });
  return form;
}

// ---- the page: the draft and the programme loaded, the modules drawn
// (again after each edit), the versions and publishing ----
export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const slug = ctx.params.slug;
  const state = {};
  [state.draft, state.prog] = await Promise.all([
    api('GET', paths.programmeDraft(slug)),
    api('GET', paths.programme(slug)),
  ]);
  const err = errorBox();
  const modulesEl = h('ol', { class: 'staff-modules' });
  const versionsEl = h('ul', { class: 'staff-versions', 'data-testid': 'versions' });
  const publishResult = h('p', { class: 'staff-success', role: 'status', 'data-testid': 'publish-result' });
  const draftState = h('p', { class: 'meta' });
  const pg = { slug, base: `/staff/programmes/${enc(slug)}`, navigate: ctx.navigate, attempt: (button, fn) => attemptWith(err, button, fn) };
  const drawModules = () => {
    fill(modulesEl, state.draft.modules, (mod, i) => moduleItem(pg, state.draft.modules, mod, i), t('staff.content.no_modules'));
    draftState.textContent = t('staff.content.draft_state', { rev: fmtNumber(state.draft.draft_rev), version: state.draft.latest_version ?? '—' });
  };
  // Draws the draft again; `focus` = [row selector, direction] puts the focus
  // back on the moved row's button (the other one at the end of the list).
  pg.reload = async (focus) => {
    state.draft = await api('GET', paths.programmeDraft(slug));
    drawModules();
    if (!focus) return;
    const [row, dir] = focus;
    const buttons = [...view.querySelectorAll(`${row} [data-move]`)];
    (buttons.find((b) => b.dataset.move === dir && !b.disabled) || buttons.find((b) => !b.disabled))?.focus();
  };
  const publishBtn = h('button', { type: 'button' }, t('staff.content.publish'));
  publishBtn.addEventListener('click', async () => {
    const v = await publish(pg, publishBtn);
    if (!v) return;
    publishResult.replaceChildren(t('staff.content.published', { n: v.version }), ' ', hashCode(v.content_hash));
    state.prog = await api('GET', paths.programme(slug));
    drawVersions(versionsEl, state.prog);
    await pg.reload();
  });

  drawModules();
  drawVersions(versionsEl, state.prog);
  const isAdmin = ctx.me && ctx.me.user && ctx.me.user.role === 'admin';
  replace(view,
    pageHead(t('staff.content.title', { title: state.prog.title }), { back: isAdmin ? `/admin/programmes/${enc(slug)}` : '/staff', backLabel: isAdmin ? state.prog.title : t('staff.home.title') }),
    h('p', { class: 'staff-note' }, t('staff.content.intro')),
    err,
    h('div', { class: 'staff-grid' },
      h('div', {}, modulesEl, moduleForm(pg)),
      h('section', { class: 'card', 'aria-labelledby': 'publish-h' },
        h('h2', { id: 'publish-h' }, t('staff.content.versions')), draftState, publishBtn, publishResult, versionsEl)));
}
