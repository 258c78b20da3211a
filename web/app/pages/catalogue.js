// catalogue.js — `/`: the programmes with their open and upcoming cohorts
// (GET /api/v1/programmes): dates, JP, registration state and the seats
// left per segment, refreshed every 10 s while a registration is open.
import { api, paths } from '../api.js';
import { fmtNumber, dateRange } from '../i18n.js';
import { h, put, emptyState } from '../ui.js';
import { registrationBadge, registrationState, seatsList, poll } from '../participant.js';

function cohortItem(p, c, t, seatViews) {
  const seats = seatsList(c);
  seatViews.set(c.id, seats);
  const open = registrationState(c) === 'open';
  return h(
    'li',
    { class: 'cohort' },
    h('h3', null, c.name),
    h('p', { class: 'meta' }, dateRange(c.starts_on, c.ends_on), ' · ', t('common.jp', { n: fmtNumber(c.jp) })),
    h('p', { class: 'meta' }, registrationBadge(c)),
    seats.el,
    h(
      'p',
      null,
      h(
        'a',
        { class: open ? 'button' : 'button secondary', href: `/programmes/${encodeURIComponent(p.slug)}#cohort-${c.id}` },
        t(open ? 'catalogue.register' : 'catalogue.details'),
        h('span', { class: 'visually-hidden' }, ` ${p.title}, ${c.name}`),
      ),
    ),
  );
}

function programmeCard(p, t, seatViews) {
  const cohorts = p.cohorts || [];
  return h(
    'article',
    { class: 'card programme' },
    h('h2', null, h('a', { href: `/programmes/${encodeURIComponent(p.slug)}` }, p.title)),
    p.description ? h('p', { class: 'lead' }, p.description) : null,
    cohorts.length
      ? h('ul', { class: 'cohorts' }, cohorts.map((c) => cohortItem(p, c, t, seatViews)))
      : h('p', { class: 'meta' }, t('catalogue.no_cohorts')),
  );
}

export default async function render(view, { t, signal }) {
  const data = await api('GET', paths.programmes(), null, { signal });
  const items = data.items || [];
  const seatViews = new Map();
  put(
    view,
    h('h1', null, t('catalogue.title')),
    h('p', { class: 'lead' }, t('catalogue.lead')),
    ...(items.length ? items.map((p) => programmeCard(p, t, seatViews)) : [emptyState(t('catalogue.empty'))]),
  );
  const anyOpen = items.some((p) => (p.cohorts || []).some((c) => registrationState(c) === 'open'));
  if (!anyOpen) return undefined;
  return poll(async () => {
    const fresh = await api('GET', paths.programmes(), null, { signal });
    for (const p of fresh.items || []) {
      for (const c of p.cohorts || []) seatViews.get(c.id)?.update(c);
    }
  });
}
