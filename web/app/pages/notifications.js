// notifications.js — `/me/notifications` (linked from every non-security
// e-mail): the language of messages, the channels (e-mail; WhatsApp when a
// phone is on the profile), reminders on or off (GET/PUT
// /api/v1/me/notifications); whether the e-mail address is confirmed (a new
// link on request); and changing the password (PUT /api/v1/me/password:
// other sessions end).
import { api, paths } from '../api.js';
import { loadArea, LANGS } from '../i18n.js';
import { getMe } from '../session.js';
import { h, put, field, showErrors, clearErrors, busy, toast, oneShotButton } from '../ui.js';

function check(name, label, checked, attrs = {}) {
  const id = `n-${name}`;
  const box = h('input', { type: 'checkbox', id, name, ...attrs });
  box.checked = checked;
  return h('div', { class: 'field field-check', dataset: { field: name } }, box, h('label', { for: id }, label),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

function prefsForm(t, prefs) {
  const submit = h('button', { type: 'submit' }, t('common.save'));
  const names = { id: 'Bahasa Indonesia', en: 'English' };
  const form = h('form', { novalidate: true, 'data-testid': 'prefs' },
    field({ label: t('acct.notif.language'), name: 'language', value: prefs.language, options: LANGS.map((l) => ({ value: l, label: names[l] })) }),
    h('fieldset', null, h('legend', null, t('acct.notif.channels')),
      check('email', t('acct.notif.email'), prefs.email),
      check('whatsapp', prefs.phone ? t('acct.notif.whatsapp_to', { phone: prefs.phone }) : t('acct.notif.whatsapp'), prefs.whatsapp, { disabled: !prefs.phone }),
      prefs.phone ? null : h('p', { class: 'hint' }, t('acct.notif.no_phone'), ' ', h('a', { href: '/me/profile' }, t('acct.notif.to_profile')))),
    check('reminders', t('acct.notif.reminders'), prefs.reminders),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { language: form.elements.language.value, email: form.elements.email.checked, reminders: form.elements.reminders.checked };
    if (prefs.phone) body.whatsapp = form.elements.whatsapp.checked;
    try {
      Object.assign(prefs, await busy(submit, api('PUT', paths.meNotifications(), body)));
      toast(t('acct.notif.saved'));
    } catch (err) {
      showErrors(form, err, { phone_required: 'whatsapp' });
    }
  });
  return form;
}

function verification(t, prefs, email) {
  if (prefs.email_verified) return h('p', { class: 'meta' }, t('acct.verify_state.ok', { email }));
  const again = oneShotButton(t('acct.verify_state.resend'), () => api('POST', paths.meEmailVerification(), {}), t('acct.verify_state.sent'));
  const box = h('div', { class: 'card', role: 'status' }, h('p', null, t('acct.verify_state.no', { email })), again);
  return box;
}

function passwordForm(t) {
  const submit = h('button', { type: 'submit' }, t('acct.password.save'));
  const done = h('p', { class: 'outcome', role: 'status', hidden: true, tabindex: '-1' });
  const form = h('form', { novalidate: true, 'data-testid': 'password' },
    field({ label: t('acct.password.current'), name: 'current_password', type: 'password', autocomplete: 'current-password', required: true }),
    field({ label: t('acct.reset.new_password'), name: 'password', type: 'password', autocomplete: 'new-password', required: true, hint: t('acct.password_hint') }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const current = form.elements.current_password.value;
    const next = form.elements.password.value;
    if (!current) return showErrors(form, { code: 'required', field: 'current_password' });
    if (!next) return showErrors(form, { code: 'required', field: 'password' });
    try {
      await busy(submit, api('PUT', paths.mePassword(), { current_password: current, new_password: next }));
      form.reset();
      done.textContent = t('acct.password.done');
      done.hidden = false;
      done.focus();
    } catch (err) {
      showErrors(form, err, { wrong_password: 'current_password', too_many_attempts: 'current_password' });
    }
  });
  return [form, done];
}

export default async function render(view, { t, signal }) {
  await loadArea('account');
  const prefs = await api('GET', paths.meNotifications(), null, { signal });
  const me = getMe();
  put(view,
    h('h1', null, t('acct.notif.title')),
    h('p', { class: 'lead' }, t('acct.notif.lead')),
    verification(t, prefs, me.user.email),
    prefsForm(t, prefs),
    h('h2', null, t('acct.password.title')),
    passwordForm(t));
}
