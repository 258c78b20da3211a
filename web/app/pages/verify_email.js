// verify_email.js — `/verify-email?token=…`: the link of the confirmation
// e-mail (SINAU_VERIFY_EMAIL=1). Posts the token (POST
// /api/v1/auth/verify-email) and says how it went; a used or expired link
// says so, and a signed-in reader can ask for a new one.
import { api, paths } from '../api.js';
import { loadArea } from '../i18n.js';
import { getMe } from '../session.js';
import { h, put, oneShotButton } from '../ui.js';

export default async function render(view, { t, query }) {
  await loadArea('account');
  const token = query.get('token');
  if (token) history.replaceState(history.state, '', '/verify-email');
  const status = h('div', { class: 'outcome', role: 'status' }, t('acct.verify.working'));
  put(view, h('h1', null, t('acct.verify.title')), status);
  if (!token) {
    status.textContent = t('acct.verify.none');
    return;
  }
  try {
    await api('POST', paths.authVerifyEmail(), { token });
    status.replaceChildren(h('p', null, t('acct.verify.done')), h('p', null, h('a', { class: 'button', href: '/' }, t('acct.verify.to_catalogue'))));
  } catch (err) {
    status.replaceChildren(h('p', { class: 'form-error' }, t(`error.${err.code === 'invalid_token' ? 'invalid_token' : 'generic'}`)));
    if (getMe()) {
      const again = oneShotButton(t('acct.verify_state.resend'), () => api('POST', paths.meEmailVerification(), {}), t('acct.verify_state.sent'));
      status.append(again);
    }
  }
}
