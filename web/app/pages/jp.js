// jp.js — `/me/jp`: my training hours (JP) by year (GET /api/v1/me/jp):
// each year's JP against the 20 JP an ASN collects a year, the
// certificates that make it up, and the year's signed transcript — made on
// request (POST /api/v1/me/jp/{year}/transcript), then its verify page,
// PDF and the Data Integrity credential to import into a wallet.
import { api, paths } from '../api.js';
import { fmtDate, fmtNumber } from '../i18n.js';
import { h, put, emptyState, toast, busy, progressBar, errorState } from '../ui.js';

function transcriptLinks(tr, t) {
  return h('p', { class: 'row' },
    h('a', { class: 'button', href: tr.pdf_url, target: '_blank', rel: 'noopener' }, t('jp.transcript_pdf')),
    h('a', { class: 'button secondary', href: tr.url, target: '_blank', rel: 'noopener' }, t('certs.open_verify')),
    h('a', { class: 'button secondary', href: `${tr.vc_url}&download=1`, download: `rekap-jp-${tr.year}.json` }, t('certs.wallet')));
}

function yearSection(y, target, t, redraw) {
  const pct = target > 0 ? (100 * y.jp) / target : 100;
  const tr = y.transcript;
  const make = h('button', { type: 'button' }, t(tr ? 'jp.transcript_renew' : 'jp.transcript_make'));
  const note = h('p', { class: 'meta', role: 'status' });
  make.addEventListener('click', async () => {
    try {
      await busy(make, api('POST', paths.meJpTranscript(y.year), {}));
      toast(t('jp.transcript_made'));
      await redraw();
    } catch (ex) {
      note.replaceChildren(errorState(ex));
    }
  });
  const headId = `jp-${y.year}`;
  return h('section', { class: 'card jp-year', 'aria-labelledby': headId, 'data-year': String(y.year) },
    h('h2', { id: headId }, t('jp.year', { year: y.year })),
    h('p', { class: 'jp-total' }, t('jp.total', { n: fmtNumber(y.jp), target: fmtNumber(target) })),
    progressBar(pct, t('jp.progress_label', { year: y.year })),
    h('ul', { class: 'plain jp-certs' }, (y.certificates || []).map((c) => h('li', { class: c.status },
      h('a', { href: c.url, target: '_blank', rel: 'noopener' }, c.programme), ` — ${c.cohort} · `,
      t('common.jp', { n: fmtNumber(c.jp) }), ' · ', t('certs.issued', { date: fmtDate(c.issued_at) }),
      c.status === 'revoked' ? h('span', { class: 'badge cancelled' }, t('certs.status.revoked')) : null))),
    h('h3', null, t('jp.transcript_h')),
    tr && tr.current ? h('p', null, t('jp.transcript_current', { date: fmtDate(tr.issued_at) })) : h('p', null, t(tr ? 'jp.transcript_stale' : 'jp.transcript_none')),
    tr && tr.current ? transcriptLinks(tr, t) : h('p', { class: 'row' }, make),
    note);
}

export default async function render(view, { t, signal }) {
  async function draw() {
    const data = await api('GET', paths.meJp(), null, { signal });
    const years = data.years || [];
    view.replaceChildren();
    put(
      view,
      h('h1', null, t('jp.title')),
      h('p', { class: 'lead' }, t('jp.lead', { target: fmtNumber(data.target_jp) })),
      years.length ? years.map((y) => yearSection(y, data.target_jp, t, draw)) : emptyState(t('jp.empty')),
      h('p', null, h('a', { href: '/me/certificates' }, t('nav.certificates'))),
    );
  }
  await draw();
}
