// staff_lesson.js — /staff/programmes/:slug/lessons/new?module=… and
// /staff/programmes/:slug/lessons/:lessonId: one draft lesson's editor.
// Title, Markdown body with a live preview (POST /api/v1/markdown/preview,
// rendered exactly as publishing renders it), video link and duration.
// Nothing is lost on a failed save: the error is shown next to the form and
// every field keeps what was typed; leaving with unsaved changes asks first.
import { api, apiUpload, paths } from '../api.js';
import { t, fmtSize } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, progressBar, setProgress, confirmDialog } from '../ui.js';
import { errorBox, fill, snapshotGuard, editorPage, loadDraftItem, uploadOnChoose } from '../staff_ui.js';

const enc = encodeURIComponent;

// The server's limit for a lesson's file (content.c ATTACHMENT_MAX).
const ATTACHMENT_MAX = 10 * 1024 * 1024;


// The Markdown that shows an attachment: an image inline, a PDF as a link.
function markdownOf(a) {
  const label = a.name.replace(/[[\]\\]/g, '');
  return a.content_type.startsWith('image/') ? `![${label}](${a.url})` : `[${label}](${a.url})`;
}

// A lesson's files (POST /api/v1/lessons/{id}/attachments): upload with
// progress, put one into the text at the cursor, take one off. Pictures
// and PDF handouts; published versions keep what they were published with.
function attachmentsSection(lesson, textarea) {
  let list = lesson.attachments || [];
  const err = errorBox();
  const items = h('ul', { class: 'staff-attachments', 'data-testid': 'attachments' });
  const bar = progressBar(0, t('staff.lesson.uploading'));
  const barBox = h('div', { class: 'upload-progress', hidden: true }, bar);
  const input = h('input', { type: 'file', id: 'attach-file', name: 'attachment', accept: 'image/png,image/jpeg,application/pdf,.png,.jpg,.jpeg,.pdf', 'aria-describedby': 'attach-hint' });
  const insert = (a) => {
    const md = markdownOf(a);
    // at the cursor when the author was typing, else at the end
    const at = document.activeElement === textarea || textarea.dataset.typed ? textarea.selectionStart : textarea.value.length;
    const before = textarea.value.slice(0, at);
    const lead = before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
    textarea.setRangeText(`${lead}${md}\n\n`, at, Math.max(at, textarea.selectionEnd), 'end');
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    textarea.focus();
  };
  const draw = () => fill(items, list, (a) => {
    const put = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('staff.lesson.insert_named', { name: a.name }) }, t('staff.lesson.insert'));
    put.addEventListener('click', () => insert(a));
    const del = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.lesson.remove_named', { name: a.name }) }, t('staff.common.delete'));
    del.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.lesson.remove_confirm', { name: a.name })))) return;
      err.update(null);
      try {
        await busy(del, api('DELETE', paths.attachment(a.id)));
        list = list.filter((x) => x.id !== a.id);
        draw();
        toast(t('staff.lesson.removed', { name: a.name }));
      } catch (ex) {
        err.update(ex);
      }
    });
    return h('li', { 'data-attachment': a.id },
      h('span', { class: 'staff-attachment-name' }, a.name), h('span', { class: 'meta' }, ` · ${fmtSize(a.size)}`),
      h('span', { class: 'staff-actions' }, put, del));
  }, t('staff.lesson.no_attachments'));
  // where the author left the cursor before reaching for the file chooser
  textarea.addEventListener('blur', () => { textarea.dataset.typed = '1'; });
  uploadOnChoose(input, err, {
    max: ATTACHMENT_MAX,
    tooBig: t('error.file_too_big'),
    upload: (file) => {
      barBox.hidden = false;
      setProgress(bar, 0);
      return apiUpload(paths.lessonAttachments(lesson.id), file, (f) => setProgress(bar, f * 100), 'POST')
        .finally(() => { barBox.hidden = true; });
    },
    done: (a) => {
      input.value = '';
      list = [...list, a];
      draw();
      insert(a);
      toast(t('staff.lesson.attached', { name: a.name }));
    },
  });
  draw();
  return h('section', { class: 'card staff-attach-card', 'aria-labelledby': 'attach-h' },
    h('h2', { id: 'attach-h' }, t('staff.lesson.attachments')),
    h('p', { class: 'hint', id: 'attach-hint' }, t('staff.lesson.attach_hint')),
    h('div', { class: 'field' }, h('label', { for: input.id }, t('staff.lesson.attach_label')), input),
    barBox, err, items);
}

function findLesson(draft, lessonId) {
  for (const m of draft.modules) {
    for (const l of m.lessons) if (l.id === lessonId) return { module: m, lesson: l };
  }
  return null;
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
  const item = await loadDraftItem(view, ctx, ctx.params.lessonId || null, findLesson, 'staff.lesson.missing');
  if (!item) return undefined;
  const { slug, found, mod, back, creating } = item;
  const lesson = found ? found.lesson : { title: '', body_md: '', video_url: null, duration_minutes: null, video: null };

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

  // Unsaved changes: the saved values to compare with; leaving asks first.
  const guard = snapshotGuard(() => lessonBody(form, false));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const payload = lessonBody(form, creating);
    try {
      const r = creating
        ? await busy(save, api('POST', paths.moduleLessons(mod.id), payload))
        : await busy(save, api('PUT', paths.lesson(lesson.id), payload));
      guard.markSaved();
      toast(creating ? t('staff.lesson.created') : t('common.saved'));
      if (creating) {
        ctx.navigate(`/staff/programmes/${enc(slug)}/lessons/${enc(r.id)}`, { replace: true });
        return;
      }
      showVideo(r.video);
    } catch (ex) {
      // the fields keep their text: only the message changes
      showErrors(form, ex);
    }
  });

  return editorPage(view, ctx, {
    title: creating ? t('staff.lesson.new_title') : t('staff.lesson.edit_title'),
    head: { back, backLabel: t('staff.nav.content'), sub: t('staff.lesson.in_module', { title: mod.title }) },
    formTitle: t('staff.lesson.edit_title'),
    form,
    after: creating ? h('p', { class: 'hint' }, t('staff.lesson.attach_after_create')) : attachmentsSection(lesson, body),
    source: body,
    preview,
    guard,
    del: creating ? null : {
      label: t('staff.content.delete_lesson', { title: lesson.title }),
      question: t('staff.content.confirm_delete_lesson', { title: lesson.title }),
      path: paths.lesson(lesson.id),
      deleted: t('staff.content.lesson_deleted'),
    },
  });
}
