// login.js — `/masuk`: log in with e-mail and password (POST
// /api/v1/auth/login sets the session cookie), then back to ?next= or to
// where the account starts: "my cohorts" for participants, /staff for
// instructors and admins.
import { api, paths } from '../api.js';
import { loadMe, getMe, isStaff } from '../session.js';
import { h, put, field, showErrors, clearErrors, busy, formValues } from '../ui.js';
import { nextPath } from '../participant.js';

// Where a signed-in account goes without ?next=.
const home = () => (isStaff() ? '/staff' : '/me/cohorts');

export default async function render(view, { t, query, navigate }) {
  const next = () => nextPath(query, home());
  if (getMe()) {
    navigate(next(), { replace: true });
    return;
  }
  const submit = h('button', { type: 'submit' }, t('login.submit'));
  const form = h(
    'form',
    { novalidate: true },
    field({ label: t('account.email'), name: 'email', type: 'email', autocomplete: 'username', required: true }),
    field({ label: t('account.password'), name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = formValues(form);
    const pw = form.elements.password.value; // passwords are not trimmed
    if (!v.email || !pw) {
      showErrors(form, { code: 'required', field: !v.email ? 'email' : 'password' });
      return;
    }
    try {
      await busy(submit, api('POST', paths.authLogin(), { email: v.email, password: pw }).then(() => loadMe()));
      navigate(next(), { replace: true });
    } catch (err) {
      showErrors(form, err, { invalid_credentials: '_form' });
    }
  });
  put(
    view,
    h('h1', null, t('login.title')),
    form,
    h('p', null, h('a', { href: '/reset' }, t('acct.forgot'))),
    h('p', null, t('login.no_account'), ' ', h('a', { href: `/daftar${location.search}` }, t('login.to_signup'))),
  );
}
