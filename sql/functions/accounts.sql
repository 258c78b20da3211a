-- functions/accounts.sql — accounts: users and profiles as the API shows
-- them, sessions, login throttling, personal data reads and the audit log
-- (schema: migrations/0002).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- The public shape of a user (API.md: user = {id,email,full_name,role}).
create or replace function auth_user_json(u users) returns json
language sql stable as $$
    select json_build_object('id', u.id, 'email', u.email, 'full_name', u.full_name,
                             'role', u.role)
$$;

-- The profile as responses show it: identity numbers masked, never clear.
create or replace function auth_profile_json(p profiles) returns json
language sql stable as $$
    select json_build_object('nik', p.nik_mask, 'nip', p.nip_mask, 'phone', p.phone_mask,
                             'agency', p.agency, 'business_name', p.business_name,
                             'business_sector', p.business_sector, 'nib', p.nib,
                             'district', p.district)
$$;

-- The one place that says who teaches a cohort now: a row in
-- cohort_instructors counts only while the account is active and its
-- current role is instructor or admin, so demoting or disabling someone ends
-- their access to every cohort at once, on every instance (every access
-- check in SQL goes through this; the rows stay, and a restored role
-- brings the access back).
create or replace function auth_instructs(p_cohort_id text, p_user_id text) returns boolean
language sql stable as $$
    select exists (select 1 from cohort_instructors ci join users u on u.id = ci.user_id
                    where ci.cohort_id = p_cohort_id and ci.user_id = p_user_id
                      and u.status = 'active' and u.role in ('instructor', 'admin'))
$$;

-- An account that may act as staff now: active, instructor or admin.
create or replace function auth_is_staff_now(p_user_id text) returns boolean
language sql stable as $$
    select exists (select 1 from users u where u.id = p_user_id and u.status = 'active'
                                            and u.role in ('instructor', 'admin'))
$$;

-- Throttling verdict before a login: seconds to wait (0 = go ahead), from
-- the failures of this account and of this address in the window.
create or replace function auth_login_throttle(p_email citext, p_ip text, p_window_s integer,
                                    p_max_per_account integer, p_max_per_ip integer)
returns integer
language plpgsql stable as $$
declare
    since timestamptz := now() - make_interval(secs => p_window_s);
    wait_account double precision := 0;
    wait_ip double precision := 0;
begin
    select coalesce(extract(epoch from (min(at) + make_interval(secs => p_window_s) - now())), 0)
      into wait_account
      from (select at from login_failures where email = p_email and at > since
            order by at desc limit p_max_per_account) f
     having count(*) >= p_max_per_account;
    select coalesce(extract(epoch from (min(at) + make_interval(secs => p_window_s) - now())), 0)
      into wait_ip
      from (select at from login_failures where ip = p_ip and at > since
            order by at desc limit p_max_per_ip) f
     having count(*) >= p_max_per_ip;
    return greatest(ceil(coalesce(wait_account, 0)), ceil(coalesce(wait_ip, 0)), 0)::integer;
end;
$$;

-- Reserves one attempt against the login throttle before the password is
-- checked: under a per-account and a per-address lock (taken in that order
-- everywhere), the verdict is computed and, when it allows the attempt, the
-- attempt is counted at once as a failure (forgiven by a success), so a
-- burst sent at once cannot check more passwords than the limit. Returns
-- the seconds to wait (0 = the attempt is reserved).
create or replace function auth_login_reserve(p_email citext, p_ip text, p_window_s integer,
                                              p_max_per_account integer, p_max_per_ip integer)
returns integer
language plpgsql volatile as $$
declare
    wait_s integer;
begin
    perform sinau_throttle_lock('login.account', lower(p_email::text));
    perform sinau_throttle_lock('login.ip', p_ip);
    wait_s := auth_login_throttle(p_email, p_ip, p_window_s, p_max_per_account, p_max_per_ip);
    if wait_s = 0 then
        insert into login_failures (email, ip) values (p_email, p_ip);
    end if;
    return wait_s;
end;
$$;

-- Step 1 of a login: the attempt reserved (auth_login_reserve) and, when
-- allowed, the stored hash of an active account (null when there is none:
-- the caller still verifies against a dummy hash so both answers take the
-- same time).
create or replace function auth_login_begin(p_email citext, p_ip text, p_window_s integer,
                                 p_max_per_account integer, p_max_per_ip integer)
returns json
language plpgsql volatile as $$
declare
    wait_s integer := auth_login_reserve(p_email, p_ip, p_window_s, p_max_per_account,
                                         p_max_per_ip);
    u users;
begin
    if wait_s > 0 then
        return json_build_object('retry_after', wait_s);
    end if;
    select * into u from users where email = p_email and status = 'active';
    return json_build_object('retry_after', 0, 'user_id', u.id, 'hash', u.password_hash);
end;
$$;

-- Step 3 of a failed login: the reserved attempt stays counted; old
-- failures are forgotten and the failure audited.
create or replace function auth_login_failed(p_email citext, p_ip text, p_window_s integer)
returns void
language plpgsql as $$
begin
    delete from login_failures where at < now() - make_interval(secs => 2 * p_window_s);
    perform sinau_audit(null, 'login.failed', p_subject_id => u.id, p_ip => p_ip)
       from users u where u.email = p_email;
end;
$$;

-- Step 3 of a successful login: a new session (the caller made the token),
-- an upgraded hash when the cost rose, the failures of the account cleared,
-- and an audit entry. Returns {user} or null when the account went away or
-- was disabled meanwhile.
create or replace function auth_login_succeeded(p_user_id text, p_token_hash text, p_csrf text,
                                     p_absolute_s integer, p_new_hash text, p_ip text)
returns json
language plpgsql as $$
declare
    u users;
begin
    if p_new_hash is not null then
        update users set password_hash = p_new_hash where id = p_user_id;
    end if;
    select * into u from users where id = p_user_id and status = 'active';
    if not found then
        return null;
    end if;
    insert into sessions (token_hash, user_id, csrf_token, expires_at, ip)
    values (p_token_hash, u.id, p_csrf, now() + make_interval(secs => p_absolute_s), p_ip);
    delete from login_failures where email = u.email;
    perform sinau_audit(u.id, 'login', p_subject_id => u.id, p_ip => p_ip);
    return json_build_object('user', auth_user_json(u));
end;
$$;

-- Who is asking: the session's user (id, role, csrf) when the token hash is
-- live — not revoked, not past its absolute expiry, used within the idle
-- window — and the user active. Touches last_seen_at at most once a minute
-- (or a quarter of the idle window, when that is shorter) so reads stay cheap.
create or replace function auth_session_check(p_token_hash text, p_idle_s integer)
returns table (user_id text, role text, csrf_token text)
language plpgsql as $$
declare
    s sessions;
begin
    select * into s from sessions
     where token_hash = p_token_hash and revoked_at is null and expires_at > now()
       and last_seen_at > now() - make_interval(secs => p_idle_s);
    if not found then
        return;
    end if;
    if s.last_seen_at < now() - least(interval '60 seconds', make_interval(secs => p_idle_s / 4.0)) then
        update sessions set last_seen_at = now() where token_hash = p_token_hash;
    end if;
    return query select u.id, u.role, s.csrf_token from users u
                  where u.id = s.user_id and u.status = 'active';
end;
$$;

-- A new account (signup, an admin, or the command line). actor_id is the
-- admin who created it (null for signup and the command line). An e-mail
-- already taken raises 409 email_taken about the member email (sinau_raise:
-- nothing is written), which every caller answers as it is.
create or replace function auth_create_user(p_email citext, p_full_name text, p_hash text, p_role text,
                                 p_actor_id text, p_ip text)
returns json
language plpgsql as $$
declare
    u users;
begin
    insert into users (email, full_name, password_hash, role)
    values (p_email, p_full_name, p_hash, p_role)
    returning * into u;
    perform sinau_audit(coalesce(p_actor_id, u.id), 'user.created',
                        json_build_object('role', u.role)::jsonb, u.id, p_ip);
    return json_build_object('user', auth_user_json(u));
exception when unique_violation then
    perform sinau_raise(sinau_field_error(409, 'email_taken', 'an account with this e-mail exists',
                                          'email'));
    return null;
end;
$$;

-- GET /me: the user, the masked profile, the CSRF token when the caller
-- came with the session cookie (so a reloaded page can find it again),
-- whether the name is locked (a certificate carries it: auth_name_put),
-- for an instructor the programmes they may author (slugs), and for a
-- participant `eligibility`: each segment (the three the forms offer and
-- any other a cohort has) → what the profile lacks for it (reg_missing,
-- the rule registration applies; [] when eligible; a cohort's residency
-- prefix is checked when registering), so the web shows the rule's
-- answer instead of writing the rule again.
create or replace function auth_me(p_user_id text, p_csrf text)
returns json
language sql stable as $$
    select json_build_object('user', auth_user_json(u),
                             'profile', coalesce(auth_profile_json(p),
                                                 auth_profile_json(null::profiles)),
                             'csrf_token', p_csrf,
                             'name_locked', auth_name_locked(u.id),
                             -- for instructors: the programmes whose content they may edit
                             'authoring', case when u.role = 'instructor' then
                                 coalesce((select json_agg(pr.slug order by pr.title)
                                             from programmes pr
                                            where content_can_author(pr.id, u.id, u.role)),
                                          '[]'::json) end,
                             'eligibility', case when u.role = 'participant' then
                                 coalesce((select json_object_agg(s.segment,
                                                      to_json(reg_missing(u.id, s.segment, null))
                                                      order by s.segment)
                                             from (select unnest(array['asn', 'umkm', 'public']) as segment
                                                   union select segment from cohort_segments) s),
                                          '{}'::json) end)
      from users u left join profiles p on p.user_id = u.id
     where u.id = p_user_id
$$;

-- A name printed on a certificate is the holder's to change no more.
create or replace function auth_name_locked(p_user_id text) returns boolean
language sql stable as $$
    select exists (select 1 from certificates where user_id = p_user_id)
$$;

-- PUT /me {full_name}: the holder corrects their own name, until a
-- certificate carries it (409 name_locked; then only an admin). Audited
-- with the old and new name. {status, body: GET /me's answer}.
create or replace function auth_name_put(p_user_id text, p_full_name text, p_csrf text,
                                         p_ip text)
returns json
language plpgsql as $$
declare
    old users;
begin
    old := sinau_found((select u from users u where u.id = p_user_id for update), 'account');
    if old.full_name is distinct from p_full_name then
        if auth_name_locked(p_user_id) then
            return sinau_error(409, 'name_locked',
                               'a certificate carries this name; ask an admin to correct it');
        end if;
        update users set full_name = p_full_name where id = p_user_id;
        perform sinau_audit(p_user_id, 'user.name_changed',
                            jsonb_build_object('from', old.full_name, 'to', p_full_name), p_user_id,
                            p_ip);
    end if;
    return sinau_ok(200, auth_me(p_user_id, p_csrf));
end;
$$;

-- PUT /me/profile: applies the members present in p_changes (a null member
-- clears the field). Identity numbers arrive already encrypted, indexed and
-- masked by the server. A NIK or NIP that belongs to another account is not
-- stored: the answer is 409 nik_taken or nip_taken (details.field), the
-- refusal counted and audited with the holder (for admins resolving a
-- dispute). Past 5 such refusals an hour for the account, or 20 for the
-- address, every change of an identity number is refused (429,
-- details.retry_after_s the seconds to wait), so the answer cannot be used
-- to probe numbers. A result that would leave a live registration
-- ineligible is raised (409 profile_in_use), undoing the change. {status,
-- body}.
create or replace function auth_profile_put(p_user_id text, p_changes jsonb, p_key_version integer,
                                            p_ip text)
returns json
language plpgsql as $$
declare
    p profiles;
    wait_s double precision;
    kind text;
    holder text;
begin
    if jsonb_typeof(p_changes -> 'nik') = 'object' or jsonb_typeof(p_changes -> 'nip') = 'object' then
        perform sinau_throttle_lock('profile.number.account', p_user_id);
        perform sinau_throttle_lock('profile.number.ip', p_ip);
        select max(w) into wait_s from (
            select extract(epoch from min(at) + interval '1 hour' - now()) w
              from (select at from profile_number_conflicts
                     where user_id = p_user_id and at > now() - interval '1 hour'
                     order by at desc limit 5) f having count(*) >= 5
            union all
            select extract(epoch from min(at) + interval '1 hour' - now())
              from (select at from profile_number_conflicts
                     where ip = p_ip and at > now() - interval '1 hour'
                     order by at desc limit 20) f having count(*) >= 20) t;
        if coalesce(wait_s, 0) > 0 then
            return sinau_error_details(429, 'too_many_attempts',
                'too many identity numbers of other accounts; wait and retry',
                json_build_object('retry_after_s', greatest(ceil(wait_s), 1)::integer));
        end if;
    end if;
    insert into profiles (user_id, key_version) values (p_user_id, p_key_version)
    on conflict (user_id) do nothing;
    select * into p from profiles where user_id = p_user_id for update;
    if p_changes ? 'nik' then
        p.nik_enc := p_changes -> 'nik' ->> 'enc';
        p.nik_bidx := p_changes -> 'nik' ->> 'bidx';
        p.nik_mask := p_changes -> 'nik' ->> 'mask';
        p.nik_region := p_changes -> 'nik' ->> 'region';
    end if;
    if p_changes ? 'nip' then
        p.nip_enc := p_changes -> 'nip' ->> 'enc';
        p.nip_bidx := p_changes -> 'nip' ->> 'bidx';
        p.nip_mask := p_changes -> 'nip' ->> 'mask';
    end if;
    if p_changes ? 'phone' then
        p.phone_enc := p_changes -> 'phone' ->> 'enc';
        p.phone_mask := p_changes -> 'phone' ->> 'mask';
    end if;
    if p_changes ? 'agency' then p.agency := p_changes ->> 'agency'; end if;
    if p_changes ? 'business_name' then p.business_name := p_changes ->> 'business_name'; end if;
    if p_changes ? 'business_sector' then
        p.business_sector := p_changes ->> 'business_sector';
    end if;
    if p_changes ? 'nib' then p.nib := p_changes ->> 'nib'; end if;
    if p_changes ? 'district' then p.district := p_changes ->> 'district'; end if;
    begin
        update profiles set nik_enc = p.nik_enc, nik_bidx = p.nik_bidx, nik_mask = p.nik_mask,
                            nik_region = p.nik_region, nip_enc = p.nip_enc, nip_bidx = p.nip_bidx,
                            nip_mask = p.nip_mask, phone_enc = p.phone_enc,
                            phone_mask = p.phone_mask, agency = p.agency,
                            business_name = p.business_name, business_sector = p.business_sector,
                            nib = p.nib, district = p.district, key_version = p_key_version
         where user_id = p_user_id
        returning * into p;
    exception when unique_violation then
        kind := case when sqlerrm like '%nip_bidx%' then 'nip' else 'nik' end;
        select user_id into holder from profiles
         where case when kind = 'nip' then nip_bidx = p.nip_bidx else nik_bidx = p.nik_bidx end
           and user_id <> p_user_id;
        insert into profile_number_conflicts (user_id, ip, kind) values (p_user_id, p_ip, kind);
        perform sinau_audit(p_user_id, 'profile.' || kind || '_taken',
                            jsonb_build_object('holder_id', holder), p_user_id, p_ip);
        return sinau_field_error(409, kind || '_taken',
            'this ' || upper(kind) || ' belongs to another account', kind);
    end;
    -- a seat already held keeps its conditions (issue 14): a change that
    -- would leave a live registration ineligible is refused as a whole
    if cardinality(reg_broken_by_profile(p_user_id)) > 0 then
        perform sinau_raise(sinau_error(409, 'profile_in_use',
            'a registration needs this data; cancel it first to change it'));
    end if;
    return sinau_ok(200, auth_profile_json(p));
end;
$$;

-- Admin: gives a disputed NIK to its rightful owner (whose KTP the admin
-- has seen): the account holding it loses it, the owner gets it, both
-- audited with the reason. p_nik is {enc, bidx, mask, region} made for the
-- owner's row. {status, body}: 200 {user_id, profile, cleared_from}, 404.
create or replace function auth_nik_resolve(p_user_id text, p_nik jsonb, p_reason text,
                                            p_key_version integer, p_actor_id text, p_ip text)
returns json
language plpgsql as $$
declare
    holder text;
    p profiles;
begin
    if not exists (select 1 from users where id = p_user_id) then
        return sinau_error(404, 'not_found', 'no such user');
    end if;
    select user_id into holder from profiles
     where nik_bidx = p_nik ->> 'bidx' and user_id <> p_user_id for update;
    if holder is not null then
        update profiles set nik_enc = null, nik_bidx = null, nik_mask = null, nik_region = null
         where user_id = holder;
        perform sinau_audit(p_actor_id, 'profile.nik_cleared',
                            jsonb_build_object('reason', p_reason, 'given_to', p_user_id), holder,
                            p_ip);
    end if;
    insert into profiles (user_id, key_version) values (p_user_id, p_key_version)
    on conflict (user_id) do nothing;
    update profiles set nik_enc = p_nik ->> 'enc', nik_bidx = p_nik ->> 'bidx',
                        nik_mask = p_nik ->> 'mask', nik_region = p_nik ->> 'region',
                        key_version = p_key_version
     where user_id = p_user_id returning * into p;
    perform sinau_audit(p_actor_id, 'profile.nik_assigned',
                        jsonb_build_object('reason', p_reason, 'cleared_from', holder), p_user_id,
                        p_ip);
    return sinau_ok(200, json_build_object('user_id', p_user_id, 'profile', auth_profile_json(p),
                                           'cleared_from', holder));
end;
$$;

-- Admin: change a user's role, status or name. Every change is audited;
-- disabling an account revokes its sessions in the same transaction.
-- Returns {user} or null when there is no such user; a value against a rule
-- of users raises 422 invalid_field naming it (sinau_rule_error).
create or replace function auth_user_update(p_id text, p_role text, p_status text, p_full_name text,
                                 p_actor_id text, p_ip text)
returns json
language plpgsql as $$
declare
    old users;
    u users;
begin
    select * into old from users where id = p_id for update;
    if not found then
        return null;
    end if;
    u := sinau_update(old, 'id', p_id, jsonb_strip_nulls(jsonb_build_object(
             'role', p_role, 'status', p_status, 'full_name', p_full_name)));
    if u.role is distinct from old.role then
        perform sinau_audit(p_actor_id, 'user.role_changed',
                            json_build_object('from', old.role, 'to', u.role)::jsonb, u.id, p_ip);
    end if;
    if u.full_name is distinct from old.full_name then
        perform sinau_audit(p_actor_id, 'user.name_changed',
                            jsonb_build_object('from', old.full_name, 'to', u.full_name,
                                               'certificates', auth_name_locked(u.id)),
                            u.id, p_ip);
    end if;
    if u.status is distinct from old.status then
        perform sinau_audit(p_actor_id, 'user.status_changed',
                            json_build_object('from', old.status, 'to', u.status)::jsonb, u.id,
                            p_ip);
        if u.status = 'disabled' then
            update sessions set revoked_at = now() where user_id = u.id and revoked_at is null;
        end if;
    end if;
    return json_build_object('user', auth_user_json(u), 'status', u.status);
end;
$$;

-- Admin: the encrypted personal data of a user, for decryption by the
-- server, recorded in the audit log with the stated reason. No row when
-- there is no such user.
create or replace function auth_personal_data_read(p_id text, p_actor_id text, p_reason text, p_ip text)
returns table (nik_enc text, nip_enc text, phone_enc text)
language plpgsql as $$
begin
    if not exists (select 1 from users where id = p_id) then
        return;
    end if;
    perform sinau_audit(p_actor_id, 'pii.read', json_build_object('reason', p_reason)::jsonb, p_id,
                        p_ip);
    return query select p.nik_enc, p.nip_enc, p.phone_enc from users u
                   left join profiles p on p.user_id = u.id where u.id = p_id;
end;
$$;

-- Admin: one page of users, newest first, optionally of one role. The
-- cursor is the last item's (created_at, id) as text.
create or replace function auth_users_page(p_role text, p_limit integer, p_after_at timestamptz,
                                p_after_id text)
returns json
language sql stable as $$
    with page as (
        select u.* from users u
         where (p_role is null or u.role = p_role)
           and (p_after_at is null or (u.created_at, u.id) < (p_after_at, p_after_id))
         order by u.created_at desc, u.id desc
         limit p_limit + 1
    ), shown as (
        select * from page order by created_at desc, id desc limit p_limit
    )
    select json_build_object(
        'items', coalesce((select json_agg(json_build_object('id', s.id, 'email', s.email,
                                                             'full_name', s.full_name,
                                                             'role', s.role,
                                                             'status', s.status,
                                                             'created_at', s.created_at)
                                           order by s.created_at desc, s.id desc)
                             from shown s), '[]'::json),
        'next_cursor', case when (select count(*) from page) > p_limit
                            then (select to_char(s.created_at at time zone 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '~' || s.id
                                    from shown s order by s.created_at, s.id limit 1)
                       end)
$$;

-- Session cache invalidation (issue 17). Every `sinau serve` keeps the
-- sessions it checked for a few seconds (server/auth/sesscache.c) and drops
-- them when told on channel sinau_sessions: 's:<token_hash>' for one session
-- (logout, revocation, expiry moved, deleted), 'u:<user_id>' for all of a
-- user's (disabled, role changed, password changed, deleted). NOTIFY is sent
-- at commit, so a rolled-back change tells nobody.
create or replace function auth_session_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('sinau_sessions', 's:' || old.token_hash);
    return null;
end $$;

create or replace function auth_user_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('sinau_sessions', 'u:' || old.id);
    return null;
end $$;

-- The triggers live next to their functions: this file is applied after
-- the migrations (a migration could not name a function defined here), and
-- `create or replace trigger` makes re-applying it harmless.
create or replace trigger sessions_notify after update of revoked_at, expires_at on sessions
    for each row
    when (old.revoked_at is distinct from new.revoked_at or old.expires_at is distinct from new.expires_at)
    execute function auth_session_notify();
create or replace trigger sessions_notify_delete after delete on sessions
    for each row when (old.revoked_at is null)
    execute function auth_session_notify();
create or replace trigger users_notify after update of role, status, password_hash on users
    for each row
    when (old.role is distinct from new.role or old.status is distinct from new.status
          or old.password_hash is distinct from new.password_hash)
    execute function auth_user_notify();
create or replace trigger users_notify_delete after delete on users
    for each row execute function auth_user_notify();
-- Reserves a signup against the per-address throttle (p_max signups in
-- p_window_s; 0 = no limit) before the password is hashed, counted one
-- after the other per address. Returns the seconds to wait (0 = go ahead).
-- Every signup counts, whether or not the e-mail turns out to be taken, so
-- the answer says nothing about the address.
create or replace function auth_signup_reserve(p_ip text, p_window_s integer, p_max integer)
returns integer
language plpgsql volatile as $$
declare
    wait_s double precision;
begin
    if p_max <= 0 then
        return 0;
    end if;
    perform sinau_throttle_lock('signup.ip', p_ip);
    select extract(epoch from (min(at) + make_interval(secs => p_window_s) - now()))
      into wait_s
      from (select at from signup_attempts
             where ip = p_ip and at > now() - make_interval(secs => p_window_s)
             order by at desc limit p_max) f
    having count(*) >= p_max;
    if coalesce(wait_s, 0) > 0 then
        return greatest(ceil(wait_s), 1)::integer;
    end if;
    delete from signup_attempts where at < now() - make_interval(secs => 2 * p_window_s);
    insert into signup_attempts (ip) values (p_ip);
    return 0;
end;
$$;
