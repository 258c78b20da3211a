-- 0004_content: a programme's content as an editable draft and immutable
-- published versions; cohorts pinned to a version; progress; live sessions
-- and attendance.
--
-- Modules and lessons keep their draft id in every version (the version
-- decides their content), so progress keyed by lesson id survives a move to
-- a newer version. Published rows can never change: a trigger refuses
-- UPDATE and DELETE on them, and each version records a hash of its content.

alter table programmes add column draft_rev bigint not null default 0;

create table modules (
    id text primary key default sinau_new_id(),
    programme_id text not null references programmes (id) on delete cascade,
    title text not null,
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint modules_title_check check (length(title) between 1 and 200),
    constraint modules_position_check check (position between 0 and 100000)
);
create index modules_programme_idx on modules (programme_id, position);
create trigger modules_touch before update on modules
    for each row execute function sinau_touch_updated_at();

create table lessons (
    id text primary key default sinau_new_id(),
    module_id text not null references modules (id) on delete cascade,
    title text not null,
    body_md text not null default '',
    video_url text,
    video_provider text,
    video_embed_url text,
    duration_minutes integer,
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint lessons_title_check check (length(title) between 1 and 200),
    constraint lessons_body_check check (octet_length(body_md) <= 65536),
    constraint lessons_video_check check ((video_url is null) = (video_provider is null)
                                          and (video_url is null) = (video_embed_url is null)),
    constraint lessons_provider_check check (video_provider in ('youtube', 'tiktok')),
    constraint lessons_duration_check check (duration_minutes between 0 and 1440),
    constraint lessons_position_check check (position between 0 and 100000)
);
create index lessons_module_idx on lessons (module_id, position);
create trigger lessons_touch before update on lessons
    for each row execute function sinau_touch_updated_at();

create table content_versions (
    programme_id text not null references programmes (id) on delete cascade,
    version integer not null,
    content_hash text not null,
    published_at timestamptz not null default now(),
    published_by text references users (id) on delete set null,
    lessons_total integer not null,
    primary key (programme_id, version),
    constraint content_versions_version_check check (version >= 1),
    constraint content_versions_hash_check check (content_hash ~ '^[0-9a-f]{64}$')
);
create index content_versions_published_by_idx on content_versions (published_by);

create table version_modules (
    programme_id text not null,
    version integer not null,
    module_id text not null,
    title text not null,
    position integer not null,
    ordinal integer not null, -- reading order of the modules, from 1
    primary key (programme_id, version, module_id),
    constraint version_modules_version_fkey foreign key (programme_id, version)
        references content_versions (programme_id, version) on delete cascade
);

create table version_lessons (
    programme_id text not null,
    version integer not null,
    lesson_id text not null,
    module_id text not null,
    title text not null,
    body_md text not null,
    body_html text not null,
    video_provider text,
    video_embed_url text,
    duration_minutes integer,
    position integer not null,
    ordinal integer not null, -- reading order across the whole version, from 1
    primary key (programme_id, version, lesson_id),
    constraint version_lessons_module_fkey foreign key (programme_id, version, module_id)
        references version_modules (programme_id, version, module_id) on delete cascade
);
create index version_lessons_order_idx on version_lessons (programme_id, version, ordinal);
create index version_lessons_module_idx on version_lessons (programme_id, version, module_id);

-- Published content is immutable: only the programme's deletion (cascade)
-- may remove it.
create function content_refuse_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' and not exists (select 1 from programmes where id = old.programme_id) then
        return old; -- the programme itself is being deleted
    end if;
    raise exception 'published content is immutable (%.%)', tg_table_name, tg_op
        using errcode = 'restrict_violation';
end;
$$;
create trigger version_modules_immutable before update or delete on version_modules
    for each row execute function content_refuse_change();
create trigger version_lessons_immutable before update or delete on version_lessons
    for each row execute function content_refuse_change();
create trigger content_versions_immutable before update or delete on content_versions
    for each row execute function content_refuse_change();

-- Cohorts are pinned to a published version of their programme.
alter table cohorts add column content_version integer;
alter table cohorts add constraint cohorts_content_version_fkey
    foreign key (programme_id, content_version)
    references content_versions (programme_id, version) on delete restrict;
create index cohorts_content_version_idx on cohorts (programme_id, content_version);

create table lesson_progress (
    cohort_id text not null references cohorts (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    lesson_id text not null,
    completed_at timestamptz not null default now(),
    primary key (cohort_id, user_id, lesson_id)
);
create index lesson_progress_user_idx on lesson_progress (user_id);

create table cohort_sessions (
    id text primary key default sinau_new_id(),
    cohort_id text not null references cohorts (id) on delete cascade,
    title text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    place text,
    online_url text,
    checkin_code text,
    checkin_expires_at timestamptz,
    created_at timestamptz not null default now(),
    constraint cohort_sessions_title_check check (length(title) between 1 and 200),
    constraint cohort_sessions_time_check check (ends_at > starts_at),
    constraint cohort_sessions_place_check check (length(place) <= 300),
    constraint cohort_sessions_url_check check (online_url ~ '^https?://' and length(online_url) <= 2000),
    constraint cohort_sessions_code_check check ((checkin_code is null) = (checkin_expires_at is null)
                                                 and checkin_code ~ '^[0-9]{6}$')
);
create index cohort_sessions_cohort_idx on cohort_sessions (cohort_id, starts_at);

create table attendance (
    session_id text not null references cohort_sessions (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    checked_in_at timestamptz not null default now(),
    primary key (session_id, user_id)
);
create index attendance_user_idx on attendance (user_id);

create table checkin_failures (
    id bigint generated always as identity primary key,
    session_id text not null references cohort_sessions (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    at timestamptz not null default now()
);
create index checkin_failures_idx on checkin_failures (session_id, user_id);
create index checkin_failures_user_idx on checkin_failures (user_id);

-- ---- who may do what ----

-- Authors of a programme's content: admins and the instructors of any of
-- its cohorts.
create function content_can_author(p_programme_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_role = 'admin'
        or exists (select 1 from cohort_instructors ci join cohorts c on c.id = ci.cohort_id
                    where c.programme_id = p_programme_id and ci.user_id = p_user_id)
$$;

-- Who may learn in a cohort: its confirmed participants, its instructors,
-- admins. Everyone else sees nothing (404), signed in or not.
create function learn_can_access(p_cohort_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_user_id is not null
       and (p_role = 'admin'
            or exists (select 1 from cohort_instructors
                        where cohort_id = p_cohort_id and user_id = p_user_id)
            or exists (select 1 from registrations
                        where cohort_id = p_cohort_id and user_id = p_user_id
                          and status = 'confirmed'))
$$;

-- ---- the draft ----

create function content_draft_json(p_programme_id text) returns json
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
                                    from lessons l where l.module_id = m.id), '[]'::json))
                      order by m.position, m.created_at, m.id)
                      from modules m where m.programme_id = p.id), '[]'::json))
      from programmes p where p.id = p_programme_id
$$;

create function content_bump_draft(p_programme_id text) returns void
language sql as $$
    update programmes set draft_rev = draft_rev + 1 where id = p_programme_id
$$;

-- ---- publishing ----

-- Publishes the draft as the next version, with the lessons' HTML rendered
-- by the server (p_html: {lesson_id: html}) from the draft revision
-- p_draft_rev; refused (409) when the draft changed meanwhile. The content
-- hash covers every module and lesson of the version, Markdown included.
create function content_publish(p_programme_id text, p_draft_rev bigint, p_html jsonb,
                                p_actor_id text)
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
        return json_build_object('status', 404, 'body', json_build_object('error',
            json_build_object('code', 'not_found', 'message', 'no such programme')));
    end if;
    if p.draft_rev <> p_draft_rev then
        return json_build_object('status', 409, 'body', json_build_object('error',
            json_build_object('code', 'draft_changed',
                              'message', 'the draft changed while publishing; try again')));
    end if;
    if exists (select 1 from lessons l join modules m on m.id = l.module_id
                where m.programme_id = p.id and not p_html ? l.id) then
        return json_build_object('status', 409, 'body', json_build_object('error',
            json_build_object('code', 'draft_changed',
                              'message', 'the draft changed while publishing; try again')));
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
                                          from lessons l where l.module_id = m.id), '[]'::jsonb)) x
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
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'content.published',
            json_build_object('programme_id', p.id, 'version', v, 'hash', h)::jsonb);
    return json_build_object('status', 201, 'body', json_build_object(
        'programme_id', p.id, 'version', v, 'content_hash', h, 'lessons_total', n,
        'published_at', now()));
end;
$$;

create function content_versions_json(p_programme_id text) returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object('version', v.version,
                                               'content_hash', v.content_hash,
                                               'published_at', v.published_at,
                                               'lessons_total', v.lessons_total)
                             order by v.version), '[]'::json)
      from content_versions v where v.programme_id = p_programme_id
$$;

-- ---- learning ----

-- The module tree of a cohort's version with the caller's progress; null
-- when the caller may not learn there.
create function learn_modules(p_cohort_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select json_build_object(
        'cohort_id', c.id, 'content_version', c.content_version,
        'modules', coalesce((select json_agg(json_build_object(
            'id', m.module_id, 'title', m.title, 'position', m.position,
            'lessons', coalesce((select json_agg(json_build_object(
                'id', l.lesson_id, 'title', l.title, 'duration_minutes', l.duration_minutes,
                'has_video', l.video_provider is not null,
                'completed', exists (select 1 from lesson_progress lp
                                      where lp.cohort_id = c.id and lp.user_id = p_user_id
                                        and lp.lesson_id = l.lesson_id))
                order by l.ordinal)
                from version_lessons l
               where l.programme_id = m.programme_id and l.version = m.version
                 and l.module_id = m.module_id), '[]'::json))
            order by m.ordinal)
            from version_modules m
           where m.programme_id = c.programme_id and m.version = c.content_version),
            '[]'::json))
      from cohorts c
     where c.id = p_cohort_id and learn_can_access(c.id, p_user_id, p_role)
$$;

-- Progress of one participant in a cohort, against the cohort's version.
create function learn_progress(p_cohort_id text, p_user_id text) returns json
language sql stable as $$
    with total as (
        select count(*) as n from cohorts c join version_lessons l
            on l.programme_id = c.programme_id and l.version = c.content_version
         where c.id = p_cohort_id
    ), done as (
        select count(*) as n from cohorts c
          join version_lessons l on l.programme_id = c.programme_id
                                and l.version = c.content_version
          join lesson_progress lp on lp.cohort_id = c.id and lp.lesson_id = l.lesson_id
                                 and lp.user_id = p_user_id
         where c.id = p_cohort_id
    )
    select json_build_object(
        'percent', case when total.n = 0 then 0
                        else round(100.0 * done.n / total.n, 1) end,
        'lessons_completed', done.n, 'lessons_total', total.n,
        'assignments', '[]'::json)
      from total, done
$$;

-- Marks a lesson complete (idempotent). {status, body}.
create function learn_complete(p_cohort_id text, p_lesson_id text, p_user_id text,
                               p_role text)
returns json
language plpgsql as $$
begin
    if not learn_can_access(p_cohort_id, p_user_id, p_role)
       or not exists (select 1 from cohorts c join version_lessons l
                          on l.programme_id = c.programme_id and l.version = c.content_version
                       where c.id = p_cohort_id and l.lesson_id = p_lesson_id) then
        return json_build_object('status', 404, 'body', json_build_object('error',
            json_build_object('code', 'not_found', 'message', 'no such lesson')));
    end if;
    insert into lesson_progress (cohort_id, user_id, lesson_id)
    values (p_cohort_id, p_user_id, p_lesson_id)
    on conflict do nothing;
    return json_build_object('status', 200, 'body', learn_progress(p_cohort_id, p_user_id));
end;
$$;

-- ---- cohorts and versions ----

-- Cohorts now carry their content version (API.md: a cohort is pinned to a
-- published version, by default the latest at creation; none published →
-- 422 no_published_version, raised as check_violation with that message).
create or replace function reg_cohort_json(c cohorts) returns json
language sql stable as $$
    select json_build_object(
        'id', c.id, 'programme_id', c.programme_id,
        'programme_slug', (select slug from programmes where id = c.programme_id),
        'programme_title', (select title from programmes where id = c.programme_id),
        'name', c.name, 'content_version', c.content_version,
        'registration_opens_at', c.registration_opens_at,
        'registration_closes_at', c.registration_closes_at,
        'registration_open', now() >= c.registration_opens_at and now() < c.registration_closes_at,
        'starts_on', c.starts_on, 'ends_on', c.ends_on, 'jp', c.jp,
        'residency_prefix', c.residency_prefix, 'spillover_at', c.spillover_at,
        'offer_ttl_s', c.offer_ttl_s, 'certificate_rules', c.certificate_rules,
        'segments', reg_segments_json(c.id),
        'instructors', coalesce((select json_agg(json_build_object('id', u.id,
                                                                   'full_name', u.full_name)
                                                 order by u.full_name)
                                   from cohort_instructors ci join users u on u.id = ci.user_id
                                  where ci.cohort_id = c.id), '[]'::json))
$$;

create or replace function reg_programme_json(p programmes, p_all_cohorts boolean) returns json
language sql stable as $$
    select json_build_object(
        'id', p.id, 'slug', p.slug, 'title', p.title, 'description', p.description,
        'created_at', p.created_at,
        'versions', content_versions_json(p.id),
        'cohorts', coalesce((select json_agg(reg_cohort_json(c)
                                             order by c.registration_opens_at, c.id)
                               from cohorts c
                              where c.programme_id = p.id
                                and (p_all_cohorts or c.ends_on >= current_date)), '[]'::json))
$$;

create or replace function reg_cohort_create(p_slug text, p_body jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
    c cohorts;
    seg jsonb;
    v integer;
begin
    select * into p from programmes where slug = p_slug;
    if not found then
        return null;
    end if;
    v := coalesce((p_body ->> 'content_version')::integer,
                  (select max(version) from content_versions where programme_id = p.id));
    if v is null then
        raise exception 'no_published_version' using errcode = 'check_violation',
            constraint = 'no_published_version';
    end if;
    if not exists (select 1 from content_versions where programme_id = p.id and version = v) then
        raise exception 'invalid_content_version' using errcode = 'check_violation',
            constraint = 'invalid_content_version';
    end if;
    insert into cohorts (programme_id, name, registration_opens_at, registration_closes_at,
                         starts_on, ends_on, jp, residency_prefix, spillover_at, offer_ttl_s,
                         certificate_rules, content_version)
    values (p.id, p_body ->> 'name', (p_body ->> 'registration_opens_at')::timestamptz,
            (p_body ->> 'registration_closes_at')::timestamptz,
            (p_body ->> 'starts_on')::date, (p_body ->> 'ends_on')::date,
            (p_body ->> 'jp')::integer, p_body ->> 'residency_prefix',
            (p_body ->> 'spillover_at')::timestamptz, (p_body ->> 'offer_ttl_s')::integer,
            coalesce(p_body -> 'certificate_rules', '{}'::jsonb), v)
    returning * into c;
    for seg in select * from jsonb_array_elements(p_body -> 'segments') loop
        insert into cohort_segments (cohort_id, segment, quota, waitlist)
        values (c.id, seg ->> 'segment', (seg ->> 'quota')::integer,
                coalesce((seg ->> 'waitlist')::boolean, true));
    end loop;
    insert into audit_log (actor_id, action, details)
    values (p_actor_id, 'cohort.created',
            json_build_object('id', c.id, 'content_version', v)::jsonb);
    return reg_cohort_json(c);
end;
$$;

-- An admin moves a cohort to another published version (never back).
create function content_move_cohort(p_cohort_id text, p_version integer, p_actor_id text)
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

-- ---- live sessions and attendance ----

create function learn_session_json(s cohort_sessions, p_show_code boolean) returns json
language sql stable as $$
    select json_build_object('id', s.id, 'cohort_id', s.cohort_id, 'title', s.title,
                             'starts_at', s.starts_at, 'ends_at', s.ends_at, 'place', s.place,
                             'online_url', s.online_url,
                             'checkin_open', coalesce(s.checkin_expires_at > now(), false),
                             'checkin_code', case when p_show_code and s.checkin_expires_at > now()
                                                  then s.checkin_code end,
                             'checkin_expires_at', case when s.checkin_expires_at > now()
                                                        then s.checkin_expires_at end)
$$;

-- Check-in with the code the instructor shows: confirmed participants only;
-- wrong codes are counted and, past 10 per session, refused outright.
create function learn_checkin(p_session_id text, p_user_id text, p_code text)
returns json
language plpgsql as $$
declare
    s cohort_sessions;
    fails integer;
begin
    -- one participant's attempts on one session are taken one at a time, so
    -- that the limit on wrong codes holds under concurrent guesses
    perform pg_advisory_xact_lock(hashtext('checkin:' || p_session_id),
                                  hashtext(coalesce(p_user_id, '')));
    select * into s from cohort_sessions where id = p_session_id;
    if not found or not exists (select 1 from registrations
                                 where cohort_id = s.cohort_id and user_id = p_user_id
                                   and status = 'confirmed') then
        return json_build_object('status', 404, 'body', json_build_object('error',
            json_build_object('code', 'not_found', 'message', 'no such session')));
    end if;
    select count(*) into fails from checkin_failures
     where session_id = s.id and user_id = p_user_id;
    if fails >= 10 then
        return json_build_object('status', 429, 'body', json_build_object('error',
            json_build_object('code', 'too_many_attempts',
                              'message', 'too many wrong codes for this session')));
    end if;
    if s.checkin_code is null or s.checkin_code <> p_code then
        insert into checkin_failures (session_id, user_id) values (s.id, p_user_id);
        return json_build_object('status', 422, 'body', json_build_object('error',
            json_build_object('code', 'invalid_code', 'message', 'this code is not right')));
    end if;
    if s.checkin_expires_at <= now() then
        return json_build_object('status', 409, 'body', json_build_object('error',
            json_build_object('code', 'code_expired', 'message', 'the check-in has closed')));
    end if;
    insert into attendance (session_id, user_id) values (s.id, p_user_id)
    on conflict do nothing;
    return json_build_object('status', 200, 'body', json_build_object(
        'session_id', s.id, 'checked_in', true,
        'attended', (select count(*) from attendance a join cohort_sessions cs
                         on cs.id = a.session_id
                      where cs.cohort_id = s.cohort_id and a.user_id = p_user_id),
        'sessions', (select count(*) from cohort_sessions where cohort_id = s.cohort_id)));
end;
$$;

-- Attendance per participant of a cohort (confirmed registrations).
create function learn_attendance(p_cohort_id text) returns json
language sql stable as $$
    select json_build_object(
        'sessions', (select count(*) from cohort_sessions where cohort_id = p_cohort_id),
        'items', coalesce((select json_agg(json_build_object(
                     'user', json_build_object('id', u.id, 'full_name', u.full_name),
                     'attended', (select count(*) from attendance a
                                    join cohort_sessions s on s.id = a.session_id
                                   where s.cohort_id = p_cohort_id and a.user_id = u.id))
                     order by u.full_name, u.id)
                     from registrations r join users u on u.id = r.user_id
                    where r.cohort_id = p_cohort_id and r.status = 'confirmed'), '[]'::json))
$$;

-- ---- authoring the draft: {status, body}; 404 for non-authors ----

create function content_not_found(p_what text) returns json
language sql immutable as $$
    select json_build_object('status', 404, 'body', json_build_object('error',
        json_build_object('code', 'not_found', 'message', 'no such ' || p_what)))
$$;

create function content_module_json(m modules) returns json
language sql stable as $$
    select json_build_object('id', m.id, 'programme_id', m.programme_id, 'title', m.title,
                             'position', m.position)
$$;

create function content_lesson_json(l lessons) returns json
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
create function content_module_programme(p_id text, p_user_id text, p_role text)
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

create function content_lesson_programme(p_id text, p_user_id text, p_role text)
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

create function content_module_create(p_slug text, p_title text, p_position integer,
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
create function content_module_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
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

create function content_module_delete(p_id text, p_user_id text, p_role text)
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
create function content_lesson_create(p_module_id text, p_fields jsonb, p_user_id text,
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

create function content_lesson_update(p_id text, p_changes jsonb, p_user_id text, p_role text)
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

create function content_lesson_delete(p_id text, p_user_id text, p_role text)
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
