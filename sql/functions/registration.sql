-- functions/registration.sql — registration: seats under the segment's row
-- lock, the waitlist, offers and spill-over, cancellation, idempotent
-- retries, the fairness log, the catalogue and cohort editing (schema:
-- migrations/0003, 0007).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- An entry of the fairness log; returns its seq. A refusal (closed, not
-- eligible, already registered, full) is recorded once per participant,
-- cohort and outcome: a repeat is answered as the first was but adds no
-- entry (returns null), so nobody can grow a cohort's log at will. Seats
-- taken, waitlisted, offered, cancelled and promoted are real events and
-- are each recorded.
create or replace function reg_log(p_cohort_id text, p_user_id text, p_segment text, p_outcome text,
                        p_registration_id text, p_seq bigint default null)
returns bigint
language plpgsql as $$
declare
    out_seq bigint;
begin
    if p_user_id is not null and p_outcome in ('registration_closed', 'not_eligible',
                                               'already_registered', 'segment_full') then
        perform sinau_throttle_lock('allocation_log', p_cohort_id || ':' || p_user_id);
        if exists (select 1 from allocation_log
                    where cohort_id = p_cohort_id and user_id = p_user_id
                      and outcome = p_outcome) then
            return null;
        end if;
    end if;
    insert into allocation_log (seq, cohort_id, user_id, segment, outcome, registration_id)
    values (coalesce(p_seq, nextval('registration_arrival_seq')), p_cohort_id, p_user_id,
            p_segment, p_outcome, p_registration_id)
    returning seq into out_seq;
    return out_seq;
end;
$$;

-- The public shape of a registration with a known waitlist position.
create or replace function reg_json_at(r registrations, p_position bigint) returns json
language sql stable as $$
    select json_build_object(
        'id', r.id, 'cohort_id', r.cohort_id, 'segment', r.segment, 'status', r.status,
        'waitlist_position', case when r.status = 'waitlisted' then p_position end,
        'offer_expires_at', r.offer_expires_at,
        'created_at', r.created_at)
$$;

-- The public shape of a registration, its waitlist position counted.
create or replace function reg_json(r registrations) returns json
language sql stable as $$
    select reg_json_at(r,
        case when r.status = 'waitlisted' then
            (select count(*) + 1 from registrations w
              where w.cohort_id = r.cohort_id and w.segment = r.segment
                and w.status = 'waitlisted' and w.seq < r.seq)
        end)
$$;

-- Seats of a cohort as the public sees them.
create or replace function reg_segments_json(p_cohort_id text) returns json
language sql stable as $$
    select coalesce(json_agg(json_build_object(
               'segment', s.segment, 'quota', s.quota, 'waitlist', s.waitlist,
               'confirmed', s.confirmed, 'waitlisted', s.waitlisted,
               'seats_left', s.quota - s.confirmed) order by s.segment), '[]'::json)
      from cohort_segments s where s.cohort_id = p_cohort_id
$$;

-- What a profile row (null: no profile) lacks for a segment, the rule of
-- reg_missing below; for queries over many participants at once
-- (reg_register_set).
create or replace function reg_missing_of(p profiles, p_segment text, p_residency text)
returns text[]
language sql immutable as $$
    select array_remove(array[
        case when p_segment = 'asn' and p.nip_enc is null then 'nip'
             when p_segment = 'umkm' and p.business_name is null then 'business_name'
             when p_segment = 'public' and p.nik_enc is null then 'nik' end,
        -- a residency prefix needs a NIK region (a NIK already missing is
        -- named once)
        case when p_residency is null then null
             when p.nik_region is null then
                 case when p_segment = 'public' and p.nik_enc is null then null else 'nik' end
             when p.nik_region not like p_residency || '%' then 'residency' end], null)
$$;

-- What the participant's profile lacks for a segment of a cohort (empty
-- when eligible): asn needs a NIP, umkm a business name, public a NIK; a
-- residency prefix needs a NIK that starts with it.
create or replace function reg_missing(p_user_id text, p_segment text, p_residency text)
returns text[]
language sql stable as $$
    select reg_missing_of((select p from profiles p where p.user_id = p_user_id), p_segment,
                          p_residency)
$$;

-- After the spill-over instant, a full segment may take an unclaimed seat of
-- another segment: one seat of quota moves from that segment to this one,
-- so each row's constraint still holds and the cohort's total never grows.
-- The caller holds every segment row of the cohort (locked in segment
-- order, so takers cannot deadlock). Returns true when a seat moved.
create or replace function reg_spill_seat(p_cohort_id text, p_segment text, p_seq bigint)
returns boolean
language plpgsql as $$
declare
    donor text;
begin
    select segment into donor from cohort_segments
     where cohort_id = p_cohort_id and segment <> p_segment and confirmed < quota
     order by quota - confirmed desc, segment limit 1;
    if donor is null then
        return false;
    end if;
    update cohort_segments set quota = quota - 1 where cohort_id = p_cohort_id and segment = donor;
    update cohort_segments set quota = quota + 1
     where cohort_id = p_cohort_id and segment = p_segment;
    perform reg_log(p_cohort_id, null, donor, 'seat_spilled_to_' || p_segment, null);
    return true;
end;
$$;

-- After the spill-over instant: while this segment has people waiting and
-- another segment has a free seat, the seat moves and the first in line gets
-- it (in arrival order, before any newcomer). The caller holds every segment
-- row of the cohort.
create or replace function reg_spill_waiting(p_cohort_id text, p_segment text)
returns void
language plpgsql as $$
begin
    while exists (select 1 from registrations
                   where cohort_id = p_cohort_id and segment = p_segment
                     and status = 'waitlisted')
          and reg_spill_seat(p_cohort_id, p_segment, null) loop
        perform reg_promote(p_cohort_id, p_segment);
    end loop;
end;
$$;

-- Registration, in one transaction: {status, body} where status is the HTTP
-- status to answer. The segment's row lock is taken before the arrival
-- number is drawn, so that within a segment arrival order and seat order
-- are the same order; a participant's concurrent duplicates queue on that
-- lock and then find the first one (already_registered). The core, without
-- an exception block: a duplicate in another segment of the same cohort that
-- got in first raises unique_violation, which reg_register answers. Called
-- alone only by reg_register_batch's fast path, which rolls the whole batch
-- back on any error and runs it again through reg_register.
create or replace function reg_register_core(p_cohort_id text, p_user_id text, p_segment text)
returns json
language plpgsql as $$
declare
    seq bigint;
    c cohorts;
    s cohort_segments;
    r registrations;
    missing text[];
    spilling boolean;
begin
    select * into c from cohorts where id = p_cohort_id;
    if not found then
        return sinau_error(404, 'not_found', 'no such cohort');
    end if;
    if now() < c.registration_opens_at or now() >= c.registration_closes_at then
        perform reg_log(p_cohort_id, p_user_id, p_segment, 'registration_closed', null);
        return sinau_error(409, 'registration_closed', 'registration is not open');
    end if;
    if not exists (select 1 from cohort_segments
                    where cohort_id = p_cohort_id and segment = p_segment) then
        return sinau_error(422, 'invalid_segment', 'this cohort has no such segment');
    end if;
    if exists (select 1 from users where id = p_user_id and email_verified_at is null) then
        return sinau_error(403, 'email_not_verified', 'confirm your e-mail address first');
    end if;
    missing := reg_missing(p_user_id, p_segment, c.residency_prefix);
    if cardinality(missing) > 0 then
        perform reg_log(p_cohort_id, p_user_id, p_segment, 'not_eligible', null);
        return sinau_error_details(422, 'not_eligible', 'the profile lacks what this segment needs',
            json_build_object('missing', missing));
    end if;
    -- the seat: this segment's row lock orders every taker and every
    -- canceller; after the spill-over instant, every segment of the cohort
    -- is locked (in segment order) since seats may move between them
    spilling := c.spillover_at is not null and now() >= c.spillover_at;
    if spilling then
        perform 1 from cohort_segments where cohort_id = p_cohort_id
         order by segment for update;
        perform reg_spill_waiting(p_cohort_id, p_segment);
    end if;
    select * into s from cohort_segments
     where cohort_id = p_cohort_id and segment = p_segment for update;
    seq := nextval('registration_arrival_seq');
    select * into r from registrations
     where cohort_id = p_cohort_id and user_id = p_user_id
       and status in ('confirmed', 'waitlisted', 'offered');
    if found then
        perform reg_log(p_cohort_id, p_user_id, p_segment, 'already_registered', r.id, seq);
        return sinau_error_details(409, 'already_registered',
            'you are already registered in this cohort',
            json_build_object('registration', reg_json(r)));
    end if;
    if s.confirmed >= s.quota and spilling
       and not exists (select 1 from registrations
                        where cohort_id = p_cohort_id and segment = p_segment
                          and status = 'waitlisted')
       and reg_spill_seat(p_cohort_id, p_segment, seq) then
        select * into s from cohort_segments
         where cohort_id = p_cohort_id and segment = p_segment;
    end if;
    if s.confirmed < s.quota then
        update cohort_segments set confirmed = confirmed + 1
         where cohort_id = p_cohort_id and segment = p_segment;
        insert into registrations (cohort_id, user_id, segment, status, seq)
        values (p_cohort_id, p_user_id, p_segment, 'confirmed', seq)
        returning * into r;
    elsif s.waitlist then
        -- the newest in line: its position is the counter, no counting
        update cohort_segments set waitlisted = waitlisted + 1
         where cohort_id = p_cohort_id and segment = p_segment;
        insert into registrations (cohort_id, user_id, segment, status, seq)
        values (p_cohort_id, p_user_id, p_segment, 'waitlisted', seq)
        returning * into r;
        perform reg_log(p_cohort_id, p_user_id, p_segment, r.status, r.id, seq);
        perform msg_registration('registration_waitlisted', r.id, s.waitlisted + 1);
        return sinau_ok(201, reg_json_at(r, s.waitlisted + 1));
    else
        perform reg_log(p_cohort_id, p_user_id, p_segment, 'segment_full', null, seq);
        return sinau_error(409, 'segment_full', 'no seats are left');
    end if;
    perform reg_log(p_cohort_id, p_user_id, p_segment, r.status, r.id, seq);
    perform msg_registration('registration_confirmed', r.id);
    return sinau_ok(201, reg_json(r));
end;
$$;

-- reg_register_core with the answer to a duplicate that got in first in
-- another segment of the same cohort (its lock was another row): the first
-- one stands, and everything this call did is rolled back.
create or replace function reg_register(p_cohort_id text, p_user_id text, p_segment text)
returns json
language plpgsql as $$
declare
    r registrations;
begin
    return reg_register_core(p_cohort_id, p_user_id, p_segment);
exception when unique_violation then
    -- a duplicate in another segment of the same cohort got in first (its
    -- lock was another row): the first one stands
    select * into r from registrations
     where cohort_id = p_cohort_id and user_id = p_user_id
       and status in ('confirmed', 'waitlisted', 'offered');
    perform reg_log(p_cohort_id, p_user_id, p_segment, 'already_registered', r.id);
    return sinau_error_details(409, 'already_registered',
        'you are already registered in this cohort',
        json_build_object('registration', reg_json(r)));
end;
$$;

-- Gives a freed seat of a segment to the first waitlisted registration:
-- confirmed at once, or offered until the cohort's offer deadline. The
-- caller holds the segment row's lock and has already released the seat.
create or replace function reg_promote(p_cohort_id text, p_segment text)
returns void
language plpgsql as $$
declare
    c cohorts;
    w registrations;
begin
    select * into c from cohorts where id = p_cohort_id;
    -- the first in line who still qualifies (issue 14): someone whose
    -- profile no longer meets the segment is passed over but keeps their
    -- place, so fixing the profile brings them back at the next seat
    select * into w from registrations wr
     where wr.cohort_id = p_cohort_id and wr.segment = p_segment and wr.status = 'waitlisted'
       and cardinality(reg_missing(wr.user_id, p_segment, c.residency_prefix)) = 0
     order by wr.seq limit 1 for update;
    if not found then
        return;
    end if;
    update cohort_segments set confirmed = confirmed + 1, waitlisted = waitlisted - 1
     where cohort_id = p_cohort_id and segment = p_segment;
    if c.offer_ttl_s is null then
        update registrations set status = 'confirmed' where id = w.id;
        perform reg_log(p_cohort_id, w.user_id, p_segment, 'promoted', w.id);
        perform msg_registration('promoted', w.id);
    else
        update registrations
           set status = 'offered', offer_expires_at = now() + make_interval(secs => c.offer_ttl_s)
         where id = w.id;
        perform reg_log(p_cohort_id, w.user_id, p_segment, 'offered', w.id);
        -- the instances' offer timers (server/api/registrations.c), at commit
        perform pg_notify('sinau_offers',
                          extract(epoch from now() + make_interval(secs => c.offer_ttl_s))::text);
        perform msg_registration('seat_offered', w.id);
    end if;
end;
$$;

-- Cancellation by the participant (p_actor_id = owner) or an admin
-- (p_is_admin). Frees the seat and promotes in the same transaction.
create or replace function reg_cancel(p_registration_id text, p_actor_id text, p_is_admin boolean)
returns json
language plpgsql as $$
declare
    r registrations;
    held boolean;
begin
    select * into r from registrations where id = p_registration_id;
    if not found or (not p_is_admin and r.user_id <> p_actor_id) then
        return sinau_error(404, 'not_found', 'no such registration');
    end if;
    perform 1 from cohort_segments
     where cohort_id = r.cohort_id and segment = r.segment for update;
    select * into r from registrations where id = p_registration_id for update;
    if r.status in ('cancelled', 'expired') then
        return sinau_ok(200, reg_json(r));
    end if;
    held := r.status in ('confirmed', 'offered');
    if r.status = 'waitlisted' then
        update cohort_segments set waitlisted = waitlisted - 1
         where cohort_id = r.cohort_id and segment = r.segment;
    end if;
    update registrations
       set status = 'cancelled', cancelled_at = now(), cancelled_by = p_actor_id,
           offer_expires_at = null
     where id = r.id
    returning * into r;
    perform reg_log(r.cohort_id, r.user_id, r.segment, 'cancelled', r.id);
    perform msg_registration('registration_cancelled', r.id);
    if held then
        update cohort_segments set confirmed = confirmed - 1
         where cohort_id = r.cohort_id and segment = r.segment;
        perform reg_promote(r.cohort_id, r.segment);
    end if;
    return sinau_ok(200, reg_json(r));
end;
$$;

-- An offered participant takes the seat before the deadline.
create or replace function reg_accept(p_registration_id text, p_user_id text)
returns json
language plpgsql as $$
declare
    r registrations;
begin
    select * into r from registrations
     where id = p_registration_id and user_id = p_user_id for update;
    if not found then
        return sinau_error(404, 'not_found', 'no such registration');
    end if;
    if r.status <> 'offered' or r.offer_expires_at <= now() then
        return sinau_error(409, 'no_offer', 'there is no open offer');
    end if;
    -- still eligible when taking the seat (the offer stands until it expires)
    if cardinality(reg_missing(r.user_id, r.segment,
                               (select residency_prefix from cohorts where id = r.cohort_id))) > 0 then
        return sinau_error(422, 'not_eligible', 'the profile no longer meets this segment');
    end if;
    update registrations set status = 'confirmed', offer_expires_at = null
     where id = r.id returning * into r;
    perform reg_log(r.cohort_id, r.user_id, r.segment, 'offer_accepted', r.id);
    return sinau_ok(200, reg_json(r));
end;
$$;

-- The offer timer (run by every instance): expired offers pass their seat
-- on. Locks in the same order as cancellation (segment row, then the
-- registration), re-checking the offer under the lock, and skips segments
-- another transaction holds (they are retried at the next tick). Also moves
-- seats to waiting participants once a cohort's spill-over instant passed.
-- Returns how many offers expired.
create or replace function reg_expire_offers(p_limit integer)
returns integer
language plpgsql as $$
declare
    o record;
    r registrations;
    n integer := 0;
begin
    for o in select id, cohort_id, segment from registrations
              where status = 'offered' and offer_expires_at <= now()
              order by offer_expires_at limit p_limit
    loop
        perform 1 from cohort_segments
         where cohort_id = o.cohort_id and segment = o.segment for update skip locked;
        if not found then
            continue;
        end if;
        select * into r from registrations
         where id = o.id and status = 'offered' and offer_expires_at <= now() for update;
        if not found then
            continue;
        end if;
        update registrations set status = 'expired', offer_expires_at = null where id = r.id;
        perform reg_log(r.cohort_id, r.user_id, r.segment, 'offer_expired', r.id);
        update cohort_segments set confirmed = confirmed - 1
         where cohort_id = r.cohort_id and segment = r.segment;
        perform reg_promote(r.cohort_id, r.segment);
        n := n + 1;
    end loop;
    perform reg_spill_due(p_limit);
    return n;
end;
$$;

-- Spill-over at its instant: for cohorts past spillover_at with someone
-- waiting while another segment has a free seat, move seats to the first
-- in line. Cohorts whose segments are busy are skipped until the next tick.
create or replace function reg_spill_due(p_limit integer)
returns void
language plpgsql as $$
declare
    w record;
begin
    for w in select distinct r.cohort_id, r.segment from registrations r
               join cohorts c on c.id = r.cohort_id
              where r.status = 'waitlisted' and c.spillover_at <= now()
                and exists (select 1 from cohort_segments s
                             where s.cohort_id = r.cohort_id and s.segment <> r.segment
                               and s.confirmed < s.quota)
              limit p_limit
    loop
        begin
            perform 1 from cohort_segments where cohort_id = w.cohort_id
             order by segment for update nowait;
            perform reg_spill_waiting(w.cohort_id, w.segment);
        exception when lock_not_available then
            null; -- registrations are running there: next tick
        end;
    end loop;
end;
$$;

-- Changing a segment's quota (admins): refused by the constraint when it
-- would fall below the seats already held; raising it promotes waitlisted
-- registrations into the new seats.
create or replace function reg_set_quota(p_cohort_id text, p_segment text, p_quota integer,
                              p_waitlist boolean, p_actor_id text)
returns json
language plpgsql as $$
declare
    s cohort_segments;
    i integer;
begin
    select * into s from cohort_segments
     where cohort_id = p_cohort_id and segment = p_segment for update;
    if not found then
        return sinau_error(404, 'not_found', 'no such segment');
    end if;
    if p_quota < s.confirmed then
        return sinau_error_details(409, 'quota_below_confirmed',
            'more seats are already taken than this quota',
            json_build_object('confirmed', s.confirmed));
    end if;
    update cohort_segments set quota = p_quota, waitlist = coalesce(p_waitlist, waitlist)
     where cohort_id = p_cohort_id and segment = p_segment;
    perform reg_log(p_cohort_id, p_actor_id, p_segment, 'quota_set_' || p_quota, null);
    for i in 1 .. greatest(p_quota - s.quota, 0) loop
        perform reg_promote(p_cohort_id, p_segment);
    end loop;
    perform sinau_audit(p_actor_id, 'cohort.quota_changed',
                        json_build_object('cohort_id', p_cohort_id, 'segment', p_segment,
                                          'from', s.quota, 'to', p_quota)::jsonb);
    return sinau_ok(200, json_build_object('segments', reg_segments_json(p_cohort_id)));
end;
$$;

-- ---- cohorts and versions ----

-- Cohorts carry their content version (API.md: a cohort is pinned to a
-- published version, by default the latest at creation; with none published
-- yet it stays null until the first publish pins it) and the programme's
-- latest version, so staff see when a newer one exists.
create or replace function reg_cohort_json(c cohorts) returns json
language sql stable as $$
    select json_build_object(
        'id', c.id, 'programme_id', c.programme_id,
        'programme_slug', (select slug from programmes where id = c.programme_id),
        'programme_title', (select title from programmes where id = c.programme_id),
        'name', c.name, 'content_version', c.content_version,
        'latest_version', (select max(version) from content_versions
                            where programme_id = c.programme_id),
        'registration_opens_at', c.registration_opens_at,
        'registration_closes_at', c.registration_closes_at,
        'registration_open', now() >= c.registration_opens_at and now() < c.registration_closes_at,
        'starts_on', c.starts_on, 'ends_on', c.ends_on, 'jp', c.jp,
        'residency_prefix', c.residency_prefix, 'spillover_at', c.spillover_at,
        'offer_ttl_s', c.offer_ttl_s, 'certificate_rules', c.certificate_rules,
        'segments', reg_segments_json(c.id),
        'instructors', coalesce((select json_agg(json_build_object('id', u.id,
                                                                   'full_name', u.full_name)
                                                 order by u.full_name)
                                   from cohort_instructors ci join users u on u.id = ci.user_id
                                  where ci.cohort_id = c.id), '[]'::json))
$$;

create or replace function reg_programme_json(p programmes, p_all_cohorts boolean) returns json
language sql stable as $$
    select json_build_object(
        'id', p.id, 'slug', p.slug, 'title', p.title, 'description', p.description,
        'created_at', p.created_at,
        'versions', content_versions_json(p.id),
        'cohorts', coalesce((select json_agg(reg_cohort_json(c)
                                             order by c.registration_opens_at, c.id)
                               from cohorts c
                              where c.programme_id = p.id
                                and (p_all_cohorts or c.ends_on >= current_date)), '[]'::json))
$$;

create or replace function reg_programme_create(p_slug text, p_title text, p_description text,
                                     p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
begin
    p := sinau_insert(null::programmes, array['slug', 'title', 'description'],
                      jsonb_build_object('slug', p_slug, 'title', p_title,
                                         'description', coalesce(p_description, '')));
    perform sinau_audit(p_actor_id, 'programme.created', json_build_object('id', p.id)::jsonb);
    return reg_programme_json(p, true);
exception when unique_violation then
    perform sinau_raise(sinau_field_error(409, 'slug_taken', 'a programme with this slug exists',
                                          'slug'));
end;
$$;

create or replace function reg_cohort_create(p_slug text, p_body jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
    c cohorts;
    seg jsonb;
    v integer;
begin
    select * into p from programmes where slug = p_slug;
    if not found then
        return null;
    end if;
    v := coalesce((p_body ->> 'content_version')::integer,
                  (select max(version) from content_versions where programme_id = p.id));
    -- v null: nothing is published yet; the first publish pins the cohort
    if v is not null
       and not exists (select 1 from content_versions where programme_id = p.id and version = v) then
        perform sinau_raise(sinau_field_error(422, 'invalid_version',
            'content_version must be a published version of the programme', 'content_version'));
    end if;
    c := sinau_insert(null::cohorts,
                      array['programme_id', 'name', 'registration_opens_at',
                            'registration_closes_at', 'starts_on', 'ends_on', 'jp',
                            'residency_prefix', 'spillover_at', 'offer_ttl_s', 'certificate_rules',
                            'content_version'],
                      p_body || jsonb_build_object('programme_id', p.id, 'content_version', v,
                                                   'certificate_rules', coalesce(
                                                       p_body -> 'certificate_rules', '{}')));
    for seg in select * from jsonb_array_elements(p_body -> 'segments') loop
        perform sinau_insert(null::cohort_segments, array['cohort_id', 'segment', 'quota', 'waitlist'],
                             seg || jsonb_build_object('cohort_id', c.id, 'waitlist',
                                                       coalesce((seg ->> 'waitlist')::boolean, true)));
    end loop;
    perform sinau_audit(p_actor_id, 'cohort.created',
                        json_build_object('id', c.id, 'content_version', v)::jsonb);
    return reg_cohort_json(c);
end;
$$;

-- May this user see a cohort's registrations? Admins, and its instructors.
create or replace function reg_can_manage(p_cohort_id text, p_user_id text, p_role text)
returns boolean
language sql stable as $$
    select p_role = 'admin' or auth_instructs(p_cohort_id, p_user_id)
$$;

-- reg_register, or its core alone when p_guarded is false.
create or replace function reg_seat(p_cohort_id text, p_user_id text, p_segment text,
                                    p_guarded boolean)
returns json
language sql as $$
    select case when p_guarded then reg_register(p_cohort_id, p_user_id, p_segment)
                else reg_register_core(p_cohort_id, p_user_id, p_segment) end
$$;

-- Registration with an optional Idempotency-Key: the first answer to a key
-- is stored in the same transaction and replayed to later requests with the
-- same body; another body under the same key is refused (422).
create or replace function reg_register_idem(p_cohort_id text, p_user_id text, p_segment text,
                                  p_key text, p_request text)
returns json
language sql as $$
    select reg_register_keyed(p_cohort_id, p_user_id, p_segment, p_key, p_request, true)
$$;

-- What an Idempotency-Key's stored request is compared by.
create or replace function reg_request_hash(p_request text) returns text
language sql immutable as $$
    select encode(sha256(convert_to(coalesce(p_request, ''), 'UTF8')), 'hex')
$$;

-- reg_register_idem's work; p_guarded false takes the seat through
-- reg_register_core (no exception block: reg_register_batch's fast path).
create or replace function reg_register_keyed(p_cohort_id text, p_user_id text, p_segment text,
                                   p_key text, p_request text, p_guarded boolean)
returns json
language plpgsql as $$
declare
    h text := reg_request_hash(p_request);
    k idempotency_keys;
    result json;
begin
    if p_key is null then
        return reg_seat(p_cohort_id, p_user_id, p_segment, p_guarded);
    end if;
    insert into idempotency_keys (user_id, key, request_hash, status, response)
    values (p_user_id, p_key, h, 0, 'null'::json)
    on conflict (user_id, key) do nothing;
    if not found then
        select * into k from idempotency_keys where user_id = p_user_id and key = p_key;
        if k.request_hash <> h then
            return sinau_error(422, 'idempotency_key_reused',
                'this Idempotency-Key came with another request');
        end if;
        return json_build_object('status', k.status, 'body', k.response, 'replayed', true);
    end if;
    result := reg_seat(p_cohort_id, p_user_id, p_segment, p_guarded);
    update idempotency_keys set status = (result ->> 'status')::integer,
                                response = result -> 'body'
     where user_id = p_user_id and key = p_key;
    return result;
end;
$$;

-- reg_register_batch's set path (issue 17, P3): a group's registrations in
-- a handful of statements for the whole group instead of a dozen per seat,
-- when the group is plain: the cohort open and not past its spill-over
-- instant, the segment there, every participant different, verified and
-- eligible, none registered in this cohort yet, and no Idempotency-Key of
-- theirs seen before. Then each item gets what reg_register_idem would
-- answer it alone, one after the other in the order given: a seat while
-- seats are left, then a waitlist place (or segment_full when the segment
-- has no waitlist); arrival numbers drawn under the segment's row lock in
-- that order; the fairness log entry, the message and the stored key of
-- each, as reg_register_core and reg_register_keyed write them. Returns the
-- answers in item order, or null, with nothing written, when the group is
-- not plain (the caller takes it item by item). Raises when a key is taken
-- meanwhile by a concurrent request, or a participant registered in
-- another segment of the cohort (unique_violation): the caller's exception
-- block undoes it.
create or replace function reg_register_set(p_cohort_id text, p_segment text, p_items json)
returns json[]
language plpgsql as $$
declare
    c cohorts;
    s cohort_segments;
    user_ids text[];
    idem_keys text[];
    request_texts text[];
    n integer;
    seats integer;
    seqs bigint[];
    regs registrations[];
    results json[];
begin
    select array_agg(e.value ->> 'user' order by e.i), array_agg(e.value ->> 'key' order by e.i),
           array_agg(e.value ->> 'request' order by e.i)
      into user_ids, idem_keys, request_texts
      from json_array_elements(p_items) with ordinality e (value, i);
    n := coalesce(cardinality(user_ids), 0);
    select * into c from cohorts where id = p_cohort_id;
    if n = 0 or not found or now() < c.registration_opens_at
       or now() >= c.registration_closes_at or now() >= c.spillover_at then
        return null;
    end if;
    if not (select count(distinct u.id) = n
                   and bool_and(u.email_verified_at is not null
                                and cardinality(reg_missing_of(p, p_segment,
                                                               c.residency_prefix)) = 0)
              from unnest(user_ids) x (id)
              join users u on u.id = x.id
              left join profiles p on p.user_id = u.id) then
        return null;
    end if;
    -- the seat: this segment's row lock, as reg_register_core takes it
    select * into s from cohort_segments
     where cohort_id = p_cohort_id and segment = p_segment for update;
    if not found
       or exists (select 1 from registrations r
                   where r.cohort_id = p_cohort_id and r.user_id = any (user_ids)
                     and r.status in ('confirmed', 'waitlisted', 'offered'))
       or exists (select 1 from idempotency_keys ik join unnest(user_ids, idem_keys) x (u, key_)
                                                     on ik.user_id = x.u and ik.key = x.key_) then
        return null;
    end if;
    select array_agg(v order by v) into seqs
      from (select nextval('registration_arrival_seq') from generate_series(1, n)) q (v);
    -- items 1..seats take the seats left, the rest wait (or are refused)
    seats := least(greatest(s.quota - s.confirmed, 0), n);
    with taken as (
        insert into registrations (cohort_id, user_id, segment, status, seq)
        select p_cohort_id, x.u, p_segment,
               case when x.i <= seats then 'confirmed' else 'waitlisted' end, seqs[x.i]
          from unnest(user_ids) with ordinality x (u, i)
         where x.i <= seats or s.waitlist
         order by x.i
        returning *)
    select coalesce(array_agg(t::registrations order by t.seq), '{}') into regs from taken t;
    update cohort_segments
       set confirmed = confirmed + seats, waitlisted = waitlisted + cardinality(regs) - seats
     where cohort_id = p_cohort_id and segment = p_segment;
    insert into allocation_log (seq, cohort_id, user_id, segment, outcome, registration_id)
    select r.seq, p_cohort_id, r.user_id, p_segment, r.status, r.id
      from unnest(regs) r order by r.seq;
    perform reg_log(p_cohort_id, user_ids[i], p_segment, 'segment_full', null, seqs[i])
       from generate_series(cardinality(regs) + 1, n) i order by i;
    perform msg_enqueue_all(array_agg((regs[k]).user_id order by k),
                            array_agg('registration_' || (regs[k]).status order by k),
                            array_agg(msg_registration_params(regs[k], case when k > seats then
                                                                  s.waitlisted + k - seats end)
                                      order by k),
                            p_cohort_id)
       from generate_series(1, cardinality(regs)) k;
    select array_agg(case when i <= cardinality(regs) then
                         sinau_ok(201, reg_json_at(regs[i], s.waitlisted + i - seats))
                     else sinau_error(409, 'segment_full', 'no seats are left') end order by i)
      into results
      from generate_series(1, n) i;
    -- each key with its answer, in one write (none was there under the lock;
    -- a concurrent request that took one meanwhile makes this raise)
    insert into idempotency_keys (user_id, key, request_hash, status, response)
    select x.u, x.key_, reg_request_hash(x.request), (x.answer ->> 'status')::integer,
           x.answer -> 'body'
      from unnest(user_ids, idem_keys, request_texts, results) x (u, key_, request, answer)
     where x.key_ is not null;
    return results;
end;
$$;

-- Several registrations of one segment in one transaction (issue 17, P3).
-- The server groups the requests waiting for the same cohort and segment
-- (server/api/registrations.c) and sends them here together, so that the
-- segment's row lock and the commit's WAL flush are paid once per group
-- instead of once per seat. p_items: a JSON array of {"user", "key",
-- "request"} in the server's arrival order; each is taken exactly as
-- reg_register_idem takes a request alone, one after the other in that
-- order: the first takes the segment's row lock and the others find it held
-- by their own transaction, each drawing its arrival number under it, so
-- arrival order, seat order and the fairness log stay one order. First all
-- of them in one exception block (the fast path: reg_register_set's set
-- statements for a plain group, else one by one); when any fails, that is
-- rolled back and each runs again inside its own exception block: one that
-- fails is rolled back alone and answered with err = its SQLSTATE (the
-- server answers 500 and logs it); the others stand (arrival numbers drawn
-- by the rolled-back fast path are skipped: gaps, never reordering). A
-- cancelled statement (statement_timeout) is not caught: the whole group
-- fails, and nothing of it is written. One row per item, n = its 1-based
-- place in p_items.
create or replace function reg_register_batch(p_cohort_id text, p_segment text, p_items json)
returns table (n integer, status integer, body json, err text)
language plpgsql as $$
declare
    item json;
    result json;
    results json[];
begin
    -- the fast path: one exception block for the whole batch — the set path
    -- (reg_register_set) when the group is plain, else each item through
    -- reg_register_core — one subtransaction for the batch instead of two
    -- per item, so the segment row's locks and versions all carry one
    -- transaction id (no MultiXact per version, no overflowing subtransaction
    -- cache); any error rolls all of it back, and the slow path below runs
    -- the batch again item by item
    begin
        results := reg_register_set(p_cohort_id, p_segment, p_items);
        if results is null then
            results := '{}';
            for item in select e.value from json_array_elements(p_items) e loop
                results := results || reg_register_keyed(p_cohort_id, item ->> 'user', p_segment,
                                                         item ->> 'key', item ->> 'request',
                                                         false);
            end loop;
        end if;
    exception when others then
        results := null;
    end;
    if results is not null then
        return query select r.n::integer, (r.v ->> 'status')::integer, r.v -> 'body', null::text
                       from unnest(results) with ordinality r (v, n);
        return;
    end if;
    for item, n in select e.value, e.ordinality::integer
                     from json_array_elements(p_items) with ordinality e loop
        begin
            result := reg_register_idem(p_cohort_id, item ->> 'user', p_segment,
                                        item ->> 'key', item ->> 'request');
            status := (result ->> 'status')::integer;
            body := result -> 'body';
            err := null;
        exception when others then
            status := 500;
            body := null;
            err := SQLSTATE;
        end;
        return next;
    end loop;
end;
$$;

-- The registration list of a cohort for its managers: filters, keyset
-- pagination by arrival (seq). Null when the caller may not see it.
create or replace function reg_list(p_cohort_id text, p_user_id text, p_role text, p_status text,
                         p_segment text, p_after bigint, p_limit integer)
returns json
language sql stable as $$
    with numbered as (
        -- the arrival number staff see: 1, 2, 3 … within the cohort, in
        -- arrival order, over every registration (filters keep the numbers)
        select r, row_number() over (order by r.seq) as no
          from registrations r where r.cohort_id = p_cohort_id
    ), page as (
        select n.r as reg, (n.r).seq, n.no, u.full_name, u.email
          from numbered n join users u on u.id = (n.r).user_id
         where (p_status is null or (n.r).status = p_status)
           and (p_segment is null or (n.r).segment = p_segment)
           and (n.r).seq > coalesce(p_after, 0)
         order by (n.r).seq limit p_limit + 1
    ), shown as (
        select * from page order by seq limit p_limit
    )
    select case when reg_can_manage(p_cohort_id, p_user_id, p_role)
                 and exists (select 1 from cohorts where id = p_cohort_id) then
        json_build_object(
            'items', coalesce((select json_agg((reg_json(x.reg)::jsonb
                                   || jsonb_build_object('seq', x.seq, 'no', x.no,
                                                         'user', jsonb_build_object(
                                                             'id', (x.reg).user_id,
                                                             'full_name', x.full_name,
                                                             'email', x.email)))::json
                                   order by x.seq)
                                 from shown x), '[]'::json),
            'next_cursor', case when (select count(*) from page) > p_limit
                                then (select max(seq)::text from shown) end)
    end
$$;
-- p_changes: {title?, description?}; a value against a rule of programmes
-- raises 422 invalid_field (sinau_update). Null when there is no such
-- programme.
create or replace function reg_programme_update(p_slug text, p_changes jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes := sinau_update(null::programmes, 'slug', p_slug, p_changes,
                                     array['title', 'description']);
begin
    if p.id is null then
        return null;
    end if;
    perform sinau_audit(p_actor_id, 'programme.updated',
                        jsonb_build_object('id', p.id, 'changes', p_changes));
    return reg_programme_json(p, true);
end;
$$;

-- p_changes: {name?, registration_opens_at?, registration_closes_at?,
-- starts_on?, ends_on?, jp?, residency_prefix?, spillover_at?,
-- offer_ttl_s?}: null clears the optional ones (the last three) and keeps
-- the others. Null when there is no such cohort.
create or replace function reg_cohort_update(p_id text, p_changes jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    clearable constant text[] := array['residency_prefix', 'spillover_at', 'offer_ttl_s'];
    kept text[] := array(select key from jsonb_each(p_changes)
                          where value = 'null' and not key = any (clearable));
    c cohorts := sinau_update(null::cohorts, 'id', p_id, p_changes - kept,
                              array['name', 'registration_opens_at', 'registration_closes_at',
                                    'starts_on', 'ends_on', 'jp'] || clearable);
begin
    if c.id is null then
        return null;
    end if;
    perform sinau_audit(p_actor_id, 'cohort.updated',
                        jsonb_build_object('id', c.id, 'changes', p_changes));
    return reg_cohort_json(c);
end;
$$;

-- Takes an instructor off a cohort. {status, body}.
create or replace function reg_instructor_remove(p_cohort_id text, p_user_id text, p_actor_id text)
returns json
language plpgsql as $$
begin
    delete from cohort_instructors where cohort_id = p_cohort_id and user_id = p_user_id;
    if not found then
        return content_not_found('instructor of this cohort');
    end if;
    perform sinau_audit(p_actor_id, 'cohort.instructor_removed',
                        jsonb_build_object('cohort_id', p_cohort_id), p_user_id);
    return sinau_ok(204, null);
end;
$$;

-- The live registrations (confirmed, offered or waitlisted, in a cohort not
-- yet over) of a user that the current profile no longer qualifies for.
-- auth_profile_put refuses a change that leaves any (409 profile_in_use).
create or replace function reg_broken_by_profile(p_user_id text) returns text[]
language sql stable as $$
    select coalesce(array_agg(r.id order by r.created_at), '{}')
      from registrations r join cohorts c on c.id = r.cohort_id
     where r.user_id = p_user_id and r.status in ('confirmed', 'offered', 'waitlisted')
       and c.ends_on >= current_date
       and cardinality(reg_missing(r.user_id, r.segment, c.residency_prefix)) > 0
$$;
