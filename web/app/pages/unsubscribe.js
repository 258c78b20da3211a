// unsubscribe.js — `/unsubscribe?u=…&t=…`: where the List-Unsubscribe link
// of an e-mail leads a person (mail programs POST it themselves). One button
// confirms (POST /api/v1/unsubscribe): no more e-mail but security messages.
import { api, paths } from '../api.js';
import { loadArea } from '../i18n.js';
import { h, put, busy } from '../ui.js';

export default async function render(view, { t, query }) {
  await loadArea('account');
  const u = query.get('u') || '';
  const tok = query.get('t') || '';
  const go = h('button', { type: 'button' }, t('acct.unsub.confirm'));
  const out = h('p', { class: 'outcome', role: 'status', hidden: true, tabindex: '-1' });
  go.addEventListener('click', async () => {
    try {
      await busy(go, api('POST', paths.unsubscribe({ u, t: tok }), {}));
      out.textContent = t('acct.unsub.done');
    } catch {
      out.textContent = t('acct.unsub.bad');
    }
    go.hidden = true;
    out.hidden = false;
    out.focus();
  });
  put(view, h('h1', null, t('acct.unsub.title')), h('p', { class: 'lead' }, t('acct.unsub.lead')), go, out,
    h('p', null, h('a', { href: '/me/notifications' }, t('acct.notif.title'))));
}
