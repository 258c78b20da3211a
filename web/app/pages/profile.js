// profile.js — `/me/profile`: the full name (PUT /api/v1/me; it goes onto
// certificates, so it is locked once one is issued — then only an admin
// corrects it) and the profile a segment needs (PUT /api/v1/me/profile).
// Identity numbers come back masked ("3573********0001") and cannot be
// shown again: their fields start empty and say what is stored; only what
// the reader typed or changed is sent. Numbers may be typed as printed, with
// spaces, dots or dashes ("19900101 201503 2 001"); they are checked here
// first (length, digits) with the same messages the server's codes get,
// then by the server (422 invalid_nik … next to the field).
import { api, paths } from '../api.js';
import { getMe, setMe, loadMe } from '../session.js';
import { h, put, field, showErrors, clearErrors, busy, toast, formValues, SEGMENTS, segmentName } from '../ui.js';
import { nextPath } from '../participant.js';

// Which fields each segment needs or may use; the rest always show.
const GROUPS = {
  asn: ['nip', 'agency'],
  umkm: ['business_name', 'business_sector', 'nib'],
  public: ['nik'],
};
const MASKED = new Set(['nik', 'nip', 'phone']);
const DIGITS = { nik: 16, nip: 18, nib: 13 };
// What people type between digits, dropped before checking and sending.
const SEPARATORS = /[\s.\-\u00a0]+/g;

// The segment whose fields show first: the one asked for (?segment=), else
// the first the server says the profile already meets, else Umum.
function guessSegment(me, wanted) {
  if (SEGMENTS.includes(wanted)) return wanted;
  const eligibility = me.eligibility || {};
  return SEGMENTS.find((s) => eligibility[s] && eligibility[s].length === 0) || 'public';
}

// A local check of an identity number; returns an error like the server's.
function checkDigits(name, value) {
  const want = DIGITS[name];
  if (!want || value === '') return null;
  if (!/^[0-9]+$/.test(value)) return { code: `invalid_${name}`, field: name, details: { reason: 'not_digits' } };
  if (value.length !== want) return { code: `invalid_${name}`, field: name, details: { reason: 'length' } };
  return null;
}

// The full name: a form of its own (PUT /api/v1/me), or, once a certificate
// carries it, the name with who may still correct it.
function nameForm(me, t) {
  if (me.name_locked) {
    return h('dl', { class: 'facts', 'data-testid': 'name-locked' },
      h('dt', null, t('account.full_name')),
      h('dd', null, me.user.full_name, h('span', { class: 'hint' }, ` — ${t('profile.name_locked')}`)));
  }
  const save = h('button', { type: 'submit', class: 'secondary' }, t('profile.save_name'));
  const form = h('form', { class: 'name-form', novalidate: true },
    field({ label: t('account.full_name'), name: 'full_name', value: me.user.full_name, autocomplete: 'name', maxlength: 200, required: true, hint: t('profile.hint.full_name') }),
    save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const name = form.elements.full_name.value.trim();
    if (!name) return showErrors(form, { code: 'required', field: 'full_name' });
    if (name === getMe().user.full_name) return toast(t('profile.nothing'));
    try {
      const fresh = await busy(save, api('PUT', paths.me(), { full_name: name }));
      setMe({ ...getMe(), ...fresh, csrf_token: fresh.csrf_token || getMe().csrf_token });
      toast(t('profile.name_saved'));
    } catch (err) {
      showErrors(form, err, { invalid_full_name: 'full_name', name_locked: 'full_name' });
    }
  });
  return form;
}

// ---- draw ----

// The profile's fields by name; masked ones show what is stored as a hint.
function profileFields(profile, t) {
  const stored = (name) => (profile[name] ? t('profile.stored', { value: profile[name] }) : null);
  const hintOf = (name) => [t(`profile.hint.${name}`), stored(name)].filter(Boolean).join(' ');
  return {
    nik: field({ label: t('profile.nik'), name: 'nik', inputmode: 'numeric', autocomplete: 'off', maxlength: 32, hint: hintOf('nik') }),
    nip: field({ label: t('profile.nip'), name: 'nip', inputmode: 'numeric', autocomplete: 'off', maxlength: 32, hint: hintOf('nip') }),
    agency: field({ label: t('profile.agency'), name: 'agency', value: profile.agency, maxlength: 200, hint: t('profile.hint.agency') }),
    business_name: field({ label: t('profile.business_name'), name: 'business_name', value: profile.business_name, maxlength: 200, autocomplete: 'organization' }),
    business_sector: field({ label: t('profile.business_sector'), name: 'business_sector', value: profile.business_sector, maxlength: 100, hint: t('profile.hint.business_sector') }),
    nib: field({ label: t('profile.nib'), name: 'nib', value: profile.nib, inputmode: 'numeric', maxlength: 32, hint: t('profile.hint.nib') }),
    phone: field({ label: t('profile.phone'), name: 'phone', type: 'tel', autocomplete: 'off', hint: hintOf('phone') }),
    district: field({ label: t('profile.district'), name: 'district', value: profile.district, maxlength: 100, hint: t('profile.hint.district') }),
  };
}

// The segment radios; onChange(segment) when the reader picks another.
function segmentChooser(segment, t, onChange) {
  const chooser = h(
    'fieldset',
    { class: 'segment-chooser' },
    h('legend', null, t('profile.segment')),
    SEGMENTS.map((s) =>
      h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'segment_choice', id: `ps-${s}`, value: s, checked: s === segment }),
        h('label', { for: `ps-${s}` }, segmentName(s), h('span', { class: 'meta' }, ` — ${t(`reg.needs.${s}`)}`)),
      ),
    ),
  );
  chooser.addEventListener('change', (e) => {
    if (e.target.name === 'segment_choice') onChange(e.target.value);
  });
  return chooser;
}

// ---- act ----

// What to send for the segment's fields and the contact ones: changed
// values (masked ones when typed), separators dropped; {error} for a field
// the page can refuse itself (digits, or what the server says the segment
// still lacks and is not being given now).
function profileChanges(form, segment, profile, me, fields) {
  const v = formValues(form);
  const body = {};
  for (const name of [...GROUPS[segment], 'phone', 'district']) {
    const raw = v[name] ?? '';
    const value = MASKED.has(name) || DIGITS[name] ? raw.replace(SEPARATORS, '') : raw;
    if (MASKED.has(name)) {
      if (value !== '') body[name] = value;
    } else if (value !== (profile[name] ?? '')) {
      body[name] = value === '' ? null : value;
    }
    const bad = checkDigits(name, value);
    if (bad) return { error: bad };
  }
  const required = ((me.eligibility && me.eligibility[segment]) || []).find((f) => f in fields && !body[f]);
  if (required) return { error: { code: 'required', field: required } };
  return { body };
}

// Saves the changes, then GET /me again (its eligibility follows the
// profile just saved); resolves to true when saved.
async function saveProfile(form, submit, body, profile) {
  try {
    const saved = await busy(submit, api('PUT', paths.meProfile(), body));
    Object.assign(profile, saved.profile || saved);
    await loadMe().catch(() => setMe({ ...getMe(), profile: { ...profile } }));
    return true;
  } catch (err) {
    showErrors(form, err);
    return false;
  }
}

// ---- the page: what GET /me holds (no request of its own), the forms ----
export default async function render(view, { t, query, navigate, signal }) {
  const me = getMe(); // loaded at boot and after logging in
  const profile = { ...(me.profile || {}) };
  let segment = guessSegment(me, query.get('segment'));
  const next = nextPath(query, '');
  const fields = profileFields(profile, t);
  const groupBox = h('div', { class: 'segment-fields' });
  const showGroup = () => groupBox.replaceChildren(...GROUPS[segment].map((n) => fields[n]));
  const chooser = segmentChooser(segment, t, (s) => {
    segment = s;
    showGroup();
  });
  showGroup();
  const submit = h('button', { type: 'submit' }, t('common.save'));
  const form = h('form', { novalidate: true, class: 'profile-form' },
    chooser, h('h2', null, t('profile.identity')), groupBox, h('h2', null, t('profile.contact')), fields.phone, fields.district, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const { body, error } = profileChanges(form, segment, profile, me, fields);
    if (error) return showErrors(form, error);
    if (!Object.keys(body).length) return next ? navigate(next) : toast(t('profile.nothing'));
    if (!(await saveProfile(form, submit, body, profile))) return undefined;
    toast(t('common.saved'));
    if (next) return navigate(next);
    view.replaceChildren();
    return render(view, { t, query, navigate, signal });
  });

  put(
    view,
    h('h1', null, t('profile.title')),
    query.get('welcome') ? h('p', { class: 'outcome', role: 'status' }, t('profile.welcome', { name: me.user.full_name })) : null,
    nameForm(me, t),
    h('dl', { class: 'facts' }, h('dt', null, t('account.email')), h('dd', null, me.user.email)),
    h('p', { class: 'lead' }, t('profile.lead')),
    form,
    h('p', null, h('a', { href: '/me/notifications' }, t('profile.notifications'))),
  );
}
