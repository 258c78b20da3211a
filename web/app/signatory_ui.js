// signatory_ui.js — the signatory printed on certificates, as the admin
// pages show and set it (admin_signatory.js: the site default;
// admin_programme.js: a programme's own): the issuing organisation, the
// signatory's name, title and NIP (masked once stored: typed again to keep
// it), and an optional signature image and logo (PNG, at most 512 KB,
// uploaded first to POST /api/v1/certificate-images and then named by
// their SHA-256).
import { api, apiUpload, paths } from './api.js';
import { t } from './i18n.js';
import { h, field, showErrors, clearErrors, toast, busy } from './ui.js';
import { errorBox, uploadOnChoose } from './staff_ui.js';

export const PNG_MAX = 512 * 1024;

// A signatory as a short block: organisation, name, title, NIP, images.
export function signatoryView(s, { source } = {}) {
  if (!s) return h('p', { class: 'meta' }, t('staff.sign.none'));
  return h('div', { class: 'staff-signatory', 'data-testid': 'signatory' },
    s.logo ? h('img', { src: s.logo.url, alt: t('staff.sign.logo_alt'), class: 'staff-sign-logo', width: '48', height: '48' }) : null,
    h('p', {}, h('strong', {}, s.organisation)),
    s.signature_image ? h('img', { src: s.signature_image.url, alt: t('staff.sign.signature_alt'), class: 'staff-sign-signature', height: '40' }) : null,
    h('p', {}, s.name), h('p', { class: 'meta' }, s.title),
    s.nip ? h('p', { class: 'meta' }, `NIP ${s.nip}`) : null,
    source ? h('p', { class: 'hint' }, source) : null);
}

// An image chooser that uploads at once; value() gives the SHA-256 (the
// one already set when nothing new was chosen, '' after "remove").
function imageField(name, label, hint, current) {
  let sha = current ? current.sha256 : '';
  const err = errorBox();
  const shown = h('span', { class: 'meta' }, sha ? t('staff.sign.image_set') : t('staff.sign.image_none'));
  const input = h('input', { type: 'file', id: `sign-${name}`, name, accept: 'image/png,.png', 'aria-describedby': `sign-${name}-hint sign-${name}-error` });
  const clear = h('button', { type: 'button', class: 'secondary small', hidden: !sha }, t('staff.sign.image_remove'));
  clear.addEventListener('click', () => {
    sha = '';
    shown.textContent = t('staff.sign.image_none');
    clear.hidden = true;
  });
  uploadOnChoose(input, err, {
    max: PNG_MAX,
    tooBig: t('error.png_too_big'),
    upload: (file) => apiUpload(paths.certificateImages(), file, null, 'POST'),
    done: (r, file) => {
      sha = r.sha256;
      shown.textContent = t('staff.sign.image_uploaded', { name: file.name });
      clear.hidden = false;
    },
  });
  // a .field (with its error slot) so that ui.showErrors can name it
  const el = h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: input.id }, label), h('p', { class: 'hint', id: `sign-${name}-hint` }, hint),
    input, h('p', { class: 'field-error', id: `sign-${name}-error`, hidden: true }),
    h('p', {}, shown, ' ', clear), err);
  return { el, value: () => sha };
}

// The form that sets a signatory with PUT to `path`; prefilled from
// `current` (the NIP is only shown masked: left empty, the new row has
// none, so the form says to type it again). onSaved(answer) after a save.
export function signatoryForm(path, current, onSaved) {
  const c = current || {};
  const sig = imageField('signature_image', t('staff.sign.f_signature'), t('staff.sign.f_signature_hint'), c.signature_image);
  const logo = imageField('logo', t('staff.sign.f_logo'), t('staff.sign.f_logo_hint'), c.logo);
  const save = h('button', { type: 'submit' }, t('staff.sign.save'));
  const form = h('form', { class: 'staff-form', novalidate: true },
    field({ label: t('staff.sign.f_organisation'), name: 'organisation', required: true, value: c.organisation || '', maxlength: 200, hint: t('staff.sign.f_organisation_hint') }),
    field({ label: t('staff.sign.f_name'), name: 'name', required: true, value: c.name || '', maxlength: 200, hint: t('staff.sign.f_name_hint') }),
    field({ label: t('staff.sign.f_title'), name: 'title', required: true, value: c.title || '', maxlength: 200 }),
    field({ label: t('staff.sign.f_nip'), name: 'nip', inputmode: 'numeric', maxlength: 32, autocomplete: 'off', hint: c.nip ? t('staff.sign.f_nip_again', { nip: c.nip }) : t('staff.sign.f_nip_hint') }),
    sig.el, logo.el, save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = form.elements;
    const body = { organisation: v.organisation.value.trim(), name: v.name.value.trim(), title: v.title.value.trim() };
    for (const k of ['organisation', 'name', 'title']) if (!body[k]) return showErrors(form, { code: 'required', field: k });
    if (v.nip.value.trim()) body.nip = v.nip.value.trim();
    if (sig.value()) body.signature_image = sig.value();
    if (logo.value()) body.logo = logo.value();
    try {
      const r = await busy(save, api('PUT', path, body));
      toast(t('staff.sign.saved'));
      onSaved(r);
    } catch (ex) {
      showErrors(form, ex, { invalid_organisation: 'organisation', invalid_name: 'name', invalid_title: 'title', invalid_nip: 'nip', unknown_image: 'signature_image' });
    }
  });
  return form;
}
