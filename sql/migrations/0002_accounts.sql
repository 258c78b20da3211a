-- 0002_accounts: users, profiles with protected personal data, sessions,
-- login throttling shared by every instance, and the audit log.

create extension if not exists citext;

create table users (
    id text primary key default sinau_new_id(),
    email citext not null,
    full_name text not null,
    role text not null default 'participant',
    status text not null default 'active',
    password_hash text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint users_email_key unique (email),
    constraint users_email_check check (length(email) between 3 and 254 and email like '%_@_%'),
    constraint users_full_name_check check (length(full_name) between 1 and 200),
    constraint users_role_check check (role in ('participant', 'instructor', 'admin')),
    constraint users_status_check check (status in ('active', 'disabled')),
    constraint users_password_hash_check check (password_hash like '$argon2id$%')
);
create trigger users_touch before update on users
    for each row execute function sinau_touch_updated_at();

-- Identity numbers and phone are stored encrypted (XChaCha20-Poly1305, the
-- AAD binds table, column, user id and key version: server/crypto/pii.c),
-- with a keyed blind index for uniqueness and a masked copy for display.
-- nik_region keeps the NIK's first six digits (province, city, district) in
-- clear: residency rules need it and it identifies nobody.
create table profiles (
    user_id text primary key references users (id) on delete cascade,
    nik_enc text,
    nik_bidx text,
    nik_mask text,
    nik_region text,
    nip_enc text,
    nip_bidx text,
    nip_mask text,
    phone_enc text,
    phone_mask text,
    agency text,
    business_name text,
    business_sector text,
    nib text,
    district text,
    key_version integer not null default 1,
    updated_at timestamptz not null default now(),
    constraint profiles_nik_bidx_key unique (nik_bidx),
    constraint profiles_nip_bidx_key unique (nip_bidx),
    constraint profiles_nik_complete check ((nik_enc is null) = (nik_bidx is null)
                                            and (nik_enc is null) = (nik_mask is null)),
    constraint profiles_nip_complete check ((nip_enc is null) = (nip_bidx is null)
                                            and (nip_enc is null) = (nip_mask is null)),
    constraint profiles_nib_check check (nib ~ '^[0-9]{13}$'),
    constraint profiles_text_lengths check (length(agency) <= 200 and length(business_name) <= 200
                                            and length(business_sector) <= 100
                                            and length(district) <= 100)
);
create trigger profiles_touch before update on profiles
    for each row execute function sinau_touch_updated_at();

-- Only a hash of each session token is stored (BLAKE2b-256, hex), so a
-- database leak yields no usable token. Any instance can check any session.
create table sessions (
    token_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz,
    ip text,
    constraint sessions_token_hash_check check (token_hash ~ '^[0-9a-f]{64}$')
);
create index sessions_user_id_idx on sessions (user_id);

-- Failed logins in the throttling window, per account and per client
-- address (shared by every instance through the database).
create table login_failures (
    id bigint generated always as identity primary key,
    email citext not null,
    ip text not null,
    at timestamptz not null default now()
);
create index login_failures_email_idx on login_failures (email, at);
create index login_failures_ip_idx on login_failures (ip, at);

create table audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor_id text references users (id) on delete set null,
    action text not null,
    subject_id text references users (id) on delete set null,
    ip text,
    details jsonb not null default '{}'::jsonb,
    constraint audit_log_action_check check (action ~ '^[a-z_.]+$')
);
create index audit_log_actor_idx on audit_log (actor_id);
create index audit_log_subject_idx on audit_log (subject_id);
create index audit_log_at_idx on audit_log (at);

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
