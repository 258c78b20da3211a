-- functions/content.sql — content: who may author a programme, the draft
-- (modules, lessons), publishing it as an immutable version, moving a cohort
-- to a newer one (schema: migrations/0004).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- ---- who may do what ----

-- Authors of a programme's content: admins and the instructors of any of
-- its cohorts.
create or replace function content_can_author(p_programme_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_role = 'admin'
        or exists (select 1 from cohort_instructors ci join cohorts c on c.id = ci.cohort_id
                    where c.programme_id = p_programme_id and ci.user_id = p_user_id)
$$;

-- The draft now lists each module's assignments too.
create or replace function content_draft_json(p_programme_id text) returns json
language sql stable as $$
    select json_build_object(
        'programme_id', p.id, 'slug', p.slug, 'draft_rev', p.draft_rev,
        'latest_version', (select max(version) from content_versions v
                            where v.programme_id = p.id),
        'modules', coalesce((select json_agg(json_build_object(
                      'id', m.id, 'title', m.title, 'position', m.position,
                      'lessons', coalesce((select json_agg(json_build_object(
                                    'id', l.id, 'title', l.title, 'body_md', l.body_md,
                                    'video_url', l.video_url,
                                    'video', case when l.video_provider is null then null
                                                  else json_build_object(
                                                      'provider', l.video_provider,
                                                      'embed_url', l.video_embed_url) end,
                                    'duration_minutes', l.duration_minutes,
                                    'position', l.position)
                                    order by l.position, l.created_at, l.id)
                                    from lessons l where l.module_id = m.id), '[]'::json),
                      'assignments', coalesce((select json_agg(asg_draft_json(a)
                                                               order by a.position, a.created_at,
                                                                        a.id)
                                                 from assignments a where a.module_id = m.id),
                                              '[]'::json),
                      'quizzes', quiz_draft_list(m.id))
                      order by m.position, m.created_at, m.id)
                      from modules m where m.programme_id = p.id), '[]'::json))
      from programmes p where p.id = p_programme_id
$$;

create or replace function content_bump_draft(p_programme_id text) returns void
language sql as $$
    update programmes set draft_rev = draft_rev + 1 where id = p_programme_id
$$;

-- ---- publishing, now with assignments ----

-- As in 0004, plus assignments and quizzes: p_html also holds every
-- assignment's instructions rendered (keyed by assignment id) and every
-- piece of quiz Markdown (quiz_markdown's keys), and the content hash
-- covers them.
create or replace function content_publish(p_programme_id text, p_draft_rev bigint,
                                           p_html jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
    v integer;
    n integer;
    h text;
begin
    select * into p from programmes where id = p_programme_id for update;
    if not found then
        return content_not_found('programme');
    end if;
    if p.draft_rev <> p_draft_rev
       or exists (select 1 from lessons l join modules m on m.id = l.module_id
                   where m.programme_id = p.id and not p_html ? l.id)
       or exists (select 1 from assignments a join modules m on m.id = a.module_id
                   where m.programme_id = p.id and not p_html ? a.id)
       or not quiz_html_complete(p.id, p_html) then
        return sinau_error(409, 'draft_changed', 'the draft changed while publishing; try again');
    end if;
    select coalesce(max(version), 0) + 1 into v from content_versions
     where programme_id = p.id;
    select encode(sha256(convert_to(coalesce(jsonb_agg(x order by x ->> 'k'), '[]'::jsonb)::text,
                                    'UTF8')), 'hex')
      into h
      from (select jsonb_build_object('k', lpad(m.position::text, 6, '0') || m.id,
                                      'module', m.id, 'title', m.title, 'position', m.position,
                                      'lessons', coalesce((select jsonb_agg(jsonb_build_object(
                                          'lesson', l.id, 'title', l.title, 'body_md', l.body_md,
                                          'video', l.video_embed_url,
                                          'duration', l.duration_minutes,
                                          'position', l.position)
                                          order by l.position, l.created_at, l.id)
                                          from lessons l where l.module_id = m.id), '[]'::jsonb),
                                      'assignments', coalesce((select jsonb_agg(
                                          to_jsonb(asg_draft_json(a)) - 'module_id'
                                          order by a.position, a.created_at, a.id)
                                          from assignments a where a.module_id = m.id),
                                          '[]'::jsonb)) || quiz_hash_part(m.id) x
              from modules m where m.programme_id = p.id) q;
    select count(*) into n from lessons l join modules m on m.id = l.module_id
     where m.programme_id = p.id;
    insert into content_versions (programme_id, version, content_hash, published_by,
                                  lessons_total)
    values (p.id, v, h, p_actor_id, n);
    insert into version_modules (programme_id, version, module_id, title, position, ordinal)
    select p.id, v, m.id, m.title, m.position,
           row_number() over (order by m.position, m.created_at, m.id)
      from modules m where m.programme_id = p.id;
    insert into version_lessons (programme_id, version, lesson_id, module_id, title, body_md,
                                 body_html, video_provider, video_embed_url, duration_minutes,
                                 position, ordinal)
    select p.id, v, l.id, l.module_id, l.title, l.body_md, p_html ->> l.id, l.video_provider,
           l.video_embed_url, l.duration_minutes, l.position,
           row_number() over (order by m.position, m.created_at, m.id,
                                       l.position, l.created_at, l.id)
      from lessons l join modules m on m.id = l.module_id
     where m.programme_id = p.id;
    insert into version_assignments (programme_id, version, assignment_id, module_id, title,
                                     instructions_md, instructions_html, submission_types,
                                     max_score, pass_score, required, rubric, position, ordinal)
    select p.id, v, a.id, a.module_id, a.title, a.instructions_md, p_html ->> a.id,
           a.submission_types, a.max_score, a.pass_score, a.required, a.rubric, a.position,
           row_number() over (order by m.position, m.created_at, m.id,
                                       a.position, a.created_at, a.id)
      from assignments a join modules m on m.id = a.module_id
     where m.programme_id = p.id;
    perform quiz_publish(p.id, v, p_html);
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'content.published',
            json_build_object('programme_id', p.id, 'version', v, 'hash', h)::jsonb);
    return sinau_ok(201, json_build_object(
        'programme_id', p.id, 'version', v, 'content_hash', h, 'lessons_total', n,
        'assignments_total', (select count(*) from version_assignments
                               where programme_id = p.id and version = v),
        'published_at', now()));
end;
$$;

create or replace function content_versions_json(p_programme_id text) returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object('version', v.version,
                                               'content_hash', v.content_hash,
                                               'published_at', v.published_at,
                                               'lessons_total', v.lessons_total)
                             order by v.version), '[]'::json)
      from content_versions v where v.programme_id = p_programme_id
$$;

-- An admin moves a cohort to another published version (never back).
create or replace function content_move_cohort(p_cohort_id text, p_version integer, p_actor_id text)
returns json
language plpgsql as $$
declare
    c cohorts;
begin
    select * into c from cohorts where id = p_cohort_id for update;
    if not found then
        return json_build_object('status', 404, 'body', json_build_object('error',
            json_build_object('code', 'not_found', 'message', 'no such cohort')));
    end if;
    if not exists (select 1 from content_versions
                    where programme_id = c.programme_id and version = p_version) then
        return json_build_object('status', 422, 'body', json_build_object('error',
            json_build_object('code', 'invalid_version', 'message', 'no such published version')));
    end if;
    if p_version < coalesce(c.content_version, 0) then
        return json_build_object('status', 409, 'body', json_build_object('error',
            json_build_object('code', 'version_older',
                              'message', 'a cohort only moves to a newer version')));
    end if;
    update cohorts set content_version = p_version where id = c.id returning * into c;
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'cohort.content_moved',
            json_build_object('cohort_id', c.id, 'version', p_version)::jsonb);
    return json_build_object('status', 200, 'body', reg_cohort_json(c));
end;
$$;

-- ---- authoring the draft: {status, body}; 404 for non-authors ----

create or replace function content_not_found(p_what text) returns json
language sql immutable as $$
    select json_build_object('status', 404, 'body', json_build_object('error',
        json_build_object('code', 'not_found', 'message', 'no such ' || p_what)))
$$;

create or replace function content_module_json(m modules) returns json
language sql stable as $$
    select json_build_object('id', m.id, 'programme_id', m.programme_id, 'title', m.title,
                             'position', m.position)
$$;

create or replace function content_lesson_json(l lessons) returns json
language sql stable as $$
    select json_build_object('id', l.id, 'module_id', l.module_id, 'title', l.title,
                             'body_md', l.body_md, 'video_url', l.video_url,
                             'video', case when l.video_provider is null then null
                                           else json_build_object('provider', l.video_provider,
                                                                  'embed_url', l.video_embed_url)
                                      end,
                             'duration_minutes', l.duration_minutes, 'position', l.position)
$$;

-- The programme of a draft module / lesson, locked for the edit, when the
-- caller may author it; null otherwise (the caller answers 404).
create or replace function content_module_programme(p_id text, p_user_id text, p_role text)
returns text
language plpgsql as $$
declare
    m modules;
begin
    select * into m from modules where id = p_id for update;
    if found and content_can_author(m.programme_id, p_user_id, p_role) then
        return m.programme_id;
    end if;
    return null;
end;
$$;

create or replace function content_lesson_programme(p_id text, p_user_id text, p_role text)
returns text
language plpgsql as $$
declare
    prog text;
begin
    select m.programme_id into prog from lessons l join modules m on m.id = l.module_id
     where l.id = p_id for update of l;
    if prog is not null and content_can_author(prog, p_user_id, p_role) then
        return prog;
    end if;
    return null;
end;
$$;

create or replace function content_module_create(p_slug text, p_title text, p_position integer,
                                      p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    p programmes;
    m modules;
begin
    select * into p from programmes where slug = p_slug;
    if not found or not content_can_author(p.id, p_user_id, p_role) then
        return content_not_found('programme');
    end if;
    insert into modules (programme_id, title, position)
    values (p.id, p_title,
            coalesce(p_position, (select coalesce(max(position) + 1, 0) from modules
                                   where programme_id = p.id)))
    returning * into m;
    perform content_bump_draft(p.id);
    return json_build_object('status', 201, 'body', content_module_json(m));
end;
$$;

-- p_changes: {title?, position?}
create or replace function content_module_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    m modules;
begin
    if content_module_programme(p_id, p_user_id, p_role) is null then
        return content_not_found('module');
    end if;
    update modules
       set title = case when p_changes ? 'title' then p_changes ->> 'title' else title end,
           position = case when p_changes ? 'position' then (p_changes ->> 'position')::integer
                           else position end
     where id = p_id
    returning * into m;
    perform content_bump_draft(m.programme_id);
    return json_build_object('status', 200, 'body', content_module_json(m));
end;
$$;

create or replace function content_module_delete(p_id text, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_module_programme(p_id, p_user_id, p_role);
begin
    if prog is null then
        return content_not_found('module');
    end if;
    delete from modules where id = p_id;
    perform content_bump_draft(prog);
    return json_build_object('status', 204, 'body', null);
end;
$$;

-- p_fields: {title, body_md, video_url, video_provider, video_embed_url,
-- duration_minutes, position} (absent members: defaults)
create or replace function content_lesson_create(p_module_id text, p_fields jsonb, p_user_id text,
                                      p_role text)
returns json
language plpgsql as $$
declare
    m modules;
    l lessons;
begin
    select * into m from modules where id = p_module_id;
    if not found or not content_can_author(m.programme_id, p_user_id, p_role) then
        return content_not_found('module');
    end if;
    insert into lessons (module_id, title, body_md, video_url, video_provider, video_embed_url,
                         duration_minutes, position)
    values (m.id, p_fields ->> 'title', coalesce(p_fields ->> 'body_md', ''),
            p_fields ->> 'video_url', p_fields ->> 'video_provider',
            p_fields ->> 'video_embed_url', (p_fields ->> 'duration_minutes')::integer,
            coalesce((p_fields ->> 'position')::integer,
                     (select coalesce(max(position) + 1, 0) from lessons
                       where module_id = m.id)))
    returning * into l;
    perform content_bump_draft(m.programme_id);
    return json_build_object('status', 201, 'body', content_lesson_json(l));
end;
$$;

create or replace function content_lesson_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    l lessons;
    prog text := content_lesson_programme(p_id, p_user_id, p_role);
begin
    if prog is null then
        return content_not_found('lesson');
    end if;
    update lessons
       set title = case when p_changes ? 'title' then p_changes ->> 'title' else title end,
           body_md = case when p_changes ? 'body_md' then p_changes ->> 'body_md' else body_md end,
           video_url = case when p_changes ? 'video_url' then p_changes ->> 'video_url'
                            else video_url end,
           video_provider = case when p_changes ? 'video_url' then p_changes ->> 'video_provider'
                                 else video_provider end,
           video_embed_url = case when p_changes ? 'video_url'
                                  then p_changes ->> 'video_embed_url' else video_embed_url end,
           duration_minutes = case when p_changes ? 'duration_minutes'
                                   then (p_changes ->> 'duration_minutes')::integer
                                   else duration_minutes end,
           position = case when p_changes ? 'position' then (p_changes ->> 'position')::integer
                           else position end
     where id = p_id
    returning * into l;
    perform content_bump_draft(prog);
    return json_build_object('status', 200, 'body', content_lesson_json(l));
end;
$$;

create or replace function content_lesson_delete(p_id text, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_lesson_programme(p_id, p_user_id, p_role);
begin
    if prog is null then
        return content_not_found('lesson');
    end if;
    delete from lessons where id = p_id;
    perform content_bump_draft(prog);
    return json_build_object('status', 204, 'body', null);
end;
$$;
