-- 0009_messages: the transactional outbox (every message a row written in
-- the same transaction as the event that causes it, delivered later by a
-- worker that claims rows with FOR UPDATE SKIP LOCKED), what participants
-- choose to receive, announcements by cohort staff, and account recovery
-- (password reset tokens, e-mail verification). Functions:
-- sql/functions/messages.sql.

-- The recipient's language for messages (the web app's choice, saved).
alter table users add column language text not null default 'id';
alter table users add constraint users_language_check check (language in ('id', 'en'));
-- Null while an account made with SINAU_VERIFY_EMAIL=1 has not followed its
-- link; every other account counts as verified from its creation.
alter table users add column email_verified_at timestamptz default now();
update users set email_verified_at = created_at;

-- Channels a participant chose (no row: e-mail only, reminders on).
-- Security messages go by e-mail whatever is chosen here.
create table message_prefs (
    user_id text primary key references users (id) on delete cascade,
    email boolean not null default true,
    whatsapp boolean not null default false,
    reminders boolean not null default true,
    updated_at timestamptz not null default now()
);
create trigger message_prefs_touch before update on message_prefs
    for each row execute function sinau_touch_updated_at();

-- Announcements written by a cohort's staff, to all its confirmed
-- participants or to one segment's.
create table announcements (
    id text primary key default sinau_new_id(),
    cohort_id text not null references cohorts (id) on delete cascade,
    author_id text references users (id) on delete set null,
    subject text not null,
    body_md text not null,
    body_html text not null,
    segment text,
    recipients integer not null default 0,
    created_at timestamptz not null default now(),
    constraint announcements_subject_check check (length(subject) between 1 and 200),
    constraint announcements_body_check check (length(body_md) between 1 and 20000),
    constraint announcements_segment_check check (segment ~ '^[a-z][a-z0-9_]{1,31}$')
);
create index announcements_cohort_idx on announcements (cohort_id, created_at);
create index announcements_author_idx on announcements (author_id);

-- The outbox: one row per message and channel. Text is rendered when the
-- row is claimed (so the event's transaction stays short); params holds
-- the facts of the event. A secret (a reset or verification token) is kept
-- only encrypted (secret_enc, bound to secret_id) and forgotten once sent.
-- state: queued → sending (claimed, lease_until) → sent | queued again
-- (next_attempt_at, backoff) | failed (after the configured tries) |
-- undeliverable (no channel configured, no phone).
create table outbox (
    id bigint generated always as identity primary key,
    kind text not null,
    user_id text not null references users (id) on delete cascade,
    channel text not null,
    cohort_id text references cohorts (id) on delete cascade,
    params jsonb not null default '{}'::jsonb,
    security boolean not null default false,
    dedup_key text,
    secret_id text,
    secret_enc text,
    state text not null default 'queued',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_until timestamptz,
    claimed_by text,
    last_error text,
    resent integer not null default 0,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    updated_at timestamptz not null default now(),
    constraint outbox_kind_check check (kind ~ '^[a-z_]{1,40}$'),
    constraint outbox_channel_check check (channel in ('email', 'whatsapp')),
    constraint outbox_state_check
        check (state in ('queued', 'sending', 'sent', 'failed', 'undeliverable')),
    constraint outbox_lease_check check ((state = 'sending') = (lease_until is not null)),
    constraint outbox_secret_check check ((secret_enc is null) or (secret_id is not null)),
    constraint outbox_dedup_key unique (dedup_key, channel)
);
create index outbox_due_idx on outbox (next_attempt_at) where state = 'queued';
create index outbox_lease_idx on outbox (lease_until) where state = 'sending';
create index outbox_user_idx on outbox (user_id);
create index outbox_cohort_idx on outbox (cohort_id);
create index outbox_state_idx on outbox (state, channel);
create index outbox_sent_idx on outbox (sent_at) where state = 'sent'; -- retention
create trigger outbox_touch before update on outbox
    for each row execute function sinau_touch_updated_at();

-- Password reset links: only a hash of each token, single use, 30 minutes.
create table password_resets (
    token_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    requested_by text references users (id) on delete set null, -- an admin, or null
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    constraint password_resets_token_hash_check check (token_hash ~ '^[0-9a-f]{64}$')
);
create index password_resets_user_idx on password_resets (user_id);
create index password_resets_requested_by_idx on password_resets (requested_by);

-- Reset requests in the throttling window, per client address and per
-- account (shared by every instance).
create table password_reset_requests (
    id bigint generated always as identity primary key,
    ip text not null,
    user_id text references users (id) on delete cascade,
    at timestamptz not null default now()
);
create index password_reset_requests_ip_idx on password_reset_requests (ip, at);
create index password_reset_requests_user_idx on password_reset_requests (user_id, at);

-- E-mail verification links (SINAU_VERIFY_EMAIL=1): hashed, single use.
create table email_verifications (
    token_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    constraint email_verifications_token_hash_check check (token_hash ~ '^[0-9a-f]{64}$')
);
create index email_verifications_user_idx on email_verifications (user_id);

-- The functions of this migration live in sql/functions/messages.sql.
