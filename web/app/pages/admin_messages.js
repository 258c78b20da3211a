// admin_messages.js — /admin/messages: the delivery log (GET
// /api/v1/messages, newest first, pages of 50): each message's kind,
// masked recipient, channel, state, tries and error, filtered by state,
// channel and kind; a failed or undeliverable one can be sent again (POST
// /api/v1/messages/{id}/resend, audited).
import { api, paths } from '../api.js';
import { loadArea, t, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, busy, toast, pager } from '../ui.js';
import { pageHead, errorBox, replace, labelled } from '../staff_ui.js';

const STATES = ['queued', 'sending', 'sent', 'failed', 'undeliverable'];
const CHANNELS = ['email', 'whatsapp'];
const KINDS = ['registration_confirmed', 'registration_waitlisted', 'registration_cancelled', 'seat_offered', 'offer_reminder', 'promoted',
  'cohort_tomorrow', 'session_soon', 'grades_released', 'certificate_issued', 'announcement', 'password_reset', 'password_changed', 'email_verify'];

// The server's fixed reasons, in the reader's language (others as they are).
const ERRORS = { 'no channel': 'acct.log.error_no_channel', 'no phone': 'acct.log.error_no_phone' };

const select = (name, values, label, value) => {
  const el = h('select', { name }, h('option', { value: '' }, t('acct.log.all')), ...values.map((v) => h('option', { value: v }, label(v))));
  el.value = values.includes(value) ? value : '';
  return el;
};

export default async function render(view, { query, signal }) {
  await Promise.all([loadArea('staff'), loadArea('account')]);
  const err = errorBox();
  const state = select('state', STATES, (s) => t(`acct.state.${s}`), query.get('state'));
  const channel = select('channel', CHANNELS, (c) => t(`acct.notif.${c}`), query.get('channel'));
  const kind = select('kind', KINDS, (k) => t(`acct.kind.${k}`), query.get('kind'));
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('acct.log.more'));

  const resendButton = (m, row) => {
    const b = h('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('acct.log.resend')} #${m.id}` }, t('acct.log.resend'));
    b.addEventListener('click', async () => {
      err.update(null);
      try {
        const again = await busy(b, api('POST', paths.messageResend(m.id), {}));
        row.replaceWith(rowOf(again));
        toast(t('acct.log.resent', { id: m.id }));
      } catch (ex) {
        err.update(ex);
      }
    });
    return b;
  };

  function rowOf(m) {
    const row = h('tr', { 'data-message': m.id, 'data-state': m.state });
    row.append(
      h('td', { 'data-label': t('acct.log.col_message'), class: 'wide' }, `#${m.id} `, t(`acct.kind.${m.kind}`), h('br'), h('span', { class: 'meta' }, t(`acct.notif.${m.channel}`))),
      h('td', { 'data-label': t('acct.log.col_to') }, m.user.full_name, h('br'), h('span', { class: 'meta' }, m.recipient || '—')),
      h('td', { 'data-label': t('acct.log.col_state') },
        h('span', { class: `badge ${m.state === 'sent' ? '' : 'closed'}` }, t(`acct.state.${m.state}`)),
        h('br'), h('span', { class: 'meta' }, t('acct.log.attempts', { n: fmtNumber(m.attempts) })),
        m.error ? [h('br'), h('span', { class: 'meta' }, ERRORS[m.error] ? t(ERRORS[m.error]) : m.error)] : null,
        m.next_attempt_at ? [h('br'), h('span', { class: 'meta' }, t('acct.log.next_try', { time: fmtDateTime(m.next_attempt_at) }))] : null),
      h('td', { 'data-label': t('acct.log.col_when') }, fmtDateTime(m.sent_at || m.created_at),
        m.state === 'failed' || m.state === 'undeliverable' ? [h('br'), resendButton(m, row)] : null));
    return row;
  }

  const list = pager((cursor) => {
    const qs = { cursor };
    for (const el of [state, channel, kind]) qs[el.name] = el.value;
    return api('GET', paths.messages(qs), null, { signal });
  }, (items, first) => {
    const rows = items.map(rowOf);
    if (!first) tbody.append(...rows);
    else tbody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '4', class: 'wide' }, t('acct.log.none')))]));
  }, { button: more, onError: (ex) => err.update(ex) });
  async function load() {
    err.update(null);
    try {
      await list.load();
    } catch (ex) {
      err.update(ex);
    }
  }
  const filter = h('form', { class: 'staff-filters', role: 'search' },
    labelled(t('acct.log.state'), state), labelled(t('acct.log.channel'), channel), labelled(t('acct.log.kind'), kind),
    h('button', { type: 'submit' }, t('acct.log.filter')));
  filter.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  replace(view,
    pageHead(t('acct.log.title'), { back: '/staff', backLabel: t('staff.home.title') }),
    h('p', { class: 'lead' }, t('acct.log.lead')),
    filter, err,
    h('table', { class: 'staff-table staff-table-cards', 'data-testid': 'messages' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('acct.log.col_message')), h('th', { scope: 'col' }, t('acct.log.col_to')),
        h('th', { scope: 'col' }, t('acct.log.col_state')), h('th', { scope: 'col' }, t('acct.log.col_when')))),
      tbody),
    more);
  await load();
}
