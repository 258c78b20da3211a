// staff_projector.js — /staff/cohorts/:id/sessions/:sessionId/projector:
// the check-in code of a live session, as large as the screen allows, white
// on black, with the time it has left. Participants in the room type it on
// their phones. The code comes from the session list (managers see it);
// the countdown runs on the client and the list is asked again every 10 s,
// so a code opened from another device shows up here too.
import { api, paths } from '../api.js';
import { loadArea, t, fmtDateTime, fmtCountdown } from '../i18n.js';
import { h, busy } from '../ui.js';
import { errorBox, poll, replace } from '../staff_ui.js';

const enc = encodeURIComponent;
const REFRESH_MS = 10000;

export default async function render(view, ctx) {
  await loadArea('staff');
  const { id, sessionId } = ctx.params;
  const back = `/staff/cohorts/${enc(id)}/sessions`;
  let session = null;

  const code = h('p', { class: 'projector-code', 'data-testid': 'checkin-code' });
  const countdown = h('p', { class: 'projector-countdown', 'data-testid': 'countdown' });
  const expiry = h('p', { class: 'projector-expiry' });
  const title = h('h1', { class: 'projector-title' });
  const err = errorBox();
  const reopen = h('button', { type: 'button', class: 'projector-btn' }, t('staff.sessions.new_code'));
  const full = h('button', { type: 'button', class: 'projector-btn' }, t('staff.projector.fullscreen'));
  const root = h('div', { class: 'projector', role: 'region', 'aria-label': t('staff.projector.title') },
    h('div', { class: 'projector-top' }, h('a', { href: back, class: 'projector-link' }, `← ${t('staff.projector.leave')}`), full),
    title,
    h('p', { class: 'projector-lead' }, t('staff.projector.lead')),
    code, countdown, expiry, err,
    h('div', { class: 'projector-actions' }, reopen));

  const show = () => {
    const open = session && session.checkin_open && session.checkin_code && new Date(session.checkin_expires_at) > Date.now();
    title.textContent = session ? session.title : '';
    root.classList.toggle('projector-closed', !open);
    if (!open) {
      code.textContent = '— — —';
      code.setAttribute('aria-label', t('staff.projector.closed'));
      countdown.textContent = t('staff.projector.closed');
      expiry.textContent = '';
      reopen.textContent = t('staff.sessions.open_checkin');
      return;
    }
    const digits = session.checkin_code;
    code.textContent = `${digits.slice(0, 3)} ${digits.slice(3)}`;
    code.setAttribute('aria-label', digits.split('').join(' '));
    countdown.textContent = t('staff.projector.left', { time: fmtCountdown(new Date(session.checkin_expires_at) - Date.now()) });
    expiry.textContent = t('staff.projector.until', { time: fmtDateTime(session.checkin_expires_at) });
    reopen.textContent = t('staff.sessions.new_code');
  };

  const load = async () => {
    const list = await api('GET', paths.cohortSessions(id));
    session = list.items.find((s) => s.id === sessionId) || null;
    if (!session) throw Object.assign(new Error('no session'), { status: 404, code: 'not_found' });
    show();
  };
  await load();

  reopen.addEventListener('click', async () => {
    err.update(null);
    try {
      const r = await busy(reopen, api('POST', paths.sessionCheckin(sessionId), { valid_minutes: 15 }));
      session = { ...session, checkin_open: true, checkin_code: r.code, checkin_expires_at: r.expires_at };
      show();
    } catch (ex) {
      err.update(ex);
    }
  });
  full.addEventListener('click', () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else root.requestFullscreen?.().catch(() => {});
  });
  const onFull = () => { full.textContent = document.fullscreenElement ? t('staff.projector.exit_fullscreen') : t('staff.projector.fullscreen'); };
  document.addEventListener('fullscreenchange', onFull);

  document.body.classList.add('projector-on');
  replace(view, root);
  const tick = setInterval(show, 1000);
  const stopPoll = poll(load, REFRESH_MS);
  return () => {
    clearInterval(tick);
    stopPoll();
    document.removeEventListener('fullscreenchange', onFull);
    document.body.classList.remove('projector-on');
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  };
}
