// lesson.js — `/cohorts/:id/lessons/:lessonId`: the lesson reader. The body
// is the API's `body_html` (rendered from Markdown and made inert by the
// server: SECURITY.md 18), the one place the app inserts HTML. A video is an
// embed of youtube-nocookie.com or tiktok.com (the CSP's frame-src) loaded
// only when the reader asks, so reading a lesson on mobile data costs no
// video bytes. "Mark as done" (POST …/complete) moves the progress bar.
import { api, paths } from '../api.js';
import { errorText, fmtSize } from '../i18n.js';
import { h, put, busy, progressBar, setProgress, toast, setSafeHtml } from '../ui.js';
import { lessonHref, progressLine } from '../participant.js';

const EMBED_ORIGINS = ['https://www.youtube-nocookie.com/', 'https://www.tiktok.com/'];

function videoBlock(video, title, t) {
  if (!video || !EMBED_ORIGINS.some((o) => String(video.embed_url).startsWith(o))) return null;
  const provider = video.provider === 'tiktok' ? 'TikTok' : 'YouTube';
  const frame = h('div', { class: `video-frame ${video.provider === 'tiktok' ? 'tiktok' : 'youtube'}` });
  const play = h('button', { type: 'button', class: 'video-play' }, h('span', { class: 'play-icon', 'aria-hidden': 'true' }, '▶'), t('lesson.play', { provider }));
  play.addEventListener('click', () => {
    const iframe = h('iframe', {
      src: video.embed_url,
      title: t('lesson.video_title', { title }),
      allow: 'encrypted-media; picture-in-picture; fullscreen',
      allowfullscreen: true,
      referrerpolicy: 'strict-origin-when-cross-origin',
    });
    frame.replaceChildren(iframe);
    iframe.focus();
  });
  frame.append(play);
  return h('figure', { class: 'video' }, frame, h('figcaption', { class: 'meta' }, t('lesson.video_note', { provider })));
}


function findTitles(tree, lessonId) {
  const flat = tree ? tree.modules.flatMap((m) => m.lessons.map((l) => ({ ...l, module: m.title }))) : [];
  const i = flat.findIndex((l) => l.id === lessonId);
  return { flat, index: i, byId: new Map(flat.map((l) => [l.id, l])) };
}

export default async function render(view, { t, params, signal }) {
  const { id, lessonId } = params;
  const enc = encodeURIComponent(id);
  const [lesson, tree, progress] = await Promise.all([
    api('GET', paths.cohortLesson(id, lessonId), null, { signal }),
    api('GET', paths.cohortModules(id), null, { signal }).catch(() => null),
    api('GET', paths.cohortProgress(id), null, { signal }).catch(() => null),
  ]);
  document.title = `${lesson.title} · Sinau`;
  const { flat, index, byId } = findTitles(tree, lesson.id);
  const here = byId.get(lesson.id);

  const bar = progressBar(progress ? progress.percent : 0, t('cohort.progress_title'));
  const barText = h('p', { class: 'meta progress-text' }, progress ? progressLine(t, progress) : '');
  const body = setSafeHtml(h('div', { class: 'lesson-body' }), lesson.body_html);

  const doneNote = h('p', { class: 'done-note', role: 'status' });
  const mark = h('button', { type: 'button', class: 'mark-done' }, t('lesson.mark_done'));
  function showDone(done) {
    mark.hidden = done;
    doneNote.textContent = done ? `✓ ${t('lesson.done_note')}` : '';
  }
  showDone(lesson.completed);
  mark.addEventListener('click', async () => {
    try {
      const p = await busy(mark, api('POST', paths.cohortLessonComplete(id, lesson.id)));
      setProgress(bar, p.percent);
      barText.textContent = progressLine(t, p);
      showDone(true);
      const nextLink = view.querySelector('.pager .next');
      (nextLink || doneNote).focus();
    } catch (err) {
      toast(errorText(err), { kind: 'error' });
    }
  });
  doneNote.tabIndex = -1;

  const link = (lid, cls, label) => {
    const l = byId.get(lid);
    return h('a', { class: `button ${cls === 'next' ? '' : 'secondary'} ${cls}`, href: lessonHref(id, lid), rel: cls === 'next' ? 'next' : 'prev' }, label, l ? h('span', { class: 'pager-title' }, l.title) : null);
  };

  // handouts and pictures the lesson carries, to download or open
  const files = (lesson.attachments || []).length
    ? h('section', { class: 'lesson-files', 'aria-labelledby': 'files-h' },
      h('h2', { id: 'files-h' }, t('lesson.files')),
      h('ul', { class: 'plain' }, lesson.attachments.map((f) => h('li', null,
        h('a', { href: f.url, download: f.content_type === 'application/pdf' ? f.name : null }, f.name),
        h('span', { class: 'meta' }, ` · ${f.content_type === 'application/pdf' ? 'PDF' : t('lesson.picture')} · ${fmtSize(f.size)}`)))))
    : null;

  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: `/cohorts/${enc}` }, t('lesson.back_to_cohort')), here ? ` · ${here.module}` : null),
    h('h1', null, lesson.title),
    index >= 0 ? h('p', { class: 'meta' }, t('lesson.position', { n: index + 1, total: flat.length }), lesson.duration_minutes ? ` · ${t('cohort.minutes', { n: lesson.duration_minutes })}` : null) : null,
    h('div', { class: 'lesson-progress' }, bar, barText),
    videoBlock(lesson.video, lesson.title, t),
    body,
    files,
    h('div', { class: 'lesson-done' }, mark, doneNote),
    h(
      'nav',
      { class: 'pager', 'aria-label': t('lesson.pager') },
      lesson.previous_id ? link(lesson.previous_id, 'prev', t('lesson.previous')) : h('span'),
      lesson.next_id ? link(lesson.next_id, 'next', t('lesson.next')) : h('a', { class: 'button secondary', href: `/cohorts/${enc}` }, t('lesson.back_to_cohort')),
    ),
  );
}
