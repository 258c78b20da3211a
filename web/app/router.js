// router.js — the History API router of the single-page app.
//
// Routes come from routes.js: {path: '/cohorts/:id', load: () => import(…),
// access: 'any'|'signed_in'|'staff'|'admin', title: 'nav.x', area?: 'participant'}.
// A page module's default export `async render(view, ctx)` draws into view
// (a fresh element inside <main>, so a page still finishing after the
// reader moved on writes into a detached node) with
// ctx = {params, query, me, t, navigate, signal}; `signal` aborts when the
// reader leaves. render may return a cleanup function, called on leaving.
// Plain <a href> links to a known route are followed without a reload.
import { t, loadArea } from './i18n.js';
import { getMe, setMe, role } from './session.js';
import { h, errorState } from './ui.js';

let table = [];
let outlet = null;
let afterRoute = () => {};
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
export function matchRoute(pathname) {
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

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  return render({ scroll: !replace });
}

// Draws the current route again (after a language switch, a sign-in).
export function rerender() {
  return render({ scroll: false });
}

function allowed(access) {
  const r = role();
  if (access === 'any' || !access) return true;
  if (access === 'signed_in') return r !== null;
  if (access === 'staff') return r === 'instructor' || r === 'admin';
  if (access === 'admin') return r === 'admin';
  return false;
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
  afterRoute(url.pathname);
  const view = h('div', { class: 'page' });
  if (!found) {
    return show(my, view, { title: 'nav.not_found', load: () => import('./pages/not_found.js') }, {}, url, scroll);
  }
  if (!allowed(found.route.access)) {
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
  outlet.replaceChildren(view);
  outlet.setAttribute('aria-busy', 'true');
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
    if (my === seq) outlet.removeAttribute('aria-busy');
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

// Starts the router: routes (from routes.js), the element to draw into
// (<main>), and onRoute(pathname) called at every change (nav highlight).
export function startRouter({ routes, view, onRoute }) {
  table = routes.map((r) => ({ ...r, compiled: compile(r.path) }));
  outlet = view;
  if (onRoute) afterRoute = onRoute;
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => render({ scroll: false }));
  return render({ scroll: false });
}
