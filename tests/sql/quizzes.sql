-- Quizzes (0013_quizzes, functions/quizzes.sql) at the database level:
-- grading of every question type (all-or-nothing and partial credit,
-- numeric tolerance, short answers normalised for case, blanks and
-- Unicode), what a response may be, question checks by quiz kind,
-- publishing with the version (HTML stored, keys kept) and immutability
-- afterwards, attempts (the limit, the seed's order, the deadline, close
-- graded once, the timer), and anonymous surveys (answers moved away from
-- the user). Each API call is an {status, body} answer.
begin;
\ir lib/fixtures.psql
select plan(115);

\o /dev/null
select fx.usr('adm', 'admin');
select fx.usr('ins', 'instructor');
select fx.participant('u' || i) from generate_series(1, 3) i;
insert into programmes (id, slug, title) values ('p1', 'prog-p1', 'Programme');
insert into modules (id, programme_id, title) values ('m1', 'p1', 'Modul');
\o

-- options as the draft stores them: ids, text, correct
create function pg_temp.opts(p_correct boolean[]) returns jsonb
language sql immutable as $f$
    select jsonb_agg(jsonb_build_object('id', 'o' || i, 'text_md', 'Opsi ' || i,
                                        'correct', p_correct[i]) order by i)
      from generate_subscripts(p_correct, 1) i
$f$;
create function pg_temp.pick(variadic p_ids text[]) returns jsonb
language sql immutable as $f$ select jsonb_build_object('option_ids', to_jsonb(p_ids)) $f$;

-- ---- grading: single and true/false ----

select is(quiz_grade('single', pg_temp.opts('{f,t,f}'), null, 2, 'all_or_nothing', pg_temp.pick('o2')),
          2::numeric, 'single: the right option earns all the points');
select is(quiz_grade('single', pg_temp.opts('{f,t,f}'), null, 2, 'all_or_nothing', pg_temp.pick('o1')),
          0::numeric, 'single: a wrong one nothing');
select is(quiz_grade('single', pg_temp.opts('{f,t,f}'), null, 2, 'all_or_nothing', pg_temp.pick(variadic '{}'::text[])),
          0::numeric, 'single: none chosen, nothing');
select is(quiz_grade('single', pg_temp.opts('{f,t,f}'), null, 2, 'all_or_nothing', null),
          0::numeric, 'single: unanswered, nothing');
select is(quiz_grade('single', pg_temp.opts('{f,t,f}'), null, 2, 'all_or_nothing',
                     pg_temp.pick('o2', 'o1')),
          0::numeric, 'single: two chosen is not the one right answer');
select is(quiz_grade('true_false', '[]', '{"value": true}', 1, 'all_or_nothing', pg_temp.pick('true')),
          1::numeric, 'true/false: right');
select is(quiz_grade('true_false', '[]', '{"value": true}', 1, 'all_or_nothing', pg_temp.pick('false')),
          0::numeric, 'true/false: wrong');
select is(quiz_grade('true_false', '[]', '{"value": false}', 1, 'all_or_nothing', pg_temp.pick('false')),
          1::numeric, 'true/false: false is a key too');

-- ---- grading: multiple, all or nothing and partial ----

select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'all_or_nothing',
                     pg_temp.pick('o2', 'o1')),
          4::numeric, 'multiple, all or nothing: exactly the right set, in any order');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'all_or_nothing',
                     pg_temp.pick('o1')),
          0::numeric, 'multiple, all or nothing: a subset earns nothing');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'all_or_nothing',
                     pg_temp.pick('o1', 'o2', 'o3')),
          0::numeric, 'multiple, all or nothing: a superset earns nothing');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial', pg_temp.pick('o1')),
          2::numeric, 'partial: one of two right options, half');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial',
                     pg_temp.pick('o1', 'o2')),
          4::numeric, 'partial: both right, all');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial',
                     pg_temp.pick('o1', 'o2', 'o3')),
          2::numeric, 'partial: a wrong option takes back 1/|wrong|');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial',
                     pg_temp.pick('o1', 'o3')),
          0::numeric, 'partial: half right, half wrong, nothing');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial',
                     pg_temp.pick('o1', 'o2', 'o3', 'o4')),
          0::numeric, 'partial: choosing everything earns nothing');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,f,f}'), null, 4, 'partial',
                     pg_temp.pick('o3', 'o4')),
          0::numeric, 'partial: never below zero');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,t,f}'), null, 1, 'partial',
                     pg_temp.pick('o1')),
          0.33::numeric, 'partial: thirds rounded to cents');
select is(quiz_grade('multiple', pg_temp.opts('{t,t,t}'), null, 3, 'partial', pg_temp.pick('o1', 'o2')),
          2::numeric, 'partial: no wrong option to penalise');

-- ---- grading: short answers ----

select is(quiz_grade('short_text', '[]', '{"text": "Kota Malang"}', 1, 'all_or_nothing',
                     '{"text": "kota malang"}'),
          1::numeric, 'short: case does not count');
select is(quiz_grade('short_text', '[]', '{"text": "Kota Malang"}', 1, 'all_or_nothing',
                     '{"text": "  Kota    MALANG \t"}'),
          1::numeric, 'short: blanks at the ends and runs of them do not count');
select is(quiz_grade('short_text', '[]', '{"text": "Kota Malang"}', 1, 'all_or_nothing',
                     jsonb_build_object('text', E'Kota\u00a0Malang')),
          1::numeric, 'short: a no-break space is a space (NFKC)');
select is(quiz_grade('short_text', '[]', '{"text": "ÉCOLE"}', 1, 'all_or_nothing', '{"text": "école"}'),
          1::numeric, 'short: case folds beyond ASCII');
select is(quiz_grade('short_text', '[]', '{"text": "Kota Malang"}', 1, 'all_or_nothing',
                     '{"text": "KotaMalang"}'),
          0::numeric, 'short: blanks inside a word are not dropped');
select is(quiz_grade('short_text', '[]', '{"text": "Kota Malang"}', 1, 'all_or_nothing',
                     '{"text": "Kota Batu"}'),
          0::numeric, 'short: another answer is wrong');
select is(quiz_grade('short_text', '[]', '{"text": "x"}', 1, 'all_or_nothing', '{"text": "   "}'),
          0::numeric, 'short: blank is never right');
select is(quiz_norm_text(E'  Halo\t\n  DUNIA  '), 'halo dunia', 'normalised text');

-- ---- grading: numbers ----

select is(quiz_grade('numeric', '[]', '{"value": 3.14, "tolerance": 0.01}', 2, 'all_or_nothing',
                     '{"value": 3.15}'),
          2::numeric, 'numeric: within the tolerance, at its edge');
select is(quiz_grade('numeric', '[]', '{"value": 3.14, "tolerance": 0.01}', 2, 'all_or_nothing',
                     '{"value": 3.1}'),
          0::numeric, 'numeric: outside it');
select is(quiz_grade('numeric', '[]', '{"value": -20, "tolerance": 0}', 1, 'all_or_nothing',
                     '{"value": -20}'),
          1::numeric, 'numeric: exactly, negative');
select is(quiz_grade('numeric', '[]', '{"value": 100}', 1, 'all_or_nothing', '{"value": 100.0001}'),
          0::numeric, 'numeric: no tolerance means exact');
select is(quiz_grade('numeric', '[]', '{"value": 100}', 1, 'all_or_nothing', '{"value": null}'),
          0::numeric, 'numeric: a cleared answer earns nothing');
select is(quiz_grade('likert', '[]', null, 0, 'all_or_nothing', '{"value": 5}'), null::numeric,
          'likert items are not graded');
select is(quiz_grade('text', '[]', null, 0, 'all_or_nothing', '{"text": "bagus"}'), null::numeric,
          'free text is not graded');

-- ---- what a response may be ----

select is(quiz_response_check('single', pg_temp.opts('{f,t}'), pg_temp.pick('o1')), null, 'a known option');
select is(quiz_response_check('single', pg_temp.opts('{f,t}'), pg_temp.pick(variadic '{}'::text[])), null, 'cleared');
select is(quiz_response_check('single', pg_temp.opts('{f,t}'), pg_temp.pick('o1', 'o2')),
          'invalid_answer', 'single takes one');
select is(quiz_response_check('multiple', pg_temp.opts('{f,t}'), pg_temp.pick('o1', 'o1')),
          'invalid_answer', 'no option twice');
select is(quiz_response_check('single', pg_temp.opts('{f,t}'), pg_temp.pick('o9')),
          'unknown_option', 'an option of another question');
select is(quiz_response_check('true_false', '[]', pg_temp.pick('maybe')), 'unknown_option', 'true or false');
select is(quiz_response_check('numeric', '[]', '{"value": "3"}'), 'invalid_answer', 'a number, not text');
select is(quiz_response_check('numeric', '[]', '{"value": 1e20}'), 'invalid_answer', 'a sane number');
select is(quiz_response_check('likert', '[]', '{"value": 6}'), 'invalid_answer', 'likert is 1..5');
select is(quiz_response_check('likert', '[]', '{"value": 2.5}'), 'invalid_answer', 'whole points');
select is(quiz_response_check('short_text', '[]', '{"text": "a", "value": 1}'), 'invalid_answer',
          'one member');
select is(quiz_response_check('text', '[]', jsonb_build_object('text', repeat('x', 10001))),
          'invalid_answer', 'free text up to 10,000 bytes');

-- ---- authoring: checks by kind ----

\o /dev/null
select quiz_create('m1', '{"title": "Pre", "kind": "pretest", "time_limit_s": 600, "pass_score": 60,
                           "shuffle": true, "max_attempts": 2}', 'adm', 'admin');
select quiz_create('m1', '{"title": "Survei", "kind": "survey", "anonymous": true}', 'adm', 'admin');
\o
create temp table t (k text primary key, v text);
insert into t select 'pre', id from quizzes where title = 'Pre';
insert into t select 'survey', id from quizzes where title = 'Survei';
create function pg_temp.q(p_k text) returns text language sql as $f$ select v from t where k = p_k $f$;
create function pg_temp.code(p json) returns text language sql as $f$
    select coalesce(p -> 'body' -> 'error' ->> 'code', (p ->> 'status')) $f$;

select is(pg_temp.code(quiz_create('m1', '{"title": "x", "kind": "exam"}', 'adm', 'admin')), 'invalid_kind',
          'kind is one of four');
select is(pg_temp.code(quiz_create('m1', '{"title": "x", "kind": "survey", "pass_score": 50}', 'adm', 'admin')),
          'invalid_pass_score', 'a survey has no pass score');
select is(pg_temp.code(quiz_create('m1', '{"title": "x", "kind": "check", "anonymous": true}', 'adm', 'admin')),
          'invalid_anonymous', 'only surveys are anonymous');
select is(pg_temp.code(quiz_create('m1', '{"title": "x", "kind": "check", "time_limit_s": 99999999999}', 'adm', 'admin')),
          'invalid_time_limit', 'no out-of-range number reaches a column');
select is(pg_temp.code(quiz_create('m1', '{"title": "x", "kind": "check", "pick": [{"count": 0}]}', 'adm', 'admin')),
          'invalid_pick', 'a pick draws at least one');
select throws_ok($$select quiz_create('m1', '{"title": "x", "kind": "check"}', 'u1', 'participant')$$,
                 'SN404', 'not_found', 'participants do not author');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "likert", "stem_md": "Puas?"}', 'adm', 'admin')),
          'question_type_not_allowed', 'a graded quiz takes no likert item');
select is(pg_temp.code(quiz_question_create(pg_temp.q('survey'), '{"type": "numeric", "stem_md": "Berapa?", "answer": {"value": 1}}', 'adm', 'admin')),
          'question_type_not_allowed', 'a survey takes no graded question');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), jsonb_build_object('type', 'single', 'stem_md', 'x', 'options', pg_temp.opts('{t,t}')), 'adm', 'admin')),
          'invalid_key', 'single has one right option');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), jsonb_build_object('type', 'multiple', 'stem_md', 'x', 'options', pg_temp.opts('{f,f}')), 'adm', 'admin')),
          'invalid_key', 'multiple has at least one');
select is(pg_temp.code(quiz_question_create(pg_temp.q('survey'), jsonb_build_object('type', 'single', 'stem_md', 'x', 'options', pg_temp.opts('{t,f}')), 'adm', 'admin')),
          'invalid_options', 'a survey item has no right option');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "single", "stem_md": "x", "options": [{"text_md": "a", "correct": true}]}', 'adm', 'admin')),
          'invalid_options', 'two options at least');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "short_text", "stem_md": "x", "answer": {"text": "   "}}', 'adm', 'admin')),
          'invalid_key', 'a short answer key is not blank');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "numeric", "stem_md": "x", "answer": {"value": 1, "tolerance": -1}}', 'adm', 'admin')),
          'invalid_key', 'tolerance is not negative');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "true_false", "stem_md": "x", "answer": {"value": "ya"}}', 'adm', 'admin')),
          'invalid_key', 'true/false takes a boolean');
select is(pg_temp.code(quiz_question_create(pg_temp.q('pre'), '{"type": "single", "stem_md": "   ", "options": [{"text_md": "a", "correct": true}, {"text_md": "b"}]}', 'adm', 'admin')),
          'invalid_stem_md', 'a stem is not blank');

\o /dev/null
select quiz_question_create(pg_temp.q('pre'), jsonb_build_object('type', 'single', 'stem_md', 'Satu *dua*?',
        'options', '[{"text_md": "satu"}, {"text_md": "dua", "correct": true}, {"text_md": "tiga"}]'::jsonb,
        'explanation_md', 'Karena dua.', 'tags', '["Dasar", " dasar ", "Angka"]'::jsonb), 'adm', 'admin');
select quiz_question_create(pg_temp.q('pre'), '{"type": "numeric", "stem_md": "Pi?", "answer": {"value": 3.14, "tolerance": 0.01}, "points": 2}', 'adm', 'admin');
select quiz_question_create(pg_temp.q('pre'), '{"type": "short_text", "stem_md": "Kota?", "answer": {"text": "Malang"}}', 'adm', 'admin');
select quiz_question_create(pg_temp.q('survey'), '{"type": "likert", "stem_md": "Puas?"}', 'adm', 'admin');
select quiz_question_create(pg_temp.q('survey'), '{"type": "text", "stem_md": "Saran?"}', 'adm', 'admin');
\o
insert into t select 'q_single', id from quiz_questions where type = 'single';
insert into t select 'q_numeric', id from quiz_questions where type = 'numeric';
insert into t select 'q_short', id from quiz_questions where type = 'short_text';
insert into t select 'q_likert', id from quiz_questions where type = 'likert';
insert into t select 'q_text', id from quiz_questions where type = 'text';

select is((select tags from quiz_questions where id = pg_temp.q('q_single')), '{angka,dasar}'::text[],
          'tags folded, trimmed and deduplicated');
select ok((select bool_and((o ->> 'id') ~ '^[A-Za-z0-9_-]{22}$') from quiz_questions qq,
                  jsonb_array_elements(qq.options) o where qq.id = pg_temp.q('q_single')),
          'options get random ids (nothing tells where the author put the right one)');
select is((select points from quiz_questions where id = pg_temp.q('q_likert')), 0::numeric(8, 2),
          'survey items carry no points');
select is(pg_temp.code(quiz_update(pg_temp.q('pre'), '{"kind": "check"}', 'adm', 'admin')), 'kind_fixed',
          'the kind of a quiz with questions stays');

-- ---- publishing and immutability ----

\o /dev/null
select content_publish('p1', (select draft_rev from programmes where id = 'p1'),
                       (select jsonb_object_agg(k, '<p>' || md || '</p>') from quiz_markdown('p1', null)),
                       'adm');
\o
select is((select count(*)::int from version_quizzes where programme_id = 'p1' and version = 1), 2,
          'the quizzes are in version 1');
select is((select count(*)::int from version_questions where programme_id = 'p1' and version = 1), 5,
          'and their questions');
select is((select stem_html from version_questions where question_id = pg_temp.q('q_single')),
          '<p>Satu *dua*?</p>', 'with the HTML the server rendered');
select is((select explanation_html from version_questions where question_id = pg_temp.q('q_single')),
          '<p>Karena dua.</p>', 'the explanation too');
select is((select count(*)::int from version_questions v, jsonb_array_elements(v.options) o
            where v.question_id = pg_temp.q('q_single') and o ? 'text_html' and o ? 'correct'), 3,
          'every option with its HTML and whether it is right');
select throws_ok($$update version_questions set answer = '{"text": "Batu"}' where question_id = (select v from t where k = 'q_short')$$,
                 '23001', null, 'a published question cannot change');
select throws_ok($$delete from version_questions where question_id = (select v from t where k = 'q_short')$$,
                 '23001', null, 'nor be deleted');
select throws_ok($$update version_quizzes set time_limit_s = 30 where quiz_id = (select v from t where k = 'pre')$$,
                 '23001', null, 'a published quiz cannot change');
select throws_ok($$delete from version_quizzes where quiz_id = (select v from t where k = 'pre')$$,
                 '23001', null, 'nor be deleted');
\o /dev/null
select quiz_question_update(pg_temp.q('q_short'), '{"answer": {"text": "Batu"}}', 'adm', 'admin');
\o
select is((select answer ->> 'text' from version_questions where question_id = pg_temp.q('q_short')),
          'Malang', 'a draft edit never reaches the published copy');
select isnt((select content_hash from content_versions where programme_id = 'p1' and version = 1),
            (select encode(sha256(convert_to(jsonb_agg(quiz_hash_part('m1'))::text, 'UTF8')), 'hex')),
            'the draft differs now');
select is(quiz_hash_part('no-such-module'), '{}'::jsonb, 'a module without quizzes adds nothing to the hash');

-- ---- attempts ----

\o /dev/null
insert into cohorts (id, programme_id, name, registration_opens_at, registration_closes_at,
                     starts_on, ends_on, jp, content_version)
values ('c1', 'p1', 'Cohort', now() - interval '1 hour', now() + interval '1 day',
        current_date + 7, current_date + 14, 32, 1);
insert into cohort_segments (cohort_id, segment, quota) values ('c1', 'public', 5);
select reg_register('c1', 'u' || i, 'public') from generate_series(1, 2) i;
\o
select is(pg_temp.code(quiz_start('c1', pg_temp.q('pre'), 'u3', 'participant')), 'not_found',
          'someone not in the cohort sees no quiz');
select is(quiz_start('c1', pg_temp.q('pre'), 'u1', 'participant') ->> 'status', '201', 'an attempt starts');
insert into t select 'a1', id from quiz_attempts where user_id = 'u1';
select is(quiz_start('c1', pg_temp.q('pre'), 'u1', 'participant') -> 'body' -> 'attempt' ->> 'id',
          pg_temp.q('a1'), 'starting again resumes it');
select is((select cardinality(question_ids) from quiz_attempts where id = pg_temp.q('a1')), 3,
          'it drew every question');
select is(quiz_draw((select vq from version_quizzes vq where quiz_id = pg_temp.q('pre')),
                    (select seed from quiz_attempts where id = pg_temp.q('a1'))),
          (select question_ids from quiz_attempts where id = pg_temp.q('a1')),
          'the seed alone decides the order (a review shows what was seen)');
select is((quiz_attempt_json(a, false) -> 'questions' -> 0 -> 'options')::text,
          (quiz_attempt_json(a, false) -> 'questions' -> 0 -> 'options')::text,
          'the options in the same order each time')
  from quiz_attempts a where id = pg_temp.q('a1');
select ok(not (quiz_attempt_json(a, false)::jsonb ?| array['score', 'percent', 'passed']),
          'no score while open')
  from quiz_attempts a where id = pg_temp.q('a1');
select ok(not exists (select 1 from json_array_elements(quiz_attempt_json(a, false) -> 'questions') q
                       where q::jsonb ? 'review'),
          'no review while open')
  from quiz_attempts a where id = pg_temp.q('a1');
select is(quiz_save(pg_temp.q('a1'), pg_temp.q('q_numeric'), 'u1', '{"value": 3.145}', null) ->> 'status',
          '200', 'a save');
select is(quiz_save(pg_temp.q('a1'), pg_temp.q('q_numeric'), 'u2', '{"value": 3}', null) ->> 'status',
          '404', 'nobody saves into another''s attempt');
select is(quiz_save(pg_temp.q('a1'), pg_temp.q('q_likert'), 'u1', '{"value": 3}', null) ->> 'status',
          '404', 'nor a question the attempt did not draw');
select is(quiz_save(pg_temp.q('a1'), pg_temp.q('q_short'), 'u1', '{"text": " malang "}', null) ->> 'status',
          '200', 'another save');
select is((quiz_close(pg_temp.q('a1'), 'u1') -> 'body' -> 'attempt' ->> 'score')::numeric, 3::numeric,
          'closed: numeric (2) and short answer (1) right, the unanswered single not');
select is((select closed_at from quiz_attempts where id = pg_temp.q('a1')),
          (select closed_at from quiz_attempts where id = pg_temp.q('a1')), 'closed once');
select is((quiz_close(pg_temp.q('a1'), 'u1') -> 'body' -> 'attempt' ->> 'percent')::numeric, 75::numeric,
          'closing again gives the same answer: 3 of 4 points');
select is(quiz_save(pg_temp.q('a1'), pg_temp.q('q_single'), 'u1', '{"option_ids": []}', null)
              -> 'body' -> 'error' ->> 'code', 'attempt_closed', 'no saves once closed');
select is((select points from quiz_answers where attempt_id = pg_temp.q('a1') and question_id = pg_temp.q('q_numeric')),
          2::numeric(10, 2), 'each answer keeps its points (item analysis)');

-- the limit (2), the deadline (600 s) and the timer
select is(quiz_start('c1', pg_temp.q('pre'), 'u1', 'participant') ->> 'status', '201', 'a second attempt');
insert into t select 'a2', id from quiz_attempts where user_id = 'u1' and number = 2;
update quiz_attempts set started_at = started_at - interval '601 seconds',
                         deadline_at = deadline_at - interval '601 seconds' where id = pg_temp.q('a2');
select is(quiz_save(pg_temp.q('a2'), pg_temp.q('q_single'), 'u1', '{"option_ids": []}', null)
              -> 'body' -> 'error' ->> 'code', 'attempt_closed', 'a save past the deadline is refused');
select is(quiz_close_due(10), 1, 'the timer closes what is past its deadline');
select is((select closed_by from quiz_attempts where id = pg_temp.q('a2')), 'timer', 'by the timer');
select is(quiz_close_due(10), 0, 'and nothing twice');
select is(quiz_start('c1', pg_temp.q('pre'), 'u1', 'participant') -> 'body' -> 'error' ->> 'code',
          'attempts_exhausted', 'max_attempts holds');
select throws_ok($$insert into quiz_attempts (cohort_id, user_id, programme_id, version, quiz_id, number,
                                              max_attempts, seed, question_ids)
                   values ('c1', 'u1', 'p1', 1, (select v from t where k = 'pre'), 3, 2,
                           md5('x'), '{}')$$,
                 '23514', null, 'and the table refuses a third row anyway');
select throws_ok($$insert into quiz_attempts (cohort_id, user_id, programme_id, version, quiz_id, number,
                                              max_attempts, seed, question_ids)
                   select cohort_id, user_id, programme_id, version, quiz_id, number, max_attempts,
                          seed, question_ids from quiz_attempts where id = (select v from t where k = 'a2')$$,
                 '23505', null, 'nor an attempt number twice');

-- ---- an anonymous survey ----

select is(quiz_start('c1', pg_temp.q('survey'), 'u2', 'participant') ->> 'status', '201', 'a survey attempt');
insert into t select 's1', id from quiz_attempts where user_id = 'u2' and quiz_id = pg_temp.q('survey');
select is(quiz_save(pg_temp.q('s1'), pg_temp.q('q_text'), 'u2', '{"text": "Materinya bagus"}', null) ->> 'status',
          '200', 'free text saved');
select is(quiz_close(pg_temp.q('s1'), 'u2') -> 'body' -> 'error' ->> 'code', 'survey_incomplete',
          'every Likert item first');
select is(quiz_save(pg_temp.q('s1'), pg_temp.q('q_likert'), 'u2', '{"value": 5}', null) ->> 'status', '200',
          'the Likert item');
select is(quiz_close(pg_temp.q('s1'), 'u2') ->> 'status', '200', 'sent');
select is((select count(*)::int from quiz_answers where attempt_id = pg_temp.q('s1')), 0,
          'no answer stays with the attempt');
select is((select answers from survey_responses where quiz_id = pg_temp.q('survey')),
          (select jsonb_agg(x order by x ->> 'question_id') from (values
              (jsonb_build_object('question_id', pg_temp.q('q_likert'), 'response', '{"value": 5}'::jsonb)),
              (jsonb_build_object('question_id', pg_temp.q('q_text'), 'response', '{"text": "Materinya bagus"}'::jsonb))) v(x)),
          'the answers are in survey_responses');
select is((select array_agg(column_name::text order by column_name) from information_schema.columns
            where table_name = 'survey_responses'), '{answers,cohort_id,id,quiz_id}'::text[],
          'which holds no user, attempt or time');
select ok(exists (select 1 from survey_answered where user_id = 'u2' and quiz_id = pg_temp.q('survey')),
          'the separate record that u2 answered');
select ok(not (quiz_attempt_get(pg_temp.q('s1'), 'ins', 'admin')::jsonb #> '{questions,0}' ? 'response'),
          'staff reading the attempt see no answer');
select is(quiz_cert_missing('c1', 'u2', '{"require_survey": true}'), '[]'::jsonb,
          'the survey rule is met');
select is(quiz_cert_missing('c1', 'u1', '{"require_survey": true}') -> 0 ->> 'code', 'survey',
          'not for someone who did not answer');

select * from finish();
rollback;
