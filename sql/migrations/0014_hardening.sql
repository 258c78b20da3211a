-- 0014_hardening.sql — issue 14: limits that hold under concurrency and
-- access that ends when a role ends.
--
--   * signup_attempts: signups per client address in the throttling window
--     (shared by every instance through the database).

create table signup_attempts (
    id bigint generated always as identity primary key,
    ip text not null,
    at timestamptz not null default now()
);
create index signup_attempts_ip_idx on signup_attempts (ip, at);

--   * allocation_log: found by participant and outcome, so that a refusal
--     is recorded once per participant, cohort and outcome (reg_log).
create index allocation_log_user_outcome_idx on allocation_log (cohort_id, user_id, outcome);

--   * calendar_feeds: a personal calendar feed URL per account, revocable
--     (only the token's hash is kept; a new one replaces the old).
create table calendar_feeds (
    user_id text primary key references users (id) on delete cascade,
    token_hash text not null,
    created_at timestamptz not null default now(),
    constraint calendar_feeds_token_hash_key unique (token_hash),
    constraint calendar_feeds_token_hash_check check (token_hash ~ '^[0-9a-f]{64}$')
);

--   * profile_number_conflicts: PUT /me/profile refused because the NIK or
--     NIP belongs to another account, per account and address, so that the
--     answer cannot be used as an oracle (auth_profile_put throttles on it).
create table profile_number_conflicts (
    id bigint generated always as identity primary key,
    user_id text not null references users (id) on delete cascade,
    ip text not null,
    kind text not null,
    at timestamptz not null default now(),
    constraint profile_number_conflicts_kind_check check (kind in ('nik', 'nip'))
);
create index profile_number_conflicts_user_idx on profile_number_conflicts (user_id, at);
create index profile_number_conflicts_ip_idx on profile_number_conflicts (ip, at);

-- auth_profile_put gained the client address (its throttle).
drop function if exists auth_profile_put(text, jsonb, integer);

--   * allocation_log_heads: the public chain head of each cohort's fairness
--     log kept incrementally: a checkpoint (last seq, entries, head) over the
--     entries settled for a minute, so the head route hashes only the tail.
create table allocation_log_heads (
    cohort_id text primary key references cohorts (id) on delete cascade,
    last_seq bigint not null,
    entries integer not null,
    head text not null,
    constraint allocation_log_heads_head_check check (head ~ '^[0-9a-f]{64}$')
);
