// main.js — boot: language, session, header, then the router.
//
// The header (brand, navigation by role, language switch, sign in/out) is
// redrawn whenever the session or the language changes; the current page is
// redrawn after a language switch.
import { initI18n, t, lang, setLang } from './i18n.js';
import { api } from './api.js';
import { getMe, loadMe, setMe, onSessionChange, role } from './session.js';
import { startRouter, navigate, rerender } from './router.js';
import { routes, nav } from './routes.js';
import { h, toast } from './ui.js';
import { errorText } from './i18n.js';

const header = document.getElementById('site-header');
const main = document.getElementById('main');
let currentPath = location.pathname;

function visible(access) {
  const r = role();
  switch (access) {
    case 'any':
      return true;
    case 'guest':
      return r === null;
    case 'signed_in':
      return r !== null;
    case 'staff':
      return r === 'instructor' || r === 'admin';
    case 'admin':
      return r === 'admin';
    default:
      return false;
  }
}

function isCurrent(href) {
  return href === '/' ? currentPath === '/' : currentPath === href || currentPath.startsWith(`${href}/`);
}

async function logout(e) {
  const button = e.currentTarget;
  button.disabled = true;
  try {
    await api('POST', '/auth/logout');
  } catch (err) {
    if (err.status !== 401) {
      toast(errorText(err), { kind: 'error' });
      button.disabled = false;
      return;
    }
  }
  setMe(null);
  toast(t('common.signed_out'));
  navigate('/');
}

async function switchLang() {
  await setLang(lang() === 'id' ? 'en' : 'id');
  drawHeader();
  rerender();
}

function drawHeader() {
  const me = getMe();
  const links = nav
    .filter((item) => visible(item.access))
    .map((item) => h('li', null, h('a', { href: item.href, 'aria-current': isCurrent(item.href) ? 'page' : null }, t(item.label))));
  const other = lang() === 'id' ? 'en' : 'id';
  const account = me
    ? [
        // the name on wide screens, the word "Profil" on phones: one link each, one shown
        h('a', { class: 'who', href: '/me/profile', 'aria-current': isCurrent('/me/profile') ? 'page' : null }, me.user.full_name),
        h('a', { class: 'who-short', href: '/me/profile', 'aria-current': isCurrent('/me/profile') ? 'page' : null }, t('nav.profile')),
        h('button', { type: 'button', class: 'link-button', onclick: logout }, t('nav.logout')),
      ]
    : [h('a', { href: '/masuk' }, t('nav.login')), h('a', { href: '/daftar', class: 'button small' }, t('nav.signup'))];
  header.replaceChildren(
    h(
      'div',
      { class: 'bar' },
      h('a', { class: 'brand', href: '/' }, 'Sinau'),
      h('button', { type: 'button', class: 'lang-switch', lang: other, onclick: switchLang }, t('common.switch_lang')),
      h('div', { class: 'account' }, account),
    ),
    h('nav', { 'aria-label': t('nav.main') }, h('ul', null, links)),
  );
  const skip = document.getElementById('skip-link');
  if (skip) skip.textContent = t('common.skip');
}

async function boot() {
  await Promise.all([initI18n(), loadMe().catch(() => null)]);
  drawHeader();
  onSessionChange(drawHeader);
  await startRouter({
    routes,
    view: main,
    onRoute(path) {
      currentPath = path;
      for (const a of header.querySelectorAll('nav a, .account a')) {
        if (isCurrent(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
  });
}

boot().catch((err) => {
  console.error(err);
  main.replaceChildren(h('p', { class: 'error-state', role: 'alert' }, 'Sinau tidak dapat dimuat. Muat ulang halaman ini. · Sinau could not load. Please reload the page.'));
});
