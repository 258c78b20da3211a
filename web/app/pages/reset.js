// reset.js — `/reset`: a password forgotten. Without ?token= the reader
// asks for a link (POST /api/v1/auth/password-reset, always the same 202:
// the page never tells whether the address has an account); with the
// link's ?token= they choose a new password (POST …/confirm), after which
// every session of the account has ended and they sign in again.
import { api, paths } from '../api.js';
import { loadArea } from '../i18n.js';
import { h, put, field, showErrors, clearErrors, busy, formValues } from '../ui.js';

function askForm(view, t) {
  const submit = h('button', { type: 'submit' }, t('acct.reset.send'));
  const done = h('p', { class: 'outcome', role: 'status', hidden: true, tabindex: '-1' });
  const form = h('form', { novalidate: true },
    field({ label: t('acct.email'), name: 'email', type: 'email', autocomplete: 'username', required: true }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const { email } = formValues(form);
    if (!email) return showErrors(form, { code: 'required', field: 'email' });
    try {
      await busy(submit, api('POST', paths.authPasswordReset(), { email }));
      form.hidden = true;
      done.textContent = t('acct.reset.sent');
      done.hidden = false;
      done.focus();
    } catch (err) {
      showErrors(form, err);
    }
  });
  put(view, h('h1', null, t('acct.reset.title')), h('p', { class: 'lead' }, t('acct.reset.lead')), form, done);
}

function newPasswordForm(view, t, token) {
  const submit = h('button', { type: 'submit' }, t('acct.reset.save'));
  const done = h('div', { class: 'outcome', role: 'status', hidden: true, tabindex: '-1' });
  const form = h('form', { novalidate: true },
    field({ label: t('acct.reset.new_password'), name: 'password', type: 'password', autocomplete: 'new-password', required: true, hint: t('acct.password_hint') }),
    field({ label: t('acct.reset.repeat'), name: 'repeat', type: 'password', autocomplete: 'new-password', required: true }),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const password = form.elements.password.value;
    if (!password) return showErrors(form, { code: 'required', field: 'password' });
    if (password !== form.elements.repeat.value) return showErrors(form, { code: 'password_mismatch', field: 'repeat' });
    try {
      await busy(submit, api('POST', paths.authPasswordResetConfirm(), { token, password }));
      form.hidden = true;
      put(done, h('p', null, t('acct.reset.done')), h('p', null, h('a', { class: 'button', href: '/masuk' }, t('acct.reset.to_login'))));
      done.hidden = false;
      done.focus();
    } catch (err) {
      if (err.code === 'invalid_token') {
        showErrors(form, err);
        form.append(h('p', null, h('a', { href: '/reset' }, t('acct.reset.again'))));
      } else {
        showErrors(form, err);
      }
    }
  });
  put(view, h('h1', null, t('acct.reset.new_title')), form, done);
}

export default async function render(view, { t, query }) {
  await loadArea('account');
  const token = query.get('token');
  // the token leaves the address bar (and so the history) at once
  if (token) history.replaceState(history.state, '', '/reset');
  if (token) newPasswordForm(view, t, token);
  else askForm(view, t);
}
