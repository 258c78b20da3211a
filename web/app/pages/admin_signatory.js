// admin_signatory.js — /admin/signatory: who signs certificates unless a
// programme has its own (GET/PUT /api/v1/signatory): the issuing
// organisation, the signatory's name, title and NIP, a signature image and a
// logo, printed on every certificate's PDF and shown on its verify page.
// Until one is set the server's configuration applies (SINAU_ISSUER_NAME,
// SINAU_SIGNATORY_NAME, SINAU_SIGNATORY_TITLE). Certificates keep the
// signatory they were issued with.
import { api, paths } from '../api.js';
import { loadArea, t } from '../i18n.js';
import { h } from '../ui.js';
import { pageHead, replace } from '../staff_ui.js';
import { signatoryView, signatoryForm } from '../signatory_ui.js';

export default async function render(view) {
  await loadArea('staff');
  const now = await api('GET', paths.signatory());
  const current = h('section', { class: 'card', 'aria-labelledby': 'sign-now-h' });
  const draw = (s) => {
    const shown = s.site || s.configured;
    current.replaceChildren(h('h2', { id: 'sign-now-h' }, t('staff.sign.current')),
      signatoryView(shown, { source: s.site ? null : t('staff.sign.from_config') }));
  };
  draw(now);
  replace(view,
    pageHead(t('staff.sign.title'), { back: '/staff', backLabel: t('staff.home.title') }),
    h('p', { class: 'staff-note' }, t('staff.sign.intro')),
    h('div', { class: 'staff-grid' }, current,
      h('section', { class: 'card', 'aria-labelledby': 'sign-set-h' },
        h('h2', { id: 'sign-set-h' }, t('staff.sign.set')),
        signatoryForm(paths.signatory(), now.site || now.configured, (r) => draw({ ...now, site: r.site })))));
}
