-- functions/content.sql — content: who may author a programme, the draft
-- (modules, lessons), publishing it as an immutable version, moving a cohort
-- to a newer one (schema: migrations/0004).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- ---- who may do what ----

-- Authors of a programme's content: admins, the instructors an admin named
-- as its authors, and the instructors of any of its cohorts.
create or replace function content_can_author(p_programme_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_role = 'admin'
        or (auth_is_staff_now(p_user_id)
            and (exists (select 1 from programme_authors pa
                          where pa.programme_id = p_programme_id and pa.user_id = p_user_id)
                 or exists (select 1 from cohort_instructors ci join cohorts c on c.id = ci.cohort_id
                             where c.programme_id = p_programme_id and ci.user_id = p_user_id)))
$$;

-- The files attached to a draft lesson (those not removed), oldest first.
create or replace function content_attachments_json(p_lesson_id text) returns json
language sql stable as $$
    select coalesce(json_agg(content_attachment_json(a) order by a.created_at, a.id), '[]'::json)
      from lesson_attachments a where a.lesson_id = p_lesson_id and a.removed_at is null
$$;

create or replace function content_attachment_json(a lesson_attachments) returns json
language sql stable as $$
    select json_build_object('id', a.id, 'name', a.original_name, 'content_type', a.content_type,
                             'size', a.size_bytes, 'sha256', a.sha256,
                             'url', '/api/v1/attachments/' || a.id)
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
                                    'position', l.position,
                                    'attachments', content_attachments_json(l.id))
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
    p := sinau_found((select x from programmes x where x.id = p_programme_id for update),
                     'programme');
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
                                          'position', l.position,
                                          'attachments', (select jsonb_agg(a.sha256
                                                                   order by a.created_at, a.id)
                                                            from lesson_attachments a
                                                           where a.lesson_id = l.id
                                                             and a.removed_at is null))
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
                                     max_score, pass_score, required, rubric, position, ordinal,
                                     max_attempts)
    select p.id, v, a.id, a.module_id, a.title, a.instructions_md, p_html ->> a.id,
           a.submission_types, a.max_score, a.pass_score, a.required, a.rubric, a.position,
           row_number() over (order by m.position, m.created_at, m.id,
                                       a.position, a.created_at, a.id),
           a.max_attempts
      from assignments a join modules m on m.id = a.module_id
     where m.programme_id = p.id;
    perform quiz_publish(p.id, v, p_html);
    insert into version_lesson_attachments (programme_id, version, lesson_id, attachment_id,
                                            position)
    select p.id, v, a.lesson_id, a.id, row_number() over (partition by a.lesson_id
                                                          order by a.created_at, a.id)
      from lesson_attachments a join lessons l on l.id = a.lesson_id
      join modules m on m.id = l.module_id
     where m.programme_id = p.id and a.removed_at is null;
    -- cohorts made before anything was published follow the first version
    with pinned as (update cohorts set content_version = v
                     where programme_id = p.id and content_version is null returning id)
    select count(*) into n from pinned;
    perform sinau_audit(p_actor_id, 'content.published',
                        json_build_object('programme_id', p.id, 'version', v, 'hash', h,
                                          'cohorts_pinned', n)::jsonb);
    select count(*) into n from lessons l join modules m on m.id = l.module_id
     where m.programme_id = p.id;
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

-- Has the cohort started (its first day, in Malang's time)?
create or replace function content_cohort_started(c cohorts) returns boolean
language sql stable as $$
    select (now() at time zone 'Asia/Jakarta')::date >= c.starts_on
$$;

-- Moves a cohort to another published version (never back): admins any
-- cohort, the cohort's instructors one that has not started (409
-- cohort_started after); 404 for everyone else.
create or replace function content_move_cohort(p_cohort_id text, p_version integer, p_user_id text,
                                               p_role text)
returns json
language plpgsql as $$
declare
    c cohorts;
    was integer;
begin
    select * into c from cohorts where id = p_cohort_id for update;
    if not found or not asg_is_staff(p_cohort_id, p_user_id, p_role) then
        return content_not_found('cohort');
    end if;
    if p_role <> 'admin' and content_cohort_started(c) then
        return sinau_error(409, 'cohort_started',
                           'the cohort has started; only an admin can move it now');
    end if;
    if not exists (select 1 from content_versions
                    where programme_id = c.programme_id and version = p_version) then
        return sinau_error(422, 'invalid_version', 'no such published version');
    end if;
    if p_version < coalesce(c.content_version, 0) then
        return sinau_error(409, 'version_older', 'a cohort only moves to a newer version');
    end if;
    was := c.content_version;
    update cohorts set content_version = p_version where id = c.id returning * into c;
    perform sinau_audit(p_user_id, 'cohort.content_moved',
                        json_build_object('cohort_id', c.id, 'from', was,
                                          'version', p_version)::jsonb);
    return sinau_ok(200, reg_cohort_json(c));
end;
$$;

-- What moving a cohort from its version to version p_to changes, for the
-- cohort's staff: modules, lessons, assignments and quizzes added, removed
-- and edited (same id, other content), each {id, title}. {status, body}.
create or replace function content_version_changes(p_cohort_id text, p_to integer, p_user_id text,
                                                   p_role text)
returns json
language plpgsql stable as $$
declare
    c cohorts;
begin
    select * into c from cohorts where id = p_cohort_id;
    if not found or not asg_is_staff(p_cohort_id, p_user_id, p_role) then
        return content_not_found('cohort');
    end if;
    if not exists (select 1 from content_versions
                    where programme_id = c.programme_id and version = p_to) then
        return sinau_error(422, 'invalid_version', 'no such published version');
    end if;
    return sinau_ok(200, json_build_object(
        'cohort_id', c.id, 'from', c.content_version, 'to', p_to,
        'started', content_cohort_started(c),
        'modules', content_diff(content_version_modules(c.programme_id, c.content_version),
                                content_version_modules(c.programme_id, p_to)),
        'lessons', content_diff(content_version_lessons(c.programme_id, c.content_version),
                                content_version_lessons(c.programme_id, p_to)),
        'assignments', content_diff(content_version_assignments(c.programme_id,
                                                                c.content_version),
                                    content_version_assignments(c.programme_id, p_to)),
        'quizzes', content_diff(quiz_version_list(c.programme_id, c.content_version),
                                quiz_version_list(c.programme_id, p_to))));
end;
$$;

-- A version's modules as [{id, title, sig}] (content_diff's lists): a
-- module is its title.
create or replace function content_version_modules(p_programme_id text, p_version integer)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object('id', m.module_id, 'title', m.title,
                                                 'sig', m.title) order by m.ordinal), '[]')
      from version_modules m where m.programme_id = p_programme_id and m.version = p_version
$$;

-- A version's lessons as [{id, title, sig}], sig standing for everything a
-- reader sees (title, text, video, length, handouts).
create or replace function content_version_lessons(p_programme_id text, p_version integer)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'id', l.lesson_id, 'title', l.title,
               'sig', md5(concat_ws(chr(31), l.title, l.body_md, l.video_embed_url,
                                    l.duration_minutes::text, l.module_id,
                                    (select string_agg(va.attachment_id, ',' order by va.position)
                                       from version_lesson_attachments va
                                      where va.programme_id = l.programme_id
                                        and va.version = l.version
                                        and va.lesson_id = l.lesson_id))))
               order by l.ordinal), '[]')
      from version_lessons l where l.programme_id = p_programme_id and l.version = p_version
$$;

create or replace function content_version_assignments(p_programme_id text, p_version integer)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'id', a.assignment_id, 'title', a.title,
               'sig', md5(concat_ws(chr(31), a.title, a.instructions_md,
                                    array_to_string(a.submission_types, ','), a.max_score::text,
                                    a.pass_score::text, a.required::text, a.rubric::text,
                                    a.max_attempts::text, a.module_id)))
               order by a.ordinal), '[]')
      from version_assignments a where a.programme_id = p_programme_id and a.version = p_version
$$;

-- {added, removed, edited} between two lists of {id, title, sig}.
create or replace function content_diff(p_old jsonb, p_new jsonb) returns json
language sql immutable as $$
    select json_build_object(
        'added', coalesce((select json_agg(json_build_object('id', n ->> 'id',
                                                             'title', n ->> 'title'))
                             from jsonb_array_elements(p_new) n
                            where not exists (select 1 from jsonb_array_elements(p_old) o
                                               where o ->> 'id' = n ->> 'id')), '[]'),
        'removed', coalesce((select json_agg(json_build_object('id', o ->> 'id',
                                                               'title', o ->> 'title'))
                               from jsonb_array_elements(p_old) o
                              where not exists (select 1 from jsonb_array_elements(p_new) n
                                                 where n ->> 'id' = o ->> 'id')), '[]'),
        'edited', coalesce((select json_agg(json_build_object('id', n ->> 'id',
                                                              'title', n ->> 'title',
                                                              'was', o ->> 'title'))
                              from jsonb_array_elements(p_new) n
                              join jsonb_array_elements(p_old) o on o ->> 'id' = n ->> 'id'
                             where o ->> 'sig' <> n ->> 'sig'), '[]'))
$$;

-- ---- authors named by an admin ----

create or replace function content_authors_json(p_programme_id text) returns json
language sql stable as $$
    select json_build_object('items', coalesce(json_agg(json_build_object(
               'id', u.id, 'full_name', u.full_name, 'email', u.email, 'role', u.role,
               'added_at', pa.added_at) order by u.full_name, u.id), '[]'::json),
           'next_cursor', null)
      from programme_authors pa join users u on u.id = pa.user_id
     where pa.programme_id = p_programme_id
$$;

-- Names an instructor (or admin) an author of the programme. {status, body}.
create or replace function content_author_add(p_slug text, p_user_id text, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
    u users;
begin
    p := sinau_found((select x from programmes x where x.slug = p_slug), 'programme');
    select * into u from users where id = p_user_id and status = 'active';
    if not found or u.role not in ('instructor', 'admin') then
        return sinau_error(422, 'not_instructor', 'the user must be an active instructor or admin');
    end if;
    insert into programme_authors (programme_id, user_id, added_by)
    values (p.id, u.id, p_actor_id)
    on conflict do nothing;
    if found then
        perform sinau_audit(p_actor_id, 'programme.author_added',
                            jsonb_build_object('programme_id', p.id), u.id);
    end if;
    return sinau_ok(201, content_authors_json(p.id));
end;
$$;

create or replace function content_author_remove(p_slug text, p_user_id text, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
begin
    select * into p from programmes where slug = p_slug;
    delete from programme_authors where programme_id = p.id and user_id = p_user_id;
    if not found then
        return content_not_found('author of this programme');
    end if;
    perform sinau_audit(p_actor_id, 'programme.author_removed',
                        jsonb_build_object('programme_id', p.id), p_user_id);
    return sinau_ok(204, null);
end;
$$;

-- ---- lesson attachments ----

-- Attaches a file (type sniffed by the caller) to a draft lesson; authors
-- only. At most 20 files per lesson. {status, body}.
create or replace function content_attachment_add(p_lesson_id text, p_user_id text, p_role text,
                                                  p_name text, p_type text, p_sha256 text,
                                                  p_data bytea)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('lessons', 'lesson', p_lesson_id, p_user_id, p_role);
    a lesson_attachments;
begin
    if (select count(*) from lesson_attachments
         where lesson_id = p_lesson_id and removed_at is null) >= 20 then
        return sinau_error(409, 'too_many_attachments', 'a lesson has at most 20 files');
    end if;
    insert into lesson_attachments (programme_id, lesson_id, original_name, content_type,
                                    size_bytes, sha256, data, created_by)
    values (prog, p_lesson_id, p_name, p_type, octet_length(p_data), p_sha256, p_data, p_user_id)
    returning * into a;
    perform content_bump_draft(prog);
    return sinau_ok(201, content_attachment_json(a));
end;
$$;

-- Takes a file off its draft lesson. A published version that lists it
-- keeps it (only marked removed); otherwise it is deleted.
create or replace function content_attachment_remove(p_id text, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    a lesson_attachments;
begin
    select * into a from lesson_attachments where id = p_id and removed_at is null for update;
    if not found or not content_can_author(a.programme_id, p_user_id, p_role) then
        return content_not_found('attachment');
    end if;
    if exists (select 1 from version_lesson_attachments where attachment_id = a.id) then
        update lesson_attachments set removed_at = now() where id = a.id;
    else
        delete from lesson_attachments where id = a.id;
    end if;
    perform content_bump_draft(a.programme_id);
    return sinau_ok(204, null);
end;
$$;

-- A file for those who may read the programme's lessons: its authors, and
-- whoever may learn in one of its cohorts. No row for anyone else.
create or replace function content_attachment_get(p_id text, p_user_id text, p_role text)
returns table (stored_name text, original_name text, content_type text, sha256 text, data bytea)
language sql stable as $$
    select a.id || case a.content_type when 'image/png' then '.png'
                                       when 'image/jpeg' then '.jpg' else '.pdf' end,
           a.original_name, a.content_type, a.sha256, a.data
      from lesson_attachments a
     where a.id = p_id
       and (content_can_author(a.programme_id, p_user_id, p_role)
            or exists (select 1 from cohorts c
                        where c.programme_id = a.programme_id
                          and learn_can_access(c.id, p_user_id, p_role)))
$$;

-- ---- authoring the draft: {status, body}; 404 for non-authors ----

create or replace function content_not_found(p_what text) returns json
language sql immutable as $$
    select sinau_error(404, 'not_found', 'no such ' || p_what)
$$;

-- The position after the last of p_table's rows whose p_parent column is
-- p_parent_id (a programme's modules, a module's lessons, quizzes or
-- assignments, a quiz's questions): where a new one goes by default.
create or replace function content_next_position(p_table regclass, p_parent text,
                                                 p_parent_id text)
returns integer
language plpgsql stable as $$
declare
    n integer;
begin
    execute format('select coalesce(max(position) + 1, 0) from %s where %I = $1', p_table,
                   p_parent)
       into n using p_parent_id;
    return n;
end;
$$;

-- The rule every draft item's title follows (a table's check would say it
-- less clearly): 422 invalid_title, or null when p_title is fine.
create or replace function content_title_error(p_title text) returns json
language sql immutable as $$
    select case when p_title is null or length(p_title) not between 1 and 200
                then sinau_error(422, 'invalid_title', 'a title has 1 to 200 characters') end
$$;

-- An item of a draft (a module, an assignment, a quiz, a question) as its
-- authors see it: every column of its row but the times the row keeps.
create or replace function content_item_json(p_row anyelement) returns jsonb
language sql stable as $$
    select to_jsonb(p_row) - 'created_at' - 'updated_at'
$$;

create or replace function content_module_json(m modules) returns json
language sql stable as $$
    select content_item_json(m)::json
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

-- The programme of a draft item — a module (p_table modules), or a lesson,
-- quiz or assignment of a module — with the item locked for the edit. When
-- there is no such item or the caller may not author it, raises 404 "no
-- such p_what" (content_not_found): the one prologue of every authoring
-- function.
create or replace function content_draft_item(p_table regclass, p_what text, p_id text,
                                              p_user_id text, p_role text)
returns text
language plpgsql as $$
declare
    prog text;
begin
    execute format(case when p_table = 'modules'::regclass
                        then 'select i.programme_id from %s i where i.id = $1 for update of i'
                        else 'select m.programme_id from %s i join modules m on m.id = i.module_id'
                             || ' where i.id = $1 for update of i' end, p_table)
       into prog using p_id;
    if prog is null or not content_can_author(prog, p_user_id, p_role) then
        perform sinau_raise(content_not_found(p_what));
    end if;
    return prog;
end;
$$;

-- Takes a draft item (content_draft_item's p_table; p_what names it in a
-- 404) out of the draft. {status, body}: 204, or 404 for non-authors.
-- A composed item of the draft of programme p_prog written: p_row (of its
-- table) stored as a new row when it has no id yet, over its row otherwise
-- (sinau_insert, sinau_update), and the draft bumped. The stored row.
create or replace function content_draft_store(p_row anyelement, p_prog text) returns anyelement
language plpgsql as $$
declare
    id text := to_jsonb(p_row) ->> 'id';
    r alias for $0; -- of the actual row type (the return value)
begin
    if id is null then
        r := sinau_insert(p_row);
    else
        r := sinau_update(p_row, 'id', id, to_jsonb(p_row));
    end if;
    perform content_bump_draft(p_prog);
    return r;
end;
$$;

create or replace function content_draft_delete(p_table regclass, p_what text, p_id text,
                                                p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item(p_table, p_what, p_id, p_user_id, p_role);
begin
    execute format('delete from %s where id = $1', p_table) using p_id;
    perform content_bump_draft(prog);
    return sinau_ok(204, null);
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
            coalesce(p_position, content_next_position('modules', 'programme_id', p.id)))
    returning * into m;
    perform content_bump_draft(p.id);
    return sinau_ok(201, content_module_json(m));
end;
$$;

-- p_changes: {title?, position?}
create or replace function content_module_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    m modules;
begin
    perform content_draft_item('modules', 'module', p_id, p_user_id, p_role);
    m := sinau_update(m, 'id', p_id, p_changes, array['title', 'position']);
    perform content_bump_draft(m.programme_id);
    return sinau_ok(200, content_module_json(m));
end;
$$;

create or replace function content_module_delete(p_id text, p_user_id text, p_role text) returns json
language sql as $$
    select content_draft_delete('modules', 'module', p_id, p_user_id, p_role)
$$;

-- p_fields: {title, body_md, video_url, video_provider, video_embed_url,
-- duration_minutes, position} (absent members: defaults)
create or replace function content_lesson_create(p_module_id text, p_fields jsonb, p_user_id text,
                                      p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('modules', 'module', p_module_id, p_user_id, p_role);
    l lessons;
begin
    insert into lessons (module_id, title, body_md, video_url, video_provider, video_embed_url,
                         duration_minutes, position)
    values (p_module_id, p_fields ->> 'title', coalesce(p_fields ->> 'body_md', ''),
            p_fields ->> 'video_url', p_fields ->> 'video_provider',
            p_fields ->> 'video_embed_url', (p_fields ->> 'duration_minutes')::integer,
            coalesce((p_fields ->> 'position')::integer,
                     content_next_position('lessons', 'module_id', p_module_id)))
    returning * into l;
    perform content_bump_draft(prog);
    return sinau_ok(201, content_lesson_json(l));
end;
$$;

create or replace function content_lesson_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    l lessons;
    prog text := content_draft_item('lessons', 'lesson', p_id, p_user_id, p_role);
begin
    -- a new video_url comes with its provider and embed (null: none)
    l := sinau_update(l, 'id', p_id,
                      p_changes || case when p_changes ? 'video_url' then jsonb_build_object(
                          'video_provider', p_changes -> 'video_provider',
                          'video_embed_url', p_changes -> 'video_embed_url') else '{}' end,
                      array['title', 'body_md', 'video_url', 'video_provider', 'video_embed_url',
                            'duration_minutes', 'position']);
    perform content_bump_draft(prog);
    return sinau_ok(200, content_lesson_json(l));
end;
$$;

create or replace function content_lesson_delete(p_id text, p_user_id text, p_role text) returns json
language sql as $$
    select content_draft_delete('lessons', 'lesson', p_id, p_user_id, p_role)
$$;
