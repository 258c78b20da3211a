-- functions/assignments.sql — assignments: who may do what with a
-- submission, the draft's assignments, per-cohort schedules, submissions in
-- versions, grading with rubrics and history, release, the gradebook
-- (schema: migrations/0005).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- ---- who may do what ----

create or replace function asg_is_staff(p_cohort_id text, p_user_id text, p_role text) returns boolean
language sql stable as $$
    select p_role = 'admin' or auth_instructs(p_cohort_id, p_user_id)
$$;

create or replace function asg_is_participant(p_cohort_id text, p_user_id text) returns boolean
language sql stable as $$
    select exists (select 1 from registrations
                    where cohort_id = p_cohort_id and user_id = p_user_id
                      and status = 'confirmed')
$$;

-- The published assignment of a cohort's version, or no row.
create or replace function asg_of_cohort(p_cohort_id text, p_assignment_id text)
returns setof version_assignments
language sql stable as $$
    select a.* from cohorts c join version_assignments a
        on a.programme_id = c.programme_id and a.version = c.content_version
     where c.id = p_cohort_id and a.assignment_id = p_assignment_id
$$;

-- ---- JSON shapes ----

create or replace function asg_draft_json(a assignments) returns json
language sql stable as $$
    select content_item_json(a)::json
$$;

create or replace function asg_released(p_cohort_id text, p_assignment_id text) returns boolean
language sql stable as $$
    select exists (select 1 from cohort_assignments
                    where cohort_id = p_cohort_id and assignment_id = p_assignment_id
                      and released_at is not null)
$$;

create or replace function asg_latest_grade(p_submission_id text) returns grades
language sql stable as $$
    select * from grades where submission_id = p_submission_id order by id desc limit 1
$$;

create or replace function asg_grade_json(g grades, p_pass numeric) returns json
language sql stable as $$
    select case when g.id is null then null else json_build_object(
        'score', g.score, 'passed', g.score >= p_pass, 'rubric', g.rubric,
        'feedback_md', g.feedback_md, 'feedback_html', g.feedback_html,
        'graded_at', g.graded_at) end
$$;

-- Is s the participant's latest version of this work (no newer one)?
create or replace function asg_is_latest(s submissions) returns boolean
language sql stable as $$
    select not exists (select 1 from submissions n
                        where n.cohort_id = s.cohort_id and n.assignment_id = s.assignment_id
                          and n.user_id = s.user_id and n.version > s.version)
$$;

-- Serialises every writer of one participant's work on one assignment of a
-- cohort (submitting, attaching a file, grading) until the end of the
-- transaction (a transaction-scoped advisory lock).
create or replace function asg_work_lock(p_cohort_id text, p_assignment_id text, p_user_id text)
returns void
language sql volatile as $$
    select pg_advisory_xact_lock(hashtext('submit:' || p_cohort_id || ':' || p_assignment_id),
                                 hashtext(p_user_id))
$$;

-- A submission as the caller may see it: the grade appears for its owner
-- only once released; staff always see it.
create or replace function asg_submission_json(s submissions, p_show_grade boolean) returns json
language sql stable as $$
    select json_build_object(
        'id', s.id, 'cohort_id', s.cohort_id, 'assignment_id', s.assignment_id,
        'user', json_build_object('id', u.id, 'full_name', u.full_name),
        'version', s.version, 'text', s.body_text, 'url', s.url,
        'submitted_at', s.submitted_at, 'late', s.late,
        'latest', asg_is_latest(s),
        'status', case when g.id is null then 'submitted' else 'graded' end,
        'released', asg_released(s.cohort_id, s.assignment_id),
        'file', (select json_build_object('name', f.stored_name,
                                          'original_name', f.original_name,
                                          'content_type', f.content_type,
                                          'size', f.size_bytes, 'sha256', f.sha256,
                                          'url', '/api/v1/submissions/' || s.id || '/file')
                   from submission_files f where f.submission_id = s.id),
        'grade', case when p_show_grade or asg_released(s.cohort_id, s.assignment_id)
                      then asg_grade_json(g, a.pass_score) end)
      from users u
     cross join asg_latest_grade(s.id) g
      left join lateral asg_of_cohort(s.cohort_id, s.assignment_id) a on true
     where u.id = s.user_id
$$;

-- The published assignment for a cohort, with its schedule and, for a
-- participant, their latest submission and whether (and why not) they may
-- hand in a new version now (asg_may_submit).
create or replace function asg_json(a version_assignments, p_cohort_id text, p_user_id text,
                         p_staff boolean) returns json
language sql stable as $$
    select json_build_object(
        'id', a.assignment_id, 'module_id', a.module_id, 'title', a.title,
        'instructions_html', a.instructions_html,
        'submission_types', to_json(a.submission_types),
        'max_score', a.max_score, 'pass_score', a.pass_score, 'required', a.required,
        'rubric', a.rubric, 'max_attempts', a.max_attempts,
        'due_at', ca.due_at, 'cutoff_at', ca.cutoff_at,
        'grades_released', ca.released_at is not null,
        'my_submission', case when not p_staff then
            (select asg_submission_json(s, false) from submissions s
              where s.cohort_id = p_cohort_id and s.assignment_id = a.assignment_id
                and s.user_id = p_user_id
              order by s.version desc limit 1) end,
        'attempts_used', case when not p_staff then
            asg_attempts_used(p_cohort_id, a.assignment_id, p_user_id) end,
        'submit_refusal', case when not p_staff then
            asg_may_submit(a, p_cohort_id, p_user_id) ->> 'code' end)
      from (select 1) one
      left join cohort_assignments ca
        on ca.cohort_id = p_cohort_id and ca.assignment_id = a.assignment_id
$$;

-- Attempts used: the graded versions of a participant's work (an attempt
-- is what gets graded; versions replaced before grading are one attempt).
create or replace function asg_attempts_used(p_cohort_id text, p_assignment_id text,
                                             p_user_id text)
returns integer
language sql stable as $$
    select count(*)::integer from submissions s
     where s.cohort_id = p_cohort_id and s.assignment_id = p_assignment_id
       and s.user_id = p_user_id
       and exists (select 1 from grades g where g.submission_id = s.id)
$$;

-- May the participant hand in a new version now? Null when yes, else the
-- refusal as {code, message}: after the cut-off (deadline_passed); once the
-- latest version is graded, unless its grade is released and failing and
-- attempts are left (already_graded, attempts_exhausted).
create or replace function asg_may_submit(a version_assignments, p_cohort_id text, p_user_id text)
returns jsonb
language plpgsql stable as $$
declare
    prev submissions;
    g grades;
begin
    if asg_deadline_passed(p_cohort_id, a.assignment_id) then
        return jsonb_build_object('code', 'deadline_passed',
                                  'message', 'the cut-off for this assignment has passed');
    end if;
    select * into prev from submissions
     where cohort_id = p_cohort_id and assignment_id = a.assignment_id and user_id = p_user_id
     order by version desc limit 1;
    if not found then
        return null;
    end if;
    g := asg_latest_grade(prev.id);
    if g.id is null then
        return null; -- replacing work not yet graded
    end if;
    if g.score >= a.pass_score or not asg_released(p_cohort_id, a.assignment_id) then
        return jsonb_build_object('code', 'already_graded',
                                  'message', 'this work has been graded; it can no longer be replaced');
    end if;
    if a.max_attempts is not null
       and asg_attempts_used(p_cohort_id, a.assignment_id, p_user_id) >= a.max_attempts then
        return jsonb_build_object('code', 'attempts_exhausted',
                                  'message', 'every attempt this assignment allows is used');
    end if;
    return null; -- a failed, released grade: a new attempt
end;
$$;

-- ---- authoring: {status, body}; 404 for non-authors ----

-- The checks the table's constraints would make, as 422 codes a client
-- can act on. Null when fine.
create or replace function asg_check(a assignments) returns json
language sql immutable as $$
    select coalesce(content_title_error(a.title), case
        when a.submission_types is null
             or not (a.submission_types <@ array['text', 'url', 'file'])
             or cardinality(a.submission_types) not between 1 and 3 then
            sinau_error(422, 'invalid_submission_types',
                        'submission_types is a non-empty subset of text, url, file')
        when a.max_score is null or a.max_score <= 0 or a.max_score > 10000 then
            sinau_error(422, 'invalid_max_score', 'max_score is more than 0 and at most 10000')
        when a.pass_score is null or a.pass_score < 0 or a.pass_score > a.max_score then
            sinau_error(422, 'invalid_pass_score', 'pass_score is between 0 and max_score')
        when not asg_rubric_valid(a.rubric) then
            sinau_error(422, 'invalid_rubric',
                        'a rubric is 1 to 20 criteria {title, levels: [{title, points}]}')
        when a.rubric is not null and asg_rubric_max(a.rubric) <> a.max_score then
            sinau_error(422, 'invalid_rubric',
                        'max_score must equal the sum of the best level of each criterion')
        when a.max_attempts is not null and a.max_attempts not between 1 and 100 then
            sinau_error(422, 'invalid_max_attempts', 'max_attempts is 1..100 or null')
    end)
$$;

create or replace function asg_from_fields(base assignments, f jsonb) returns assignments
language plpgsql immutable as $$
declare
    a assignments := base;
begin
    if f ? 'title' then a.title := f ->> 'title'; end if;
    if f ? 'instructions_md' then a.instructions_md := f ->> 'instructions_md'; end if;
    if f ? 'submission_types' then
        a.submission_types := array(select distinct jsonb_array_elements_text(
                                        f -> 'submission_types') order by 1);
    end if;
    if f ? 'max_score' then a.max_score := (f ->> 'max_score')::numeric; end if;
    if f ? 'pass_score' then a.pass_score := (f ->> 'pass_score')::numeric; end if;
    if f ? 'required' then a.required := (f ->> 'required')::boolean; end if;
    if f ? 'rubric' then
        a.rubric := case when jsonb_typeof(f -> 'rubric') = 'null' then null
                         else f -> 'rubric' end;
    end if;
    if f ? 'position' then a.position := (f ->> 'position')::integer; end if;
    if f ? 'max_attempts' then a.max_attempts := (f ->> 'max_attempts')::integer; end if;
    return a;
end;
$$;

-- p_fields: {title, instructions_md, submission_types, max_score, pass_score,
-- required?, rubric?, position?}, types already checked by the caller.
create or replace function asg_create(p_module_id text, p_fields jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('modules', 'module', p_module_id, p_user_id, p_role);
    a assignments;
begin
    a.module_id := p_module_id;
    a.instructions_md := '';
    a.required := true;
    a.position := content_next_position('assignments', 'module_id', p_module_id);
    return asg_draft_save(a, p_fields, prog);
end;
$$;

create or replace function asg_update(p_id text, p_fields jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('assignments', 'assignment', p_id, p_user_id, p_role);
begin
    return asg_draft_save((select a from assignments a where a.id = p_id), p_fields, prog);
end;
$$;

-- The one write of an assignment of the draft of programme p_prog (created
-- or edited): a (a new one with its defaults, or the stored row) with
-- p_fields applied, checked (asg_check's 422) and stored (201 when new,
-- 200). {status, body}.
create or replace function asg_draft_save(a assignments, p_fields jsonb, p_prog text) returns json
language plpgsql as $$
declare
    status constant integer := case when a.id is null then 201 else 200 end;
    bad json;
begin
    a := asg_from_fields(a, p_fields);
    bad := asg_check(a);
    if bad is not null then
        return bad;
    end if;
    return sinau_ok(status, asg_draft_json(content_draft_store(a, p_prog)));
end;
$$;

create or replace function asg_delete(p_id text, p_user_id text, p_role text) returns json
language sql as $$
    select content_draft_delete('assignments', 'assignment', p_id, p_user_id, p_role)
$$;

-- One participant's standing on each assignment of the cohort's version:
-- status, lateness, and — only once released, or for staff — score and
-- passed.
create or replace function asg_standing(p_cohort_id text, p_user_id text, p_show_grades boolean)
returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object(
               'id', a.assignment_id, 'title', a.title, 'required', a.required,
               'max_score', a.max_score, 'pass_score', a.pass_score,
               'due_at', ca.due_at,
               'submission_id', s.id, 'version', s.version, 'late', s.late,
               'status', case when s.id is null then 'missing'
                              when g.id is null then 'submitted' else 'graded' end,
               'released', coalesce(ca.released_at is not null, false),
               'score', case when p_show_grades or ca.released_at is not null
                             then g.score end,
               'passed', case when p_show_grades or ca.released_at is not null
                              then g.score >= a.pass_score end)
               order by a.ordinal), '[]'::json)
      from cohorts c
      join version_assignments a
        on a.programme_id = c.programme_id and a.version = c.content_version
      left join cohort_assignments ca
        on ca.cohort_id = c.id and ca.assignment_id = a.assignment_id
      left join lateral (select * from submissions s
                          where s.cohort_id = c.id and s.assignment_id = a.assignment_id
                            and s.user_id = p_user_id
                          order by s.version desc limit 1) s on true
      left join lateral (select * from grades g where g.submission_id = s.id
                          order by g.id desc limit 1) g on true
     where c.id = p_cohort_id
$$;

-- ---- schedule ----

-- Admins and the cohort's instructors set an assignment's due date and
-- optional late cut-off for one cohort (null clears).
create or replace function asg_schedule(p_cohort_id text, p_assignment_id text, p_due timestamptz,
                             p_cutoff timestamptz, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    a version_assignments;
begin
    select * into a from asg_of_cohort(p_cohort_id, p_assignment_id);
    if not found or not asg_is_staff(p_cohort_id, p_user_id, p_role) then
        return content_not_found('assignment');
    end if;
    if p_cutoff is not null and (p_due is null or p_cutoff < p_due) then
        return sinau_error(422, 'invalid_cutoff', 'the cut-off needs a due date and is after it');
    end if;
    insert into cohort_assignments (cohort_id, assignment_id, due_at, cutoff_at)
    values (p_cohort_id, p_assignment_id, p_due, p_cutoff)
    on conflict (cohort_id, assignment_id)
    do update set due_at = excluded.due_at, cutoff_at = excluded.cutoff_at;
    perform sinau_audit(p_user_id, 'assignment.scheduled',
                        jsonb_build_object('cohort_id', p_cohort_id,
                                           'assignment_id', p_assignment_id, 'due_at', p_due,
                                           'cutoff_at', p_cutoff));
    return sinau_ok(200, asg_json(a, p_cohort_id, p_user_id, true));
end;
$$;

create or replace function asg_get(p_cohort_id text, p_assignment_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select asg_json(a, p_cohort_id, p_user_id, asg_is_staff(p_cohort_id, p_user_id, p_role))
      from asg_of_cohort(p_cohort_id, p_assignment_id) a
     where asg_is_staff(p_cohort_id, p_user_id, p_role)
        or asg_is_participant(p_cohort_id, p_user_id)
$$;

create or replace function asg_list(p_cohort_id text, p_user_id text, p_role text) returns json
language sql stable as $$
    select case when asg_is_staff(p_cohort_id, p_user_id, p_role)
                  or asg_is_participant(p_cohort_id, p_user_id) then
        json_build_object('items', coalesce((
            select json_agg(asg_json(a, p_cohort_id, p_user_id,
                                     asg_is_staff(p_cohort_id, p_user_id, p_role))
                            order by a.ordinal)
              from cohorts c join version_assignments a
                on a.programme_id = c.programme_id and a.version = c.content_version
             where c.id = p_cohort_id), '[]'::json), 'next_cursor', null)
    end
$$;

-- ---- submitting ----

-- The deadline rule, the same on every path that adds or changes work:
-- after the cut-off nothing is taken; after the due date work is late.
create or replace function asg_deadline_passed(p_cohort_id text, p_assignment_id text) returns boolean
language sql stable as $$
    select coalesce((select cutoff_at <= now() from cohort_assignments
                      where cohort_id = p_cohort_id and assignment_id = p_assignment_id),
                    false)
$$;

create or replace function asg_is_late(p_cohort_id text, p_assignment_id text) returns boolean
language sql stable as $$
    select coalesce((select due_at < now() from cohort_assignments
                      where cohort_id = p_cohort_id and assignment_id = p_assignment_id),
                    false)
$$;

-- A new version of the caller's work: {text?, url?} (the URL already
-- checked as http/https by the caller). Refused after the cut-off (409
-- deadline_passed) and once the latest version is graded (409
-- already_graded) — unless that grade is released and failing: then a new
-- attempt, up to the assignment's max_attempts (409 attempts_exhausted).
-- Versions of one participant's work are numbered under a lock on that
-- (cohort, assignment, participant).
create or replace function asg_submit(p_cohort_id text, p_assignment_id text, p_user_id text,
                           p_text text, p_url text)
returns json
language plpgsql as $$
declare
    a version_assignments;
    prev submissions;
    s submissions;
    refusal jsonb;
begin
    if p_text = '' or octet_length(p_text) > 65536 then
        return sinau_field_error(422, 'invalid_text', 'a text has 1 to 65,536 bytes', 'text');
    end if;
    -- a link is stored, never fetched: http(s)://host…, no blanks or control characters
    if p_url is not null and not (octet_length(p_url) <= 2000 and p_url ~* '^https?://[^/?#]'
                                  and p_url !~ '[\x01-\x20\x7f]') then
        return sinau_field_error(422, 'invalid_url', 'a link starts with http:// or https://',
                                 'url');
    end if;
    select * into a from asg_of_cohort(p_cohort_id, p_assignment_id);
    if not found or not asg_is_participant(p_cohort_id, p_user_id) then
        return content_not_found('assignment');
    end if;
    perform asg_work_lock(p_cohort_id, p_assignment_id, p_user_id);
    refusal := asg_may_submit(a, p_cohort_id, p_user_id);
    if refusal is not null then
        return sinau_error(409, refusal ->> 'code', refusal ->> 'message');
    end if;
    select * into prev from submissions
     where cohort_id = p_cohort_id and assignment_id = p_assignment_id and user_id = p_user_id
     order by version desc limit 1;
    if p_text is not null and not 'text' = any (a.submission_types) then
        return sinau_error(422, 'type_not_allowed', 'this assignment takes no text');
    end if;
    if p_url is not null and not 'url' = any (a.submission_types) then
        return sinau_error(422, 'type_not_allowed', 'this assignment takes no link');
    end if;
    if p_text is null and p_url is null and not 'file' = any (a.submission_types) then
        return sinau_error(422, 'empty_submission', 'send a text or a link');
    end if;
    insert into submissions (cohort_id, assignment_id, user_id, version, body_text, url, late)
    values (p_cohort_id, p_assignment_id, p_user_id, coalesce(prev.version, 0) + 1, p_text,
            p_url, asg_is_late(p_cohort_id, p_assignment_id))
    returning * into s;
    return sinau_ok(201, asg_submission_json(s, false));
end;
$$;

-- Attaches the file of a submission (once): its owner only, the latest
-- version, not graded, before the cut-off. The type was read from the
-- magic bytes by the caller; the stored name is generated here.
create or replace function asg_attach_file(p_submission_id text, p_user_id text, p_content_type text,
                                p_ext text, p_original_name text, p_sha256 text,
                                p_data bytea)
returns json
language plpgsql as $$
declare
    s submissions;
    a version_assignments;
begin
    -- no row lock: the same advisory lock as asg_submit and asg_grade
    -- serialises every writer of this participant's work (a row lock taken
    -- first would deadlock with a grade's foreign-key check)
    select * into s from submissions where id = p_submission_id and user_id = p_user_id;
    if not found then
        return content_not_found('submission');
    end if;
    perform asg_work_lock(s.cohort_id, s.assignment_id, p_user_id);
    select * into a from asg_of_cohort(s.cohort_id, s.assignment_id);
    if not found or not asg_is_participant(s.cohort_id, p_user_id) then
        return content_not_found('submission');
    end if;
    if asg_deadline_passed(s.cohort_id, s.assignment_id) then
        return sinau_error(409, 'deadline_passed', 'the cut-off for this assignment has passed');
    end if;
    if exists (select 1 from grades where submission_id = s.id) then
        return sinau_error(409, 'already_graded',
                           'this work has been graded; it can no longer be replaced');
    end if;
    if not asg_is_latest(s) then
        return sinau_error(409, 'submission_changed', 'a newer version of this work exists');
    end if;
    if not 'file' = any (a.submission_types) then
        return sinau_error(422, 'type_not_allowed', 'this assignment takes no file');
    end if;
    if exists (select 1 from submission_files where submission_id = s.id) then
        return sinau_error(409, 'file_exists',
                           'this version already has a file; submit a new version instead');
    end if;
    insert into submission_files (submission_id, stored_name, original_name, content_type,
                                  size_bytes, sha256, data)
    values (s.id, s.id || '.' || p_ext, p_original_name, p_content_type, octet_length(p_data),
            p_sha256, p_data);
    return sinau_ok(200, asg_submission_json(s, false));
end;
$$;

-- ---- reading submissions ----

-- Who may see a submission: its owner, the cohort's staff. {status, body}.
create or replace function asg_submission_get(p_id text, p_user_id text, p_role text) returns json
language plpgsql stable as $$
declare
    s submissions;
    staff boolean;
begin
    select * into s from submissions where id = p_id;
    if not found then
        return content_not_found('submission');
    end if;
    staff := asg_is_staff(s.cohort_id, p_user_id, p_role);
    if not staff and s.user_id is distinct from p_user_id then
        return content_not_found('submission');
    end if;
    return sinau_ok(200, asg_submission_json(s, staff));
end;
$$;

-- The file of a submission for the same readers: (stored name, original
-- name, type, sha256, data) or no row.
create or replace function asg_file_get(p_id text, p_user_id text, p_role text)
returns table (stored_name text, original_name text, content_type text, sha256 text,
               data bytea)
language sql stable as $$
    select f.stored_name, f.original_name, f.content_type, f.sha256, f.data
      from submissions s join submission_files f on f.submission_id = s.id
     where s.id = p_id
       and (s.user_id = p_user_id or asg_is_staff(s.cohort_id, p_user_id, p_role))
$$;

-- Submissions of one assignment: a participant sees their own versions,
-- newest first; staff see the latest version of each participant.
create or replace function asg_submissions(p_cohort_id text, p_assignment_id text, p_user_id text,
                                p_role text)
returns json
language sql stable as $$
    select case
        when not exists (select 1 from asg_of_cohort(p_cohort_id, p_assignment_id)) then null
        when asg_is_staff(p_cohort_id, p_user_id, p_role) then
            json_build_object('items', coalesce((
                select json_agg(asg_submission_json(s, true) order by s.submitted_at, s.id)
                  from submissions s
                 where s.cohort_id = p_cohort_id and s.assignment_id = p_assignment_id
                   and asg_is_latest(s)),
                '[]'::json), 'next_cursor', null)
        when asg_is_participant(p_cohort_id, p_user_id) then
            json_build_object('items', coalesce((
                select json_agg(asg_submission_json(s, false) order by s.version desc)
                  from submissions s
                 where s.cohort_id = p_cohort_id and s.assignment_id = p_assignment_id
                   and s.user_id = p_user_id), '[]'::json), 'next_cursor', null)
    end
$$;

-- ---- grading ----

-- The latest version of each participant's work in a cohort, oldest
-- first: p_state 'ungraded' (the queue), 'graded' (to grade again) or
-- 'all'. Null when the caller is not the cohort's staff.
create or replace function asg_queue(p_cohort_id text, p_assignment_id text, p_state text,
                          p_user_id text, p_role text, p_limit integer)
returns json
language sql stable as $$
    select case when asg_is_staff(p_cohort_id, p_user_id, p_role)
                 and exists (select 1 from cohorts where id = p_cohort_id) then
        json_build_object('items', coalesce((
            select json_agg(q.j order by q.submitted_at, q.id)
              from (select asg_submission_json(s, true)::jsonb
                           || jsonb_build_object('assignment_title', a.title,
                                                 'max_score', a.max_score,
                                                 'rubric', a.rubric) as j,
                           s.submitted_at, s.id
                      from submissions s
                      join asg_of_cohort(s.cohort_id, s.assignment_id) a on true
                     where s.cohort_id = p_cohort_id
                       and (p_assignment_id is null or s.assignment_id = p_assignment_id)
                       and asg_is_latest(s)
                       and (p_state = 'all'
                            or (p_state = 'graded')
                               = exists (select 1 from grades g where g.submission_id = s.id))
                     order by s.submitted_at, s.id
                     limit p_limit) q), '[]'::json),
            'next_cursor', null)
    end
$$;

-- The score a rubric gives: one chosen level index per criterion, in order.
-- Null when the choices do not fit the rubric.
create or replace function asg_rubric_score(p_rubric jsonb, p_choices jsonb) returns numeric
language sql immutable as $$
    select case
        when jsonb_typeof(p_choices) is distinct from 'array'
             or jsonb_array_length(p_choices) <> jsonb_array_length(p_rubric) then null
        when exists (select 1 from jsonb_array_elements(p_choices) with ordinality ch(v, i)
                      where jsonb_typeof(ch.v) <> 'number'
                         or (ch.v)::text !~ '^[0-9]+$'
                         or (ch.v)::text::int >= jsonb_array_length(p_rubric -> (i::int - 1)
                                                                     -> 'levels')) then null
        else (select sum((p_rubric -> (i::int - 1) -> 'levels' -> ((v)::text::int)
                          ->> 'points')::numeric)
                from jsonb_array_elements(p_choices) with ordinality ch(v, i))
    end
$$;

-- Grades the given version. Refused with 409 submission_changed when a
-- newer version exists (the grader looked at older work). With a rubric
-- the score is computed from the choices (a score sent as well must agree).
-- A regrade adds a row: history is kept.
create or replace function asg_grade(p_submission_id text, p_score numeric, p_rubric jsonb,
                          p_feedback_md text, p_feedback_html text, p_user_id text,
                          p_role text)
returns json
language plpgsql as $$
declare
    s submissions;
    a version_assignments;
    score numeric := p_score;
begin
    select * into s from submissions where id = p_submission_id;
    if not found or not asg_is_staff(s.cohort_id, p_user_id, p_role) then
        return content_not_found('submission');
    end if;
    -- one grader at a time per participant's work, and no new version
    -- may slip in between the check and the grade
    perform asg_work_lock(s.cohort_id, s.assignment_id, s.user_id);
    if not asg_is_latest(s) then
        return sinau_error(409, 'submission_changed',
                           'the participant submitted a newer version; grade that one');
    end if;
    select * into a from asg_of_cohort(s.cohort_id, s.assignment_id);
    if not found then
        return content_not_found('submission');
    end if;
    if a.rubric is not null and p_rubric is null then
        return sinau_error(422, 'rubric_required', 'choose a level for every criterion');
    elsif a.rubric is not null then
        score := asg_rubric_score(a.rubric, p_rubric);
        if score is null then
            return sinau_error(422, 'invalid_rubric_choice',
                               'choose one level for every criterion of the rubric');
        end if;
        if p_score is not null and p_score <> score then
            return sinau_error(422, 'score_mismatch',
                               'the score differs from the sum of the rubric choices');
        end if;
    elsif p_rubric is not null then
        return sinau_error(422, 'invalid_rubric_choice', 'this assignment has no rubric');
    end if;
    if score is null then
        return sinau_error(422, 'score_required', 'give a score or the rubric choices');
    end if;
    if score < 0 or score > a.max_score or score <> round(score, 2) then
        return sinau_error_details(422, 'score_out_of_range',
            'the score is between 0 and the maximum',
            json_build_object('min', 0, 'max', a.max_score));
    end if;
    insert into grades (submission_id, grader_id, score, rubric, feedback_md, feedback_html)
    values (s.id, p_user_id, score, p_rubric, coalesce(p_feedback_md, ''),
            coalesce(p_feedback_html, ''));
    perform sinau_audit(p_user_id, 'submission.graded',
                        jsonb_build_object('submission_id', s.id, 'score', score));
    return sinau_ok(200, asg_submission_json(s, true));
end;
$$;

-- Every grade of a submission, newest first (staff).
create or replace function asg_grade_history(p_submission_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select json_build_object('items', coalesce(json_agg(json_build_object(
               'score', g.score, 'rubric', g.rubric, 'feedback_md', g.feedback_md,
               'graded_at', g.graded_at,
               'grader', json_build_object('id', u.id, 'full_name', u.full_name))
               order by g.id desc) filter (where g.id is not null), '[]'::json),
           'next_cursor', null)
      from submissions s
      left join grades g on g.submission_id = s.id
      left join users u on u.id = g.grader_id
     where s.id = p_submission_id and asg_is_staff(s.cohort_id, p_user_id, p_role)
     group by s.id
$$;

-- Releases the grades of one assignment, or of every assignment of the
-- cohort: from then on participants see them. {released: number of
-- graded submissions that became visible}.
create or replace function asg_release(p_cohort_id text, p_assignment_id text, p_user_id text,
                            p_role text)
returns json
language plpgsql as $$
declare
    n integer;
    c cohorts;
begin
    select * into c from cohorts where id = p_cohort_id;
    if not found or not asg_is_staff(p_cohort_id, p_user_id, p_role)
       or (p_assignment_id is not null
           and not exists (select 1 from asg_of_cohort(p_cohort_id, p_assignment_id))) then
        return content_not_found(case when p_assignment_id is null then 'cohort'
                                      else 'assignment' end);
    end if;
    select count(*) into n
      from submissions s
      join version_assignments a on a.programme_id = c.programme_id
                                and a.version = c.content_version
                                and a.assignment_id = s.assignment_id
     where s.cohort_id = c.id
       and (p_assignment_id is null or s.assignment_id = p_assignment_id)
       and exists (select 1 from grades g where g.submission_id = s.id)
       and not asg_released(c.id, s.assignment_id);
    perform msg_grades_released(c.id, p_assignment_id);
    insert into cohort_assignments (cohort_id, assignment_id, released_at, released_by)
    select c.id, a.assignment_id, now(), p_user_id
      from version_assignments a
     where a.programme_id = c.programme_id and a.version = c.content_version
       and (p_assignment_id is null or a.assignment_id = p_assignment_id)
    on conflict (cohort_id, assignment_id)
    do update set released_at = coalesce(cohort_assignments.released_at, excluded.released_at),
                  released_by = coalesce(cohort_assignments.released_by, excluded.released_by);
    perform sinau_audit(p_user_id, 'grades.released',
                        jsonb_build_object('cohort_id', c.id, 'assignment_id', p_assignment_id,
                                           'released', n));
    return sinau_ok(200, json_build_object('released', n));
end;
$$;

-- ---- the gradebook ----

-- Participants (confirmed) × assignments of the cohort's version, with
-- progress and attendance. Null when the caller is not the cohort's staff.
create or replace function asg_gradebook(p_cohort_id text, p_user_id text, p_role text) returns json
language sql stable as $$
    select case when asg_is_staff(p_cohort_id, p_user_id, p_role) then
        json_build_object(
            'cohort_id', c.id,
            'assignments', coalesce((select json_agg(json_build_object(
                                'id', a.assignment_id, 'title', a.title,
                                'max_score', a.max_score, 'pass_score', a.pass_score,
                                'required', a.required) order by a.ordinal)
                              from version_assignments a
                             where a.programme_id = c.programme_id
                               and a.version = c.content_version), '[]'::json),
            'sessions', (select count(*) from cohort_sessions where cohort_id = c.id),
            'quizzes', quiz_gradebook_columns(c.id),
            'rows', coalesce((select json_agg(json_build_object(
                         'user', json_build_object('id', u.id, 'full_name', u.full_name),
                         'segment', r.segment,
                         'progress_percent', (learn_progress(c.id, u.id) ->> 'percent')::numeric,
                         'attended', (select count(*) from attendance at
                                        join cohort_sessions cs on cs.id = at.session_id
                                       where cs.cohort_id = c.id and at.user_id = u.id),
                         'assignments', asg_standing(c.id, u.id, true),
                         'quizzes', quiz_standing(c.id, u.id))
                         order by u.full_name, u.id)
                         from registrations r join users u on u.id = r.user_id
                        where r.cohort_id = c.id and r.status = 'confirmed'), '[]'::json))
    end
      from cohorts c where c.id = p_cohort_id
$$;
