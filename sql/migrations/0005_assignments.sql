-- 0005_assignments: assignments in the content draft and its published
-- versions, per-cohort deadlines, submissions (text, link, file) in
-- versions, grading with rubrics and history, release of grades, and the
-- gradebook.
--
-- Like lessons, an assignment keeps its draft id in every version. Every
-- function that reads or writes a submission decides who the caller is
-- allowed to be, here in SQL: the participant who owns it, an instructor of
-- its cohort, an admin — and answers 404 to anyone else (ids leak nothing).

-- ---- the draft ----

-- A rubric: 1..20 criteria, each {title, levels: 1..10 × {title, points ≥ 0}}.
create function asg_rubric_valid(p jsonb) returns boolean
language sql immutable as $$
    select p is null
        or (jsonb_typeof(p) = 'array' and jsonb_array_length(p) between 1 and 20
            and not exists (
                select 1 from jsonb_array_elements(p) c
                 where jsonb_typeof(c) <> 'object'
                    or (select count(*) from jsonb_object_keys(c) k
                         where k not in ('title', 'levels')) > 0
                    or jsonb_typeof(c -> 'title') is distinct from 'string'
                    or length(c ->> 'title') not between 1 and 200
                    or jsonb_typeof(c -> 'levels') is distinct from 'array'
                    or jsonb_array_length(c -> 'levels') not between 1 and 10
                    or exists (
                        select 1 from jsonb_array_elements(c -> 'levels') l
                         where jsonb_typeof(l) <> 'object'
                            or (select count(*) from jsonb_object_keys(l) k
                                 where k not in ('title', 'points')) > 0
                            or jsonb_typeof(l -> 'title') is distinct from 'string'
                            or length(l ->> 'title') not between 1 and 200
                            or jsonb_typeof(l -> 'points') is distinct from 'number'
                            or (l ->> 'points')::numeric not between 0 and 10000)))
$$;

-- The most a rubric can give: the best level of every criterion.
create function asg_rubric_max(p jsonb) returns numeric
language sql immutable as $$
    select sum((select max((l ->> 'points')::numeric)
                  from jsonb_array_elements(c -> 'levels') l))
      from jsonb_array_elements(p) c
$$;

create table assignments (
    id text primary key default sinau_new_id(),
    module_id text not null references modules (id) on delete cascade,
    title text not null,
    instructions_md text not null default '',
    submission_types text[] not null,
    max_score numeric(8, 2) not null,
    pass_score numeric(8, 2) not null,
    required boolean not null default true,
    rubric jsonb,
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint assignments_title_check check (length(title) between 1 and 200),
    constraint assignments_instructions_check check (octet_length(instructions_md) <= 65536),
    constraint assignments_types_check check (
        cardinality(submission_types) between 1 and 3
        and submission_types <@ array['text', 'url', 'file']),
    constraint assignments_score_check check (max_score > 0 and max_score <= 10000
                                              and pass_score >= 0 and pass_score <= max_score),
    constraint assignments_rubric_check check (asg_rubric_valid(rubric)
                                               and (rubric is null
                                                    or asg_rubric_max(rubric) = max_score)),
    constraint assignments_position_check check (position between 0 and 100000)
);
create index assignments_module_idx on assignments (module_id, position);
create trigger assignments_touch before update on assignments
    for each row execute function sinau_touch_updated_at();

create table version_assignments (
    programme_id text not null,
    version integer not null,
    assignment_id text not null,
    module_id text not null,
    title text not null,
    instructions_md text not null,
    instructions_html text not null,
    submission_types text[] not null,
    max_score numeric(8, 2) not null,
    pass_score numeric(8, 2) not null,
    required boolean not null,
    rubric jsonb,
    position integer not null,
    ordinal integer not null, -- order across the whole version, from 1
    primary key (programme_id, version, assignment_id),
    constraint version_assignments_module_fkey foreign key (programme_id, version, module_id)
        references version_modules (programme_id, version, module_id) on delete cascade
);
create index version_assignments_module_idx on version_assignments (programme_id, version,
                                                                    module_id);
create trigger version_assignments_immutable before update or delete on version_assignments
    for each row execute function content_refuse_change();

-- ---- per cohort: deadlines and release of grades ----

create table cohort_assignments (
    cohort_id text not null references cohorts (id) on delete cascade,
    assignment_id text not null,
    due_at timestamptz,
    cutoff_at timestamptz,
    released_at timestamptz,
    released_by text references users (id) on delete set null,
    primary key (cohort_id, assignment_id),
    constraint cohort_assignments_cutoff_check check (cutoff_at >= due_at)
);
create index cohort_assignments_released_by_idx on cohort_assignments (released_by);

-- ---- submissions ----

create table submissions (
    id text primary key default sinau_new_id(),
    cohort_id text not null references cohorts (id) on delete cascade,
    assignment_id text not null,
    user_id text not null references users (id) on delete cascade,
    version integer not null,
    body_text text,
    url text,
    submitted_at timestamptz not null default now(),
    late boolean not null,
    constraint submissions_version_key unique (cohort_id, assignment_id, user_id, version),
    constraint submissions_version_check check (version >= 1),
    constraint submissions_text_check check (octet_length(body_text) <= 65536),
    constraint submissions_url_check check (url ~* '^https?://[^\s/?#]+' and length(url) <= 2000)
);
create index submissions_user_idx on submissions (user_id);
create index submissions_cohort_idx on submissions (cohort_id, assignment_id, submitted_at);

create table submission_files (
    submission_id text primary key references submissions (id) on delete cascade,
    stored_name text not null unique,
    original_name text,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    data bytea not null,
    uploaded_at timestamptz not null default now(),
    constraint submission_files_type_check check (
        content_type in ('image/png', 'image/jpeg', 'application/pdf', 'video/mp4')),
    constraint submission_files_size_check check (size_bytes = octet_length(data)
                                                  and size_bytes > 0),
    constraint submission_files_sha_check check (sha256 ~ '^[0-9a-f]{64}$'),
    constraint submission_files_name_check check (length(original_name) between 1 and 200)
);

-- Grades are never overwritten: a regrade adds a row; the newest counts.
create table grades (
    id bigint generated always as identity primary key,
    submission_id text not null references submissions (id) on delete cascade,
    grader_id text references users (id) on delete set null,
    score numeric(8, 2) not null,
    rubric jsonb, -- the chosen level of each criterion, in criterion order
    feedback_md text not null default '',
    feedback_html text not null default '',
    graded_at timestamptz not null default now(),
    constraint grades_feedback_check check (octet_length(feedback_md) <= 65536)
);
create index grades_submission_idx on grades (submission_id, id desc);
create index grades_grader_idx on grades (grader_id);

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
