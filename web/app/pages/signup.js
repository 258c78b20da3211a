// signup.js — `/daftar`: create a participant account (POST
// /api/v1/auth/signup), log in at once, then fill in the profile.
import { api, paths } from '../api.js';
import { loadMe, getMe } from '../session.js';
import { h, put, field, showErrors, clearErrors, busy, formValues } from '../ui.js';
import { nextPath } from '../participant.js';

export default async function render(view, { t, query, navigate }) {
  const next = nextPath(query, '');
  if (getMe()) {
    navigate(next || '/me/cohorts', { replace: true });
    return;
  }
  const submit = h('button', { type: 'submit' }, t('signup.submit'));
  const form = h(
    'form',
    { novalidate: true },
    field({ label: t('account.full_name'), name: 'full_name', autocomplete: 'name', required: true, hint: t('signup.name_hint'), maxlength: 200 }),
    field({ label: t('account.email'), name: 'email', type: 'email', autocomplete: 'email', required: true }),
    field({ label: t('account.password'), name: 'password', type: 'password', autocomplete: 'new-password', required: true, hint: t('signup.password_hint') }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = formValues(form);
    const password = form.elements.password.value;
    const local = !v.full_name
      ? { code: 'required', field: 'full_name' }
      : !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)
        ? { code: 'invalid_email', field: 'email' }
        : password.length < 10
          ? { code: 'weak_password', field: 'password', details: { reason: 'too_short' } }
          : null;
    if (local) {
      showErrors(form, local);
      return;
    }
    try {
      await busy(
        submit,
        (async () => {
          await api('POST', paths.authSignup(), { email: v.email, password, full_name: v.full_name });
          await api('POST', paths.authLogin(), { email: v.email, password });
          await loadMe();
        })(),
      );
      const profile = `/me/profile?welcome=1${next ? `&next=${encodeURIComponent(next)}` : ''}`;
      navigate(profile, { replace: true });
    } catch (err) {
      showErrors(form, err, { invalid_full_name: 'full_name' });
    }
  });
  put(
    view,
    h('h1', null, t('signup.title')),
    h('p', { class: 'lead' }, t('signup.lead')),
    form,
    h('p', null, t('signup.have_account'), ' ', h('a', { href: `/masuk${location.search}` }, t('signup.to_login'))),
  );
}
