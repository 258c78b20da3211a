// staff_lesson.js — /staff/programmes/:slug/lessons/new?module=… and
// /staff/programmes/:slug/lessons/:lessonId: one draft lesson's editor.
// Title, Markdown body with a live preview (POST /api/v1/markdown/preview,
// rendered exactly as publishing renders it), video link and duration.
// Nothing is lost on a failed save: the error is shown next to the form and
// every field keeps what was typed; leaving with unsaved changes asks first.
import { api } from '../api.js';
import { loadArea, t } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy } from '../ui.js';
import { pageHead, errorBox, setSafeHtml, confirmDialog, replace } from '../staff_ui.js';

const enc = encodeURIComponent;
const PREVIEW_DELAY_MS = 300;
// The lesson field each error code of the API is about.
const FIELD_OF_CODE = {
  invalid_title: 'title',
  invalid_body_md: 'body_md',
  unsupported_video: 'video_url',
  invalid_duration: 'duration_minutes',
};

function findLesson(draft, lessonId) {
  for (const m of draft.modules) {
    for (const l of m.lessons) if (l.id === lessonId) return { module: m, lesson: l };
  }
  return null;
}

// The live preview: asks the server to render the Markdown a moment after
// typing stops; a newer request cancels an older one.
function livePreview(textarea, target, status) {
  let timer = null;
  let ctl = null;
  const run = async () => {
    if (ctl) ctl.abort();
    ctl = new AbortController();
    const mine = ctl;
    target.setAttribute('aria-busy', 'true');
    try {
      const r = await api('POST', '/api/v1/markdown/preview', { body_md: textarea.value }, { signal: mine.signal });
      if (mine !== ctl) return;
      setSafeHtml(target, r.body_html);
      if (!textarea.value.trim()) target.replaceChildren(h('p', { class: 'empty' }, t('staff.lesson.preview_empty')));
      status.update(null);
    } catch (ex) {
      if (ex && ex.name === 'AbortError') return;
      status.update(ex);
    } finally {
      if (mine === ctl) target.removeAttribute('aria-busy');
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, PREVIEW_DELAY_MS);
  };
  textarea.addEventListener('input', schedule);
  run();
  return () => {
    clearTimeout(timer);
    if (ctl) ctl.abort();
  };
}

// The JSON body of a save from the form; on update, empty video and
// duration clear them (null).
function lessonBody(form, creating) {
  const v = form.elements;
  const body = { title: v.title.value, body_md: v.body_md.value };
  const url = v.video_url.value.trim();
  const minutes = v.duration_minutes.value.trim();
  if (url) body.video_url = url;
  else if (!creating) body.video_url = null;
  if (minutes !== '') body.duration_minutes = Number.isInteger(Number(minutes)) ? Number(minutes) : minutes;
  else if (!creating) body.duration_minutes = null;
  return body;
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const slug = ctx.params.slug;
  const lessonId = ctx.params.lessonId || null;
  const creating = lessonId === null;
  const draft = await api('GET', `/api/v1/programmes/${enc(slug)}/draft`);
  const found = creating ? null : findLesson(draft, lessonId);
  const mod = creating ? draft.modules.find((m) => m.id === ctx.query.get('module')) : found && found.module;
  const back = `/staff/programmes/${enc(slug)}/content`;
  if (!mod || (!creating && !found)) {
    replace(view, pageHead(t('staff.lesson.missing'), { back, backLabel: t('staff.nav.content') }),
      h('p', {}, t('staff.lesson.missing_text')));
    return undefined;
  }
  const lesson = found ? found.lesson : { title: '', body_md: '', video_url: null, duration_minutes: null, video: null };

  const previewErr = errorBox();
  const preview = h('div', { class: 'staff-preview lesson-body', id: 'lesson-preview', 'data-testid': 'preview' });
  const save = h('button', { type: 'submit' }, creating ? t('staff.lesson.create') : t('common.save'));
  const videoNote = h('p', { class: 'hint', 'data-testid': 'video-note' });
  const showVideo = (video) => {
    videoNote.textContent = video ? t('staff.lesson.video_ok', { provider: video.provider === 'tiktok' ? 'TikTok' : 'YouTube' }) : '';
    videoNote.hidden = !video;
  };
  showVideo(lesson.video);
  const form = h('form', { class: 'staff-form staff-lesson-form', novalidate: true },
    field({ label: t('staff.lesson.f_title'), name: 'title', required: true, autocomplete: 'off', value: lesson.title }),
    field({ label: t('staff.lesson.f_body'), name: 'body_md', rows: 16, hint: t('staff.lesson.f_body_hint'), value: lesson.body_md }),
    field({ label: t('staff.lesson.f_video'), name: 'video_url', type: 'url', hint: t('staff.lesson.video_hint'), value: lesson.video_url || '' }),
    videoNote,
    field({ label: t('staff.lesson.f_duration'), name: 'duration_minutes', type: 'number', inputmode: 'numeric', value: lesson.duration_minutes ?? '' }),
    h('div', { class: 'staff-actions' }, save));
  const v = form.elements;
  const body = v.body_md;
  body.classList.add('staff-md');
  v.duration_minutes.min = '0';
  v.duration_minutes.max = '1440';

  // Unsaved changes: the saved values to compare with.
  let saved = JSON.stringify(lessonBody(form, false));
  const dirty = () => JSON.stringify(lessonBody(form, false)) !== saved;
  const onBeforeUnload = (e) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  // Links inside the app: ask before leaving unsaved text (runs before the
  // router's own click handler, which skips prevented clicks).
  const onLinkClick = async (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== location.origin || !dirty()) return;
    e.preventDefault();
    if (await confirmDialog(t('staff.lesson.leave_unsaved'), { confirmLabel: t('staff.lesson.leave') })) {
      saved = JSON.stringify(lessonBody(form, false));
      a.click(); // again, now clean: the router (or the browser) follows it
    }
  };
  document.addEventListener('click', onLinkClick, true);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const payload = lessonBody(form, creating);
    try {
      const r = creating
        ? await busy(save, api('POST', `/api/v1/modules/${enc(mod.id)}/lessons`, payload))
        : await busy(save, api('PUT', `/api/v1/lessons/${enc(lesson.id)}`, payload));
      saved = JSON.stringify(lessonBody(form, false));
      toast(creating ? t('staff.lesson.created') : t('common.saved'));
      if (creating) {
        ctx.navigate(`/staff/programmes/${enc(slug)}/lessons/${enc(r.id)}`, { replace: true });
        return;
      }
      showVideo(r.video);
    } catch (ex) {
      // the fields keep their text: only the message changes
      showErrors(form, ex, FIELD_OF_CODE);
    }
  });

  let del = null;
  if (!creating) {
    del = h('button', { type: 'button', class: 'danger' }, t('staff.content.delete_lesson', { title: lesson.title }));
    del.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.content.confirm_delete_lesson', { title: lesson.title })))) return;
      try {
        await busy(del, api('DELETE', `/api/v1/lessons/${enc(lesson.id)}`));
        saved = JSON.stringify(lessonBody(form, false));
        window.removeEventListener('beforeunload', onBeforeUnload);
        toast(t('staff.content.lesson_deleted'));
        ctx.navigate(back);
      } catch (ex) {
        showErrors(form, ex);
      }
    });
  }

  replace(view, 
    pageHead(creating ? t('staff.lesson.new_title') : t('staff.lesson.edit_title'), { back, backLabel: t('staff.nav.content'), sub: t('staff.lesson.in_module', { title: mod.title }) }),
    h('div', { class: 'staff-editor' },
      h('section', { 'aria-labelledby': 'lesson-form-h' }, h('h2', { id: 'lesson-form-h', class: 'visually-hidden' }, t('staff.lesson.edit_title')), form),
      h('section', { class: 'card staff-preview-card', 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h' }, t('staff.lesson.preview')), previewErr, preview)),
    del ? h('p', { class: 'staff-danger-zone' }, del) : null);

  const stopPreview = livePreview(body, preview, previewErr);
  return () => {
    stopPreview();
    window.removeEventListener('beforeunload', onBeforeUnload);
    document.removeEventListener('click', onLinkClick, true);
  };
}
