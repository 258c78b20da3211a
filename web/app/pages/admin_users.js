// admin_users.js — /admin/users: accounts and their roles. The role filter
// runs on the server (?role=, pages of 200 newest first, "load more"); the
// search filters the loaded accounts by name or e-mail as you type (the API
// has no search). A role change is one PUT /api/v1/users/{id} (audited by
// the server); so is a name correction (a name printed on a certificate is
// only an admin's to correct) and a password reset link sent by mail; an
// admin may also create an account with a chosen role.
import { api, paths } from '../api.js';
import { loadArea, t, fmtDate } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, confirmDialog, rememberQuery } from '../ui.js';
import { pageHead, errorBox, replace, askText, fold, searchedList } from '../staff_ui.js';

const ROLES = ['participant', 'instructor', 'admin'];
const PAGE = 200;

const roleLabel = (r) => t(`staff.role.${r}`);

// ---- act: what the buttons do (each reports through `err`) ----

// Changes u's role to sel's after a confirmation; puts sel back otherwise.
async function saveRole(u, sel, save, err) {
  if (sel.value === u.role) return;
  if (!(await confirmDialog(t('staff.users.confirm_role', { name: u.full_name, from: roleLabel(u.role), to: roleLabel(sel.value) }), { danger: sel.value === 'admin' || u.role === 'admin' }))) {
    sel.value = u.role;
    return;
  }
  err.update(null);
  try {
    const r = await busy(save, api('PUT', paths.user(u.id), { role: sel.value }));
    u.role = r.user.role;
    toast(t('staff.users.role_saved', { name: u.full_name, role: roleLabel(u.role) }));
  } catch (ex) {
    sel.value = u.role;
    err.update(ex);
  }
}

// Corrects u's name (audited by the server); `name` shows the new one.
async function rename(u, name, edit, err) {
  const next = await askText({ question: t('staff.users.rename_q', { name: u.full_name }), label: t('staff.common.name'), hint: t('staff.users.rename_hint'), value: u.full_name, confirmLabel: t('common.save') });
  if (!next || next === u.full_name) return;
  err.update(null);
  try {
    const r = await busy(edit, api('PUT', paths.user(u.id), { full_name: next }));
    u.full_name = r.user.full_name;
    name.textContent = u.full_name;
    toast(t('staff.users.renamed', { name: u.full_name }));
  } catch (ex) {
    err.update(ex);
  }
}

// A password reset link by mail (POST /api/v1/users/{id}/password-reset,
// audited by the server), after a confirmation.
async function sendReset(u, b, err) {
  if (!(await confirmDialog(t('acct.users.confirm_reset', { name: u.full_name }), { danger: false }))) return;
  err.update(null);
  try {
    await busy(b, api('POST', paths.userPasswordReset(u.id), {}));
    toast(t('acct.users.reset_sent', { name: u.full_name }));
  } catch (ex) {
    err.update(ex);
  }
}

// Creates the account the form describes; onCreated(user) shows it.
async function createUser(form, button, onCreated) {
  clearErrors(form);
  const v = form.elements;
  const body = { full_name: v.full_name.value.trim(), email: v.email.value.trim(), password: v.password.value, role: v.role.value };
  try {
    const r = await busy(button, api('POST', paths.users(), body));
    const u = r.user || r;
    onCreated({ ...u, status: 'active', created_at: new Date().toISOString() });
    form.reset();
    v.role.value = 'instructor';
    toast(t('staff.users.created', { name: u.full_name }));
  } catch (ex) {
    showErrors(form, ex, { invalid_full_name: 'full_name', invalid_role: 'role' });
  }
}

// ---- draw: one account's row, the form, the page ----

function roleCell(u, meId, err) {
  const sel = h('select', { 'aria-label': t('staff.users.role_of', { name: u.full_name }), name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, roleLabel(r))));
  sel.value = u.role;
  const save = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('staff.users.save_role_of', { name: u.full_name }) }, t('common.save'));
  if (u.id === meId) {
    sel.disabled = true;
    save.disabled = true;
    save.title = t('staff.users.not_self');
  }
  save.addEventListener('click', () => saveRole(u, sel, save, err));
  return h('div', { class: 'staff-inline-form' }, sel, save);
}

// The name, and a button that corrects it.
function nameCell(u, err) {
  const name = h('span', { class: 'staff-name' }, u.full_name);
  const edit = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('staff.users.rename_of', { name: u.full_name }) }, t('staff.users.rename'));
  edit.addEventListener('click', () => rename(u, name, edit, err));
  return [name, ' ', edit, h('br'), h('span', { class: 'meta' }, u.email)];
}

function resetButton(u, err) {
  const b = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('acct.users.reset_of', { name: u.full_name }) }, t('acct.users.reset'));
  b.addEventListener('click', () => sendReset(u, b, err));
  return b;
}

function userRow(u, meId, err) {
  return h('tr', { 'data-user': u.id },
    h('td', { 'data-label': t('staff.common.name'), class: 'wide' }, nameCell(u, err)),
    h('td', { 'data-label': t('staff.users.role'), class: 'wide' }, roleCell(u, meId, err)),
    h('td', { 'data-label': t('staff.users.status') }, t(`staff.users.status_${u.status}`), u.status === 'active' ? [' ', resetButton(u, err)] : null),
    h('td', { 'data-label': t('staff.users.since') }, fmtDate(u.created_at)));
}

// A new account.
function newUserForm(onCreated) {
  const create = h('button', { type: 'submit' }, t('staff.users.create'));
  const form = h('form', { class: 'staff-form card', novalidate: true, 'aria-labelledby': 'new-user-h' },
    h('h2', { id: 'new-user-h' }, t('staff.users.new')),
    field({ label: t('staff.common.name'), name: 'full_name', required: true, autocomplete: 'off' }),
    field({ label: t('staff.users.email'), name: 'email', type: 'email', required: true, autocomplete: 'off' }),
    field({ label: t('staff.users.password'), name: 'password', type: 'password', required: true, autocomplete: 'new-password', hint: t('staff.users.password_hint') }),
    field({ label: t('staff.users.role'), name: 'role', value: 'instructor', options: ROLES.map((r) => ({ value: r, label: roleLabel(r) })) }),
    create);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    createUser(form, create, onCreated);
  });
  return form;
}

// The page's controls, filled from the address (?role=, ?q=).
function controls(query) {
  const roleFilter = h('select', { id: 'users-role', name: 'role' },
    h('option', { value: '' }, t('staff.users.all_roles')), ...ROLES.map((r) => h('option', { value: r }, roleLabel(r))));
  roleFilter.value = ROLES.includes(query.get('role')) ? query.get('role') : '';
  const search = h('input', { type: 'search', id: 'users-search', name: 'q', autocomplete: 'off' });
  search.value = query.get('q') || '';
  return {
    roleFilter,
    search,
    err: errorBox(),
    tbody: h('tbody'),
    count: h('p', { class: 'meta', role: 'status' }),
    more: h('button', { type: 'button', class: 'secondary', hidden: true }, t('staff.registrations.more')),
  };
}

function layout(view, c, form) {
  replace(view,
    pageHead(t('staff.users.title'), { back: '/staff', backLabel: t('staff.home.title') }),
    h('div', { class: 'staff-grid' },
      h('section', { 'aria-labelledby': 'users-h' },
        h('h2', { id: 'users-h', class: 'visually-hidden' }, t('staff.users.title')),
        h('form', { class: 'staff-filters', role: 'search', 'aria-label': t('staff.users.filters'), onsubmit: (e) => e.preventDefault() },
          h('div', { class: 'field' }, h('label', { for: c.roleFilter.id }, t('staff.users.role')), c.roleFilter),
          h('div', { class: 'field' }, h('label', { for: c.search.id }, t('staff.users.search')), c.search)),
        c.err, c.count,
        h('div', { class: 'staff-table-wrap' },
          h('table', { class: 'staff-table staff-table-cards', 'data-testid': 'users' },
            h('thead', {}, h('tr', {},
              h('th', { scope: 'col' }, t('staff.common.name')), h('th', { scope: 'col' }, t('staff.users.role')),
              h('th', { scope: 'col' }, t('staff.users.status')), h('th', { scope: 'col' }, t('staff.users.since')))),
            c.tbody)),
        c.more),
      form));
}

// ---- the page: load the first page of accounts, then draw; the role
// filter reloads, the search only redraws ----
export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('account')]);
  const meId = ctx.me.user.id;
  const c = controls(ctx.query);
  const list = await searchedList(c, {
    fetchPage: (cursor) => api('GET', paths.users({ limit: PAGE, role: c.roleFilter.value, cursor })),
    filters: [c.roleFilter],
    row: (u) => userRow(u, meId, c.err),
    matches: (u, q) => fold(u.full_name).includes(q) || fold(u.email).includes(q),
    colspan: 4,
    noneText: t('staff.users.none'),
    remember: () => rememberQuery({ role: c.roleFilter.value, q: c.search.value.trim() }),
  });
  layout(view, c, newUserForm(list.prepend));
}
