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

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
