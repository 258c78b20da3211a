// programme.js — `/programmes/:slug`: one programme, its cohorts with live
// seats, and registering for a cohort in a segment (POST
// /api/v1/cohorts/{id}/registrations with an Idempotency-Key), with the
// outcome shown in place: confirmed, waitlisted with a position, or an offer
// to accept; a registration can be cancelled here too.
import { api, randomKey, paths } from '../api.js';
import { tn, fmtNumber, fmtDateTime, errorText, dateRange } from '../i18n.js';
import { getMe, loadMe } from '../session.js';
import { h, put, emptyState, busy, toast, sortSegments, segmentName, confirmDialog } from '../ui.js';
import { registrationBadge, registrationState, seatsList, outcomeText, statusBadge, poll } from '../participant.js';

const ACTIVE = new Set(['confirmed', 'waitlisted', 'offered']);

// Whether the profile lacks something for a segment: the server's answer
// (GET /me's `eligibility`, the rule registration applies), never a copy
// of the rule here.
function lacksFor(segment, me) {
  return ((me.eligibility && me.eligibility[segment]) || []).length > 0;
}

function paragraphs(text) {
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => h('p', null, p));
}

// The registration area of one cohort; redraws itself after each action.
function registrationArea(cohort, slug, myRegs, t, onChange) {
  const area = h('div', { class: 'registration', 'aria-live': 'polite' });
  const here = `/programmes/${encodeURIComponent(slug)}#cohort-${cohort.id}`;

  function draw(note) {
    const mine = myRegs.get(cohort.id);
    area.replaceChildren();
    if (note) area.append(note);
    if (mine && ACTIVE.has(mine.status)) return area.append(outcome(mine));
    const state = registrationState(cohort);
    if (state !== 'open') return area.append(h('p', { class: 'meta' }, t(state === 'soon' ? 'reg.not_yet' : 'reg.closed_long')));
    const me = getMe();
    if (!me) {
      return area.append(
        h('p', null, h('a', { class: 'button', href: `/masuk?next=${encodeURIComponent(here)}` }, t('reg.login_to_register'))),
        h('p', null, h('a', { href: `/daftar?next=${encodeURIComponent(here)}` }, t('reg.signup_to_register'))),
      );
    }
    if (me.user.role !== 'participant') return area.append(h('p', { class: 'meta' }, t('reg.staff_cannot')));
    return area.append(form(me));
  }

  function outcome(reg) {
    const box = h(
      'div',
      { class: `outcome ${reg.status}` },
      h('p', null, statusBadge(reg)),
      h('p', { class: 'outcome-text' }, outcomeText(reg)),
    );
    const actions = h('p', { class: 'row' });
    if (reg.status === 'confirmed') actions.append(h('a', { class: 'button', href: `/cohorts/${encodeURIComponent(cohort.id)}` }, t('reg.open_class')));
    if (reg.status === 'offered') {
      const accept = h('button', { type: 'button' }, t('reg.accept'));
      accept.addEventListener('click', async () => {
        try {
          const r = await busy(accept, api('POST', paths.registrationAccept(reg.id)));
          myRegs.set(cohort.id, r);
          draw();
          onChange();
        } catch (err) {
          toast(errorText(err), { kind: 'error' });
        }
      });
      actions.append(accept);
    }
    actions.append(cancelControl(reg));
    box.append(actions);
    return box;
  }

  // "Batalkan pendaftaran", then the confirmation dialog before DELETE.
  function cancelControl(reg) {
    const ask = h('button', { type: 'button', class: 'secondary' }, t('reg.cancel'));
    ask.addEventListener('click', async () => {
      if (!(await confirmDialog(t('reg.cancel_confirm'), { confirmLabel: t('reg.cancel_yes'), cancelLabel: t('common.no') }))) return;
      try {
        const r = await busy(ask, api('DELETE', paths.registration(reg.id)));
        myRegs.set(cohort.id, r);
        draw(h('p', { class: 'outcome cancelled', role: 'status' }, outcomeText(r)));
        onChange();
      } catch (err) {
        toast(errorText(err), { kind: 'error' });
      }
    });
    return ask;
  }

  function form(me) {
    const key = randomKey(); // one key per attempt: a retried click is the same request
    const segments = sortSegments(cohort.segments);
    const firstEligible = segments.find((s) => !lacksFor(s.segment, me));
    const legendId = `seg-legend-${cohort.id}`;
    const f = h('form', { class: 'register-form', novalidate: true });
    const fieldset = h(
      'fieldset',
      { 'aria-describedby': cohort.residency_prefix ? `res-${cohort.id}` : null },
      h('legend', { id: legendId }, t('reg.choose_segment')),
      segments.map((s) => {
        const id = `seg-${cohort.id}-${s.segment}`;
        const lacks = lacksFor(s.segment, me);
        return h(
          'div',
          { class: 'choice' },
          h('input', { type: 'radio', name: 'segment', id, value: s.segment, checked: firstEligible ? s === firstEligible : s === segments[0] }),
          h(
            'label',
            { for: id },
            h('strong', null, segmentName(s.segment)),
            h('span', { class: 'meta' }, ` — ${t(`reg.needs.${s.segment}`)}`),
            lacks ? h('span', { class: 'meta lacks' }, ` (${t('reg.lacks')})`) : null,
          ),
        );
      }),
    );
    const submit = h('button', { type: 'submit' }, t('reg.submit'));
    const message = h('div', { class: 'form-error', role: 'alert', hidden: true, tabindex: '-1' });
    // put(), not append(): the DOM's append prints a null as "null"
    put(
      f,
      message,
      fieldset,
      cohort.residency_prefix ? h('p', { class: 'hint', id: `res-${cohort.id}` }, t('reg.residency', { prefix: cohort.residency_prefix })) : null,
      submit,
    );
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const segment = new FormData(f).get('segment');
      message.hidden = true;
      try {
        const reg = await busy(submit, api('POST', paths.cohortRegistrations(cohort.id), { segment }, { idempotencyKey: key }));
        myRegs.set(cohort.id, reg);
        draw();
        area.querySelector('.outcome')?.setAttribute('tabindex', '-1');
        area.querySelector('.outcome')?.focus();
        onChange();
      } catch (err) {
        if (err.code === 'already_registered' && err.details && err.details.registration) {
          myRegs.set(cohort.id, err.details.registration);
          draw();
          return;
        }
        message.replaceChildren(errorText(err));
        if (err.code === 'not_eligible') {
          const back = encodeURIComponent(here);
          message.append(' ', h('a', { href: `/me/profile?segment=${encodeURIComponent(segment)}&next=${back}` }, t('reg.complete_profile')));
          loadMe().catch(() => {});
        }
        message.hidden = false;
        message.focus();
      }
    });
    return f;
  }

  draw();
  return area;
}

function cohortCard(c, slug, myRegs, t, seatViews, refresh) {
  const seats = seatsList(c);
  seatViews.set(c.id, seats);
  return h(
    'section',
    { class: 'card cohort', id: `cohort-${c.id}`, 'aria-labelledby': `cohort-h-${c.id}` },
    h('h2', { id: `cohort-h-${c.id}` }, c.name),
    h('p', { class: 'meta' }, registrationBadge(c)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('programme.when')),
      h('dd', null, dateRange(c.starts_on, c.ends_on)),
      h('dt', null, t('programme.jp')),
      h('dd', null, t('common.jp', { n: fmtNumber(c.jp) })),
      h('dt', null, t('programme.registration')),
      h('dd', null, `${fmtDateTime(c.registration_opens_at)} – ${fmtDateTime(c.registration_closes_at)}`),
    ),
    h('h3', null, t('seats.title')),
    seats.el,
    registrationArea(c, slug, myRegs, t, refresh),
  );
}

export default async function render(view, { t, params, signal }) {
  const slug = params.slug;
  const [prog, mine] = await Promise.all([
    api('GET', paths.programme(slug), null, { signal }),
    getMe() && getMe().user.role === 'participant' ? api('GET', paths.meRegistrations(), null, { signal }) : null,
  ]);
  document.title = `${prog.title} · Sinau`;
  const myRegs = new Map();
  for (const r of (mine && mine.items) || []) {
    const prev = myRegs.get(r.cohort_id);
    if (!prev || !ACTIVE.has(prev.status)) myRegs.set(r.cohort_id, r);
  }
  const seatViews = new Map();
  const latest = (prog.versions || [])[prog.versions.length - 1];
  const refresh = async () => {
    const fresh = await api('GET', paths.programme(slug), null, { signal });
    for (const c of fresh.cohorts || []) seatViews.get(c.id)?.update(c);
  };
  const cohorts = prog.cohorts || [];
  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '/' }, t('nav.catalogue'))),
    h('h1', null, prog.title),
    ...(prog.description ? paragraphs(prog.description) : []),
    latest ? h('p', { class: 'meta' }, tn('programme.lessons', latest.lessons_total)) : null,
    ...(cohorts.length ? cohorts.map((c) => cohortCard(c, slug, myRegs, t, seatViews, () => refresh().catch(() => {}))) : [emptyState(t('catalogue.no_cohorts'))]),
  );
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) requestAnimationFrame(() => target.scrollIntoView());
  }
  if (!cohorts.some((c) => registrationState(c) === 'open')) return undefined;
  return poll(refresh);
}
