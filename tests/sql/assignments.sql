-- Assignments, submissions and grading (0005_assignments) at the database
-- level: rubric validity and its maximum, the table constraints behind the
-- API's 422s, published copies that never change, versions numbered per
-- participant, the deadline rule, grades that are only ever added (history,
-- the newest counts, never on a replaced version), and release semantics
-- (hidden until released, counted once, by assignment or cohort, kept
-- through a re-schedule). Each call is an {status, body} answer.
begin;
\ir lib/fixtures.psql
select plan(86);

\o /dev/null
select fx.usr('adm', 'admin');
select fx.usr('ins', 'instructor');
select fx.usr('ins2', 'instructor');
select fx.participant('u' || i) from generate_series(1, 3) i;
select fx.cohort('c1');                 -- programme p-c1
select fx.segment('c1', 'public', 10);
select fx.cohort('c2');                 -- programme p-c2, ins2 teaches there
select fx.reg('c1', 'u1', 'public');
select fx.reg('c1', 'u2', 'public');    -- u3 is registered nowhere
insert into cohort_instructors (cohort_id, user_id) values ('c1', 'ins'), ('c2', 'ins2');
insert into modules (id, programme_id, title) values ('m1', 'p-c1', 'Modul');
\o

-- ---- rubric validity ----

create function pg_temp.rubric(p_levels numeric[][]) returns jsonb
language sql immutable as $f$
    select jsonb_agg(jsonb_build_object('title', 'K' || i, 'levels',
               (select jsonb_agg(jsonb_build_object('title', 'L' || j, 'points', p_levels[i][j])
                                 order by j)
                  from generate_subscripts(p_levels, 2) j))
               order by i)
      from generate_subscripts(p_levels, 1) i
$f$;

select ok(asg_rubric_valid(null), 'no rubric is valid');
select ok(asg_rubric_valid(pg_temp.rubric('{{0,2,4},{0,3,6}}')), 'two criteria of three levels');
select ok(not asg_rubric_valid('[]'), 'an empty rubric is not');
select ok(not asg_rubric_valid('{"title": "K"}'), 'an object is not');
select ok(not asg_rubric_valid('[{"title": "K", "levels": []}]'), 'a criterion needs a level');
select ok(not asg_rubric_valid('[{"levels": [{"title": "L", "points": 1}]}]'), 'a criterion needs a title');
select ok(not asg_rubric_valid('[{"title": "", "levels": [{"title": "L", "points": 1}]}]'), 'a title has a character');
select ok(not asg_rubric_valid('[{"title": "K", "levels": [{"title": "L", "points": 1}], "w": 2}]'),
          'a criterion has no other members');
select ok(not asg_rubric_valid('[{"title": "K", "levels": [{"title": "L", "points": 1, "x": 0}]}]'),
          'a level has no other members');
select ok(not asg_rubric_valid('[{"title": "K", "levels": [{"title": "L", "points": -1}]}]'),
          'points are not negative');
select ok(not asg_rubric_valid('[{"title": "K", "levels": [{"title": "L", "points": 10001}]}]'),
          'points are at most 10000');
select ok(not asg_rubric_valid('[{"title": "K", "levels": [{"title": "L", "points": "1"}]}]'),
          'points are numbers');
select ok(asg_rubric_valid((select jsonb_agg(c) from generate_series(1, 20) i,
                                 jsonb_build_object('title', 'K', 'levels',
                                                    '[{"title": "L", "points": 1}]'::jsonb) c)),
          '20 criteria are allowed');
select ok(not asg_rubric_valid((select jsonb_agg(c) from generate_series(1, 21) i,
                                     jsonb_build_object('title', 'K', 'levels',
                                                        '[{"title": "L", "points": 1}]'::jsonb) c)),
          '21 are not');
select ok(not asg_rubric_valid(pg_temp.rubric('{{0,1,2,3,4,5,6,7,8,9,10}}')), '11 levels are not');
select is(asg_rubric_max(pg_temp.rubric('{{0,2,4},{0,3,6}}')), 10::numeric,
          'the maximum: the best level of each criterion');
select is(asg_rubric_max(pg_temp.rubric('{{4,0,2},{1.5,0.5,0}}')), 5.5::numeric,
          'the best level wherever it stands, decimals kept');

-- ---- the table's constraints ----

select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score, rubric)
                   values ('m1', 'x', '{text}', 11, 5, pg_temp.rubric('{{0,4},{0,6}}'))$$,
                 '23514', null, 'a rubric must add up to max_score');
select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score)
                   values ('m1', 'x', '{text}', 10, 11)$$,
                 '23514', null, 'pass_score is at most max_score');
select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score)
                   values ('m1', 'x', '{video}', 10, 5)$$,
                 '23514', null, 'only text, url and file');
select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score)
                   values ('m1', 'x', '{}', 10, 5)$$,
                 '23514', null, 'at least one type');
select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score)
                   values ('m1', 'x', '{text}', 0, 0)$$,
                 '23514', null, 'max_score is above 0');
select throws_ok($$insert into assignments (module_id, title, submission_types, max_score, pass_score, rubric)
                   values ('m1', 'x', '{text}', 1, 1, '[{"title": "K", "levels": []}]')$$,
                 '23514', null, 'an invalid rubric');

-- the same rules as 422 codes from asg_create
select is((asg_create('m1', jsonb_build_object('title', 'R', 'submission_types', '["text"]'::jsonb,
                                               'max_score', 11, 'pass_score', 5,
                                               'rubric', pg_temp.rubric('{{0,4},{0,6}}')),
                      'adm', 'admin')) #>> '{body,error,code}',
          'invalid_rubric', 'asg_create: a rubric that does not add up is invalid_rubric');
select throws_ok($$select asg_create('m1', '{"title": "R", "submission_types": ["text"], "max_score": 10, "pass_score": 5}',
                                     'ins2', 'instructor')$$,
                 'SN404', 'not_found', 'asg_create: an instructor of another programme gets 404');

-- two assignments: A (text, url, file; 100/70) and R (text; rubric, 10/6)
select (asg_create('m1', '{"title": "A", "instructions_md": "Kerjakan *A*.", "submission_types": ["text", "url", "file"], "max_score": 100, "pass_score": 70}',
                   'ins', 'instructor')) #>> '{body,id}' as aid \gset
select (asg_create('m1', jsonb_build_object('title', 'R', 'submission_types', '["text"]'::jsonb,
                                            'max_score', 10, 'pass_score', 6,
                                            'rubric', pg_temp.rubric('{{0,2,4},{0,3,6}}')),
                   'adm', 'admin')) #>> '{body,id}' as rid \gset
select ok(:'aid' ~ '^[A-Za-z0-9_-]{16,}$', 'the cohort''s instructor authors A');
select is((select count(*)::integer from assignments where module_id = 'm1'), 2,
          'refused assignments were not stored');

-- ---- publishing: immutable copies ----

select (content_publish('p-c1', (select draft_rev from programmes where id = 'p-c1'),
                        jsonb_build_object(:'aid', '<p>Kerjakan <em>A</em>.</p>', :'rid', ''),
                        'adm')) ->> 'status' as pub \gset
select is(:'pub'::text, '201', 'published as version 1');
update cohorts set content_version = 1 where id = 'c1';
select is((select string_agg(assignment_id || ':' || ordinal || ':' || instructions_html, ' ' order by ordinal)
             from version_assignments where programme_id = 'p-c1' and version = 1),
          :'aid' || ':1:<p>Kerjakan <em>A</em>.</p> ' || :'rid' || ':2:',
          'both copied, in order, with the HTML given');
select throws_ok($$update version_assignments set title = 'x' where programme_id = 'p-c1'$$,
                 '23001', null, 'a published assignment cannot be edited');
select throws_ok($$update version_assignments set max_score = 1000 where programme_id = 'p-c1'$$,
                 '23001', null, 'nor its scores');
select throws_ok($$delete from version_assignments where programme_id = 'p-c1'$$,
                 '23001', null, 'nor deleted');
select is((asg_update(:'aid', '{"title": "A baru", "max_score": 50, "pass_score": 40}', 'ins', 'instructor')) ->> 'status',
          '200', 'the draft is edited');
select is((select title || ' ' || max_score from version_assignments where assignment_id = :'aid'),
          'A 100.00', 'the published copy is unchanged');
-- a programme's deletion removes its versions, assignments included
\o /dev/null
insert into programmes (id, slug, title) values ('pz', 'prog-pz', 'Hapus');
insert into modules (id, programme_id, title) values ('mz', 'pz', 'M');
select asg_create('mz', '{"title": "Z", "submission_types": ["url"], "max_score": 1, "pass_score": 1}', 'adm', 'admin');
select content_publish('pz', (select draft_rev from programmes where id = 'pz'),
                       (select jsonb_object_agg(id, '') from assignments where module_id = 'mz'), 'adm');
\o
select is((select count(*)::integer from version_assignments where programme_id = 'pz'), 1, 'pz has a version');
select lives_ok($$delete from programmes where id = 'pz'$$, 'a programme without cohorts can be deleted');
select is((select count(*)::integer from version_assignments where programme_id = 'pz'), 0,
          'and its published assignments go with it');

-- ---- submissions: versions, constraints, deadlines ----

select is((asg_submit('c1', :'aid', 'u1', 'v1', null)) #>> '{body,version}', '1', 'u1: version 1');
select is((asg_submit('c1', :'aid', 'u1', null, 'https://youtu.be/x')) #>> '{body,version}', '2', 'u1: version 2');
select is((asg_submit('c1', :'aid', 'u2', 'u2 v1', null)) #>> '{body,version}', '1', 'u2 counts on its own');
select is((asg_submit('c1', :'aid', 'u3', 'x', null)) ->> 'status', '404', 'not registered: 404');
select is((asg_submit('c1', :'aid', 'ins', 'x', null)) ->> 'status', '404', 'an instructor is no participant');
select is((asg_submit('c2', :'aid', 'u1', 'x', null)) ->> 'status', '404', 'another cohort''s assignment: 404');
select is((asg_submit('c1', :'rid', 'u1', null, 'https://x.example')) #>> '{body,error,code}',
          'type_not_allowed', 'a link for a text-only assignment');
select is((asg_submit('c1', :'rid', 'u1', null, null)) #>> '{body,error,code}',
          'empty_submission', 'nothing for a text-only assignment');
select throws_ok($$insert into submissions (cohort_id, assignment_id, user_id, version, url, late)
                   values ('c1', 'a', 'u1', 9, 'javascript:alert(1)', false)$$,
                 '23514', null, 'the table takes http(s) links only');
select throws_ok(format($$insert into submissions (cohort_id, assignment_id, user_id, version, body_text, late)
                          values ('c1', %L, 'u1', 1, 'dup', false)$$, :'aid'),
                 '23505', null, 'a version number is taken once');
select throws_ok($$insert into cohort_assignments (cohort_id, assignment_id, due_at, cutoff_at)
                   values ('c1', 'zz', now(), now() - interval '1 second')$$,
                 '23514', null, 'a cut-off is not before the due date');
select is((asg_schedule('c1', :'aid', now() + interval '1 day', now() - interval '1 day', 'ins', 'instructor'))
              #>> '{body,error,code}',
          'invalid_cutoff', 'asg_schedule: invalid_cutoff');
select is((asg_schedule('c1', :'aid', now() + interval '1 day', null, 'ins2', 'instructor')) ->> 'status',
          '404', 'asg_schedule: another cohort''s instructor gets 404');
-- late after the due date, refused after the cut-off, on both paths
select is((asg_schedule('c1', :'rid', now() - interval '1 hour', now() + interval '1 hour', 'ins', 'instructor'))
              ->> 'status', '200', 'R is due an hour ago, cut off in an hour');
select is((asg_submit('c1', :'rid', 'u2', 'telat', null)) #>> '{body,late}', 'true', 'late after the due date');
select (asg_submit('c1', :'rid', 'u1', 'u1 R', null)) #>> '{body,id}' as u1r \gset
\o /dev/null
select asg_schedule('c1', :'aid', now() - interval '2 hours', now() - interval '1 hour', 'adm', 'admin');
\o
select is((asg_submit('c1', :'aid', 'u1', 'v3', null)) #>> '{body,error,code}', 'deadline_passed',
          'after the cut-off: deadline_passed');
select is((asg_attach_file((select id from submissions where user_id = 'u1' and assignment_id = :'aid' and version = 2),
                           'u1', 'image/png', 'png', 'a.png', repeat('0', 64), '\x89504e47'::bytea))
              #>> '{body,error,code}',
          'deadline_passed', 'the file path too');
select is((select count(*)::integer from submission_files), 0, 'no file stored');
select is((select max(version) from submissions where user_id = 'u1' and assignment_id = :'aid'), 2,
          'no version 3');

-- ---- grades: history, the newest counts, never on a replaced version ----

select (select id from submissions where user_id = 'u1' and assignment_id = :'aid' and version = 1) as u1v1,
       (select id from submissions where user_id = 'u1' and assignment_id = :'aid' and version = 2) as u1v2 \gset
select is((asg_grade(:'u1v1', 100, null, '', '', 'ins', 'instructor')) #>> '{body,error,code}',
          'submission_changed', 'a grade for a replaced version: submission_changed');
select is((select count(*)::integer from grades), 0, 'and nothing stored');
select is((asg_grade(:'u1v2', 80, null, 'ok', '<p>ok</p>', 'ins2', 'instructor')) ->> 'status', '404',
          'another cohort''s instructor: 404');
select is((asg_grade(:'u1v2', 80, null, 'ok', '<p>ok</p>', 'u2', 'participant')) ->> 'status', '404',
          'a participant: 404');
select is((asg_grade(:'u1v2', 100.001, null, '', '', 'ins', 'instructor')) #>> '{body,error,code}',
          'score_out_of_range', 'more than two decimals');
select is((asg_grade(:'u1v2', 101, null, '', '', 'ins', 'instructor')) #>> '{body,error,details,max}',
          '100.00', 'out of range, with the maximum in the details');
select is((asg_grade(:'u1v2', 80, null, 'cukup', '<p>cukup</p>', 'ins', 'instructor')) ->> 'status',
          '200', 'graded 80');
select is((asg_grade(:'u1v2', 90, null, 'baik', '<p>baik</p>', 'adm', 'admin')) ->> 'status',
          '200', 'regraded 90 by an admin');
select is((select string_agg(score || ':' || grader_id, ' ' order by id) from grades
            where submission_id = :'u1v2'),
          '80.00:ins 90.00:adm', 'both grades kept, in order');
select is((asg_latest_grade(:'u1v2')).score, 90.00::numeric, 'the newest counts');
select is((select string_agg(g ->> 'score', ' ') from json_array_elements(
              asg_grade_history(:'u1v2', 'ins', 'instructor') -> 'items') g),
          '90.00 80.00', 'the history, newest first');
select ok(asg_grade_history(:'u1v2', 'ins2', 'instructor') is null, 'no history for another cohort''s instructor');
select is((asg_submit('c1', :'aid', 'u1', 'again', null)) #>> '{body,error,code}', 'deadline_passed',
          'the cut-off is checked before the grade');
\o /dev/null
select asg_schedule('c1', :'aid', null, null, 'ins', 'instructor');
\o
select is((asg_submit('c1', :'aid', 'u1', 'again', null)) #>> '{body,error,code}', 'already_graded',
          'graded work cannot be replaced');
-- rubric scores
select is(asg_rubric_score(pg_temp.rubric('{{0,2,4},{0,3,6}}'), '[2, 1]'), 7::numeric,
          'a rubric score: the chosen levels'' points');
select is(asg_rubric_score(pg_temp.rubric('{{0,2,4},{0,3,6}}'), '[3, 0]'), null, 'a level that does not exist');
select is(asg_rubric_score(pg_temp.rubric('{{0,2,4},{0,3,6}}'), '[1]'), null, 'a choice missing');
select is(asg_rubric_score(pg_temp.rubric('{{0,2,4},{0,3,6}}'), '[1.5, 0]'), null, 'a fractional level');
select is((asg_grade(:'u1r', 8, '[2, 1]', '', '', 'ins', 'instructor')) #>> '{body,error,code}',
          'score_mismatch', 'a score that contradicts the choices');
select is((asg_grade(:'u1r', null, '[2, 2]', '', '', 'ins', 'instructor')) #>> '{body,grade,score}',
          '10.00', 'the score computed from the choices');

-- ---- release ----

select ok((asg_submission_json(s, false)) ->> 'grade' is null, 'before a release the owner sees no grade')
  from submissions s where id = :'u1v2';
select is((select a ->> 'score' from json_array_elements(asg_standing('c1', 'u1', false)) a
             where a ->> 'id' = :'aid'), null, 'nor a score in the standing');
select is((asg_release('c1', :'aid', 'ins2', 'instructor')) ->> 'status', '404',
          'another cohort''s instructor cannot release');
select is((select count(*)::integer from cohort_assignments where released_at is not null), 0, 'nothing released');
select is((asg_release('c1', :'aid', 'ins', 'instructor')) #>> '{body,released}', '1',
          'release A: one graded submission (u1''s latest) becomes visible');
select is((asg_submission_json(s, false)) #>> '{grade,score}', '90.00', 'now the owner sees it')
  from submissions s where id = :'u1v2';
select is((asg_release('c1', :'aid', 'ins', 'instructor')) #>> '{body,released}', '0', 'releasing again counts 0');
select is((asg_release('c1', null, 'adm', 'admin')) #>> '{body,released}', '1',
          'release the cohort: u1''s grade on R');
select is((select released_by from cohort_assignments where cohort_id = 'c1' and assignment_id = :'aid'), 'ins',
          'the first release is kept (who released A)');
\o /dev/null
select asg_schedule('c1', :'rid', now() + interval '1 day', null, 'ins', 'instructor');
\o
select ok((select released_at is not null from cohort_assignments where cohort_id = 'c1' and assignment_id = :'rid'),
          'a new schedule keeps the release');

select * from finish();
rollback;
