// cohort.js — `/cohorts/:id`: a cohort's home for its participant: progress
// bar, where to continue, the module tree (GET …/modules) and the live
// sessions (GET …/sessions) with a check-in form for a 6-digit code
// (POST /api/v1/sessions/{id}/attendance).
import { api, paths } from '../api.js';
import { fmtDateTime, fmtNumber, loadArea, dateRange } from '../i18n.js';
import { h, put, field, showErrors, clearErrors, busy, progressBar, emptyState, segmentName } from '../ui.js';
import { lessonHref, progressLine } from '../participant.js';
import { announcementList } from '../announcements.js';

function moduleTree(tree, cohortId, t, grades) {
  return h(
    'ol',
    { class: 'modules' },
    tree.modules.map((m) =>
      h(
        'li',
        { class: 'module' },
        h('h3', null, m.title),
        m.lessons.length
          ? h(
              'ol',
              { class: 'lessons' },
              m.lessons.map((l) =>
                h(
                  'li',
                  { class: l.completed ? 'done' : null },
                  h('a', { href: lessonHref(cohortId, l.id) }, l.title),
                  l.completed ? h('span', { class: 'tick' }, h('span', { 'aria-hidden': 'true' }, ' ✓'), h('span', { class: 'visually-hidden' }, ` (${t('lesson.done')})`)) : null,
                  l.duration_minutes || l.has_video
                    ? h(
                        'span',
                        { class: 'meta' },
                        ' · ',
                        [l.duration_minutes ? t('cohort.minutes', { n: l.duration_minutes }) : null, l.has_video ? t('cohort.video') : null].filter(Boolean).join(' · '),
                      )
                    : null,
                ),
              ),
            )
          : h('p', { class: 'meta' }, t('cohort.no_lessons')),
        m.assignments && m.assignments.length ? assignmentList(m.assignments, cohortId, t, grades) : null,
        m.quizzes && m.quizzes.length ? quizList(m.quizzes, cohortId, t) : null,
      ),
    ),
  );
}

// A module's assignments: link, due date, where my work stands (the score
// once released, from GET …/progress).
function assignmentList(list, cohortId, t, grades) {
  return h(
    'ul',
    { class: 'assignments plain' },
    list.map((a) => {
      const g = grades.get(a.id);
      const status = (g && g.status) || a.status || 'missing';
      return h(
        'li',
        null,
        h('span', { class: 'kind' }, t('cohort.assignment')),
        ' ',
        h('a', { href: `/cohorts/${encodeURIComponent(cohortId)}/assignments/${encodeURIComponent(a.id)}` }, a.title),
        ' ',
        h('span', { class: `badge ${status}` }, g && g.released && g.score !== null ? t('assignment.score', { score: fmtNumber(g.score), max: fmtNumber(a.max_score) }) : t(`assignment.status.${status}`)),
        a.due_at ? h('span', { class: 'meta' }, ` · ${t('assignment.due', { date: fmtDateTime(a.due_at) })}`) : null,
      );
    }),
  );
}

// A module's quizzes: link, kind, where the caller stands (a result only
// where the quiz lets it show). Words from the `quiz` dictionary area.
function quizList(list, cohortId, t) {
  return h(
    'ul',
    { class: 'assignments plain quizzes' },
    list.map((q) =>
      h(
        'li',
        { dataset: { quiz: q.id } },
        h('span', { class: 'kind' }, t(`quiz.kind.${q.kind}`)),
        ' ',
        h('a', { href: `/cohorts/${encodeURIComponent(cohortId)}/quizzes/${encodeURIComponent(q.id)}` }, q.title),
        ' ',
        h('span', { class: `badge ${q.status === 'done' ? 'graded' : q.status === 'in_progress' ? 'submitted' : 'missing'}` }, q.percent !== undefined && q.percent !== null ? t('quiz.result_line', { percent: fmtNumber(q.percent) }) : t(`quiz.status.${q.status}`)),
        q.open ? null : h('span', { class: 'meta' }, ` · ${t('quiz.closed_short')}`),
      ),
    ),
  );
}

function checkinForm(session, t) {
  const submit = h('button', { type: 'submit' }, t('session.checkin'));
  const done = h('p', { class: 'outcome', role: 'status', hidden: true });
  const form = h(
    'form',
    { class: 'checkin', novalidate: true },
    field({ label: t('session.code'), name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, hint: t('session.code_hint') }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const code = form.elements.code.value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(code)) {
      showErrors(form, { code: 'invalid_code', field: 'code' });
      return;
    }
    try {
      await busy(submit, api('POST', paths.sessionAttendance(session.id), { code }));
      form.hidden = true;
      done.textContent = t('session.checked_in');
      done.hidden = false;
      done.setAttribute('tabindex', '-1');
      done.focus();
    } catch (err) {
      showErrors(form, err, { invalid_code: 'code', code_expired: 'code', too_many_attempts: 'code' });
    }
  });
  return [form, done];
}

function sessionItem(s, t) {
  return h(
    'li',
    { class: 'card session' },
    h('h3', null, s.title),
    h('p', { class: 'meta' }, `${fmtDateTime(s.starts_at)} – ${fmtDateTime(s.ends_at)}`),
    s.place ? h('p', null, t('session.place'), ': ', s.place) : null,
    s.online_url ? h('p', null, h('a', { href: s.online_url, rel: 'noopener noreferrer', target: '_blank' }, t('session.online'))) : null,
    s.checkin_open ? checkinForm(s, t) : null,
  );
}

// The first lesson not yet done, in reading order (null when all are).
function nextLesson(tree) {
  for (const m of tree.modules) for (const l of m.lessons) if (!l.completed) return l;
  return null;
}

export default async function render(view, { t, params, signal }) {
  const id = params.id;
  const [cohort, tree, progress, sessions, news] = await Promise.all([
    api('GET', paths.cohort(id), null, { signal }),
    // 404: not in this cohort; 422: its content is not published yet
    api('GET', paths.cohortModules(id), null, { signal }).catch((err) => (err.status === 404 ? null : err.code === 'no_published_version' ? 'unpublished' : Promise.reject(err))),
    api('GET', paths.cohortProgress(id), null, { signal }).catch(() => null),
    api('GET', paths.cohortSessions(id), null, { signal }).catch(() => ({ items: [] })),
    announcementList(id, segmentName, { signal }).catch(() => null),
    // the words of the module tree's quizzes, fetched beside the data
    loadArea('quiz').catch(() => null),
  ]);
  document.title = `${cohort.programme_title} · ${cohort.name} · Sinau`;
  const head = [
    h('p', { class: 'crumbs' }, h('a', { href: '/me/cohorts' }, t('nav.my_cohorts'))),
    h('h1', null, cohort.programme_title, h('span', { class: 'sub' }, cohort.name)),
    h('p', { class: 'meta' }, dateRange(cohort.starts_on, cohort.ends_on), ' · ', t('common.jp', { n: fmtNumber(cohort.jp) })),
  ];
  if (tree === 'unpublished') {
    const items = (sessions && sessions.items) || [];
    put(
      view,
      ...head,
      emptyState(t('cohort.unpublished')),
      h('h2', null, t('cohort.sessions')),
      items.length ? h('ul', { class: 'plain sessions' }, items.map((s) => sessionItem(s, t))) : emptyState(t('cohort.no_sessions')),
    );
    return;
  }
  if (!tree) {
    put(
    view,
      ...head,
      emptyState(t('cohort.no_access'), h('p', null, h('a', { href: `/programmes/${encodeURIComponent(cohort.programme_slug)}#cohort-${id}` }, t('cohort.to_programme')))),
    );
    return;
  }
  const next = nextLesson(tree);
  const items = (sessions && sessions.items) || [];
  put(
    view,
    ...head,
    progress
      ? h('section', { class: 'card', 'aria-labelledby': 'progress-h' }, h('h2', { id: 'progress-h' }, t('cohort.progress_title')), progressBar(progress.percent, t('cohort.progress_title')), h('p', { class: 'meta progress-text' }, progressLine(t, progress)), next ? h('p', null, h('a', { class: 'button', href: lessonHref(id, next.id) }, t(progress.lessons_completed ? 'cohort.continue' : 'cohort.start'), h('span', { class: 'visually-hidden' }, `: ${next.title}`))) : h('p', null, t('cohort.all_done')))
      : null,
    h('h2', null, t('cohort.modules')),
    tree.modules.length ? moduleTree(tree, id, t, new Map(((progress && progress.assignments) || []).map((g) => [g.id, g]))) : emptyState(t('cohort.no_lessons')),
    news,
    h('h2', null, t('cohort.sessions')),
    items.length ? h('ul', { class: 'plain sessions' }, items.map((s) => sessionItem(s, t))) : emptyState(t('cohort.no_sessions')),
  );
}
