-- functions/quizzes.sql — quizzes (schema: migrations/0013): authoring
-- quizzes and questions in a programme's draft, publishing them with the
-- version, each cohort's opening window, attempts (start, save, close,
-- the server's timer), grading, what a participant may see and when,
-- surveys (anonymous ones too), certificate rules, the gradebook's quiz
-- columns and the staff reports.
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.
--
-- Who may do what is decided here, by the caller's id and role: authors
-- (content_can_author) edit the draft, a cohort's staff (asg_is_staff) set
-- its windows and read its reports, its confirmed participants
-- (asg_is_participant) take quizzes. Everyone else gets 404.
--
-- Nothing a participant reads holds a correct answer, a score or an
-- explanation before their attempt is closed (and, when the quiz's review
-- says after_close, before the quiz has closed for their cohort): the JSON
-- is built without those members, not with them emptied.

-- ---- kinds and types ----

-- Question types that are graded (the others are survey items).
create or replace function quiz_type_graded(p_type text) returns boolean
language sql immutable as $$
    select p_type in ('single', 'multiple', 'true_false', 'short_text', 'numeric')
$$;

-- Which question types a kind of quiz takes.
create or replace function quiz_type_allowed(p_kind text, p_type text) returns boolean
language sql immutable as $$
    select case when p_kind = 'survey' then p_type in ('likert', 'single', 'multiple', 'text')
                else quiz_type_graded(p_type) end
$$;

-- Defaults by kind: who sees what after an attempt, and which attempt counts.
create or replace function quiz_default_review(p_kind text) returns text
language sql immutable as $$
    select case p_kind when 'pretest' then 'score_only' when 'posttest' then 'after_close'
                       when 'survey' then 'none' else 'after_attempt' end
$$;

create or replace function quiz_default_grading(p_kind text) returns text
language sql immutable as $$
    select case when p_kind = 'pretest' then 'first' else 'best' end
$$;

-- ---- grading (pure: pgTAP tests every type) ----

-- Short answers compare after normalising: Unicode NFKC (a no-break space
-- is a space), case folded, blanks at the ends dropped and runs of blanks
-- inside made one space.
create or replace function quiz_norm_text(p text) returns text
language sql immutable as $$
    select lower(regexp_replace(regexp_replace(normalize(coalesce(p, ''), NFKC),
                                               '^\s+|\s+$', '', 'g'), '\s+', ' ', 'g'))
$$;

-- The option ids of a response, as a set (text[] of distinct ids).
create or replace function quiz_chosen(p_response jsonb) returns text[]
language sql immutable as $$
    select coalesce(array(select distinct x
                            from jsonb_array_elements_text(
                                     case when jsonb_typeof(p_response -> 'option_ids') = 'array'
                                          then p_response -> 'option_ids' else '[]' end) x
                           order by 1), '{}')
$$;

-- The points a response earns. Ungraded types (likert, text) give null; no
-- response gives 0.
--   single, true_false: all the points for the one right choice.
--   multiple, all_or_nothing: all the points for exactly the right set.
--   multiple, partial: points × max(0, right chosen ÷ right − wrong chosen ÷
--     wrong), so choosing every option earns nothing.
--   short_text: the normalised text equals the key's (quiz_norm_text).
--   numeric: |value − key| ≤ tolerance.
create or replace function quiz_grade(p_type text, p_options jsonb, p_answer jsonb,
                                      p_points numeric, p_scoring text, p_response jsonb)
returns numeric
language plpgsql immutable as $$
declare
    chosen text[];
    right_ids text[];
    n_right integer;
    n_wrong integer;
    hit integer;
    miss integer;
    v numeric;
begin
    if not quiz_type_graded(p_type) then
        return null;
    end if;
    if p_response is null then
        return 0;
    end if;
    if p_type in ('single', 'multiple') then
        chosen := quiz_chosen(p_response);
        right_ids := array(select o ->> 'id' from jsonb_array_elements(p_options) o
                            where (o ->> 'correct')::boolean order by 1);
        if p_type = 'single' or p_scoring = 'all_or_nothing' then
            return case when cardinality(chosen) > 0 and chosen = right_ids then p_points else 0 end;
        end if;
        n_right := cardinality(right_ids);
        n_wrong := jsonb_array_length(p_options) - n_right;
        hit := cardinality(array(select unnest(chosen) intersect select unnest(right_ids)));
        miss := cardinality(chosen) - hit;
        if n_right = 0 then
            return 0;
        end if;
        return round(p_points * greatest(0, hit::numeric / n_right
                                            - case when n_wrong > 0 then miss::numeric / n_wrong
                                                   else 0 end), 2);
    elsif p_type = 'true_false' then
        chosen := quiz_chosen(p_response);
        return case when chosen = array[(p_answer ->> 'value')] then p_points else 0 end;
    elsif p_type = 'short_text' then
        return case when jsonb_typeof(p_response -> 'text') = 'string'
                         and quiz_norm_text(p_response ->> 'text') <> ''
                         and quiz_norm_text(p_response ->> 'text')
                             = quiz_norm_text(p_answer ->> 'text')
                    then p_points else 0 end;
    else -- numeric
        if jsonb_typeof(p_response -> 'value') <> 'number' then
            return 0;
        end if;
        v := (p_response ->> 'value')::numeric;
        return case when abs(v - (p_answer ->> 'value')::numeric)
                         <= coalesce((p_answer ->> 'tolerance')::numeric, 0)
                    then p_points else 0 end;
    end if;
end;
$$;

-- Whether a response fits a question (before it is stored): null when it
-- does, else an error code. Clearing an answer is allowed (no option, an
-- empty text, a null value).
create or replace function quiz_response_check(p_type text, p_options jsonb, p_response jsonb)
returns text
language plpgsql immutable as $$
declare
    ids text[];
    k text;
begin
    select array_agg(x) into ids from jsonb_object_keys(p_response) x;
    if cardinality(ids) is distinct from 1 then
        return 'invalid_answer';
    end if;
    k := ids[1];
    if p_type in ('single', 'multiple', 'true_false') then
        if k <> 'option_ids' or jsonb_typeof(p_response -> k) <> 'array'
           or exists (select 1 from jsonb_array_elements(p_response -> k) e
                       where jsonb_typeof(e) <> 'string') then
            return 'invalid_answer';
        end if;
        ids := array(select jsonb_array_elements_text(p_response -> k));
        if cardinality(ids) <> cardinality(quiz_chosen(p_response))
           or (p_type <> 'multiple' and cardinality(ids) > 1) then
            return 'invalid_answer';
        end if;
        if p_type = 'true_false' then
            return case when ids <@ array['true', 'false'] then null else 'unknown_option' end;
        end if;
        if exists (select 1 from unnest(ids) i
                    where not exists (select 1 from jsonb_array_elements(p_options) o
                                       where o ->> 'id' = i)) then
            return 'unknown_option';
        end if;
        return null;
    elsif p_type in ('short_text', 'text') then
        return case when k = 'text' and jsonb_typeof(p_response -> k) = 'string'
                         and octet_length(p_response ->> k)
                             <= case when p_type = 'text' then 10000 else 500 end
                    then null else 'invalid_answer' end;
    elsif p_type = 'numeric' then
        return case when k = 'value' and jsonb_typeof(p_response -> k) in ('number', 'null')
                         and coalesce(abs((p_response ->> k)::numeric), 0) < 1e15
                    then null else 'invalid_answer' end;
    else -- likert: 1..5
        return case when k = 'value' and (jsonb_typeof(p_response -> k) = 'null'
                                          or (jsonb_typeof(p_response -> k) = 'number'
                                              and (p_response ->> k)::numeric in (1, 2, 3, 4, 5)))
                    then null else 'invalid_answer' end;
    end if;
end;
$$;

-- ---- the draft: quizzes ----

create or replace function quiz_pick_valid(p jsonb) returns boolean
language sql immutable as $$
    select p is null
        or (jsonb_typeof(p) = 'array' and jsonb_array_length(p) between 1 and 20
            and not exists (
                select 1 from jsonb_array_elements(p) r
                 where not sinau_object_of(r, 'tag', 'count')
                    or not r ? 'count' or not quiz_int_member(r, 'count', 1, 200, false)
                    or (r ? 'tag' and (jsonb_typeof(r -> 'tag') <> 'string'
                                       or length(r ->> 'tag') not between 1 and 50))))
$$;

-- The checks the table's constraints would make, as 422 codes. Null when fine.
create or replace function quiz_check(q quizzes) returns json
language sql immutable as $$
    select coalesce(content_title_error(q.title), case
        when q.kind is null or q.kind not in ('pretest', 'posttest', 'check', 'survey') then
            sinau_error(422, 'invalid_kind', 'kind is pretest, posttest, check or survey')
        when octet_length(q.description_md) > 65536 then
            sinau_error(422, 'invalid_description_md', 'at most 65,536 bytes of Markdown')
        when q.time_limit_s not between 30 and 86400 then
            sinau_error(422, 'invalid_time_limit', 'time_limit_s is 30..86400 seconds, or null')
        when q.max_attempts not between 1 and 100 then
            sinau_error(422, 'invalid_max_attempts', 'max_attempts is 1..100, or null (no limit)')
        when q.pass_score is not null and q.kind = 'survey' then
            sinau_error(422, 'invalid_pass_score', 'a survey has no pass score')
        when q.pass_score not between 0 and 100 then
            sinau_error(422, 'invalid_pass_score', 'pass_score is a percentage 0..100, or null')
        when q.layout is null or q.layout not in ('one', 'all') then
            sinau_error(422, 'invalid_layout', 'layout is one (a question per screen) or all')
        when q.review is null
             or q.review not in ('after_attempt', 'after_close', 'score_only', 'none') then
            sinau_error(422, 'invalid_review',
                        'review is after_attempt, after_close, score_only or none')
        when q.anonymous and q.kind <> 'survey' then
            sinau_error(422, 'invalid_anonymous', 'only a survey can be anonymous')
        when q.grading is null or q.grading not in ('best', 'first', 'last') then
            sinau_error(422, 'invalid_grading', 'grading is best, first or last')
        when not quiz_pick_valid(q.pick) then
            sinau_error(422, 'invalid_pick', 'pick is null or 1..20 of {tag?, count: 1..200}')
        when q.position not between 0 and 100000 then
            sinau_error(422, 'invalid_position', 'position is an integer 0..100000')
    end)
$$;

-- Whether member k of f is absent, or a JSON number that is a whole
-- number in lo..hi (or null, when p_null).
create or replace function quiz_int_member(f jsonb, k text, lo numeric, hi numeric, p_null boolean)
returns boolean
language sql immutable as $$
    select not f ? k
        or (p_null and jsonb_typeof(f -> k) = 'null')
        or (jsonb_typeof(f -> k) = 'number' and (f ->> k)::numeric between lo and hi
            and (f ->> k)::numeric = trunc((f ->> k)::numeric))
$$;

-- The JSON types and ranges of a quiz body's members (before they are
-- applied: nothing out of range reaches a column). Null when fine.
create or replace function quiz_fields_check(f jsonb) returns json
language sql immutable as $$
    select case
        when exists (select 1 from jsonb_each(f) e
                      where (e.key in ('title', 'kind', 'description_md', 'layout', 'review',
                                       'grading')
                             and jsonb_typeof(e.value) <> 'string')
                         or (e.key in ('shuffle', 'anonymous')
                             and jsonb_typeof(e.value) <> 'boolean')) then
            sinau_error(422, 'invalid_field', 'a member has the wrong JSON type')
        when not quiz_int_member(f, 'time_limit_s', 30, 86400, true) then
            sinau_error(422, 'invalid_time_limit', 'time_limit_s is 30..86400 seconds, or null')
        when not quiz_int_member(f, 'max_attempts', 1, 100, true) then
            sinau_error(422, 'invalid_max_attempts', 'max_attempts is 1..100, or null (no limit)')
        when not quiz_int_member(f, 'position', 0, 100000, false) then
            sinau_error(422, 'invalid_position', 'position is an integer 0..100000')
        when f ? 'pass_score' and jsonb_typeof(f -> 'pass_score') <> 'null'
             and (jsonb_typeof(f -> 'pass_score') <> 'number'
                  or (f ->> 'pass_score')::numeric not between 0 and 100) then
            sinau_error(422, 'invalid_pass_score', 'pass_score is a percentage 0..100, or null')
        when f ? 'pick' and not quiz_pick_valid(nullif(f -> 'pick', 'null'::jsonb)) then
            sinau_error(422, 'invalid_pick', 'pick is null or 1..20 of {tag?, count: 1..200}')
    end
$$;

-- Applies the members of f to a quiz (checked by quiz_fields_check).
create or replace function quiz_from_fields(base quizzes, f jsonb) returns quizzes
language plpgsql immutable as $$
declare
    q quizzes := base;
begin
    if f ? 'title' then q.title := f ->> 'title'; end if;
    if f ? 'kind' then q.kind := f ->> 'kind'; end if;
    if f ? 'description_md' then q.description_md := f ->> 'description_md'; end if;
    if f ? 'time_limit_s' then q.time_limit_s := (f ->> 'time_limit_s')::integer; end if;
    if f ? 'max_attempts' then q.max_attempts := (f ->> 'max_attempts')::integer; end if;
    if f ? 'pass_score' then q.pass_score := (f ->> 'pass_score')::numeric; end if;
    if f ? 'shuffle' then q.shuffle := (f ->> 'shuffle')::boolean; end if;
    if f ? 'layout' then q.layout := f ->> 'layout'; end if;
    if f ? 'review' then q.review := f ->> 'review'; end if;
    if f ? 'anonymous' then q.anonymous := (f ->> 'anonymous')::boolean; end if;
    if f ? 'grading' then q.grading := f ->> 'grading'; end if;
    if f ? 'pick' then
        q.pick := case when jsonb_typeof(f -> 'pick') = 'null' then null else f -> 'pick' end;
    end if;
    if f ? 'position' then q.position := (f ->> 'position')::integer; end if;
    return q;
end;
$$;

-- A quiz's settings: content_item_json.
create or replace function quiz_settings_json(q quizzes) returns jsonb
language sql stable as $$
    select content_item_json(q)
$$;

-- A draft question as authors see it (key and explanation included).
create or replace function quiz_question_draft_json(qq quiz_questions) returns jsonb
language sql stable as $$
    select content_item_json(qq)
$$;

-- A draft quiz for authors: its settings, and its questions when asked.
create or replace function quiz_draft_json(q quizzes, p_questions boolean) returns json
language sql stable as $$
    select (quiz_settings_json(q)
            || jsonb_build_object('question_count', (select count(*) from quiz_questions qq
                                                       where qq.quiz_id = q.id))
            || case when p_questions then jsonb_build_object(
                   'questions', coalesce((select jsonb_agg(quiz_question_draft_json(qq)
                                                           order by qq.position, qq.created_at,
                                                                    qq.id)
                                            from quiz_questions qq where qq.quiz_id = q.id),
                                         '[]'::jsonb))
                    else '{}'::jsonb end)::json
$$;

-- A module's draft quizzes (the draft's module tree lists them).
create or replace function quiz_draft_list(p_module_id text) returns json
language sql stable as $$
    select coalesce(json_agg(quiz_draft_json(q, false) order by q.position, q.created_at, q.id),
                    '[]'::json)
      from quizzes q where q.module_id = p_module_id
$$;

-- p_fields: {title, kind, time_limit_s?, max_attempts?, pass_score?,
-- shuffle?, layout?, review?, anonymous?, grading?, pick?, description_md?,
-- position?}; JSON types checked by the caller. {status, body}.
create or replace function quiz_create(p_module_id text, p_fields jsonb, p_user_id text,
                                       p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('modules', 'module', p_module_id, p_user_id, p_role);
    q quizzes;
begin
    q.module_id := p_module_id;
    q.kind := p_fields ->> 'kind';
    q.description_md := '';
    q.max_attempts := 1;
    q.shuffle := false;
    q.layout := 'one';
    q.review := quiz_default_review(q.kind);
    q.anonymous := false;
    q.grading := quiz_default_grading(q.kind);
    q.position := content_next_position('quizzes', 'module_id', p_module_id);
    return quiz_draft_save(q, p_fields, prog);
end;
$$;

-- The one write of a quiz of the draft of programme p_prog (created or
-- edited): q (a new one with its defaults, or the stored row) with p_fields
-- applied, checked (quiz_fields_check's and quiz_check's 422) and stored
-- (201 when new, 200). {status, body: {quiz}}.
create or replace function quiz_draft_save(q quizzes, p_fields jsonb, p_prog text) returns json
language plpgsql as $$
declare
    status constant integer := case when q.id is null then 201 else 200 end;
    bad json;
begin
    bad := quiz_fields_check(p_fields); -- the types first: quiz_from_fields casts
    if bad is null then
        q := quiz_from_fields(q, p_fields);
        bad := quiz_check(q);
    end if;
    if bad is not null then
        return bad;
    end if;
    q := content_draft_store(q, p_prog);
    return sinau_ok(status, json_build_object('quiz', quiz_draft_json(q, true)));
end;
$$;

-- The kind cannot change once questions exist (they were written for it).
create or replace function quiz_update(p_id text, p_fields jsonb, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    prog text := content_draft_item('quizzes', 'quiz', p_id, p_user_id, p_role);
    q quizzes;
begin
    select * into q from quizzes where id = p_id;
    if p_fields ? 'kind' and p_fields ->> 'kind' is distinct from q.kind
       and exists (select 1 from quiz_questions where quiz_id = q.id) then
        return sinau_error(409, 'kind_fixed', 'the kind of a quiz with questions cannot change');
    end if;
    return quiz_draft_save(q, p_fields, prog);
end;
$$;

create or replace function quiz_delete(p_id text, p_user_id text, p_role text) returns json
language sql as $$
    select content_draft_delete('quizzes', 'quiz', p_id, p_user_id, p_role)
$$;

-- A draft quiz with its questions (authors only).
create or replace function quiz_get_draft(p_id text, p_user_id text, p_role text) returns json
language sql stable as $$
    select json_build_object('quiz', quiz_draft_json(q, true),
                             'programme', json_build_object('slug', p.slug, 'title', p.title),
                             'module', json_build_object('id', m.id, 'title', m.title))
      from quizzes q join modules m on m.id = q.module_id join programmes p on p.id = m.programme_id
     where q.id = p_id and content_can_author(p.id, p_user_id, p_role)
$$;

-- ---- the draft: questions ----

-- A draft question's members as a request would give them.
create or replace function quiz_question_fields(qq quiz_questions) returns jsonb
language sql immutable as $$
    select jsonb_build_object('type', qq.type, 'stem_md', qq.stem_md, 'options', qq.options,
                              'answer', qq.answer, 'points', qq.points, 'scoring', qq.scoring,
                              'explanation_md', qq.explanation_md, 'tags', to_jsonb(qq.tags),
                              'position', qq.position)
$$;

-- Checks a whole question (f: every member, as quiz_question_fields gives
-- them, with a request's members laid over) for a quiz of p_kind. Null
-- when fine, else {status: 422, body} with a code a client can act on.
create or replace function quiz_question_check(p_kind text, f jsonb) returns json
language plpgsql immutable as $$
declare
    t text := f ->> 'type';
    opts jsonb := coalesce(nullif(f -> 'options', 'null'::jsonb), '[]'::jsonb);
    ans jsonb := nullif(f -> 'answer', 'null'::jsonb);
    n_correct integer;
begin
    if jsonb_typeof(f -> 'type') is distinct from 'string'
       or t not in ('single', 'multiple', 'true_false', 'short_text', 'numeric', 'likert', 'text') then
        return sinau_error(422, 'invalid_type', 'type is single, multiple, true_false, '
                           'short_text, numeric, likert or text');
    end if;
    if not quiz_type_allowed(p_kind, t) then
        return sinau_error(422, 'question_type_not_allowed',
                           case when p_kind = 'survey'
                                then 'a survey takes likert, single, multiple and text items'
                                else 'a graded quiz takes single, multiple, true_false, '
                                     'short_text and numeric questions' end);
    end if;
    if jsonb_typeof(f -> 'stem_md') is distinct from 'string'
       or octet_length(f ->> 'stem_md') not between 1 and 20000
       or btrim(f ->> 'stem_md') = '' then
        return sinau_error(422, 'invalid_stem_md', 'a question has 1 to 20,000 bytes of Markdown');
    end if;
    if jsonb_typeof(opts) <> 'array' then
        return sinau_error(422, 'invalid_options', 'options is an array');
    end if;
    if t in ('single', 'multiple') then
        if jsonb_array_length(opts) not between 2 and 10
           or exists (select 1 from jsonb_array_elements(opts) o
                       where not sinau_object_of(o, 'id', 'text_md', 'correct')
                          or jsonb_typeof(o -> 'text_md') is distinct from 'string'
                          or octet_length(o ->> 'text_md') not between 1 and 2000
                          or btrim(o ->> 'text_md') = ''
                          or (o ? 'correct' and jsonb_typeof(o -> 'correct') <> 'boolean')
                          or (o ? 'id' and (jsonb_typeof(o -> 'id') <> 'string'
                                            or (o ->> 'id') !~ '^[A-Za-z0-9_-]{1,40}$'))) then
            return sinau_error(422, 'invalid_options',
                               'options are 2 to 10 {text_md (1..2000 bytes), correct?}');
        end if;
        if (select count(distinct o ->> 'id') from jsonb_array_elements(opts) o where o ? 'id')
           <> (select count(*) from jsonb_array_elements(opts) o where o ? 'id') then
            return sinau_error(422, 'invalid_options', 'option ids are unique');
        end if;
        select count(*) into n_correct from jsonb_array_elements(opts) o
         where (o ->> 'correct')::boolean;
        if p_kind = 'survey' and n_correct > 0 then
            return sinau_error(422, 'invalid_options', 'a survey item has no correct option');
        end if;
        if p_kind <> 'survey' and t = 'single' and n_correct <> 1 then
            return sinau_error(422, 'invalid_key', 'a single-choice question has one correct option');
        end if;
        if p_kind <> 'survey' and t = 'multiple' and n_correct < 1 then
            return sinau_error(422, 'invalid_key',
                               'a multiple-choice question has at least one correct option');
        end if;
    elsif jsonb_array_length(opts) > 0 then
        return sinau_error(422, 'invalid_options', 'only choice questions have options');
    end if;
    if t = 'true_false' then
        if not sinau_object_of(ans, 'value')
           or jsonb_typeof(ans -> 'value') is distinct from 'boolean' then
            return sinau_error(422, 'invalid_key', 'answer is {value: true|false}');
        end if;
    elsif t = 'short_text' then
        if not sinau_object_of(ans, 'text')
           or jsonb_typeof(ans -> 'text') is distinct from 'string'
           or quiz_norm_text(ans ->> 'text') = '' or length(ans ->> 'text') > 200 then
            return sinau_error(422, 'invalid_key', 'answer is {text} (1 to 200 characters)');
        end if;
    elsif t = 'numeric' then
        if not sinau_object_of(ans, 'value', 'tolerance')
           or jsonb_typeof(ans -> 'value') is distinct from 'number'
           or abs((ans ->> 'value')::numeric) >= 1e15
           or (ans ? 'tolerance' and jsonb_typeof(ans -> 'tolerance') <> 'null'
               and (jsonb_typeof(ans -> 'tolerance') <> 'number'
                    or (ans ->> 'tolerance')::numeric not between 0 and 1e15)) then
            return sinau_error(422, 'invalid_key',
                               'answer is {value: number, tolerance?: number ≥ 0}');
        end if;
    elsif ans is not null then
        return sinau_error(422, 'invalid_key', 'only true_false, short_text and numeric have an answer');
    end if;
    if f ? 'points' and jsonb_typeof(f -> 'points') <> 'null'
       and (jsonb_typeof(f -> 'points') <> 'number'
            or (f ->> 'points')::numeric not between 0 and 1000
            or (quiz_type_graded(t) and p_kind <> 'survey' and (f ->> 'points')::numeric = 0)) then
        return sinau_error(422, 'invalid_points', 'points is more than 0 and at most 1000');
    end if;
    if f ? 'scoring' and (jsonb_typeof(f -> 'scoring') <> 'string'
                          or f ->> 'scoring' not in ('all_or_nothing', 'partial')) then
        return sinau_error(422, 'invalid_scoring', 'scoring is all_or_nothing or partial');
    end if;
    if f ? 'explanation_md' and (jsonb_typeof(f -> 'explanation_md') <> 'string'
                                 or octet_length(f ->> 'explanation_md') > 20000) then
        return sinau_error(422, 'invalid_explanation_md',
                           'an explanation has at most 20,000 bytes of Markdown');
    end if;
    if f ? 'tags' and (jsonb_typeof(f -> 'tags') <> 'array' or jsonb_array_length(f -> 'tags') > 10
                       or exists (select 1 from jsonb_array_elements(f -> 'tags') g
                                   where jsonb_typeof(g) <> 'string'
                                      or length(btrim(g #>> '{}')) not between 1 and 50)) then
        return sinau_error(422, 'invalid_tags', 'tags are at most 10 words of 1 to 50 characters');
    end if;
    if not quiz_int_member(f, 'position', 0, 100000, false) then
        return sinau_error(422, 'invalid_position', 'position is an integer 0..100000');
    end if;
    return null;
end;
$$;

-- A checked question's row for a quiz of p_kind: options get ids (kept
-- when given), survey items and ungraded types no points, tags folded to
-- lower case.
create or replace function quiz_question_from_fields(base quiz_questions, f jsonb, p_kind text)
returns quiz_questions
language plpgsql volatile as $$
declare
    qq quiz_questions := base;
begin
    qq.type := f ->> 'type';
    qq.stem_md := f ->> 'stem_md';
    qq.options := coalesce((select jsonb_agg(jsonb_build_object(
                                'id', coalesce(o ->> 'id', sinau_new_id()),
                                'text_md', o ->> 'text_md',
                                'correct', coalesce((o ->> 'correct')::boolean, false))
                                order by n)
                              from jsonb_array_elements(
                                       coalesce(nullif(f -> 'options', 'null'::jsonb), '[]'))
                                   with ordinality x(o, n)), '[]'::jsonb);
    qq.answer := case when qq.type = 'numeric'
                      then jsonb_build_object('value', (f #>> '{answer,value}')::numeric,
                                              'tolerance',
                                              coalesce((f #>> '{answer,tolerance}')::numeric, 0))
                      else nullif(f -> 'answer', 'null'::jsonb) end;
    qq.points := case when not quiz_type_graded(qq.type) or p_kind = 'survey' then 0
                      else coalesce((nullif(f -> 'points', 'null'::jsonb) #>> '{}')::numeric, 1) end;
    qq.scoring := coalesce(f ->> 'scoring', 'all_or_nothing');
    qq.explanation_md := coalesce(f ->> 'explanation_md', '');
    qq.tags := coalesce(array(select distinct lower(btrim(g))
                                from jsonb_array_elements_text(
                                         coalesce(nullif(f -> 'tags', 'null'::jsonb), '[]')) g
                               order by 1), '{}');
    qq.position := coalesce((f ->> 'position')::integer, qq.position);
    return qq;
end;
$$;

-- The quiz of p_quiz_id when the caller may author it (locked); raises 404
-- "no such p_what" otherwise (content_draft_item).
create or replace function quiz_for_author(p_quiz_id text, p_what text, p_user_id text,
                                           p_role text)
returns quizzes
language plpgsql as $$
declare
    q quizzes;
begin
    perform content_draft_item('quizzes', p_what, p_quiz_id, p_user_id, p_role);
    select * into q from quizzes where id = p_quiz_id;
    return q;
end;
$$;

-- p_fields: {type, stem_md, options?, answer?, points?, scoring?,
-- explanation_md?, tags?, position?}. {status, body: {question}}.
create or replace function quiz_question_create(p_quiz_id text, p_fields jsonb, p_user_id text,
                                                p_role text)
returns json
language plpgsql as $$
declare
    q quizzes := quiz_for_author(p_quiz_id, 'quiz', p_user_id, p_role);
    qq quiz_questions;
begin
    qq.quiz_id := q.id;
    qq.position := content_next_position('quiz_questions', 'quiz_id', q.id);
    return quiz_question_draft_save(q, qq, p_fields);
end;
$$;

-- The one write of a question of quiz q (created or edited): qq (a new one,
-- or the stored row) with the fields f (the whole question) checked
-- (quiz_question_check's 422), applied and stored (201 when new, 200).
-- {status, body: {question}}.
create or replace function quiz_question_draft_save(q quizzes, qq quiz_questions, f jsonb)
returns json
language plpgsql as $$
declare
    status constant integer := case when qq.id is null then 201 else 200 end;
    bad json := quiz_question_check(q.kind, f);
begin
    if bad is not null then
        return bad;
    end if;
    qq := content_draft_store(quiz_question_from_fields(qq, f, q.kind),
                              (select programme_id from modules where id = q.module_id));
    return sinau_ok(status, json_build_object('question', quiz_question_draft_json(qq)));
end;
$$;

-- A question of quiz q written: the draft of q's programme bumped, and the
-- answer {status, body}.
create or replace function quiz_draft_changed(q quizzes, p_status integer, p_body json)
returns json
language sql as $$
    select content_bump_draft((select programme_id from modules where id = q.module_id));
    select sinau_ok(p_status, p_body)
$$;

-- The quiz of a draft question (locked) when the caller may author it;
-- raises 404 otherwise.
create or replace function quiz_of_question(p_id text, p_user_id text, p_role text)
returns quizzes
language sql as $$
    select quiz_for_author((select quiz_id from quiz_questions where id = p_id), 'question',
                           p_user_id, p_role)
$$;

create or replace function quiz_question_update(p_id text, p_fields jsonb, p_user_id text,
                                                p_role text)
returns json
language plpgsql as $$
declare
    q quizzes := quiz_of_question(p_id, p_user_id, p_role);
    qq quiz_questions;
    f jsonb;
begin
    select * into qq from quiz_questions where id = p_id for update;
    f := quiz_question_fields(qq) || p_fields;
    -- a new type starts without the old one's options and answer unless given
    if p_fields ? 'type' and p_fields ->> 'type' is distinct from qq.type then
        f := f || jsonb_build_object('options', coalesce(p_fields -> 'options', '[]'::jsonb),
                                     'answer', coalesce(p_fields -> 'answer', 'null'::jsonb));
    end if;
    return quiz_question_draft_save(q, qq, f);
end;
$$;

create or replace function quiz_question_delete(p_id text, p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    q quizzes := quiz_of_question(p_id, p_user_id, p_role);
begin
    delete from quiz_questions where id = p_id;
    return quiz_draft_changed(q, 204, null);
end;
$$;

-- A question bank imported at once (CSV read by the server into p_items:
-- [{type, stem_md, …, row}] in sheet order, row being the sheet's row
-- number). All or nothing: the first bad row refuses the whole import, its
-- 422 naming that row (details.row). {status, body: {imported, questions}}.
create or replace function quiz_questions_import(p_quiz_id text, p_items jsonb, p_user_id text,
                                                 p_role text)
returns json
language plpgsql as $$
declare
    q quizzes := quiz_for_author(p_quiz_id, 'quiz', p_user_id, p_role);
    qq quiz_questions;
    item jsonb;
    n integer := 0;
    pos integer;
    bad json;
    made jsonb := '[]';
begin
    if jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) = 0 then
        return sinau_error(422, 'empty_import', 'the file holds no question rows');
    end if;
    if jsonb_array_length(p_items) + (select count(*) from quiz_questions where quiz_id = q.id)
       > 500 then
        return sinau_error(422, 'too_many_questions', 'a quiz holds at most 500 questions');
    end if;
    pos := content_next_position('quiz_questions', 'quiz_id', q.id);
    for item in select * from jsonb_array_elements(p_items) loop
        n := n + 1;
        bad := quiz_question_check(q.kind, item);
        if bad is not null then
            return sinau_error_details(422, bad #>> '{body,error,code}',
                bad #>> '{body,error,message}', json_build_object('row', coalesce((item ->> 'row')::integer, n)));
        end if;
    end loop;
    for item in select * from jsonb_array_elements(p_items) loop
        qq := null;
        qq.quiz_id := q.id;
        qq.position := pos;
        pos := pos + 1;
        qq := quiz_question_from_fields(qq, item - 'position' - 'row', q.kind);
        qq := sinau_insert(qq);
        made := made || jsonb_build_array(quiz_question_draft_json(qq));
    end loop;
    return quiz_draft_changed(q, 201, json_build_object('imported', jsonb_array_length(made),
                                                        'questions', made));
end;
$$;

-- ---- publishing ----

-- Every piece of quiz Markdown of a programme's draft (of one quiz when
-- p_quiz_id is given), keyed as publishing stores its HTML: the quiz id
-- (description), the question id (stem), question/option id (an option),
-- question/x (the explanation).
create or replace function quiz_markdown(p_programme_id text, p_quiz_id text)
returns table (k text, md text)
language sql stable as $$
    select q.id, q.description_md
      from quizzes q join modules m on m.id = q.module_id
     where m.programme_id = p_programme_id and (p_quiz_id is null or q.id = p_quiz_id)
    union all
    select qq.id, qq.stem_md
      from quiz_questions qq join quizzes q on q.id = qq.quiz_id join modules m on m.id = q.module_id
     where m.programme_id = p_programme_id and (p_quiz_id is null or q.id = p_quiz_id)
    union all
    select qq.id || '/' || (o ->> 'id'), o ->> 'text_md'
      from quiz_questions qq join quizzes q on q.id = qq.quiz_id join modules m on m.id = q.module_id
     cross join jsonb_array_elements(qq.options) o
     where m.programme_id = p_programme_id and (p_quiz_id is null or q.id = p_quiz_id)
    union all
    select qq.id || '/x', qq.explanation_md
      from quiz_questions qq join quizzes q on q.id = qq.quiz_id join modules m on m.id = q.module_id
     where m.programme_id = p_programme_id and (p_quiz_id is null or q.id = p_quiz_id)
$$;

-- Whether p_html holds every piece quiz_markdown lists (else the draft
-- changed while publishing).
create or replace function quiz_html_complete(p_programme_id text, p_html jsonb) returns boolean
language sql stable as $$
    select not exists (select 1 from quiz_markdown(p_programme_id, null) m where not p_html ? m.k)
$$;

-- What of a module's quizzes the content hash covers: nothing for a module
-- without quizzes (so versions before quizzes hash as they did).
create or replace function quiz_hash_part(p_module_id text) returns jsonb
language sql stable as $$
    select coalesce((select jsonb_build_object('quizzes', jsonb_agg(
                        quiz_settings_json(q) - 'module_id'
                        || jsonb_build_object('questions', coalesce((
                               select jsonb_agg(quiz_question_fields(qq) || jsonb_build_object('id', qq.id)
                                                order by qq.position, qq.created_at, qq.id)
                                 from quiz_questions qq where qq.quiz_id = q.id), '[]'::jsonb))
                        order by q.position, q.created_at, q.id))
                       from quizzes q where q.module_id = p_module_id
                     having count(*) > 0), '{}'::jsonb)
$$;

-- A version's quizzes as [{id, title, sig}] for content_version_changes,
-- sig standing for everything a participant meets (the quiz's settings and
-- its questions in order, with their keys and explanations); the HTML and
-- the places in the version are left out, as for lessons.
create or replace function quiz_version_list(p_programme_id text, p_version integer)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'id', q.quiz_id, 'title', q.title,
               'sig', md5((to_jsonb(q) - array['programme_id', 'version', 'description_html',
                                               'position', 'ordinal']
                           || jsonb_build_object('questions', coalesce((
                                  select jsonb_agg(to_jsonb(vq) - array['programme_id', 'version',
                                                                        'stem_html',
                                                                        'explanation_html',
                                                                        'position', 'ordinal']
                                                   || jsonb_build_object('options', (
                                                          select coalesce(jsonb_agg(o - 'text_html'
                                                                                    order by n),
                                                                          '[]'::jsonb)
                                                            from jsonb_array_elements(vq.options)
                                                                 with ordinality x(o, n)))
                                                   order by vq.ordinal)
                                    from version_questions vq
                                   where vq.programme_id = q.programme_id
                                     and vq.version = q.version and vq.quiz_id = q.quiz_id),
                                  '[]'::jsonb)))::text))
               order by q.ordinal), '[]'::jsonb)
      from version_quizzes q where q.programme_id = p_programme_id and q.version = p_version
$$;

-- A draft question as its published copy: the HTML of its stem, options
-- and explanation from p_html (keys as quiz_markdown's).
create or replace function quiz_version_row(p_programme_id text, p_version integer,
                                            qq quiz_questions, p_html jsonb, p_ordinal integer)
returns version_questions
language sql immutable as $$
    select p_programme_id, p_version, qq.id, qq.quiz_id, qq.type, qq.stem_md,
           coalesce(p_html ->> qq.id, ''),
           coalesce((select jsonb_agg(o || jsonb_build_object(
                                 'text_html', coalesce(p_html ->> (qq.id || '/' || (o ->> 'id')), ''))
                                 order by n)
                       from jsonb_array_elements(qq.options) with ordinality x(o, n)), '[]'::jsonb),
           qq.answer, qq.points, qq.scoring, qq.explanation_md,
           coalesce(p_html ->> (qq.id || '/x'), ''), qq.tags, qq.position, p_ordinal
$$;

-- Copies the draft's quizzes and questions into version p_version (called
-- by content_publish once the version's modules exist), with the HTML the
-- server rendered.
create or replace function quiz_publish(p_programme_id text, p_version integer, p_html jsonb)
returns void
language sql as $$
    insert into version_quizzes (programme_id, version, quiz_id, module_id, title, kind,
                                 description_md, description_html, time_limit_s, max_attempts,
                                 pass_score, shuffle, layout, review, anonymous, grading, pick,
                                 position, ordinal)
    select p_programme_id, p_version, q.id, q.module_id, q.title, q.kind, q.description_md,
           coalesce(p_html ->> q.id, ''), q.time_limit_s, q.max_attempts, q.pass_score, q.shuffle,
           q.layout, q.review, q.anonymous, q.grading, q.pick, q.position,
           row_number() over (order by m.position, m.created_at, m.id, q.position, q.created_at,
                                       q.id)
      from quizzes q join modules m on m.id = q.module_id
     where m.programme_id = p_programme_id;
    insert into version_questions
    select (quiz_version_row(p_programme_id, p_version, qq, p_html,
                             (row_number() over (partition by qq.quiz_id
                                                 order by qq.position, qq.created_at, qq.id))::integer)).*
      from quiz_questions qq join quizzes q on q.id = qq.quiz_id
      join modules m on m.id = q.module_id
     where m.programme_id = p_programme_id;
$$;

-- A draft quiz as a participant will see it, for its authors to check
-- (with the key and the explanations): p_html holds its Markdown rendered
-- (keys as quiz_markdown's). Null for anyone but an author.
create or replace function quiz_preview_json(p_quiz_id text, p_html jsonb, p_user_id text,
                                             p_role text)
returns json
language sql stable as $$
    select json_build_object(
        'quiz', quiz_settings_json(q)
                || jsonb_build_object('description_html', coalesce(p_html ->> q.id, '')),
        'questions', coalesce((select jsonb_agg(
            jsonb_build_object('id', v.question_id, 'type', v.type, 'stem_html', v.stem_html,
                               'options', quiz_options_json(v, '', false, false),
                               'review', jsonb_build_object(
                                   'key', quiz_key_json(v),
                                   'explanation_html', v.explanation_html))
            || case when quiz_type_graded(v.type) and q.kind <> 'survey'
                    then jsonb_build_object('points', v.points) else '{}' end
            || case when v.type = 'likert'
                    then jsonb_build_object('scale', jsonb_build_object('min', 1, 'max', 5))
                    else '{}' end
            order by v.ordinal)
            from (select (quiz_version_row(m.programme_id, 0, qq, p_html,
                                           (row_number() over (order by qq.position, qq.created_at,
                                                                        qq.id))::integer)).*
                    from quiz_questions qq where qq.quiz_id = q.id) v), '[]'::jsonb))
      from quizzes q join modules m on m.id = q.module_id
     where q.id = p_quiz_id and content_can_author(m.programme_id, p_user_id, p_role)
$$;

-- ---- a cohort's quizzes ----

-- The published quiz of a cohort's version, or no row.
create or replace function quiz_of_cohort(p_cohort_id text, p_quiz_id text)
returns setof version_quizzes
language sql stable as $$
    select q.* from cohorts c join version_quizzes q
        on q.programme_id = c.programme_id and q.version = c.content_version
     where c.id = p_cohort_id and q.quiz_id = p_quiz_id
$$;

-- Whether the quiz is open to a participant now, and if not why
-- (not_yet_open, closed, lessons_started), with the instant it closes.
create or replace function quiz_window(p_cohort_id text, p_quiz_id text, p_user_id text,
                                       out is_open boolean, out reason text,
                                       out closes_at timestamptz)
language sql stable as $$
    select x.reason is null, x.reason, x.closes_at
      from (select case when cq.opens_at > now() then 'not_yet_open'
                        when cq.closes_at <= now() then 'closed'
                        when cq.close_at_first_lesson
                             and exists (select 1 from lesson_progress lp
                                          where lp.cohort_id = p_cohort_id
                                            and lp.user_id = p_user_id) then 'lessons_started'
                   end as reason,
                   cq.closes_at
              from (select 1) one
              left join cohort_quizzes cq on cq.cohort_id = p_cohort_id and cq.quiz_id = p_quiz_id) x
$$;

-- Whether the quiz has closed for the cohort (review after_close).
create or replace function quiz_closed_for_cohort(p_cohort_id text, p_quiz_id text)
returns boolean
language sql stable as $$
    select exists (select 1 from cohort_quizzes
                    where cohort_id = p_cohort_id and quiz_id = p_quiz_id and closes_at <= now())
$$;

-- The questions an attempt draws: every question, or for each rule of
-- pick, `count` questions with its tag (any question without one) not drawn
-- yet; in authored order, or shuffled by the seed.
create or replace function quiz_draw(vq version_quizzes, p_seed text) returns text[]
language plpgsql stable as $$
declare
    chosen text[] := '{}';
    r jsonb;
begin
    if vq.pick is null then
        chosen := array(select question_id from version_questions
                         where programme_id = vq.programme_id and version = vq.version
                           and quiz_id = vq.quiz_id);
    else
        for r in select * from jsonb_array_elements(vq.pick) loop
            chosen := chosen || array(
                select question_id from version_questions
                 where programme_id = vq.programme_id and version = vq.version
                   and quiz_id = vq.quiz_id and not question_id = any (chosen)
                   and (not r ? 'tag' or tags @> array[lower(r ->> 'tag')])
                 order by md5(p_seed || ':' || question_id)
                 limit (r ->> 'count')::integer);
        end loop;
    end if;
    return array(select question_id from version_questions
                  where programme_id = vq.programme_id and version = vq.version
                    and question_id = any (chosen)
                  order by case when vq.shuffle then md5(p_seed || ':' || question_id) end,
                           ordinal);
end;
$$;

-- The options of a question as an attempt shows them: in the attempt's
-- order (shuffled by its seed when the quiz says so; true/false keeps its
-- own), with whether each is right only when p_review.
create or replace function quiz_options_json(q version_questions, p_seed text, p_shuffle boolean,
                                             p_review boolean)
returns jsonb
language sql immutable as $$
    select case
        when q.type = 'true_false' then
            jsonb_build_array(
                jsonb_build_object('id', 'true', 'text_html', '<p>Benar</p>')
                || case when p_review then jsonb_build_object(
                       'correct', (q.answer ->> 'value')::boolean) else '{}' end,
                jsonb_build_object('id', 'false', 'text_html', '<p>Salah</p>')
                || case when p_review then jsonb_build_object(
                       'correct', not (q.answer ->> 'value')::boolean) else '{}' end)
        else coalesce((select jsonb_agg(jsonb_build_object('id', o ->> 'id',
                                                           'text_html', o ->> 'text_html')
                                        || case when p_review and quiz_type_graded(q.type)
                                                then jsonb_build_object(
                                                    'correct', (o ->> 'correct')::boolean)
                                                else '{}' end
                                        order by case when p_shuffle
                                                      then md5(p_seed || ':' || q.question_id
                                                               || ':' || (o ->> 'id')) end, n)
                         from jsonb_array_elements(q.options) with ordinality x(o, n)), '[]')
    end
$$;

-- The key of a question, for a review.
create or replace function quiz_key_json(q version_questions) returns jsonb
language sql immutable as $$
    select case q.type
        when 'single' then jsonb_build_object('option_ids', (
            select jsonb_agg(o -> 'id') from jsonb_array_elements(q.options) o
             where (o ->> 'correct')::boolean))
        when 'multiple' then jsonb_build_object('option_ids', (
            select jsonb_agg(o -> 'id') from jsonb_array_elements(q.options) o
             where (o ->> 'correct')::boolean), 'scoring', q.scoring)
        when 'true_false' then jsonb_build_object('option_ids',
                                                  jsonb_build_array(q.answer ->> 'value'))
        else q.answer end
$$;

-- Whether the viewer of an attempt sees its score (p_staff: the cohort's
-- staff, who always do once it is closed).
create or replace function quiz_result_visible(a quiz_attempts, vq version_quizzes, p_staff boolean)
returns boolean
language sql stable as $$
    select a.closed_at is not null and vq.kind <> 'survey'
       and (p_staff or vq.review in ('after_attempt', 'score_only')
            or (vq.review = 'after_close' and quiz_closed_for_cohort(a.cohort_id, a.quiz_id)))
$$;

-- Whether the viewer sees the key and the explanations.
create or replace function quiz_review_visible(a quiz_attempts, vq version_quizzes, p_staff boolean)
returns boolean
language sql stable as $$
    select a.closed_at is not null and vq.kind <> 'survey'
       and (p_staff or vq.review = 'after_attempt'
            or (vq.review = 'after_close' and quiz_closed_for_cohort(a.cohort_id, a.quiz_id)))
$$;

-- An attempt as its participant (p_staff false) or the cohort's staff see
-- it: the questions drawn, in the attempt's order, with the participant's
-- answers (never an anonymous survey's to staff, nor after it closed), the
-- remaining time by the server's clock, and — only once visible — the
-- score, and for each question whether it was right, the key and the
-- explanation.
create or replace function quiz_attempt_json(a quiz_attempts, p_staff boolean) returns json
language sql stable as $$
    select (jsonb_build_object(
        'id', a.id, 'cohort_id', a.cohort_id, 'quiz_id', a.quiz_id, 'number', a.number,
        'status', case when a.closed_at is null then 'open' else 'closed' end,
        'started_at', a.started_at, 'deadline_at', a.deadline_at, 'closed_at', a.closed_at,
        'closed_by', a.closed_by,
        'server_now', clock_timestamp(),
        'remaining_s', case when a.closed_at is null and a.deadline_at is not null
                            then greatest(0, floor(extract(epoch from a.deadline_at
                                                                 - clock_timestamp())))::integer
                       end,
        'quiz', jsonb_build_object('title', vq.title, 'kind', vq.kind, 'layout', vq.layout,
                                   'time_limit_s', vq.time_limit_s, 'anonymous', vq.anonymous,
                                   'pass_score', vq.pass_score,
                                   'description_html', vq.description_html),
        'questions', (select coalesce(jsonb_agg(
                          jsonb_build_object(
                              'id', q.question_id, 'type', q.type, 'stem_html', q.stem_html,
                              'options', quiz_options_json(q, a.seed, vq.shuffle, v.review))
                          || case when quiz_type_graded(q.type) and vq.kind <> 'survey'
                                  then jsonb_build_object('points', q.points) else '{}' end
                          || case when q.type = 'likert'
                                  then jsonb_build_object('scale', jsonb_build_object('min', 1,
                                                                                     'max', 5))
                                  else '{}' end
                          || case when v.answers
                                  then jsonb_build_object('response', an.response) else '{}' end
                          || case when v.review then jsonb_build_object('review', jsonb_build_object(
                                 'points_awarded', coalesce(an.points, 0),
                                 'correct', coalesce(an.points, 0) >= q.points,
                                 'key', quiz_key_json(q),
                                 'explanation_html', q.explanation_html))
                                  else '{}' end
                          order by array_position(a.question_ids, q.question_id)), '[]'::jsonb)
                        from version_questions q
                        left join quiz_answers an on an.attempt_id = a.id
                                                 and an.question_id = q.question_id
                       where q.programme_id = a.programme_id and q.version = a.version
                         and q.question_id = any (a.question_ids)),
        'answered', (select count(*) from quiz_answers an where an.attempt_id = a.id))
        || case when v.result then jsonb_build_object('score', a.score, 'max_score', a.max_score,
                                                      'percent', a.percent, 'passed', a.passed)
                else '{}' end)::json
      from version_quizzes vq
     cross join lateral (select quiz_result_visible(a, vq, p_staff) as result,
                                quiz_review_visible(a, vq, p_staff) as review,
                                not (vq.anonymous and (p_staff or a.closed_at is not null))
                                    as answers) v
     where vq.programme_id = a.programme_id and vq.version = a.version and vq.quiz_id = a.quiz_id
$$;

-- ---- attempts ----

-- Closes and grades an attempt the caller holds locked: each answer gets
-- its points, the attempt its score, percent and pass. A survey records
-- that the participant answered; an anonymous one moves its answers to
-- survey_responses (no user, no time) and keeps none with the attempt.
create or replace function quiz_close_locked(a quiz_attempts, p_reason text) returns quiz_attempts
language plpgsql as $$
declare
    vq version_quizzes;
    total numeric;
    got numeric;
begin
    select * into vq from version_quizzes
     where programme_id = a.programme_id and version = a.version and quiz_id = a.quiz_id;
    if vq.kind <> 'survey' then
        update quiz_answers an
           set points = quiz_grade(q.type, q.options, q.answer, q.points, q.scoring, an.response)
          from version_questions q
         where an.attempt_id = a.id and q.programme_id = a.programme_id
           and q.version = a.version and q.question_id = an.question_id;
        select sum(q.points) into total from version_questions q
         where q.programme_id = a.programme_id and q.version = a.version
           and q.question_id = any (a.question_ids) and quiz_type_graded(q.type);
        select coalesce(sum(points), 0) into got from quiz_answers where attempt_id = a.id;
    end if;
    update quiz_attempts
       set closed_at = now(), closed_by = p_reason,
           score = case when total > 0 then got end,
           max_score = case when total > 0 then total end,
           percent = case when total > 0 then round(100 * got / total, 2) end,
           passed = case when total > 0 and vq.pass_score is not null
                         then round(100 * got / total, 2) >= vq.pass_score end
     where id = a.id
    returning * into a;
    if vq.kind = 'survey' then
        insert into survey_answered (cohort_id, quiz_id, user_id)
        values (a.cohort_id, a.quiz_id, a.user_id)
        on conflict do nothing;
        if vq.anonymous then
            insert into survey_responses (cohort_id, quiz_id, answers)
            select a.cohort_id, a.quiz_id,
                   jsonb_agg(jsonb_build_object('question_id', question_id, 'response', response)
                             order by question_id)
              from quiz_answers where attempt_id = a.id
            having count(*) > 0;
            delete from quiz_answers where attempt_id = a.id;
        end if;
    end if;
    return a;
end;
$$;

-- Starts an attempt for a confirmed participant, or resumes the one in
-- progress (200 then). 409 quiz_closed outside the window, 409
-- attempts_exhausted past max_attempts: attempts of one participant on one
-- quiz are counted under a lock, so starts at once never exceed it.
-- {status, body: {attempt}}.
create or replace function quiz_start(p_cohort_id text, p_quiz_id text, p_user_id text,
                                      p_role text)
returns json
language plpgsql as $$
declare
    vq version_quizzes;
    a quiz_attempts;
    w record;
    n integer;
    s text;
    picked text[];
begin
    select * into vq from quiz_of_cohort(p_cohort_id, p_quiz_id);
    if not found or not learn_can_access(p_cohort_id, p_user_id, p_role) then
        return content_not_found('quiz');
    end if;
    if not asg_is_participant(p_cohort_id, p_user_id) then
        return sinau_error(403, 'participants_only', 'only the cohort''s participants take quizzes');
    end if;
    perform pg_advisory_xact_lock(hashtext('quiz:' || p_cohort_id || ':' || p_quiz_id),
                                  hashtext(p_user_id));
    select * into a from quiz_attempts
     where cohort_id = p_cohort_id and quiz_id = p_quiz_id and user_id = p_user_id
       and closed_at is null
       for update;
    if found then
        if a.deadline_at is null or a.deadline_at > now() then
            return sinau_ok(200, json_build_object('attempt', quiz_attempt_json(a, false)));
        end if;
        perform quiz_close_locked(a, 'deadline');
    end if;
    w := quiz_window(p_cohort_id, p_quiz_id, p_user_id);
    if not w.is_open then
        return sinau_error_details(409, 'quiz_closed', 'this quiz is not open',
            json_build_object('reason', w.reason));
    end if;
    select count(*) into n from quiz_attempts
     where cohort_id = p_cohort_id and quiz_id = p_quiz_id and user_id = p_user_id;
    if vq.max_attempts is not null and n >= vq.max_attempts then
        return sinau_error_details(409, 'attempts_exhausted', 'no attempts left on this quiz',
            json_build_object('max_attempts', vq.max_attempts));
    end if;
    s := replace(gen_random_uuid()::text, '-', '');
    picked := quiz_draw(vq, s);
    if cardinality(picked) = 0 then
        return sinau_error(409, 'quiz_empty', 'this quiz has no questions');
    end if;
    insert into quiz_attempts (cohort_id, user_id, programme_id, version, quiz_id, number,
                               max_attempts, seed, question_ids, deadline_at)
    values (p_cohort_id, p_user_id, vq.programme_id, vq.version, vq.quiz_id, n + 1,
            vq.max_attempts, s, picked,
            least(now() + make_interval(secs => vq.time_limit_s), w.closes_at))
    returning * into a;
    return sinau_ok(201, json_build_object('attempt', quiz_attempt_json(a, false)));
end;
$$;

-- Saves one answer as given (the hot path of a quiz): the participant's
-- own open attempt, before its deadline by the server's clock, a question
-- it drew, a response that fits. Saving the same answer again changes
-- nothing; a save with a lower seq than the stored one (a late retry) is
-- ignored. The attempt row is held FOR KEY SHARE until commit, so a close
-- (FOR UPDATE) either waits for this save and grades it, or goes first and
-- this save finds the attempt closed. {status, body}.
create or replace function quiz_save(p_attempt_id text, p_question_id text, p_user_id text,
                                     p_response jsonb, p_seq bigint)
returns json
language plpgsql as $$
declare
    a quiz_attempts;
    q version_questions;
    bad text;
    at timestamptz;
begin
    select * into a from quiz_attempts where id = p_attempt_id and user_id = p_user_id
       for key share;
    if not found then
        return content_not_found('attempt');
    end if;
    if a.closed_at is not null or a.deadline_at <= statement_timestamp() then
        return sinau_error(409, 'attempt_closed', 'this attempt is closed; answers are no longer taken');
    end if;
    if not p_question_id = any (a.question_ids) then
        return content_not_found('question');
    end if;
    select * into q from version_questions
     where programme_id = a.programme_id and version = a.version and question_id = p_question_id;
    bad := quiz_response_check(q.type, q.options, p_response);
    if bad is not null then
        return sinau_error(422, bad, case when bad = 'unknown_option'
                                          then 'an option of another question'
                                          else 'this answer does not fit the question' end);
    end if;
    insert into quiz_answers as an (attempt_id, question_id, response, seq)
    values (a.id, p_question_id, p_response, p_seq)
    on conflict (attempt_id, question_id) do update
       set response = excluded.response, seq = excluded.seq, saved_at = now()
     where an.seq is null or excluded.seq is null or excluded.seq >= an.seq
    returning saved_at into at;
    return sinau_ok(200, json_build_object(
        'question_id', p_question_id, 'saved', at is not null,
        'remaining_s', case when a.deadline_at is not null
                            then greatest(0, floor(extract(epoch from a.deadline_at
                                                                 - clock_timestamp())))::integer
                       end));
end;
$$;

-- Closes the caller's attempt and grades it (again: the same answer, as
-- many times as asked). A survey closed by its participant must have every
-- item but free text answered (409 survey_incomplete). {status, body:
-- {attempt}}.
create or replace function quiz_close(p_attempt_id text, p_user_id text) returns json
language plpgsql as $$
declare
    a quiz_attempts;
    missing jsonb;
begin
    select * into a from quiz_attempts where id = p_attempt_id and user_id = p_user_id
       for update;
    if not found then
        return content_not_found('attempt');
    end if;
    if a.closed_at is null then
        if (select kind from version_quizzes where programme_id = a.programme_id
               and version = a.version and quiz_id = a.quiz_id) = 'survey' then
            select jsonb_agg(q.question_id order by array_position(a.question_ids, q.question_id))
              into missing
              from version_questions q
             where q.programme_id = a.programme_id and q.version = a.version
               and q.question_id = any (a.question_ids) and q.type <> 'text'
               and not exists (select 1 from quiz_answers an
                                where an.attempt_id = a.id and an.question_id = q.question_id
                                  and an.response not in ('{"option_ids": []}', '{"value": null}'));
            if missing is not null then
                return sinau_error_details(409, 'survey_incomplete',
                    'answer every item before sending the survey', json_build_object('question_ids', missing));
            end if;
        end if;
        a := quiz_close_locked(a, case when a.deadline_at <= now() then 'deadline'
                                       else 'participant' end);
    end if;
    return sinau_ok(200, json_build_object('attempt', quiz_attempt_json(a, false)));
end;
$$;

-- An attempt for its participant or the cohort's staff; null otherwise.
create or replace function quiz_attempt_get(p_attempt_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select case when a.user_id = p_user_id then quiz_attempt_json(a, false)
                when asg_is_staff(a.cohort_id, p_user_id, p_role) then quiz_attempt_json(a, true)
           end
      from quiz_attempts a where a.id = p_attempt_id
$$;

-- The server's timer: closes and grades up to p_limit attempts past their
-- deadline. SKIP LOCKED: several instances (and an attempt being saved or
-- closed right now) never wait on each other. Returns how many it closed.
create or replace function quiz_close_due(p_limit integer) returns integer
language plpgsql as $$
declare
    a quiz_attempts;
    n integer := 0;
begin
    for a in select * from quiz_attempts
              where closed_at is null and deadline_at <= now()
              order by deadline_at
              limit p_limit
                for update skip locked loop
        perform quiz_close_locked(a, 'timer');
        n := n + 1;
    end loop;
    return n;
end;
$$;

-- A participant started on the lessons: pre-tests whose cohort window
-- says close_at_first_lesson close now for them (learn_complete calls it).
create or replace function quiz_lessons_started(p_cohort_id text, p_user_id text) returns void
language plpgsql as $$
declare
    a quiz_attempts;
begin
    for a in select qa.* from quiz_attempts qa
               join cohort_quizzes cq on cq.cohort_id = qa.cohort_id and cq.quiz_id = qa.quiz_id
              where qa.user_id = p_user_id and qa.cohort_id = p_cohort_id
                and qa.closed_at is null and cq.close_at_first_lesson
                for update of qa loop
        perform quiz_close_locked(a, 'lessons');
    end loop;
end;
$$;

-- ---- results ----

-- The attempt that counts for a participant: the best, the first or the
-- last closed one (p_grading); no row when none is closed.
create or replace function quiz_result(p_cohort_id text, p_quiz_id text, p_user_id text,
                                       p_grading text)
returns setof quiz_attempts
language sql stable as $$
    select * from quiz_attempts
     where cohort_id = p_cohort_id and quiz_id = p_quiz_id and user_id = p_user_id
       and closed_at is not null
     order by case when p_grading = 'best' then percent end desc nulls last,
              case when p_grading = 'last' then number end desc,
              number
     limit 1
$$;

-- A cohort's quiz as its participant sees it before and between attempts:
-- settings, the window, their attempts (with scores only when visible),
-- the attempt in progress, whether they can start one.
create or replace function quiz_participant_json(vq version_quizzes, p_cohort_id text,
                                                 p_user_id text)
returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'id', vq.quiz_id, 'cohort_id', p_cohort_id, 'module_id', vq.module_id,
        'title', vq.title, 'kind', vq.kind, 'description_html', vq.description_html,
        'time_limit_s', vq.time_limit_s, 'max_attempts', vq.max_attempts,
        'pass_score', vq.pass_score, 'layout', vq.layout, 'anonymous', vq.anonymous,
        'review_policy', vq.review,
        'question_count', coalesce((select sum((r ->> 'count')::integer)::integer
                                      from jsonb_array_elements(vq.pick) r),
                                   (select count(*) from version_questions q
                                     where q.programme_id = vq.programme_id
                                       and q.version = vq.version and q.quiz_id = vq.quiz_id)),
        'window', jsonb_build_object('opens_at', cq.opens_at, 'closes_at', cq.closes_at,
                                     'close_at_first_lesson',
                                     coalesce(cq.close_at_first_lesson, false),
                                     'open', w.is_open, 'reason', w.reason),
        'attempts', coalesce((select jsonb_agg(jsonb_build_object(
                                 'id', a.id, 'number', a.number, 'started_at', a.started_at,
                                 'deadline_at', a.deadline_at, 'closed_at', a.closed_at,
                                 'status', case when a.closed_at is null then 'open' else 'closed' end,
                                 'review_available', quiz_review_visible(a, vq, false))
                                 || case when quiz_result_visible(a, vq, false)
                                         then jsonb_build_object('score', a.score,
                                                                 'max_score', a.max_score,
                                                                 'percent', a.percent,
                                                                 'passed', a.passed)
                                         else '{}' end
                                 order by a.number)
                                from quiz_attempts a
                               where a.cohort_id = p_cohort_id and a.quiz_id = vq.quiz_id
                                 and a.user_id = p_user_id), '[]'::jsonb),
        'open_attempt_id', (select a.id from quiz_attempts a
                             where a.cohort_id = p_cohort_id and a.quiz_id = vq.quiz_id
                               and a.user_id = p_user_id and a.closed_at is null),
        'answered', exists (select 1 from survey_answered s
                             where s.cohort_id = p_cohort_id and s.quiz_id = vq.quiz_id
                               and s.user_id = p_user_id),
        'attempts_left', case when vq.max_attempts is not null then greatest(0,
                             vq.max_attempts - (select count(*) from quiz_attempts a
                                                 where a.cohort_id = p_cohort_id
                                                   and a.quiz_id = vq.quiz_id
                                                   and a.user_id = p_user_id))::integer end)
      from quiz_window(p_cohort_id, vq.quiz_id, p_user_id) w
      left join cohort_quizzes cq on cq.cohort_id = p_cohort_id and cq.quiz_id = vq.quiz_id
$$;

-- GET a cohort's quiz: its participants see theirs (quiz_participant_json),
-- staff the settings and window. Null for anyone else.
create or replace function quiz_cohort_quiz(p_cohort_id text, p_quiz_id text, p_user_id text,
                                            p_role text)
returns json
language sql stable as $$
    select case when asg_is_participant(p_cohort_id, p_user_id)
                then quiz_participant_json(vq, p_cohort_id, p_user_id)::json
                when asg_is_staff(p_cohort_id, p_user_id, p_role)
                then (quiz_participant_json(vq, p_cohort_id, null) - 'attempts' - 'open_attempt_id'
                      - 'answered' - 'attempts_left')::json
           end
      from quiz_of_cohort(p_cohort_id, p_quiz_id) vq
$$;

-- A module's quizzes in the cohort's module tree, with the caller's
-- standing (a percent only when its review lets them see it).
create or replace function quiz_module_items(p_cohort_id text, p_programme_id text,
                                             p_version integer, p_module_id text,
                                             p_user_id text)
returns json
language sql stable as $$
    select coalesce(json_agg(jsonb_build_object(
               'id', vq.quiz_id, 'title', vq.title, 'kind', vq.kind,
               'time_limit_s', vq.time_limit_s, 'max_attempts', vq.max_attempts,
               'open', w.is_open,
               'attempts_used', (select count(*) from quiz_attempts a
                                  where a.cohort_id = p_cohort_id and a.quiz_id = vq.quiz_id
                                    and a.user_id = p_user_id),
               'status', case when exists (select 1 from quiz_attempts a
                                            where a.cohort_id = p_cohort_id
                                              and a.quiz_id = vq.quiz_id
                                              and a.user_id = p_user_id and a.closed_at is null)
                              then 'in_progress'
                              when exists (select 1 from quiz_attempts a
                                            where a.cohort_id = p_cohort_id
                                              and a.quiz_id = vq.quiz_id
                                              and a.user_id = p_user_id)
                              then 'done' else 'not_started' end)
               || coalesce((select case when quiz_result_visible(r, vq, false)
                                        then jsonb_build_object('percent', r.percent,
                                                                'passed', r.passed) end
                              from quiz_result(p_cohort_id, vq.quiz_id, p_user_id, vq.grading) r),
                           '{}')
               order by vq.ordinal), '[]'::json)
      from version_quizzes vq
     cross join lateral quiz_window(p_cohort_id, vq.quiz_id, p_user_id) w
     where vq.programme_id = p_programme_id and vq.version = p_version
       and vq.module_id = p_module_id
$$;

-- ---- the cohort's staff: windows and the list ----

-- Admins and the cohort's instructors set a quiz's window for one cohort
-- (null clears a bound); close_at_first_lesson only for pre-tests.
create or replace function quiz_schedule(p_cohort_id text, p_quiz_id text, p_opens timestamptz,
                                         p_closes timestamptz, p_first_lesson boolean,
                                         p_user_id text, p_role text)
returns json
language plpgsql as $$
declare
    vq version_quizzes;
begin
    select * into vq from quiz_of_cohort(p_cohort_id, p_quiz_id);
    if not found or not asg_is_staff(p_cohort_id, p_user_id, p_role) then
        return content_not_found('quiz');
    end if;
    if p_closes <= p_opens then
        return sinau_error(422, 'invalid_window', 'closes_at is after opens_at');
    end if;
    if coalesce(p_first_lesson, false) and vq.kind <> 'pretest' then
        return sinau_error(422, 'invalid_window', 'only a pre-test closes at the first lesson');
    end if;
    insert into cohort_quizzes (cohort_id, quiz_id, opens_at, closes_at, close_at_first_lesson,
                                updated_by)
    values (p_cohort_id, p_quiz_id, p_opens, p_closes, coalesce(p_first_lesson, false), p_user_id)
    on conflict (cohort_id, quiz_id) do update
       set opens_at = excluded.opens_at, closes_at = excluded.closes_at,
           close_at_first_lesson = excluded.close_at_first_lesson,
           updated_by = excluded.updated_by, updated_at = now();
    perform sinau_audit(p_user_id, 'quiz.window',
                        jsonb_build_object('cohort_id', p_cohort_id, 'quiz_id', p_quiz_id,
                                           'opens_at', p_opens, 'closes_at', p_closes,
                                           'close_at_first_lesson', p_first_lesson));
    return sinau_ok(200, quiz_cohort_quiz(p_cohort_id, p_quiz_id, p_user_id, p_role));
end;
$$;

-- The cohort's quizzes for its staff: settings, window, how many started
-- and submitted. Null when the caller is not the cohort's staff.
create or replace function quiz_cohort_list(p_cohort_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select case when asg_is_staff(c.id, p_user_id, p_role) then json_build_object(
        'cohort_id', c.id,
        'items', coalesce((select json_agg(jsonb_build_object(
                     'id', vq.quiz_id, 'module_id', vq.module_id, 'title', vq.title,
                     'kind', vq.kind, 'time_limit_s', vq.time_limit_s,
                     'max_attempts', vq.max_attempts, 'pass_score', vq.pass_score,
                     'anonymous', vq.anonymous,
                     'window', jsonb_build_object('opens_at', cq.opens_at,
                                                  'closes_at', cq.closes_at,
                                                  'close_at_first_lesson',
                                                  coalesce(cq.close_at_first_lesson, false)),
                     'participants_started', (select count(distinct a.user_id) from quiz_attempts a
                                               where a.cohort_id = c.id
                                                 and a.quiz_id = vq.quiz_id),
                     'participants_done', (select count(distinct a.user_id) from quiz_attempts a
                                            where a.cohort_id = c.id and a.quiz_id = vq.quiz_id
                                              and a.closed_at is not null),
                     'in_progress', (select count(*) from quiz_attempts a
                                      where a.cohort_id = c.id and a.quiz_id = vq.quiz_id
                                        and a.closed_at is null))
                     order by vq.ordinal)
                     from version_quizzes vq
                     left join cohort_quizzes cq on cq.cohort_id = c.id and cq.quiz_id = vq.quiz_id
                    where vq.programme_id = c.programme_id and vq.version = c.content_version),
                    '[]'::json)) end
      from cohorts c where c.id = p_cohort_id
$$;

-- ---- certificate rules ----

create or replace function quiz_rules_valid(p jsonb) returns boolean
language sql immutable as $$
    select (not p ? 'min_posttest_percent' or jsonb_typeof(p -> 'min_posttest_percent') = 'null'
            or (jsonb_typeof(p -> 'min_posttest_percent') = 'number'
                and (p ->> 'min_posttest_percent')::numeric between 0 and 100))
       and (not p ? 'require_survey' or jsonb_typeof(p -> 'require_survey') = 'boolean')
$$;

-- What a participant still lacks of the quiz rules: each post-test of the
-- cohort's version scored at least min_posttest_percent (the attempt that
-- counts), each survey answered.
create or replace function quiz_cert_missing(p_cohort_id text, p_user_id text, p_rules jsonb)
returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(m), '[]'::jsonb) from (
        select case when r.id is null
                    then jsonb_build_object('code', 'posttest_missing', 'quiz_id', vq.quiz_id,
                                            'title', vq.title,
                                            'need', (p_rules ->> 'min_posttest_percent')::numeric)
                    else jsonb_build_object('code', 'posttest_score', 'quiz_id', vq.quiz_id,
                                            'title', vq.title, 'have', r.percent,
                                            'need', (p_rules ->> 'min_posttest_percent')::numeric)
               end as m
          from cohorts c
          join version_quizzes vq on vq.programme_id = c.programme_id
                                 and vq.version = c.content_version and vq.kind = 'posttest'
          left join lateral quiz_result(c.id, vq.quiz_id, p_user_id, vq.grading) r on true
         where c.id = p_cohort_id and jsonb_typeof(p_rules -> 'min_posttest_percent') = 'number'
           and (r.id is null
                or coalesce(r.percent, 0) < (p_rules ->> 'min_posttest_percent')::numeric)
        union all
        select jsonb_build_object('code', 'survey', 'quiz_id', vq.quiz_id, 'title', vq.title)
          from cohorts c
          join version_quizzes vq on vq.programme_id = c.programme_id
                                 and vq.version = c.content_version and vq.kind = 'survey'
         where c.id = p_cohort_id and coalesce((p_rules ->> 'require_survey')::boolean, false)
           and not exists (select 1 from survey_answered s
                            where s.cohort_id = c.id and s.quiz_id = vq.quiz_id
                              and s.user_id = p_user_id)
    ) x
$$;

-- The quiz rules in the certificate's narrative (empty without them).
create or replace function quiz_narrative(p_rules jsonb) returns text
language sql immutable as $$
    select case when jsonb_typeof(p_rules -> 'min_posttest_percent') = 'number'
                then ', nilai post-test minimal ' || (p_rules ->> 'min_posttest_percent')
                else '' end
        || case when coalesce((p_rules ->> 'require_survey')::boolean, false)
                then ', mengisi survei evaluasi' else '' end
$$;

-- ---- the gradebook ----

-- The gradebook's quiz columns: the cohort's graded quizzes and surveys.
create or replace function quiz_gradebook_columns(p_cohort_id text) returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object('id', vq.quiz_id, 'title', vq.title,
                                               'kind', vq.kind, 'pass_score', vq.pass_score)
                             order by vq.ordinal), '[]'::json)
      from cohorts c join version_quizzes vq on vq.programme_id = c.programme_id
                                            and vq.version = c.content_version
     where c.id = p_cohort_id
$$;

-- One participant's cells for those columns (staff see every score).
create or replace function quiz_standing(p_cohort_id text, p_user_id text) returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object(
               'quiz_id', vq.quiz_id,
               'attempts', (select count(*) from quiz_attempts a
                             where a.cohort_id = c.id and a.quiz_id = vq.quiz_id
                               and a.user_id = p_user_id),
               'status', case when vq.kind = 'survey' then
                                  case when exists (select 1 from survey_answered s
                                                     where s.cohort_id = c.id
                                                       and s.quiz_id = vq.quiz_id
                                                       and s.user_id = p_user_id)
                                       then 'answered' else 'missing' end
                              when r.id is not null then 'done'
                              when exists (select 1 from quiz_attempts a
                                            where a.cohort_id = c.id and a.quiz_id = vq.quiz_id
                                              and a.user_id = p_user_id) then 'in_progress'
                              else 'missing' end,
               'percent', r.percent, 'passed', r.passed)
               order by vq.ordinal), '[]'::json)
      from cohorts c
      join version_quizzes vq on vq.programme_id = c.programme_id
                             and vq.version = c.content_version
      left join lateral quiz_result(c.id, vq.quiz_id, p_user_id, vq.grading) r on true
     where c.id = p_cohort_id
$$;

-- ---- the staff report: pre- and post-test, gain, item analysis ----

-- The counted attempt of every confirmed participant on one quiz, ranked
-- for item analysis: k is 27 % of them (at least 1, at most half), upper
-- the k best, lower the k worst (ties by attempt id, so the groups never
-- overlap).
create or replace function quiz_ranked(p_cohort_id text, p_quiz_id text, p_grading text)
returns table (attempt_id text, user_id text, percent numeric, question_ids text[],
               programme_id text, version integer, upper boolean, lower boolean)
language sql stable as $$
    with r as (
        select a.* from registrations g
        cross join lateral quiz_result(p_cohort_id, p_quiz_id, g.user_id, p_grading) a
         where g.cohort_id = p_cohort_id and g.status = 'confirmed' and a.percent is not null
    ), k as (
        select r.*, count(*) over () as n,
               row_number() over (order by r.percent desc, r.id) as top,
               row_number() over (order by r.percent asc, r.id desc) as bottom
          from r
    )
    select k.id, k.user_id, k.percent, k.question_ids, k.programme_id, k.version,
           k.top <= least(floor(k.n / 2.0), greatest(1, round(0.27 * k.n))),
           k.bottom <= least(floor(k.n / 2.0), greatest(1, round(0.27 * k.n)))
      from k
$$;

-- Item analysis of one quiz in a cohort: for each question, how many
-- counted attempts drew it, its difficulty (mean share of its points
-- earned, 1 = everyone right), its discrimination (that share in the upper
-- 27 % minus in the lower 27 %, by the attempt's percent; null under two
-- attempts), and how often each option was chosen (for short and numeric
-- answers the ten most frequent answers given).
create or replace function quiz_items(p_cohort_id text, vq version_quizzes) returns jsonb
language sql stable as $$
    with r as (select * from quiz_ranked(p_cohort_id, vq.quiz_id, vq.grading)),
    x as (
        select q.question_id, r.upper, r.lower, coalesce(an.points, 0) / q.points as frac,
               an.response
          from r
          join version_questions q on q.programme_id = r.programme_id and q.version = r.version
                                  and q.question_id = any (r.question_ids)
          left join quiz_answers an on an.attempt_id = r.attempt_id
                                   and an.question_id = q.question_id
         where quiz_type_graded(q.type) and q.points > 0
    )
    select coalesce(jsonb_agg(jsonb_build_object(
               'quiz_id', vq.quiz_id, 'question_id', q.question_id, 'type', q.type,
               'ordinal', q.ordinal,
               'stem', left(regexp_replace(q.stem_md, '\s+', ' ', 'g'), 200),
               'n', s.n, 'difficulty', s.difficulty, 'discrimination', s.discrimination,
               'upper_n', s.upper_n, 'lower_n', s.lower_n,
               'options', case when q.type in ('single', 'multiple', 'true_false') then (
                   select jsonb_agg(jsonb_build_object(
                              'id', o.id, 'text', o.txt, 'correct', o.correct,
                              'chosen', (select count(*) from x
                                          where x.question_id = q.question_id
                                            and x.response -> 'option_ids' ? o.id))
                              order by o.n)
                     from (select opt ->> 'id' as id, left(opt ->> 'text_md', 200) as txt,
                                  (opt ->> 'correct')::boolean as correct, n
                             from jsonb_array_elements(q.options) with ordinality e(opt, n)
                            where q.type <> 'true_false'
                           union all
                           select v, case v when 'true' then 'Benar' else 'Salah' end,
                                  (q.answer ->> 'value') = v, n
                             from unnest(array['true', 'false']) with ordinality u(v, n)
                            where q.type = 'true_false') o) end,
               'answers', case when q.type in ('short_text', 'numeric') then (
                   select jsonb_agg(jsonb_build_object('text', g.t, 'count', g.c, 'correct', g.ok)
                                    order by g.c desc, g.t)
                     from (select case when x.response ? 'text'
                                       then quiz_norm_text(x.response ->> 'text')
                                       else x.response ->> 'value' end as t,
                                  count(*) as c, bool_or(x.frac >= 1) as ok
                             from x where x.question_id = q.question_id and x.response is not null
                            group by 1 order by 2 desc, 1 limit 10) g) end)
               order by q.ordinal), '[]'::jsonb)
      from version_questions q
     cross join lateral (
         select count(*) as n, round(avg(x.frac), 3) as difficulty,
                case when count(*) filter (where x.upper) > 0
                          and count(*) filter (where x.lower) > 0
                     then round(avg(x.frac) filter (where x.upper)
                                - avg(x.frac) filter (where x.lower), 3) end as discrimination,
                count(*) filter (where x.upper) as upper_n,
                count(*) filter (where x.lower) as lower_n
           from x where x.question_id = q.question_id) s
     where q.programme_id = vq.programme_id and q.version = vq.version
       and q.quiz_id = vq.quiz_id and quiz_type_graded(q.type) and q.points > 0
$$;

-- A participant's percent on a quiz (the attempt that counts), or null.
create or replace function quiz_percent(p_cohort_id text, vq version_quizzes, p_user_id text)
returns numeric
language sql stable as $$
    select r.percent from quiz_result(p_cohort_id, vq.quiz_id, p_user_id, vq.grading) r
$$;

-- The report of a cohort for its staff: the pre-test and the post-test
-- (the first of each kind in reading order, or those named), each
-- participant's percent on both, gain and normalised gain g = (post − pre)
-- ÷ (100 − pre); their means and medians, the mean gain, Hake's class
-- ⟨g⟩ = (⟨post⟩ − ⟨pre⟩) ÷ (100 − ⟨pre⟩) over those with both, the share
-- who passed the post-test; and item analysis of every graded quiz. Null
-- when the caller is not the cohort's staff.
create or replace function quiz_report(p_cohort_id text, p_pre text, p_post text,
                                       p_user_id text, p_role text)
returns json
language plpgsql stable as $$
declare
    c cohorts;
    pre version_quizzes;
    post version_quizzes;
    rows jsonb;
    summary jsonb;
    items jsonb := '[]';
    vq version_quizzes;
begin
    select * into c from cohorts where id = p_cohort_id;
    if not found or not asg_is_staff(c.id, p_user_id, p_role) then
        return null;
    end if;
    select * into pre from version_quizzes
     where programme_id = c.programme_id and version = c.content_version and kind = 'pretest'
       and (p_pre is null or quiz_id = p_pre)
     order by ordinal limit 1;
    select * into post from version_quizzes
     where programme_id = c.programme_id and version = c.content_version and kind = 'posttest'
       and (p_post is null or quiz_id = p_post)
     order by ordinal limit 1;
    with p as (
        select u.id, u.full_name, g.segment,
               quiz_percent(c.id, pre, u.id) as pre,
               quiz_percent(c.id, post, u.id) as post,
               (select r.passed from quiz_result(c.id, post.quiz_id, u.id, post.grading) r) as passed
          from registrations g join users u on u.id = g.user_id
         where g.cohort_id = c.id and g.status = 'confirmed'
    )
    select coalesce(jsonb_agg(jsonb_build_object(
               'user', jsonb_build_object('id', p.id, 'full_name', p.full_name),
               'segment', p.segment, 'pre', p.pre, 'post', p.post,
               'gain', p.post - p.pre,
               'g', case when p.pre < 100 then round((p.post - p.pre) / (100 - p.pre), 3) end,
               'passed', p.passed)
               order by p.full_name, p.id), '[]'::jsonb),
           jsonb_build_object(
               'participants', count(*),
               'n_pre', count(p.pre), 'n_post', count(p.post),
               'n_both', count(*) filter (where p.pre is not null and p.post is not null),
               'pre_mean', round(avg(p.pre), 2),
               'pre_median', round((percentile_cont(0.5) within group (order by p.pre))::numeric, 2),
               'post_mean', round(avg(p.post), 2),
               'post_median', round((percentile_cont(0.5) within group (order by p.post))::numeric, 2),
               'mean_gain', round(avg(p.post - p.pre), 2),
               'hake_g', case when avg(p.pre) filter (where p.post is not null) < 100
                              then round((avg(p.post) filter (where p.pre is not null)
                                          - avg(p.pre) filter (where p.post is not null))
                                         / (100 - avg(p.pre) filter (where p.post is not null)), 3)
                         end,
               'mean_g', round(avg((p.post - p.pre) / (100 - p.pre)) filter (where p.pre < 100), 3),
               'passed', count(*) filter (where p.passed),
               'passed_share', case when count(p.passed) > 0
                                    then round(count(*) filter (where p.passed)::numeric
                                               / count(p.passed), 3) end)
      into rows, summary
      from p;
    for vq in select * from version_quizzes
               where programme_id = c.programme_id and version = c.content_version
                 and kind <> 'survey' order by ordinal loop
        items := items || quiz_items(c.id, vq);
    end loop;
    return json_build_object(
        'cohort_id', c.id,
        'pretest', case when pre.quiz_id is not null then json_build_object(
                       'id', pre.quiz_id, 'title', pre.title, 'pass_score', pre.pass_score) end,
        'posttest', case when post.quiz_id is not null then json_build_object(
                        'id', post.quiz_id, 'title', post.title, 'pass_score', post.pass_score) end,
        'quizzes', (select coalesce(json_agg(json_build_object('id', q.quiz_id, 'title', q.title,
                                                               'kind', q.kind) order by q.ordinal),
                                    '[]'::json)
                      from version_quizzes q
                     where q.programme_id = c.programme_id and q.version = c.content_version),
        'participants', rows, 'summary', summary, 'items', items);
end;
$$;

-- ---- survey results ----

-- A survey's results in a cohort for its staff: respondents, and for each
-- item its distribution (Likert 1–5 with the mean, option counts) or the
-- free texts given. Anonymous surveys read survey_responses, which holds no
-- user: texts come sorted by their own words, never by who or when. Null
-- when the caller is not the cohort's staff or the quiz is not a survey.
create or replace function quiz_survey_results(p_cohort_id text, p_quiz_id text, p_user_id text,
                                               p_role text)
returns json
language sql stable as $$
    with vq as (select * from quiz_of_cohort(p_cohort_id, p_quiz_id) where kind = 'survey'),
    resp as (
        select null::text as user_id, e ->> 'question_id' as question_id, e -> 'response' as response
          from vq, survey_responses s cross join jsonb_array_elements(s.answers) e
         where vq.anonymous and s.cohort_id = p_cohort_id and s.quiz_id = p_quiz_id
        union all
        select a.user_id, an.question_id, an.response
          from vq, quiz_attempts a join quiz_answers an on an.attempt_id = a.id
         where not vq.anonymous and a.cohort_id = p_cohort_id and a.quiz_id = p_quiz_id
           and a.closed_at is not null
           and a.number = (select max(b.number) from quiz_attempts b
                            where b.cohort_id = a.cohort_id and b.quiz_id = a.quiz_id
                              and b.user_id = a.user_id and b.closed_at is not null)
    )
    select json_build_object(
        'cohort_id', p_cohort_id, 'quiz_id', vq.quiz_id, 'title', vq.title,
        'anonymous', vq.anonymous,
        'respondents', (select count(*) from survey_answered s
                         where s.cohort_id = p_cohort_id and s.quiz_id = p_quiz_id),
        'questions', coalesce((select json_agg(jsonb_build_object(
            'id', q.question_id, 'type', q.type, 'ordinal', q.ordinal,
            'stem', left(regexp_replace(q.stem_md, '\s+', ' ', 'g'), 500),
            'answers', (select count(*) from resp r where r.question_id = q.question_id
                           and r.response not in ('{"option_ids": []}', '{"value": null}',
                                                  '{"text": ""}')))
            || case q.type
                when 'likert' then jsonb_build_object(
                    'distribution', (select jsonb_agg(jsonb_build_object('value', v,
                                         'count', (select count(*) from resp r
                                                    where r.question_id = q.question_id
                                                      and (r.response ->> 'value')::numeric = v))
                                                      order by v)
                                       from generate_series(1, 5) v),
                    'mean', (select round(avg((r.response ->> 'value')::numeric), 2) from resp r
                              where r.question_id = q.question_id
                                and jsonb_typeof(r.response -> 'value') = 'number'))
                when 'text' then jsonb_build_object(
                    'texts', coalesce((select jsonb_agg(
                                 case when vq.anonymous then jsonb_build_object('text', r.response ->> 'text')
                                      else jsonb_build_object('text', r.response ->> 'text',
                                                              'user', jsonb_build_object(
                                                                  'id', u.id, 'full_name', u.full_name))
                                 end order by r.response ->> 'text', u.full_name)
                                 from resp r left join users u on u.id = r.user_id
                                where r.question_id = q.question_id
                                  and btrim(coalesce(r.response ->> 'text', '')) <> ''), '[]'))
                else jsonb_build_object(
                    'options', (select jsonb_agg(jsonb_build_object(
                                    'id', o ->> 'id', 'text', left(o ->> 'text_md', 200),
                                    'count', (select count(*) from resp r
                                               where r.question_id = q.question_id
                                                 and r.response -> 'option_ids' ? (o ->> 'id')))
                                    order by n)
                                  from jsonb_array_elements(q.options) with ordinality e(o, n)))
               end
            order by q.ordinal)
            from version_questions q
           where q.programme_id = vq.programme_id and q.version = vq.version
             and q.quiz_id = vq.quiz_id), '[]'::json))
      from vq
     where asg_is_staff(p_cohort_id, p_user_id, p_role)
$$;

-- Every attempt on one quiz of a cohort, for its staff: who, when, score.
-- For an anonymous survey only who answered (the answers are elsewhere,
-- unlinked). Null when the caller is not the cohort's staff.
create or replace function quiz_attempts_list(p_cohort_id text, p_quiz_id text, p_user_id text,
                                              p_role text)
returns json
language sql stable as $$
    select json_build_object('quiz_id', vq.quiz_id, 'items', coalesce((
        select json_agg(jsonb_build_object(
                   'id', a.id, 'user', jsonb_build_object('id', u.id, 'full_name', u.full_name),
                   'number', a.number, 'started_at', a.started_at, 'closed_at', a.closed_at,
                   'closed_by', a.closed_by, 'deadline_at', a.deadline_at,
                   'score', a.score, 'max_score', a.max_score, 'percent', a.percent,
                   'passed', a.passed)
                   order by u.full_name, u.id, a.number)
          from quiz_attempts a join users u on u.id = a.user_id
         where a.cohort_id = p_cohort_id and a.quiz_id = p_quiz_id), '[]'::json),
        'next_cursor', null)
      from quiz_of_cohort(p_cohort_id, p_quiz_id) vq
     where asg_is_staff(p_cohort_id, p_user_id, p_role)
$$;
