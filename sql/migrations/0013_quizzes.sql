-- 0013_quizzes: quizzes in a programme's modules (pre-test, post-test,
-- knowledge check, evaluation survey), their questions in the draft and in
-- every published version (immutable there, like lessons), each cohort's
-- opening window, attempts with their answers, and the anonymous side of
-- surveys.
--
-- Like lessons and assignments, a quiz and a question keep their draft id in
-- every version. An attempt is pinned to the version it started on and to
-- the questions it drew (a seed stored with it decides their order and the
-- options'), so a review shows what the participant saw even after the
-- cohort moved to a newer version. The rules (who may do what, grading,
-- the window, the attempt limit) live in sql/functions/quizzes.sql; the
-- constraints here are the last line behind them.

-- ---- the draft ----

create table quizzes (
    id text primary key default sinau_new_id(),
    module_id text not null references modules (id) on delete cascade,
    title text not null,
    kind text not null,
    description_md text not null default '',
    time_limit_s integer,           -- null: no limit
    max_attempts integer default 1, -- null: unlimited
    pass_score numeric(5, 2),       -- percent; null: no pass mark
    shuffle boolean not null default false, -- questions and options, per attempt
    layout text not null default 'one',     -- one question per screen, or all
    review text not null,           -- when a participant sees score, key, explanations
    anonymous boolean not null default false,
    grading text not null,          -- which attempt counts: best, first, last
    pick jsonb,                     -- null: every question; else [{tag, count}] drawn at random
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint quizzes_title_check check (length(title) between 1 and 200),
    constraint quizzes_kind_check check (kind in ('pretest', 'posttest', 'check', 'survey')),
    constraint quizzes_description_check check (octet_length(description_md) <= 65536),
    constraint quizzes_time_limit_check check (time_limit_s between 30 and 86400),
    constraint quizzes_attempts_check check (max_attempts between 1 and 100),
    constraint quizzes_pass_check check (pass_score is null
                                         or (pass_score between 0 and 100 and kind <> 'survey')),
    constraint quizzes_layout_check check (layout in ('one', 'all')),
    constraint quizzes_review_check check (review in ('after_attempt', 'after_close',
                                                      'score_only', 'none')),
    constraint quizzes_anonymous_check check (not anonymous or kind = 'survey'),
    constraint quizzes_grading_check check (grading in ('best', 'first', 'last')),
    constraint quizzes_pick_check check (jsonb_typeof(pick) = 'array'
                                         and jsonb_array_length(pick) between 1 and 20),
    constraint quizzes_position_check check (position between 0 and 100000)
);
create index quizzes_module_idx on quizzes (module_id, position);
create trigger quizzes_touch before update on quizzes
    for each row execute function sinau_touch_updated_at();

-- options: [{id, text_md, correct}] (ids random, so that an id never tells
-- where the author put the option); answer: {text} for short_text, {value,
-- tolerance} for numeric, {value: true|false} for true_false.
create table quiz_questions (
    id text primary key default sinau_new_id(),
    quiz_id text not null references quizzes (id) on delete cascade,
    type text not null,
    stem_md text not null,
    options jsonb not null default '[]'::jsonb,
    answer jsonb,
    points numeric(8, 2) not null default 1,
    scoring text not null default 'all_or_nothing',
    explanation_md text not null default '',
    tags text[] not null default '{}',
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint quiz_questions_type_check check (type in ('single', 'multiple', 'true_false',
                                                         'short_text', 'numeric', 'likert',
                                                         'text')),
    constraint quiz_questions_stem_check check (octet_length(stem_md) between 1 and 20000),
    constraint quiz_questions_options_check check (jsonb_typeof(options) = 'array'
                                                   and jsonb_array_length(options) <= 10),
    constraint quiz_questions_answer_check check (jsonb_typeof(answer) = 'object'),
    constraint quiz_questions_points_check check (points >= 0 and points <= 1000),
    constraint quiz_questions_scoring_check check (scoring in ('all_or_nothing', 'partial')),
    constraint quiz_questions_explanation_check check (octet_length(explanation_md) <= 20000),
    constraint quiz_questions_tags_check check (cardinality(tags) <= 10),
    constraint quiz_questions_position_check check (position between 0 and 100000)
);
create index quiz_questions_quiz_idx on quiz_questions (quiz_id, position);
create trigger quiz_questions_touch before update on quiz_questions
    for each row execute function sinau_touch_updated_at();

-- ---- published versions (never change) ----

create table version_quizzes (
    programme_id text not null,
    version integer not null,
    quiz_id text not null,
    module_id text not null,
    title text not null,
    kind text not null,
    description_md text not null,
    description_html text not null,
    time_limit_s integer,
    max_attempts integer,
    pass_score numeric(5, 2),
    shuffle boolean not null,
    layout text not null,
    review text not null,
    anonymous boolean not null,
    grading text not null,
    pick jsonb,
    position integer not null,
    ordinal integer not null, -- order across the whole version, from 1
    primary key (programme_id, version, quiz_id),
    constraint version_quizzes_module_fkey foreign key (programme_id, version, module_id)
        references version_modules (programme_id, version, module_id) on delete cascade
);
create index version_quizzes_module_idx on version_quizzes (programme_id, version, module_id);
create trigger version_quizzes_immutable before update or delete on version_quizzes
    for each row execute function content_refuse_change();

-- options: [{id, text_md, text_html, correct}]
create table version_questions (
    programme_id text not null,
    version integer not null,
    question_id text not null,
    quiz_id text not null,
    type text not null,
    stem_md text not null,
    stem_html text not null,
    options jsonb not null,
    answer jsonb,
    points numeric(8, 2) not null,
    scoring text not null,
    explanation_md text not null,
    explanation_html text not null,
    tags text[] not null,
    position integer not null,
    ordinal integer not null, -- order within its quiz, from 1
    primary key (programme_id, version, question_id),
    constraint version_questions_quiz_fkey foreign key (programme_id, version, quiz_id)
        references version_quizzes (programme_id, version, quiz_id) on delete cascade
);
create index version_questions_quiz_idx on version_questions (programme_id, version, quiz_id,
                                                              ordinal);
create trigger version_questions_immutable before update or delete on version_questions
    for each row execute function content_refuse_change();

-- ---- per cohort: the opening window ----

create table cohort_quizzes (
    cohort_id text not null references cohorts (id) on delete cascade,
    quiz_id text not null,
    opens_at timestamptz,
    closes_at timestamptz,
    -- a pre-test closes for a participant once they have started on the lessons
    close_at_first_lesson boolean not null default false,
    updated_by text references users (id) on delete set null,
    updated_at timestamptz not null default now(),
    primary key (cohort_id, quiz_id),
    constraint cohort_quizzes_window_check check (closes_at > opens_at)
);
create index cohort_quizzes_updated_by_idx on cohort_quizzes (updated_by);

-- ---- attempts ----

create table quiz_attempts (
    id text primary key default sinau_new_id(),
    cohort_id text not null references cohorts (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    programme_id text not null,
    version integer not null,
    quiz_id text not null,
    number integer not null,
    max_attempts integer, -- the quiz's limit when the attempt started
    seed text not null,   -- decides the draw and the order of questions and options
    question_ids text[] not null,
    started_at timestamptz not null default now(),
    deadline_at timestamptz, -- fixed at the start; null: none
    closed_at timestamptz,
    closed_by text,
    score numeric(10, 2),
    max_score numeric(10, 2),
    percent numeric(5, 2),
    passed boolean,
    constraint quiz_attempts_quiz_fkey foreign key (programme_id, version, quiz_id)
        references version_quizzes (programme_id, version, quiz_id) on delete cascade,
    constraint quiz_attempts_number_key unique (cohort_id, quiz_id, user_id, number),
    constraint quiz_attempts_number_check check (number >= 1
                                                 and (max_attempts is null
                                                      or number <= max_attempts)),
    constraint quiz_attempts_seed_check check (seed ~ '^[0-9a-f]{32}$'),
    constraint quiz_attempts_closed_check check ((closed_at is null) = (closed_by is null)
                                                 and closed_by in ('participant', 'deadline',
                                                                   'timer', 'lessons')),
    constraint quiz_attempts_score_check check (closed_at is not null
                                                or (score is null and percent is null
                                                    and passed is null)),
    constraint quiz_attempts_deadline_check check (deadline_at > started_at)
);
-- at most one attempt in progress per participant and quiz
create unique index quiz_attempts_open_key on quiz_attempts (cohort_id, quiz_id, user_id)
    where closed_at is null;
-- what the server's timer looks for
create index quiz_attempts_due_idx on quiz_attempts (deadline_at)
    where closed_at is null and deadline_at is not null;
create index quiz_attempts_user_idx on quiz_attempts (user_id);
create index quiz_attempts_quiz_idx on quiz_attempts (programme_id, version, quiz_id);

-- One row per question answered, replaced by a later save of the same
-- question (seq, when the client sends one, keeps a late retry from
-- overwriting a newer answer). points is set when the attempt is graded.
create table quiz_answers (
    attempt_id text not null references quiz_attempts (id) on delete cascade,
    question_id text not null,
    response jsonb not null,
    seq bigint,
    saved_at timestamptz not null default now(),
    points numeric(10, 2),
    primary key (attempt_id, question_id),
    constraint quiz_answers_response_check check (jsonb_typeof(response) = 'object'
                                                  and octet_length(response::text) <= 12000)
);

-- ---- surveys ----

-- That a participant answered a survey (certificate rule "survey answered").
create table survey_answered (
    cohort_id text not null references cohorts (id) on delete cascade,
    quiz_id text not null,
    user_id text not null references users (id) on delete cascade,
    answered_at timestamptz not null default now(),
    primary key (cohort_id, quiz_id, user_id)
);
create index survey_answered_user_idx on survey_answered (user_id);

-- The answers of an anonymous survey, moved here when the attempt closes:
-- no user, no attempt, no time, a random id — nothing to join on.
-- answers: [{question_id, response}].
create table survey_responses (
    id text primary key default sinau_new_id(),
    cohort_id text not null references cohorts (id) on delete cascade,
    quiz_id text not null,
    answers jsonb not null,
    constraint survey_responses_answers_check check (jsonb_typeof(answers) = 'array')
);
create index survey_responses_quiz_idx on survey_responses (cohort_id, quiz_id);

-- The functions of this migration live in sql/functions/quizzes.sql (one
-- home each, re-applied when changed).
