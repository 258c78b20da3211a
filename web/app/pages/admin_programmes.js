// admin_programmes.js — /admin/programmes: every programme with its current
// cohorts, and the form that creates a programme (POST /api/v1/programmes).
// A programme's title, description and cohorts are edited on its own page
// (admin_programme.js), its content on the authoring page.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDate } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy } from '../ui.js';
import { pageHead, fill, replace } from '../staff_ui.js';

const SLUG_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

// A slug from a title: lower case ASCII letters, digits and single dashes.
export function slugify(title) {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' dan ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function programmeCard(p) {
  const slug = encodeURIComponent(p.slug);
  return h('li', { class: 'card' },
    h('h2', {}, h('a', { href: `/admin/programmes/${slug}` }, p.title)),
    h('p', { class: 'meta' }, h('code', {}, p.slug), ' · ',
      tn('staff.programmes.versions', (p.versions || []).length), ' · ',
      tn('staff.programmes.cohorts', (p.cohorts || []).length)),
    p.cohorts && p.cohorts.length
      ? h('ul', { class: 'staff-inline-list' }, ...p.cohorts.map((c) => h('li', {},
        h('a', { href: `/admin/cohorts/${encodeURIComponent(c.id)}` }, c.name), ' ',
        h('span', { class: 'meta' }, `${fmtDate(c.starts_on)}`))))
      : null,
    h('p', { class: 'staff-links' },
      h('a', { href: `/staff/programmes/${slug}/content` }, t('staff.nav.content')),
      h('a', { href: `/admin/programmes/${slug}` }, t('staff.nav.cohorts'))));
}

function createForm(ctx) {
  const submit = h('button', { type: 'submit' }, t('staff.programmes.create'));
  const form = h('form', { class: 'staff-form', novalidate: true },
    h('h2', {}, t('staff.programmes.new')),
    field({ label: t('staff.programmes.f_title'), name: 'title', required: true, autocomplete: 'off' }),
    field({ label: t('staff.programmes.f_slug'), name: 'slug', hint: t('staff.programmes.f_slug_hint'), required: true, autocomplete: 'off' }),
    field({ label: t('staff.programmes.f_description'), name: 'description', rows: 4 }),
    submit);
  const { title: titleInput, slug: slugInput, description } = form.elements;
  let slugTouched = false;
  slugInput.addEventListener('input', () => { slugTouched = slugInput.value !== ''; });
  titleInput.addEventListener('input', () => {
    if (!slugTouched) slugInput.value = slugify(titleInput.value);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { slug: slugInput.value.trim(), title: titleInput.value.trim() };
    if (description.value.trim()) body.description = description.value;
    if (!body.title) return showErrors(form, { code: 'staff_required' }, { staff_required: 'title' });
    if (!SLUG_RE.test(body.slug)) return showErrors(form, { code: 'staff_bad_slug' }, { staff_bad_slug: 'slug' });
    try {
      const p = await busy(submit, api('POST', paths.programmes(), body));
      toast(t('staff.programmes.created', { title: p.title }));
      ctx.navigate(`/admin/programmes/${encodeURIComponent(p.slug)}`);
    } catch (ex) {
      showErrors(form, ex, { slug_taken: 'slug', invalid_field: 'slug' });
    }
  });
  return form;
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const data = await api('GET', paths.programmes());
  const list = h('ul', { class: 'staff-list' });
  fill(list, data.items, programmeCard, t('staff.programmes.none'));
  replace(view, 
    pageHead(t('staff.programmes.title'), { back: '/staff', backLabel: t('staff.home.title') }),
    h('div', { class: 'staff-grid' }, h('section', {}, list), h('section', { class: 'card' }, createForm(ctx))));
}
