// certificates.js — `/me/certificates`: my certificates (GET
// /api/v1/me/certificates): open the PDF, open the public verify page,
// download the Data Integrity credential for a wallet, copy its link, or
// share it (navigator.share where the browser has it); a link to my JP.
import { api, paths } from '../api.js';
import { fmtDate, fmtNumber } from '../i18n.js';
import { h, put, emptyState, toast } from '../ui.js';

async function copy(text, input, t) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('certs.copied'));
  } catch {
    // no clipboard outside secure contexts: select the link for the reader
    input.hidden = false;
    input.focus();
    input.select();
    toast(t('certs.copy_manually'));
  }
}

function card(c, t) {
  const title = c.programme ? c.programme.title : '';
  const linkId = `cert-link-${c.id}`;
  const input = h('input', { type: 'text', readonly: true, value: c.url, id: linkId, class: 'cert-link', 'aria-label': t('certs.link_label'), hidden: true });
  const copyButton = h('button', { type: 'button', class: 'secondary' }, t('certs.copy'));
  copyButton.addEventListener('click', () => copy(c.url, input, t));
  const actions = [
    h('a', { class: 'button', href: c.pdf_url, target: '_blank', rel: 'noopener' }, t('certs.open_pdf')),
    h('a', { class: 'button secondary', href: c.url, target: '_blank', rel: 'noopener' }, t('certs.open_verify')),
    h('a', { class: 'button secondary', href: `${c.url}?format=vc&download=1`, download: `sertifikat-${c.id.slice(0, 8)}.json`, title: t('certs.wallet_hint') }, t('certs.wallet')),
    copyButton,
  ];
  if (typeof navigator.share === 'function') {
    const share = h('button', { type: 'button', class: 'secondary' }, t('certs.share'));
    share.addEventListener('click', () => {
      navigator.share({ title: t('certs.share_title', { title }), text: t('certs.share_text', { title, name: c.holder_name }), url: c.url }).catch(() => {});
    });
    actions.push(share);
  }
  return h(
    'li',
    { class: `card certificate ${c.status}` },
    h('h2', null, title),
    h('p', { class: 'meta' }, c.cohort ? c.cohort.name : '', c.cohort && c.cohort.jp ? ` · ${t('common.jp', { n: fmtNumber(c.cohort.jp) })}` : ''),
    h('p', null, h('span', { class: `badge ${c.status === 'valid' ? 'open' : 'cancelled'}` }, t(`certs.status.${c.status}`)), ' ', t('certs.issued', { date: fmtDate(c.issued_at) })),
    c.status === 'revoked' && c.revoked_at ? h('p', { class: 'meta' }, t('certs.revoked_on', { date: fmtDate(c.revoked_at) })) : null,
    h('p', { class: 'row' }, actions),
    input,
  );
}

export default async function render(view, { t, signal }) {
  const data = await api('GET', paths.meCertificates(), null, { signal });
  const items = data.items || [];
  put(
    view,
    h('h1', null, t('certs.title')),
    h('p', { class: 'lead' }, t('certs.lead')),
    h('p', null, h('a', { href: '/me/jp' }, t('certs.jp_link'))),
    items.length ? h('ul', { class: 'plain' }, items.map((c) => card(c, t))) : emptyState(t('certs.empty')),
  );
}
