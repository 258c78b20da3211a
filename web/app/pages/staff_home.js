// staff_home.js — /staff: where instructors and admins start (the sign-in
// page sends them here). Lists the programmes and current cohorts the
// reader works on (admins: all of them; instructors: the cohorts that name
// them, and the programmes whose content they may author — those cohorts'
// and the ones an admin named them author of) with links to each staff
// page, and which content version each cohort follows (a newer one shown).
import { api, paths } from '../api.js';
import { loadArea, t, fmtDate, fmtNumber } from '../i18n.js';
import { h, segmentName, sortSegments } from '../ui.js';
import { pageHead, fill, replace, versionNote, cohortLinks } from '../staff_ui.js';

const enc = encodeURIComponent;

function cohortItem(c, isAdmin) {
  const id = enc(c.id);
  const seats = sortSegments(c.segments).map((s) => `${segmentName(s.segment)} ${fmtNumber(s.confirmed)}/${fmtNumber(s.quota)}`).join(' · ');
  return h('li', { class: 'staff-cohort', 'data-cohort': c.id },
    h('h3', {}, h('a', { href: isAdmin ? `/admin/cohorts/${id}` : `/staff/cohorts/${id}` }, c.name)),
    h('p', { class: 'meta' }, t('staff.cohort.dates', { from: fmtDate(c.starts_on), to: fmtDate(c.ends_on) }),
      c.registration_open ? ` · ${t('staff.seats.open')}` : ''),
    h('p', { class: 'meta' }, versionNote(c)),
    h('p', { class: 'meta' }, seats),
    cohortLinks(c, isAdmin));
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz'), loadArea('account')]);
  const me = ctx.me.user;
  const isAdmin = me.role === 'admin';
  const data = await api('GET', paths.programmes());
  const authoring = new Set(ctx.me.authoring || []);
  const mine = data.items
    .map((p) => ({ ...p, cohorts: isAdmin ? p.cohorts : p.cohorts.filter((c) => (c.instructors || []).some((i) => i.id === me.id)) }))
    .filter((p) => isAdmin || p.cohorts.length > 0 || authoring.has(p.slug));

  const list = h('ul', { class: 'staff-list' });
  fill(list, mine, (p) => h('li', { class: 'card' },
    h('h2', {}, isAdmin ? h('a', { href: `/admin/programmes/${enc(p.slug)}` }, p.title) : p.title),
    h('p', { class: 'staff-links' }, h('a', { href: `/staff/programmes/${enc(p.slug)}/content` }, t('staff.nav.content'))),
    p.cohorts.length ? h('ul', { class: 'staff-cohorts' }, ...p.cohorts.map((c) => cohortItem(c, isAdmin))) : h('p', { class: 'empty' }, t('staff.cohort.none'))),
  isAdmin ? t('staff.programmes.none') : t('staff.home.none'));

  replace(view, 
    pageHead(t('staff.home.title'), { sub: t('staff.home.hello', { name: me.full_name }) }),
    isAdmin ? h('nav', { class: 'staff-tiles', 'aria-label': t('staff.home.admin_nav') },
      h('a', { class: 'staff-tile', href: '/admin/programmes' }, t('staff.programmes.title')),
      h('a', { class: 'staff-tile', href: '/admin/users' }, t('staff.users.title')),
      h('a', { class: 'staff-tile', href: '/admin/keys' }, t('staff.keys.title')),
      h('a', { class: 'staff-tile', href: '/admin/signatory' }, t('staff.sign.title')),
      h('a', { class: 'staff-tile', href: '/admin/messages' }, t('acct.log.link'))) : null,
    h('h2', { class: 'staff-section-h' }, isAdmin ? t('staff.home.all_programmes') : t('staff.home.my_programmes')),
    list);
}
