// admin_keys.js — /admin/keys: the certificate signing keys (GET
// /api/v1/keys, newest first), the current one marked, with how many
// certificates each signed and a link to its public key; and rotation
// (POST /api/v1/keys/rotate, audited by the server) behind a dialog that
// says what it means: the new key signs from now on and re-signs the status
// list, the old keys stay published so everything issued keeps verifying,
// and it cannot be undone. Also whether certificate PDFs are signed
// electronically (and by whom), and the JP report for BKN as CSV. Reached
// from each cohort's certificates page.
import { api, paths } from '../api.js';
import { loadArea, t, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, toast, busy, confirmDialog } from '../ui.js';
import { pageHead, errorBox, replace } from '../staff_ui.js';

const JWKS = '/.well-known/jwks.json';

// The path of a key's URL (the kid is the server's public URL + /keys/…),
// so the link stays on the origin the admin is on.
function keyPath(kid) {
  try {
    return new URL(kid, location.origin).pathname;
  } catch {
    return null;
  }
}

function keyRow(k) {
  const path = keyPath(k.kid);
  return h('tr', { 'data-key': k.thumbprint, 'data-current': String(!!k.current) },
    h('td', { 'data-label': t('staff.keys.col_key'), class: 'wide' },
      h('code', { class: 'staff-hash' }, k.thumbprint), ' ',
      k.current ? h('span', { class: 'badge' }, t('staff.keys.current'))
        : h('span', { class: 'badge closed' }, t('staff.keys.verify_only'))),
    h('td', { 'data-label': t('staff.keys.col_created') }, fmtDateTime(k.created_at)),
    h('td', { 'data-label': t('staff.keys.col_certs') }, fmtNumber(k.certificates)),
    h('td', { 'data-label': t('staff.keys.col_public') },
      path ? h('a', { href: path, target: '_blank', rel: 'noopener', 'aria-label': t('staff.keys.public_of', { key: k.thumbprint.slice(0, 8) }) }, t('staff.keys.public')) : ''));
}

// Whether certificate PDFs carry the office's electronic signature
// (GET /api/v1/certificates/pdf-signing), said plainly either way.
function pdfSigning(s) {
  return h('section', { class: 'card', 'aria-labelledby': 'pdfsign-h', 'data-testid': 'pdf-signing', 'data-signed': String(!!s.signed) },
    h('h2', { id: 'pdfsign-h' }, t('staff.pdfsign.h')),
    s.signed
      ? h('p', {}, t('staff.pdfsign.signed', { signer: s.signer, issuer: s.issuer, until: s.not_after }))
      : h('p', { class: 'staff-note' }, t('staff.pdfsign.unsigned')),
    s.signed && s.timestamp_authority ? h('p', { class: 'meta' }, t('staff.pdfsign.tsa', { url: s.timestamp_authority })) : null);
}

// The BKN export: JP per participant per year by agency, as CSV.
function jpReport() {
  const year = new Date().getFullYear();
  const select = h('select', { id: 'jp-year' }, [0, 1, 2, 3].map((i) => h('option', { value: String(year - i) }, String(year - i))));
  const link = h('a', { class: 'button', href: paths.reportsJp({ year, format: 'csv' }), download: `jp-${year}.csv` }, t('staff.jpreport.download'));
  select.addEventListener('change', () => {
    link.href = paths.reportsJp({ year: select.value, format: 'csv' });
    link.download = `jp-${select.value}.csv`;
  });
  return h('section', { class: 'card', 'aria-labelledby': 'jpreport-h' },
    h('h2', { id: 'jpreport-h' }, t('staff.jpreport.h')),
    h('p', {}, t('staff.jpreport.text')),
    h('p', { class: 'row' }, h('label', { for: 'jp-year' }, t('staff.jpreport.year')), ' ', select, ' ', link));
}

export default async function render(view, { signal }) {
  await loadArea('staff');
  let keys = (await api('GET', paths.keys(), null, { signal })).items;
  const signing = await api('GET', paths.certificatesPdfSigning(), null, { signal });
  const err = errorBox();

  const summary = h('p', { class: 'meta', role: 'status', 'data-testid': 'keys-summary' });
  const tbody = h('tbody');
  function draw() {
    const current = keys.find((k) => k.current);
    summary.textContent = t('staff.keys.summary', { n: fmtNumber(keys.length), time: current ? fmtDateTime(current.created_at) : '—' });
    tbody.replaceChildren(...keys.map(keyRow));
  }
  draw();

  const rotate = h('button', { type: 'button' }, t('staff.keys.rotate'));
  const note = h('p', { class: 'staff-success', role: 'status', 'data-testid': 'rotate-result' });
  rotate.addEventListener('click', async () => {
    const details = [t('staff.keys.what_new'), t('staff.keys.what_old'), t('staff.keys.what_final')];
    if (!(await confirmDialog(t('staff.keys.rotate_q'), { confirmLabel: t('staff.keys.rotate_yes'), danger: false, heading: true, details }))) return;
    err.update(null);
    note.textContent = '';
    try {
      const made = await busy(rotate, api('POST', paths.keysRotate(), {}));
      keys = (await api('GET', paths.keys())).items;
      draw();
      note.textContent = t('staff.keys.rotated', { key: made.thumbprint });
      toast(t('staff.keys.rotated_short'));
    } catch (ex) {
      err.update(ex);
    }
  });

  replace(view,
    pageHead(t('staff.keys.title'), { back: '/staff', backLabel: t('staff.home.title') }),
    err,
    h('p', { class: 'lead' }, t('staff.keys.intro'), ' ',
      h('a', { href: JWKS, target: '_blank', rel: 'noopener' }, t('staff.certs.jwks'))),
    h('div', { class: 'staff-grid' },
      h('section', { 'aria-labelledby': 'keys-h' },
        h('h2', { id: 'keys-h' }, t('staff.keys.list_h')), summary,
        h('table', { class: 'staff-table staff-table-cards keys-table', 'data-testid': 'keys' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('staff.keys.col_key')),
            h('th', { scope: 'col' }, t('staff.keys.col_created')),
            h('th', { scope: 'col' }, t('staff.keys.col_certs')),
            h('th', { scope: 'col' }, t('staff.keys.col_public')))),
          tbody)),
      h('section', { class: 'card', 'aria-labelledby': 'rotate-h' },
        h('h2', { id: 'rotate-h' }, t('staff.keys.rotate_h')),
        h('p', {}, t('staff.keys.rotate_text')),
        h('div', { class: 'staff-actions' }, rotate), note),
      pdfSigning(signing),
      jpReport()));
}
