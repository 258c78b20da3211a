-- 0003_registration: programmes, cohorts with per-segment quotas, and a
-- registration that stays exact under a flash crowd.
--
-- The seat counter of a segment (cohort_segments.confirmed) is changed only
-- under that row's lock, in the same transaction as the registration row, and
-- the check constraint cohort_segments_not_overbooked makes an overbooking
-- impossible even if the code were wrong. Every attempt, whatever its
-- outcome, is recorded in allocation_log with its arrival sequence number.

create table programmes (
    id text primary key default sinau_new_id(),
    slug text not null,
    title text not null,
    description text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint programmes_slug_key unique (slug),
    constraint programmes_slug_check check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    constraint programmes_title_check check (length(title) between 1 and 200),
    constraint programmes_description_check check (length(description) <= 10000)
);
create trigger programmes_touch before update on programmes
    for each row execute function sinau_touch_updated_at();

create table cohorts (
    id text primary key default sinau_new_id(),
    programme_id text not null references programmes (id) on delete restrict,
    name text not null,
    registration_opens_at timestamptz not null,
    registration_closes_at timestamptz not null,
    starts_on date not null,
    ends_on date not null,
    jp integer not null,
    residency_prefix text,
    spillover_at timestamptz,
    offer_ttl_s integer,
    certificate_rules jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint cohorts_name_check check (length(name) between 1 and 200),
    constraint cohorts_window_check check (registration_closes_at > registration_opens_at),
    constraint cohorts_dates_check check (ends_on >= starts_on),
    constraint cohorts_jp_check check (jp between 0 and 1000),
    constraint cohorts_residency_check check (residency_prefix ~ '^[0-9]{2,6}$'),
    constraint cohorts_offer_ttl_check check (offer_ttl_s between 60 and 1209600)
);
create index cohorts_programme_idx on cohorts (programme_id);
create trigger cohorts_touch before update on cohorts
    for each row execute function sinau_touch_updated_at();

create table cohort_segments (
    cohort_id text not null references cohorts (id) on delete cascade,
    segment text not null,
    quota integer not null,
    waitlist boolean not null default true,
    confirmed integer not null default 0, -- seats held: confirmed and offered registrations
    waitlisted integer not null default 0, -- waiting registrations (kept under the row lock)
    primary key (cohort_id, segment),
    constraint cohort_segments_segment_check check (segment ~ '^[a-z][a-z0-9_]{1,31}$'),
    constraint cohort_segments_quota_check check (quota between 0 and 100000),
    constraint cohort_segments_confirmed_check check (confirmed >= 0),
    constraint cohort_segments_waitlisted_check check (waitlisted >= 0),
    constraint cohort_segments_not_overbooked check (confirmed <= quota)
);

create table cohort_instructors (
    cohort_id text not null references cohorts (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    added_at timestamptz not null default now(),
    primary key (cohort_id, user_id)
);
create index cohort_instructors_user_idx on cohort_instructors (user_id);

-- Arrival order across every instance: one sequence in the database.
create sequence registration_arrival_seq;

create table registrations (
    id text primary key default sinau_new_id(),
    cohort_id text not null,
    user_id text not null references users (id) on delete cascade,
    segment text not null,
    status text not null,
    seq bigint not null,
    offer_expires_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    cancelled_at timestamptz,
    cancelled_by text references users (id) on delete set null,
    constraint registrations_segment_fkey foreign key (cohort_id, segment)
        references cohort_segments (cohort_id, segment) on delete cascade,
    constraint registrations_status_check
        check (status in ('confirmed', 'waitlisted', 'offered', 'cancelled', 'expired')),
    constraint registrations_offer_check
        check ((status = 'offered') = (offer_expires_at is not null))
);
-- one live registration per participant per cohort
create unique index registrations_one_live_idx on registrations (cohort_id, user_id)
    where status in ('confirmed', 'waitlisted', 'offered');
create index registrations_user_idx on registrations (user_id);
create index registrations_cancelled_by_idx on registrations (cancelled_by);
create index registrations_queue_idx on registrations (cohort_id, segment, status, seq);
create index registrations_offers_idx on registrations (offer_expires_at)
    where status = 'offered';
create trigger registrations_touch before update on registrations
    for each row execute function sinau_touch_updated_at();

-- The fairness record: every attempt and every seat movement, in arrival
-- order. Exported with a hash chain by the server (identities as keyed
-- hashes), so a published chain head shows that nothing was inserted later.
create table allocation_log (
    seq bigint primary key,
    cohort_id text not null references cohorts (id) on delete cascade,
    at timestamptz not null default clock_timestamp(),
    user_id text,
    segment text,
    outcome text not null,
    registration_id text,
    constraint allocation_log_outcome_check check (outcome ~ '^[a-z0-9_]+$')
);
create index allocation_log_cohort_idx on allocation_log (cohort_id, seq);

-- Idempotency-Key: the first response to a key is kept and replayed.
create table idempotency_keys (
    user_id text not null references users (id) on delete cascade,
    key text not null,
    request_hash text not null,
    status integer not null,
    response json not null,
    created_at timestamptz not null default now(),
    primary key (user_id, key),
    constraint idempotency_keys_key_check check (length(key) between 1 and 200)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
