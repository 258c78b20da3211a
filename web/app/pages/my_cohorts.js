// my_cohorts.js — `/me/cohorts`: my registrations (GET
// /api/v1/me/registrations) with their status, the way into each confirmed
// cohort, accepting an offered seat and cancelling.
import { api, paths } from '../api.js';
import { errorText, dateRange } from '../i18n.js';
import { h, put, emptyState, busy, toast, segmentName, confirmDialog } from '../ui.js';
import { statusBadge, outcomeText } from '../participant.js';

const ACTIVE = new Set(['confirmed', 'waitlisted', 'offered']);

function card(reg, t, redraw) {
  const c = reg.cohort || {};
  const actions = h('p', { class: 'row' });
  if (reg.status === 'confirmed') {
    actions.append(h('a', { class: 'button', href: `/cohorts/${encodeURIComponent(reg.cohort_id)}` }, t('reg.open_class'), h('span', { class: 'visually-hidden' }, `: ${c.programme_title} ${c.name}`)));
  }
  if (reg.status === 'offered') {
    const accept = h('button', { type: 'button' }, t('reg.accept'));
    accept.addEventListener('click', async () => {
      try {
        await busy(accept, api('POST', paths.registrationAccept(reg.id)));
        redraw();
      } catch (err) {
        toast(errorText(err), { kind: 'error' });
      }
    });
    actions.append(accept);
  }
  if (ACTIVE.has(reg.status)) {
    const cancel = h('button', { type: 'button', class: 'secondary' }, t('reg.cancel'));
    cancel.addEventListener('click', async () => {
      if (!(await confirmDialog(t('reg.cancel_confirm'), { confirmLabel: t('reg.cancel_yes'), cancelLabel: t('common.no') }))) return;
      try {
        await busy(cancel, api('DELETE', paths.registration(reg.id)));
        toast(t('reg.outcome.cancelled'));
        redraw();
      } catch (err) {
        toast(errorText(err), { kind: 'error' });
      }
    });
    actions.append(cancel);
  }
  return h(
    'li',
    { class: 'card' },
    h('p', { class: 'crumbs' }, h('a', { href: `/programmes/${encodeURIComponent(c.programme_slug)}` }, c.programme_title)),
    h('h2', null, c.name),
    h('p', { class: 'meta' }, dateRange(c.starts_on, c.ends_on), ' · ', segmentName(reg.segment)),
    h('p', null, statusBadge(reg)),
    ACTIVE.has(reg.status) && reg.status !== 'confirmed' ? h('p', null, outcomeText(reg)) : null,
    actions.childNodes.length ? actions : null,
  );
}

export default async function render(view, ctx) {
  const { t, signal } = ctx;
  const data = await api('GET', paths.meRegistrations(), null, { signal });
  const items = data.items || [];
  const redraw = async () => {
    const list = view.querySelector('.my-cohorts');
    const fresh = await api('GET', paths.meRegistrations(), null, { signal });
    list.replaceChildren(...order(fresh.items || []).map((r) => card(r, t, redraw)));
  };
  // active first, then the rest; newest first within each
  const order = (list) => [...list].sort((a, b) => (ACTIVE.has(b.status) - ACTIVE.has(a.status)) || String(b.created_at).localeCompare(String(a.created_at)));
  put(
    view,
    h('h1', null, t('mine.title')),
    items.length
      ? h('ul', { class: 'my-cohorts plain' }, order(items).map((r) => card(r, t, redraw)))
      : emptyState(t('mine.empty'), h('p', null, h('a', { class: 'button', href: '/' }, t('mine.browse')))),
  );
}
