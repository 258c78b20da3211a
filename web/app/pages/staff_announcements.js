// staff_announcements.js — /staff/cohorts/:id/announcements: the cohort's
// staff write to its confirmed participants, all or one segment; each gets
// it by e-mail (or WhatsApp, as they chose) and on the cohort page.
import { api, paths } from '../api.js';
import { loadArea, t } from '../i18n.js';
import { h, segmentName } from '../ui.js';
import { pageHead, replace } from '../staff_ui.js';
import { announcementList, announcementForm } from '../announcements.js';

export default async function render(view, { params, signal }) {
  await Promise.all([loadArea('staff'), loadArea('account')]);
  const cohort = await api('GET', paths.cohort(params.id), null, { signal });
  const list = await announcementList(cohort.id, segmentName, { signal });
  replace(view,
    pageHead(t('acct.ann.page_title'), { back: '/staff', backLabel: t('staff.home.title'), sub: `${cohort.programme_title} — ${cohort.name}` }),
    h('section', { class: 'card', 'aria-labelledby': 'ann-write-h' },
      h('h2', { id: 'ann-write-h' }, t('acct.ann.write')),
      announcementForm(cohort, segmentName, (a) => list && list.prepend(a))),
    list);
}
