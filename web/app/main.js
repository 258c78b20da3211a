// main.js — boot, the header, and the History API router of the app.
//
// Boot (the critical path on a slow network; web/app/README.md and
// tests/web/slow_network.test.mjs count its rounds). main.js statically
// imports only what it needs to start every request the first page waits
// for: i18n.js, session.js (api.js) and routes.js, all four named in
// index.html as modulepreload, so with the stylesheet and main.js they are
// six requests, Chromium's connections per host. When it runs it starts, at
// once and independent of each other: GET /api/v1/me, the common
// dictionary, the current route's page module and dictionary area, ui.js
// and the module the pages of that area share (SHARED) — six again. Only
// drawing waits for all of them: the header once the language, the session
// and ui.js are in, the page once the access check against the session
// passed (the router imports the page again: the same module, already on
// its way). A page the reader may not see was fetched for nothing; it is
// not run.
//
// The header (brand, navigation by role, language switch, sign in/out) is
// redrawn whenever the session or the language changes; the current page is
// redrawn after a language switch.
//
// The router. Routes come from routes.js: {path: '/cohorts/:id', load: () =>
// import(…), access: 'any'|'signed_in'|'staff'|'admin', title: 'nav.x',
// area?: 'participant'}. A page module's default export `async render(view,
// ctx)` draws into view (a fresh element inside <main>, so a page still
// finishing after the reader moved on writes into a detached node) with
// ctx = {params, query, me, t, navigate, signal}; `signal` aborts when the
// reader leaves. render may return a cleanup function, called on leaving.
// Plain <a href> links to a known route are followed without a reload.
import { initI18n, loadArea, t, lang, setLang, errorText } from './i18n.js';
import { api, paths } from './api.js';
import { getMe, loadMe, setMe, onSessionChange, role } from './session.js';
import { routes, nav } from './routes.js';

// The module the pages of a dictionary area import besides the shell's
// (fetched with the page module, not a round after it).
const SHARED = { participant: './participant.js', staff: './staff_ui.js', quiz: './quiz_ui.js' };

const header = document.getElementById('site-header');
const main = document.getElementById('main');
let currentPath = location.pathname;

// From ui.js, fetched with the page (not before main.js may run); set
// before anything is drawn.
let h;
let toast;
let errorState;

// ---- access ----

// Whether the signed-in reader (or a visitor) has `access`; 'guest' is for
// header links shown only when signed out.
function allowed(access) {
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

// ---- the router ----

let table = [];
let cleanup = null;
let controller = null;
let seq = 0;

function compile(path) {
  const names = [];
  const re = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (m, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { re: new RegExp(`^${re}/?$`), names };
}

// The route of a path and its decoded parameters, or null.
function matchRoute(pathname) {
  for (const r of table) {
    const m = r.compiled.re.exec(pathname);
    if (!m) continue;
    const params = {};
    try {
      r.compiled.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    } catch {
      return null; // malformed percent-encoding
    }
    return { route: r, params };
  }
  return null;
}

function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  return render({ scroll: !replace });
}

// Draws the current route again (after a language switch).
function rerender() {
  return render({ scroll: false });
}

function leave() {
  if (controller) controller.abort();
  controller = null;
  if (typeof cleanup === 'function') {
    try {
      cleanup();
    } catch (err) {
      console.error(err);
    }
  }
  cleanup = null;
}

function here() {
  return location.pathname + location.search;
}

async function render({ scroll = true } = {}) {
  const my = ++seq;
  leave();
  const url = new URL(location.href);
  const found = matchRoute(url.pathname);
  onRoute(url.pathname);
  const view = h('div', { class: 'page' });
  if (!found) {
    return show(my, view, { title: 'nav.not_found', load: () => import('./pages/not_found.js') }, {}, url, scroll);
  }
  if (!allowed(found.route.access || 'any')) {
    if (!getMe()) return navigate(`/masuk?next=${encodeURIComponent(here())}`, { replace: true });
    return show(my, view, { title: 'nav.forbidden', load: () => import('./pages/not_found.js') }, { forbidden: '1' }, url, scroll);
  }
  return show(my, view, found.route, found.params, url, scroll);
}

async function show(my, view, route, params, url, scroll) {
  controller = new AbortController();
  const ctx = {
    params,
    query: url.searchParams,
    me: getMe(),
    t,
    navigate,
    signal: controller.signal,
  };
  main.replaceChildren(view);
  main.setAttribute('aria-busy', 'true');
  document.title = `${t(route.title)} · Sinau`;
  try {
    const [mod] = await Promise.all([route.load(), route.area ? loadArea(route.area) : null]);
    if (my !== seq) return;
    document.title = `${t(route.title)} · Sinau`;
    const ret = await mod.default(view, ctx);
    if (my !== seq) {
      if (typeof ret === 'function') ret();
      return;
    }
    cleanup = ret;
  } catch (err) {
    if (my !== seq || (err && err.name === 'AbortError')) return;
    if (err && err.status === 401 && getMe()) {
      setMe(null); // the session ended elsewhere
      return navigate(`/masuk?next=${encodeURIComponent(here())}`, { replace: true });
    }
    console.error(err);
    view.replaceChildren(h('h1', null, t('error.title')), errorState(err));
  } finally {
    if (my === seq) main.removeAttribute('aria-busy');
  }
  if (scroll) {
    window.scrollTo(0, 0);
    const heading = view.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
}

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
  if (!matchRoute(a.pathname)) return; // a server page (verify page, PDF, …)
  e.preventDefault();
  if (a.pathname + a.search === here() && !a.hash) return;
  navigate(a.pathname + a.search + a.hash);
}

// ---- the header ----

function isCurrent(href) {
  return href === '/' ? currentPath === '/' : currentPath === href || currentPath.startsWith(`${href}/`);
}

// At every route change: the path the header highlights.
function onRoute(path) {
  currentPath = path;
  for (const a of header.querySelectorAll('nav a, .account a')) {
    if (isCurrent(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function logout(e) {
  const button = e.currentTarget;
  button.disabled = true;
  try {
    await api('POST', paths.authLogout());
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
    .filter((item) => allowed(item.access))
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

// ---- boot ----

// Starts fetching what the first route draws with: its page module, its
// dictionary area and the module its area's pages share. Nothing is run
// or checked here; failures are left for the router to meet and show.
function warm(found) {
  const quiet = () => {};
  if (!found) return;
  const { route } = found;
  route.load().catch(quiet);
  if (route.area) {
    loadArea(route.area).catch(quiet);
    if (SHARED[route.area]) import(SHARED[route.area]).catch(quiet);
  }
}

async function boot() {
  table = routes.map((r) => ({ ...r, compiled: compile(r.path) }));
  const words = initI18n(); // picks the language first: loadArea below uses it
  const session = loadMe().catch(() => null);
  const ui = import('./ui.js');
  warm(matchRoute(location.pathname));
  const [uiModule] = await Promise.all([ui, words, session]);
  ({ h, toast, errorState } = uiModule);
  drawHeader();
  onSessionChange(drawHeader);
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => render({ scroll: false }));
  await render({ scroll: false });
}

boot().catch((err) => {
  console.error(err);
  const p = document.createElement('p');
  p.className = 'error-state';
  p.setAttribute('role', 'alert');
  p.textContent = 'Sinau tidak dapat dimuat. Muat ulang halaman ini. · Sinau could not load. Please reload the page.';
  main.replaceChildren(p);
});
