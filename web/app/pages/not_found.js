// not_found.js — an address the app does not know, or a page the account
// may not see (ctx.params.forbidden).
import { h, put } from '../ui.js';

export default async function render(view, { t, params }) {
  const forbidden = params.forbidden === '1';
  put(
    view,
    h('h1', null, t(forbidden ? 'nav.forbidden' : 'nav.not_found')),
    h('p', null, t(forbidden ? 'common.forbidden_text' : 'common.not_found_text')),
    h('p', null, h('a', { href: '/' }, t('common.to_home'))),
  );
}
