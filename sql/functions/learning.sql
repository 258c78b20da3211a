-- functions/learning.sql — learning: who may learn in a cohort, the module
-- tree with the caller's progress, lessons, completion, live sessions and
-- attendance (schema: migrations/0004).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- Who may learn in a cohort: its confirmed participants, its instructors,
-- admins. Everyone else sees nothing (404), signed in or not.
create or replace function learn_can_access(p_cohort_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_user_id is not null
       and (p_role = 'admin'
            or auth_instructs(p_cohort_id, p_user_id)
            or exists (select 1 from registrations
                        where cohort_id = p_cohort_id and user_id = p_user_id
                          and status = 'confirmed'))
$$;

-- The answer of every learning route while a cohort follows no published
-- version yet (it was made before its programme's first publish).
create or replace function learn_unpublished() returns json
language sql immutable as $$
    select sinau_error(422, 'no_published_version',
                       'the content of this cohort is not published yet')
$$;

-- ---- learning: the module tree and progress now show assignments ----

create or replace function learn_modules(p_cohort_id text, p_user_id text, p_role text)
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
                 and l.module_id = m.module_id), '[]'::json),
            'assignments', coalesce((select json_agg(json_build_object(
                'id', a.assignment_id, 'title', a.title, 'required', a.required,
                'max_score', a.max_score, 'due_at', ca.due_at, 'cutoff_at', ca.cutoff_at,
                'status', coalesce((select case when exists (select 1 from grades g
                                                              where g.submission_id = s.id)
                                                then 'graded' else 'submitted' end
                                      from submissions s
                                     where s.cohort_id = c.id
                                       and s.assignment_id = a.assignment_id
                                       and s.user_id = p_user_id
                                     order by s.version desc limit 1), 'missing'))
                order by a.ordinal)
                from version_assignments a
                left join cohort_assignments ca
                  on ca.cohort_id = c.id and ca.assignment_id = a.assignment_id
               where a.programme_id = m.programme_id and a.version = m.version
                 and a.module_id = m.module_id), '[]'::json),
            'quizzes', quiz_module_items(c.id, m.programme_id, m.version, m.module_id, p_user_id))
            order by m.ordinal)
            from version_modules m
           where m.programme_id = c.programme_id and m.version = c.content_version),
            '[]'::json))
      from cohorts c
     where c.id = p_cohort_id and learn_can_access(c.id, p_user_id, p_role)
$$;

create or replace function learn_progress(p_cohort_id text, p_user_id text) returns json
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
        'assignments', asg_standing(p_cohort_id, p_user_id, false))
      from total, done
$$;

-- Marks a lesson complete (idempotent); a pre-test that closes at the
-- first lesson closes for the participant. {status, body}.
create or replace function learn_complete(p_cohort_id text, p_lesson_id text, p_user_id text,
                               p_role text)
returns json
language plpgsql as $$
begin
    if learn_can_access(p_cohort_id, p_user_id, p_role)
       and exists (select 1 from cohorts where id = p_cohort_id and content_version is null) then
        return learn_unpublished();
    end if;
    if not learn_can_access(p_cohort_id, p_user_id, p_role)
       or not exists (select 1 from cohorts c join version_lessons l
                          on l.programme_id = c.programme_id and l.version = c.content_version
                       where c.id = p_cohort_id and l.lesson_id = p_lesson_id) then
        return sinau_error(404, 'not_found', 'no such lesson');
    end if;
    insert into lesson_progress (cohort_id, user_id, lesson_id)
    values (p_cohort_id, p_user_id, p_lesson_id)
    on conflict do nothing;
    perform quiz_lessons_started(p_cohort_id, p_user_id);
    return sinau_ok(200, learn_progress(p_cohort_id, p_user_id));
end;
$$;

-- ---- live sessions and attendance ----

create or replace function learn_session_json(s cohort_sessions, p_show_code boolean) returns json
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

-- A cohort's manager (reg_can_manage) schedules a session: the session's
-- JSON, null (404) for a cohort the caller does not manage. Times that do
-- not parse, or values against a rule of cohort_sessions, raise 422
-- invalid_session naming the member (details.field).
create or replace function learn_session_create(p_cohort_id text, p_title text, p_starts_at text,
                                                p_ends_at text, p_place text, p_online_url text,
                                                p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    msg constant text := 'check the times (ends after it starts), place and online_url';
    starts timestamptz := sinau_instant(p_starts_at, 'starts_at', 'invalid_session', msg);
    ends timestamptz := sinau_instant(p_ends_at, 'ends_at', 'invalid_session', msg);
    s cohort_sessions;
    t text;
    k text;
begin
    if not reg_can_manage(p_cohort_id, p_user_id, p_role)
       or not exists (select 1 from cohorts where id = p_cohort_id) then
        return null;
    end if;
    insert into cohort_sessions (cohort_id, title, starts_at, ends_at, place, online_url)
    values (p_cohort_id, p_title, starts, ends, p_place, p_online_url)
    returning * into s;
    return learn_session_json(s, true);
exception when check_violation then
    get stacked diagnostics t = table_name, k = constraint_name;
    perform sinau_raise(sinau_field_error(422, 'invalid_session', msg, sinau_rule_field(t, k)));
    return null;
end;
$$;

-- Check-in with the code the instructor shows: confirmed participants only;
-- wrong codes are counted and, past 10 per session, refused outright.
create or replace function learn_checkin(p_session_id text, p_user_id text, p_code text)
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
        return sinau_error(404, 'not_found', 'no such session');
    end if;
    select count(*) into fails from checkin_failures
     where session_id = s.id and user_id = p_user_id;
    if fails >= 10 then
        return sinau_error(429, 'too_many_attempts', 'too many wrong codes for this session');
    end if;
    if s.checkin_code is null or s.checkin_code <> p_code then
        insert into checkin_failures (session_id, user_id) values (s.id, p_user_id);
        return sinau_error(422, 'invalid_code', 'this code is not right');
    end if;
    if s.checkin_expires_at <= now() then
        return sinau_error(409, 'code_expired', 'the check-in has closed');
    end if;
    insert into attendance (session_id, user_id) values (s.id, p_user_id)
    on conflict do nothing;
    return sinau_ok(200, json_build_object(
        'session_id', s.id, 'checked_in', true,
        'attended', (select count(*) from attendance a join cohort_sessions cs
                         on cs.id = a.session_id
                      where cs.cohort_id = s.cohort_id and a.user_id = p_user_id),
        'sessions', (select count(*) from cohort_sessions where cohort_id = s.cohort_id)));
end;
$$;

-- Attendance per participant of a cohort (confirmed registrations).
create or replace function learn_attendance(p_cohort_id text) returns json
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
