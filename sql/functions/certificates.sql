-- functions/certificates.sql — certificates: signing keys, rules and
-- eligibility, issuing, the status list and revocation, and what the verify
-- page reads (schema: migrations/0006).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

create or replace function cert_current_key() returns signing_keys
language sql stable as $$
    select * from signing_keys order by created_at desc limit 1
$$;

-- ---- rules and eligibility ----

-- A cohort's rules with defaults: every lesson, every required assignment
-- passed (grades released), no attendance minimum, no automatic issuance.
create or replace function cert_rules(c cohorts) returns jsonb
language sql immutable as $$
    select jsonb_build_object('min_lesson_percent', 100, 'require_assignments_passed', true,
                              'min_attendance_percent', 0, 'auto_issue', false)
           || coalesce(c.certificate_rules, '{}'::jsonb)
$$;

create or replace function cert_rules_valid(p jsonb) returns boolean
language sql immutable as $$
    select sinau_object_of(p, 'min_lesson_percent', 'require_assignments_passed',
                           'min_attendance_percent', 'auto_issue', 'min_posttest_percent',
                           'require_survey')
       and quiz_rules_valid(p)
       and (not p ? 'min_lesson_percent'
            or (jsonb_typeof(p -> 'min_lesson_percent') = 'number'
                and (p ->> 'min_lesson_percent')::numeric between 0 and 100))
       and (not p ? 'min_attendance_percent'
            or (jsonb_typeof(p -> 'min_attendance_percent') = 'number'
                and (p ->> 'min_attendance_percent')::numeric between 0 and 100))
       and (not p ? 'require_assignments_passed'
            or jsonb_typeof(p -> 'require_assignments_passed') = 'boolean')
       and (not p ? 'auto_issue' or jsonb_typeof(p -> 'auto_issue') = 'boolean')
$$;

-- What one confirmed participant still lacks for a certificate of the
-- cohort: a list of {code, …} (empty when eligible). Assignments count as
-- passed only once their grades are released.
create or replace function cert_missing(p_cohort_id text, p_user_id text) returns jsonb
language sql stable as $$
    with c as (select *, cert_rules(cohorts) as rules from cohorts where id = p_cohort_id),
    -- a version without lessons asks for none: 100 %
    prog as (select case when (x.p ->> 'lessons_total')::integer = 0 then 100
                         else (x.p ->> 'percent')::numeric end as pct
               from (select learn_progress(p_cohort_id, p_user_id) as p) x),
    att as (select (select count(*) from cohort_sessions where cohort_id = p_cohort_id) as total,
                   (select count(*) from attendance a
                      join cohort_sessions s on s.id = a.session_id
                     where s.cohort_id = p_cohort_id and a.user_id = p_user_id) as came),
    asg as (select a ->> 'id' as id, a ->> 'title' as title, a ->> 'status' as status,
                   (a ->> 'released')::boolean as released, (a ->> 'passed')::boolean as passed
              from json_array_elements(asg_standing(p_cohort_id, p_user_id, true)) a
             where (a ->> 'required')::boolean)
    select coalesce(jsonb_agg(m), '[]'::jsonb) from (
        select jsonb_build_object('code', 'lessons', 'have', prog.pct,
                                  'need', (c.rules ->> 'min_lesson_percent')::numeric) m
          from c, prog where prog.pct < (c.rules ->> 'min_lesson_percent')::numeric
        union all
        select jsonb_build_object('code', 'attendance',
                                  'have', round(100.0 * att.came / att.total, 1),
                                  'need', (c.rules ->> 'min_attendance_percent')::numeric)
          from c, att
         where att.total > 0
           and 100.0 * att.came / att.total < (c.rules ->> 'min_attendance_percent')::numeric
        union all
        select jsonb_build_object('code', case when asg.status = 'missing' then 'assignment_missing'
                                               when asg.status = 'submitted' then 'assignment_ungraded'
                                               when not asg.released then 'assignment_unreleased'
                                               else 'assignment_failed' end,
                                  'assignment_id', asg.id, 'title', asg.title)
          from c, asg
         where (c.rules ->> 'require_assignments_passed')::boolean
           and not (asg.status = 'graded' and asg.released and asg.passed)
        union all
        select q.value from c, jsonb_array_elements(quiz_cert_missing(c.id, p_user_id, c.rules)) q
    ) x
$$;

-- The eligibility report of a cohort: every confirmed participant (or only
-- p_only_user), with what is missing and their certificate if any.
create or replace function cert_eligibility(p_cohort_id text, p_only_user text) returns json
language sql stable as $$
    select json_build_object(
        'cohort_id', p_cohort_id,
        'rules', (select cert_rules(c) from cohorts c where c.id = p_cohort_id),
        'items', coalesce(json_agg(json_build_object(
                     'user', json_build_object('id', u.id, 'full_name', u.full_name),
                     'eligible', jsonb_array_length(m.missing) = 0,
                     'missing', m.missing,
                     'certificate_id', ce.id)
                     order by u.full_name, u.id), '[]'::json))
      from registrations r
      join users u on u.id = r.user_id
      cross join lateral (select cert_missing(p_cohort_id, r.user_id) as missing) m
      left join certificates ce on ce.cohort_id = r.cohort_id and ce.user_id = r.user_id
     where r.cohort_id = p_cohort_id and r.status = 'confirmed'
       and (p_only_user is null or r.user_id = p_only_user)
$$;

-- ---- issuance ----

-- Certificates are issued from the cohort's last day on (Malang's date).
create or replace function cert_cohort_finished(p_cohort_id text) returns boolean
language sql stable as $$
    select (now() at time zone 'Asia/Jakarta')::date >= c.ends_on
      from cohorts c where c.id = p_cohort_id
$$;

-- A user id (16 random bytes, base64url) as the UUID it encodes.
create or replace function cert_user_uuid(p_user_id text) returns text
language sql immutable as $$
    select encode(decode(translate(p_user_id, '-_', '+/') || '==', 'base64'), 'hex')::uuid::text
$$;

create or replace function cert_narrative(p_rules jsonb, p_jp integer) returns text
language sql immutable as $$
    select 'Menyelesaikan ' || (p_rules ->> 'min_lesson_percent') || '% materi'
        || case when (p_rules ->> 'require_assignments_passed')::boolean
                then ', lulus semua tugas wajib' else '' end
        || case when (p_rules ->> 'min_attendance_percent')::numeric > 0
                then ', hadir minimal ' || (p_rules ->> 'min_attendance_percent')
                     || '% sesi tatap muka' else '' end
        || quiz_narrative(p_rules)
        || '; ' || p_jp || ' JP (jam pelajaran).'
$$;

-- The parts every credential of ours shares: the issuer's profile, the
-- holder's identifiers (the name in clear, the e-mail salted and hashed)
-- and the revocation entry.
create or replace function cert_issuer(p_public_url text, p_issuer_name text) returns json
language sql immutable as $$
    select json_build_object('id', p_public_url || '/issuer', 'type', json_build_array('Profile'),
                             'name', p_issuer_name, 'url', p_public_url)
$$;

create or replace function cert_identifiers(p_full_name text, p_email text, p_salt text)
returns json
language sql immutable as $$
    select json_build_array(
        json_build_object('type', 'IdentityObject', 'identityHash', p_full_name,
                          'identityType', 'name', 'hashed', false),
        json_build_object('type', 'IdentityObject',
                          'identityHash', 'sha256$' || encode(sha256(convert_to(
                              lower(p_email) || p_salt, 'UTF8')), 'hex'),
                          'identityType', 'emailAddress', 'hashed', true,
                          'salt', p_salt))
$$;

create or replace function cert_status_entry(p_public_url text, p_index integer) returns json
language sql immutable as $$
    select json_build_object('id', p_public_url || '/status/1#' || p_index,
                             'type', 'BitstringStatusListEntry', 'statusPurpose', 'revocation',
                             'statusListIndex', p_index::text,
                             'statusListCredential', p_public_url || '/status/1')
$$;

-- The credential of one participant before its id is known: the server
-- fills in "id" and "jti" (null here) with <PUBLIC_URL>/credentials/<cid>,
-- then signs. Keys appear in the order CERTIFICATES.md lists them.
create or replace function cert_payload(p_cohort_id text, p_user_id text, p_index integer,
                             p_public_url text, p_issuer_name text, p_issued_at timestamptz)
returns json
language sql volatile as $$
    with x as (
        select c, p, u, cert_rules(c) as rules, v.content_hash,
               to_char(p_issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
               extract(epoch from date_trunc('second', p_issued_at))::bigint as epoch,
               replace(gen_random_uuid()::text, '-', '') as salt
          from cohorts c join programmes p on p.id = c.programme_id
          join content_versions v on v.programme_id = c.programme_id
                                 and v.version = c.content_version, users u
         where c.id = p_cohort_id and u.id = p_user_id
    )
    select json_build_object(
        '@context', json_build_array('https://www.w3.org/ns/credentials/v2',
                                     'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'),
        'id', null,
        'type', json_build_array('VerifiableCredential', 'OpenBadgeCredential'),
        'issuer', cert_issuer(p_public_url, p_issuer_name),
        'validFrom', x.at,
        'awardedDate', x.at,
        'name', 'Sertifikat: ' || (x.p).title || ' — ' || (x.c).name,
        'credentialSubject', json_build_object(
            'id', 'urn:uuid:' || cert_user_uuid((x.u).id),
            'type', json_build_array('AchievementSubject'),
            'identifier', cert_identifiers((x.u).full_name, (x.u).email::text, x.salt),
            'achievement', json_build_object(
                'id', p_public_url || '/achievements/' || (x.p).slug || '-v'
                      || (x.c).content_version,
                'type', json_build_array('Achievement'),
                'achievementType', 'Certificate',
                'name', (x.p).title,
                'description', coalesce(nullif((x.p).description, ''), (x.p).title)
                               || ' (' || (x.c).name || ', ' || (x.c).jp || ' JP)',
                'criteria', json_build_object('narrative', cert_narrative(x.rules, (x.c).jp)),
                -- what the cohort was taught: the version and its content hash,
                -- as the achievement page publishes them
                'version', (x.c).content_version::text,
                'otherIdentifier', json_build_array(json_build_object(
                    'type', 'IdentifierEntry', 'identifier', 'sha256:' || x.content_hash,
                    'identifierType', 'ext:contentHash')))),
        'credentialStatus', cert_status_entry(p_public_url, p_index),
        'iss', p_public_url || '/issuer',
        'jti', null,
        'sub', 'urn:uuid:' || cert_user_uuid((x.u).id),
        'nbf', x.epoch,
        'iat', x.epoch)
      from x
$$;


-- A random status index no certificate uses; null when 10,000 draws found
-- none (the list is nearly full: issuing answers 503 status_list_full).
create or replace function cert_free_index() returns integer
language plpgsql volatile as $$
declare
    i integer;
begin
    for n in 1..10000 loop
        i := floor(random() * 131072)::integer;
        if not exists (select 1 from certificates where status_index = i) then
            return i;
        end if;
    end loop;
    return null;
end;
$$;

-- Step 1 of issuing (admins): the current signing key and, for each
-- eligible confirmed participant without a certificate, an unsigned
-- credential. {status, body: {key: {thumbprint, seed_enc}, items: [{user_id,
-- holder_name, status_index, payload}], not_eligible: [{user, missing}]}}.
create or replace function cert_issue_prepare(p_cohort_id text, p_public_url text, p_issuer_name text,
                                   p_only_user text)
returns json
language plpgsql as $$
declare
    k signing_keys := cert_current_key();
    at timestamptz := date_trunc('second', now());
    used integer[] := '{}';
    items jsonb := '[]';
    refused jsonb := '[]';
    r record;
    idx integer;
begin
    if not exists (select 1 from cohorts where id = p_cohort_id) then
        return content_not_found('cohort');
    end if;
    if not cert_cohort_finished(p_cohort_id) then
        return sinau_error_details(409, 'cohort_not_finished',
            'certificates are issued from the cohort''s last day on',
            json_build_object('ends_on', (select ends_on from cohorts where id = p_cohort_id)));
    end if;
    if (select content_version from cohorts where id = p_cohort_id) is null then
        return learn_unpublished();
    end if;
    if k.thumbprint is null then
        return sinau_error(503, 'no_signing_key', 'no signing key yet; try again shortly');
    end if;
    for r in select u.id, u.full_name, cert_missing(p_cohort_id, u.id) as missing
               from registrations g join users u on u.id = g.user_id
              where g.cohort_id = p_cohort_id and g.status = 'confirmed'
                and (p_only_user is null or u.id = p_only_user)
                and not exists (select 1 from certificates ce
                                 where ce.cohort_id = p_cohort_id and ce.user_id = u.id)
              order by u.full_name, u.id loop
        if jsonb_array_length(r.missing) > 0 then
            refused := refused || jsonb_build_array(jsonb_build_object(
                'user', jsonb_build_object('id', r.id, 'full_name', r.full_name),
                'missing', r.missing));
            continue;
        end if;
        loop
            idx := cert_free_index();
            if idx is null then
                return sinau_error(503, 'status_list_full',
                                   'the revocation list has no free place; tell the operator');
            end if;
            exit when not idx = any (used);
        end loop;
        used := used || idx;
        items := items || jsonb_build_array(jsonb_build_object(
            'user_id', r.id, 'holder_name', r.full_name, 'status_index', idx,
            'payload', cert_payload(p_cohort_id, r.id, idx, p_public_url, p_issuer_name, at)));
    end loop;
    return sinau_ok(200, json_build_object(
        'key', json_build_object('thumbprint', k.thumbprint, 'seed_enc', k.seed_enc),
        'issued_at', at, 'items', items, 'not_eligible', refused));
end;
$$;

-- Step 2: store what the server signed: [{id, user_id, holder_name,
-- status_index, token}] with the key's thumbprint. A participant who got a
-- certificate meanwhile (another issuance racing) or an index taken
-- meanwhile is skipped — running issuance again issues it. {issued: n,
-- certificates: [{id, user_id}]}.
create or replace function cert_issue_store(p_cohort_id text, p_thumbprint text, p_issued_at timestamptz,
                                 p_items jsonb, p_actor_id text)
returns json
language plpgsql as $$
declare
    it jsonb;
    done jsonb := '[]';
begin
    for it in select * from jsonb_array_elements(p_items) loop
        insert into certificates (id, cohort_id, user_id, status_index, kid_thumbprint, token,
                                  credential_di, holder_name, programme_title, cohort_name, jp,
                                  starts_on, ends_on, issued_at, issued_by, content_version,
                                  content_hash, signatory_id)
        select it ->> 'id', c.id, it ->> 'user_id', (it ->> 'status_index')::integer,
               p_thumbprint, it ->> 'token', it ->> 'credential_di', it ->> 'holder_name',
               p.title, c.name, c.jp, c.starts_on, c.ends_on, p_issued_at, p_actor_id,
               c.content_version, v.content_hash, cert_signatory_of(p.id)
          from cohorts c join programmes p on p.id = c.programme_id
          join content_versions v on v.programme_id = c.programme_id
                                 and v.version = c.content_version
         where c.id = p_cohort_id
        on conflict do nothing;
        if found then
            perform msg_certificate_issued(it ->> 'id');
            done := done || jsonb_build_array(jsonb_build_object('id', it ->> 'id',
                                                                 'user_id', it ->> 'user_id'));
        end if;
    end loop;
    if jsonb_array_length(done) > 0 then
        perform sinau_audit(p_actor_id, 'certificates.issued',
                            jsonb_build_object('cohort_id', p_cohort_id,
                                               'count', jsonb_array_length(done),
                                               'ids', (select jsonb_agg(d -> 'id') from jsonb_array_elements(done) d)));
    end if;
    return sinau_ok(200, json_build_object('issued', jsonb_array_length(done),
                                           'certificates', done));
end;
$$;

-- Cohorts with automatic issuance on and someone eligible without a
-- certificate (the server's tick issues to them).
create or replace function cert_auto_due(p_limit integer) returns setof text
language sql stable as $$
    select c.id from cohorts c
     where (cert_rules(c) ->> 'auto_issue')::boolean
       and cert_cohort_finished(c.id) and c.content_version is not null
       and exists (select 1 from registrations r
                    where r.cohort_id = c.id and r.status = 'confirmed'
                      and not exists (select 1 from certificates ce
                                       where ce.cohort_id = c.id and ce.user_id = r.user_id)
                      and jsonb_array_length(cert_missing(c.id, r.user_id)) = 0)
     limit p_limit
$$;

-- ---- revocation ----

-- Revokes (admins): sets the bit, bumps the list's version, audits. The
-- server then re-signs the list (cert_status_store). {status, body}.
create or replace function cert_revoke(p_id text, p_reason text, p_actor_id text) returns json
language plpgsql as $$
declare
    ce certificates;
begin
    ce := sinau_found((select c from certificates c where c.id = p_id for update), 'certificate');
    if ce.revoked_at is not null then
        return sinau_error(409, 'already_revoked', 'this certificate is already revoked');
    end if;
    update certificates set revoked_at = now(), revoked_by = p_actor_id, revoke_reason = p_reason
     where id = p_id returning * into ce;
    update status_lists
       set bits = set_bit(bits, (ce.status_index / 8) * 8 + 7 - ce.status_index % 8, 1),
           version = version + 1
     where id = 1;
    perform sinau_audit(p_actor_id, 'certificate.revoked',
                        jsonb_build_object('id', ce.id, 'reason', p_reason));
    return sinau_ok(200, json_build_object('id', ce.id, 'status', 'revoked',
                                           'revoked_at', ce.revoked_at, 'reason', p_reason));
end;
$$;

-- Stores a re-signed list (the VC-JWT and the Data Integrity credential)
-- unless a newer one is already there.
create or replace function cert_status_store(p_version bigint, p_token text, p_di text)
returns boolean
language sql as $$
    update status_lists set token = p_token, credential_di = p_di, token_version = p_version,
                            signed_at = now()
     where id = 1 and (token_version < p_version
                       or (token_version = p_version and credential_di is null))
    returning true
$$;

-- ---- reading ----

-- What the verify page shows, with the public key the token names, the
-- certificate's bit in the authoritative status list, and the signatory it
-- was issued with (null columns: the server's configured one). No row for
-- an unknown id.
create or replace function cert_verify_row(p_id text)
returns table (token text, public_key text, revoked_at text, holder_name text,
               programme text, cohort text, jp integer, starts_on date, ends_on date,
               issued_at text, status_bit integer, signatory_id text, organisation text,
               signatory_name text, signatory_title text, signatory_nip_enc text,
               signature_sha text, logo_sha text)
language sql stable as $$
    select ce.token, encode(k.public_key, 'hex'),
           to_char(ce.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           ce.holder_name, ce.programme_title, ce.cohort_name, ce.jp, ce.starts_on, ce.ends_on,
           to_char(ce.issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           get_bit(s.bits, (ce.status_index / 8) * 8 + 7 - ce.status_index % 8),
           sg.id, sg.organisation, sg.name, sg.title, sg.nip_enc, sg.signature_sha, sg.logo_sha
      from certificates ce
      join signing_keys k on k.thumbprint = ce.kid_thumbprint
      cross join status_lists s
      left join signatories sg on sg.id = ce.signatory_id
     where ce.id = p_id and s.id = 1
$$;

-- ---- the signatory ----

-- The signatory a programme's certificates are issued with now: its own
-- choice, else the site default; null: the server's configuration.
create or replace function cert_signatory_of(p_programme_id text) returns text
language sql stable as $$
    select coalesce((select signatory_id from programmes where id = p_programme_id),
                    (select signatory_id from site_settings where id = 1))
$$;

create or replace function cert_signatory_json(s signatories) returns json
language sql stable as $$
    select case when s.id is null then null else json_build_object(
        'id', s.id, 'organisation', s.organisation, 'name', s.name, 'title', s.title,
        'nip', s.nip_mask,
        'signature_image', case when s.signature_sha is not null then json_build_object(
            'sha256', s.signature_sha, 'url', '/certificate-images/' || s.signature_sha || '.png')
            end,
        'logo', case when s.logo_sha is not null then json_build_object(
            'sha256', s.logo_sha, 'url', '/certificate-images/' || s.logo_sha || '.png') end,
        'created_at', s.created_at) end
$$;

-- The settings page's view: the site default, and for a programme its own
-- choice and the one that applies. Null for an unknown programme.
create or replace function cert_signatory_get(p_slug text) returns json
language sql stable as $$
    select case when p_slug is null then
        json_build_object('site', (select cert_signatory_json(s) from site_settings t
                                     join signatories s on s.id = t.signatory_id))
    else
        (select json_build_object(
             'programme', p.slug,
             'own', (select cert_signatory_json(s) from signatories s where s.id = p.signatory_id),
             'site', (select cert_signatory_json(s) from site_settings t
                        join signatories s on s.id = t.signatory_id),
             'effective', (select cert_signatory_json(s) from signatories s
                            where s.id = cert_signatory_of(p.id)))
           from programmes p where p.slug = p_slug)
    end
$$;

-- Sets the signatory of a programme (p_slug) or of the site (p_slug null):
-- a new row p_id with the fields {organisation, name, title,
-- signature_image?, logo?} (images by SHA-256, already stored) and the NIP
-- as the server protected it (null: none). Audited. {status, body}.
create or replace function cert_signatory_put(p_slug text, p_id text, p_fields jsonb,
                                              p_nip_enc text, p_nip_mask text, p_actor_id text)
returns json
language plpgsql as $$
declare
    p programmes;
    s signatories;
begin
    if p_slug is not null then
        p := sinau_found((select x from programmes x where x.slug = p_slug for update),
                         'programme');
    end if;
    if (p_fields ? 'signature_image' and not exists (select 1 from cert_images
                                        where sha256 = p_fields ->> 'signature_image'))
       or (p_fields ? 'logo' and not exists (select 1 from cert_images
                                              where sha256 = p_fields ->> 'logo')) then
        return sinau_error(422, 'unknown_image', 'upload the image first');
    end if;
    insert into signatories (id, programme_id, organisation, name, title, nip_enc, nip_mask,
                             signature_sha, logo_sha, created_by)
    values (p_id, p.id, p_fields ->> 'organisation', p_fields ->> 'name', p_fields ->> 'title',
            p_nip_enc, p_nip_mask, p_fields ->> 'signature_image', p_fields ->> 'logo',
            p_actor_id)
    returning * into s;
    if p_slug is null then
        update site_settings set signatory_id = s.id where id = 1;
    else
        update programmes set signatory_id = s.id where id = p.id;
    end if;
    perform sinau_audit(p_actor_id, 'signatory.set',
                        jsonb_build_object('programme_id', p.id, 'signatory_id', s.id));
    return sinau_ok(200, cert_signatory_get(p_slug));
end;
$$;

-- A programme goes back to the site default. {status, body}.
create or replace function cert_signatory_clear(p_slug text, p_actor_id text) returns json
language plpgsql as $$
declare
    p programmes;
begin
    update programmes set signatory_id = null where slug = p_slug returning * into p;
    if not found then
        return content_not_found('programme');
    end if;
    perform sinau_audit(p_actor_id, 'signatory.cleared', jsonb_build_object('programme_id', p.id));
    return sinau_ok(200, cert_signatory_get(p_slug));
end;
$$;

-- Stores a PNG (checked by the server) once; returns its JSON.
create or replace function cert_image_add(p_sha256 text, p_data bytea, p_width integer,
                                          p_height integer, p_actor_id text)
returns json
language plpgsql as $$
begin
    insert into cert_images (sha256, data, width, height, created_by)
    values (p_sha256, p_data, p_width, p_height, p_actor_id)
    on conflict do nothing;
    return json_build_object('sha256', p_sha256, 'width', p_width, 'height', p_height,
                             'url', '/certificate-images/' || p_sha256 || '.png');
end;
$$;

create or replace function cert_json(ce certificates, p_public_url text) returns json
language sql stable as $$
    select json_build_object(
        'id', ce.id, 'url', p_public_url || '/credentials/' || ce.id,
        'pdf_url', p_public_url || '/credentials/' || ce.id || '.pdf',
        'issued_at', ce.issued_at,
        'status', case when ce.revoked_at is null then 'valid' else 'revoked' end,
        'revoked_at', ce.revoked_at,
        'holder_name', ce.holder_name,
        'cohort', json_build_object('id', c.id, 'name', ce.cohort_name, 'jp', ce.jp),
        'programme', json_build_object('slug', p.slug, 'title', ce.programme_title))
      from cohorts c join programmes p on p.id = c.programme_id
     where c.id = ce.cohort_id
$$;

-- ---- the API's reads and rule changes ----

-- Admins set a cohort's certificate rules (missing members: defaults).
create or replace function cert_rules_put(p_cohort_id text, p_rules jsonb, p_actor_id text) returns json
language plpgsql as $$
declare
    c cohorts;
begin
    if not cert_rules_valid(p_rules) then
        return sinau_error(422, 'invalid_certificate_rules',
                           'rules are {min_lesson_percent, require_assignments_passed, '
                           'min_attendance_percent, auto_issue, min_posttest_percent, '
                           'require_survey}');
    end if;
    update cohorts set certificate_rules = p_rules where id = p_cohort_id returning * into c;
    if not found then
        return content_not_found('cohort');
    end if;
    perform sinau_audit(p_actor_id, 'cohort.certificate_rules',
                        jsonb_build_object('cohort_id', c.id, 'rules', p_rules));
    return sinau_ok(200, cert_rules(c)::json);
end;
$$;

-- The eligibility report as the caller may see it: staff every row, a
-- confirmed participant their own; null otherwise.
create or replace function cert_eligibility_for(p_cohort_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    select case when asg_is_staff(c.id, p_user_id, p_role) then cert_eligibility(c.id, null)
                when asg_is_participant(c.id, p_user_id) then cert_eligibility(c.id, p_user_id)
           end
      from cohorts c where c.id = p_cohort_id
$$;

create or replace function cert_cohort_list(p_cohort_id text, p_user_id text, p_role text,
                                 p_public_url text)
returns json
language sql stable as $$
    select case when asg_is_staff(c.id, p_user_id, p_role) then
        json_build_object('items', coalesce((select json_agg(cert_json(ce, p_public_url)::jsonb
                                                             || jsonb_build_object('user_id', ce.user_id)
                                                             order by ce.holder_name, ce.id)
                                               from certificates ce where ce.cohort_id = c.id),
                                            '[]'::json), 'next_cursor', null) end
      from cohorts c where c.id = p_cohort_id
$$;

create or replace function cert_mine(p_user_id text, p_public_url text) returns json
language sql stable as $$
    select json_build_object('items', coalesce(json_agg(cert_json(ce, p_public_url)
                                                        order by ce.issued_at desc, ce.id),
                                               '[]'::json), 'next_cursor', null)
      from certificates ce where ce.user_id = p_user_id and ce.kind = 'certificate'
$$;

-- ---- keys from the API ----

-- Admins rotate keys from the web too: the new key (made and encrypted by
-- the server) becomes the signer; audited.
create or replace function cert_key_add(p_thumbprint text, p_public_hex text, p_seed_enc text,
                             p_actor_id text)
returns json
language plpgsql as $$
begin
    insert into signing_keys (thumbprint, public_key, seed_enc)
    values (p_thumbprint, decode(p_public_hex, 'hex'), p_seed_enc);
    -- the list is re-signed by the new key: a newer version than its token
    update status_lists set version = version + 1 where id = 1;
    perform sinau_audit(p_actor_id, 'keys.rotated', jsonb_build_object('thumbprint', p_thumbprint));
    return sinau_ok(201, json_build_object('thumbprint', p_thumbprint));
end;
$$;

create or replace function cert_keys_list(p_public_url text) returns json
language sql stable as $$
    select json_build_object('items', coalesce(json_agg(json_build_object(
               'thumbprint', k.thumbprint, 'kid', p_public_url || '/keys/' || k.thumbprint,
               'created_at', k.created_at,
               'current', k.thumbprint = (cert_current_key()).thumbprint,
               'certificates', (select count(*) from certificates ce
                                 where ce.kid_thumbprint = k.thumbprint))
               order by k.created_at desc), '[]'::json), 'next_cursor', null)
      from signing_keys k
$$;

-- ---- achievement pages ----

-- What <PUBLIC_URL>/achievements/<slug>-v<version> publishes: the
-- programme, the version taught and its content hash, the modules and
-- lessons of that version, and every cohort taught with it (those pinned to
-- it now and those whose certificates cite it) with its JP and criteria.
-- Null when there is no such published version.
create or replace function cert_achievement(p_slug text, p_version integer) returns json
language sql stable as $$
    select json_build_object(
        'slug', p.slug, 'title', p.title, 'description', p.description,
        'version', v.version, 'content_hash', v.content_hash,
        'published_at', to_char(v.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'lessons_total', v.lessons_total,
        'modules', coalesce((select json_agg(json_build_object(
                       'title', m.title,
                       'lessons', coalesce((select json_agg(l.title order by l.ordinal)
                                              from version_lessons l
                                             where l.programme_id = m.programme_id
                                               and l.version = m.version
                                               and l.module_id = m.module_id), '[]'::json))
                       order by m.ordinal)
                      from version_modules m
                     where m.programme_id = p.id and m.version = v.version), '[]'::json),
        'cohorts', coalesce((select json_agg(json_build_object(
                       'name', c.name, 'jp', c.jp, 'starts_on', c.starts_on, 'ends_on', c.ends_on,
                       'criteria', cert_narrative(cert_rules(c), c.jp))
                       order by c.starts_on, c.name)
                      from cohorts c
                     where c.programme_id = p.id
                       and (c.content_version = v.version
                            or exists (select 1 from certificates ce
                                        where ce.cohort_id = c.id
                                          and ce.content_version = v.version))), '[]'::json))
      from programmes p
      join content_versions v on v.programme_id = p.id
     where p.slug = p_slug and v.version = p_version
$$;

-- ---- the JP record of ASN: JP by year, yearly transcripts, the BKN export ----

-- The year a certificate counts for: its issue date in Malang (WIB).
create or replace function cert_jp_year(p_at timestamptz) returns integer
language sql immutable as $$
    select extract(year from p_at at time zone 'Asia/Jakarta')::integer
$$;

-- The certificates a participant's JP of a year consists of: those issued
-- that year and not revoked, oldest first.
create or replace function cert_jp_items(p_user_id text, p_year integer) returns jsonb
language sql stable as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'id', ce.id, 'programme', ce.programme_title, 'cohort', ce.cohort_name,
               'jp', ce.jp, 'starts_on', ce.starts_on, 'ends_on', ce.ends_on,
               'issued_at', to_char(ce.issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
               order by ce.issued_at, ce.id), '[]'::jsonb)
      from certificates ce
     where ce.user_id = p_user_id and ce.kind = 'certificate' and ce.revoked_at is null
       and cert_jp_year(ce.issued_at) = p_year
$$;

create or replace function cert_transcript_json(t certificates, p_public_url text) returns json
language sql stable as $$
    select json_build_object(
        'id', t.id, 'year', t.year, 'jp', t.jp,
        'url', p_public_url || '/credentials/' || t.id,
        'pdf_url', p_public_url || '/credentials/' || t.id || '.pdf',
        'vc_url', p_public_url || '/credentials/' || t.id || '?format=vc',
        'issued_at', t.issued_at,
        'status', case when t.revoked_at is null then 'valid' else 'revoked' end,
        'current', t.revoked_at is null and t.transcript_items = cert_jp_items(t.user_id, t.year),
        'items', t.transcript_items)
$$;

-- A participant's JP by year (GET /api/v1/me/jp): every year with a
-- certificate, newest first, its JP (valid certificates only), the
-- certificates, and the latest transcript of the year.
create or replace function cert_jp_record(p_user_id text, p_public_url text) returns json
language sql stable as $$
    with certs as (select ce.*, cert_jp_year(ce.issued_at) as y
                     from certificates ce
                    where ce.user_id = p_user_id and ce.kind = 'certificate'),
    years as (select distinct y from certs)
    select json_build_object('target_jp', 20, 'years', coalesce(json_agg(json_build_object(
        'year', years.y,
        'jp', (select coalesce(sum(c.jp), 0) from certs c where c.y = years.y and c.revoked_at is null),
        'certificates', (select json_agg(json_build_object(
                             'id', c.id, 'url', p_public_url || '/credentials/' || c.id,
                             'programme', c.programme_title, 'cohort', c.cohort_name, 'jp', c.jp,
                             'starts_on', c.starts_on, 'ends_on', c.ends_on, 'issued_at', c.issued_at,
                             'status', case when c.revoked_at is null then 'valid' else 'revoked' end)
                             order by c.issued_at, c.id)
                           from certs c where c.y = years.y),
        'transcript', (select cert_transcript_json(t, p_public_url)
                         from certificates t
                        where t.user_id = p_user_id and t.kind = 'transcript' and t.year = years.y
                        order by t.issued_at desc, t.id limit 1))
        order by years.y desc), '[]'::json))
      from years
$$;

-- The transcript credential of one participant and year, before its id is
-- known (as cert_payload): an Open Badges credential whose achievement is
-- the year's JP record, with the total JP as creditsEarned, the year as
-- activity dates, and each certificate as evidence.
create or replace function cert_transcript_payload(p_user_id text, p_year integer, p_items jsonb,
                                                   p_index integer, p_public_url text,
                                                   p_issuer_name text, p_issued_at timestamptz)
returns json
language sql volatile as $$
    with x as (
        select u, replace(gen_random_uuid()::text, '-', '') as salt,
               to_char(p_issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
               extract(epoch from date_trunc('second', p_issued_at))::bigint as epoch,
               (select coalesce(sum((i ->> 'jp')::integer), 0) from jsonb_array_elements(p_items) i) as jp
          from users u where u.id = p_user_id
    )
    select json_build_object(
        '@context', json_build_array('https://www.w3.org/ns/credentials/v2',
                                     'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'),
        'id', null,
        'type', json_build_array('VerifiableCredential', 'OpenBadgeCredential'),
        'issuer', cert_issuer(p_public_url, p_issuer_name),
        'validFrom', x.at,
        'awardedDate', x.at,
        'name', 'Rekap Jam Pelajaran (JP) ' || p_year || ': ' || (x.u).full_name,
        'credentialSubject', json_build_object(
            'id', 'urn:uuid:' || cert_user_uuid((x.u).id),
            'type', json_build_array('AchievementSubject'),
            'identifier', cert_identifiers((x.u).full_name, (x.u).email::text, x.salt),
            'creditsEarned', x.jp,
            'activityStartDate', p_year || '-01-01',
            'activityEndDate', p_year || '-12-31',
            'achievement', json_build_object(
                'id', p_public_url || '/achievements/jp-record-' || p_year,
                'type', json_build_array('Achievement'),
                'achievementType', 'Achievement',
                'name', 'Rekap Jam Pelajaran (JP) ' || p_year,
                'description', 'Sertifikat pelatihan tahun ' || p_year || ' dan jam pelajarannya: '
                               || x.jp || ' JP.',
                'criteria', json_build_object('narrative',
                    'Semua sertifikat yang berlaku dan diterbitkan tahun ' || p_year
                    || '; JP-nya dijumlahkan.'))),
        'evidence', (select json_agg(json_build_object(
                         'id', p_public_url || '/credentials/' || (i ->> 'id'),
                         'type', json_build_array('Evidence'),
                         'name', (i ->> 'programme') || ' — ' || (i ->> 'cohort'),
                         'description', (i ->> 'jp') || ' JP; ' || (i ->> 'starts_on') || ' – '
                                        || (i ->> 'ends_on'))
                         order by ord)
                       from jsonb_array_elements(p_items) with ordinality as e (i, ord)),
        'credentialStatus', cert_status_entry(p_public_url, p_index),
        'iss', p_public_url || '/issuer',
        'jti', null,
        'sub', 'urn:uuid:' || cert_user_uuid((x.u).id),
        'nbf', x.epoch,
        'iat', x.epoch)
      from x
$$;

-- Step 1 of a transcript (the participant): the current transcript of the
-- year when it still lists exactly the year's certificates ({existing}),
-- else the key and one unsigned credential as cert_issue_prepare gives
-- them. 422 no_certificates for a year without any.
create or replace function cert_transcript_prepare(p_user_id text, p_year integer,
                                                   p_public_url text, p_issuer_name text)
returns json
language plpgsql as $$
declare
    k signing_keys := cert_current_key();
    at timestamptz := date_trunc('second', now());
    items jsonb := cert_jp_items(p_user_id, p_year);
    t certificates;
    idx integer;
begin
    if jsonb_array_length(items) = 0 then
        return sinau_error(422, 'no_certificates', 'no valid certificate was issued to you that year');
    end if;
    select * into t from certificates
     where user_id = p_user_id and kind = 'transcript' and year = p_year
       and revoked_at is null and transcript_items = items
     order by issued_at desc limit 1;
    if found then
        return sinau_ok(200, json_build_object('existing', cert_transcript_json(t, p_public_url)));
    end if;
    if k.thumbprint is null then
        return sinau_error(503, 'no_signing_key', 'no signing key yet; try again shortly');
    end if;
    idx := cert_free_index();
    if idx is null then
        return sinau_error(503, 'status_list_full',
                           'the revocation list has no free place; tell the operator');
    end if;
    return sinau_ok(200, json_build_object(
        'key', json_build_object('thumbprint', k.thumbprint, 'seed_enc', k.seed_enc),
        'issued_at', at, 'transcript_items', items,
        'items', json_build_array(json_build_object(
            'user_id', p_user_id,
            'holder_name', (select full_name from users where id = p_user_id),
            'status_index', idx,
            'payload', cert_transcript_payload(p_user_id, p_year, items, idx, p_public_url,
                                               p_issuer_name, at)))));
end;
$$;

-- Step 2: stores the signed transcript ([{id, user_id, holder_name,
-- status_index, token, credential_di}], one) with the items it lists.
-- 201 with the transcript; 409 index_taken when a racing issue took its
-- status index (asking again issues it).
create or replace function cert_transcript_store(p_user_id text, p_year integer, p_thumbprint text,
                                                 p_issued_at timestamptz, p_signed jsonb,
                                                 p_items jsonb, p_public_url text)
returns json
language plpgsql as $$
declare
    it jsonb := p_signed -> 0;
    t certificates;
begin
    insert into certificates (id, cohort_id, user_id, status_index, kid_thumbprint, token,
                              credential_di, holder_name, programme_title, cohort_name, jp,
                              starts_on, ends_on, issued_at, issued_by, kind, year,
                              transcript_items)
    values (it ->> 'id', null, p_user_id, (it ->> 'status_index')::integer, p_thumbprint,
            it ->> 'token', it ->> 'credential_di', it ->> 'holder_name',
            'Rekap Jam Pelajaran (JP) ' || p_year, 'Tahun ' || p_year,
            (select coalesce(sum((i ->> 'jp')::integer), 0) from jsonb_array_elements(p_items) i),
            make_date(p_year, 1, 1), make_date(p_year, 12, 31), p_issued_at, p_user_id,
            'transcript', p_year, p_items)
    on conflict do nothing
    returning * into t;
    if not found then
        return sinau_error(409, 'index_taken', 'try again');
    end if;
    perform sinau_audit(p_user_id, 'transcript.issued',
                        jsonb_build_object('id', t.id, 'year', p_year));
    return sinau_ok(201, cert_transcript_json(t, p_public_url));
end;
$$;

-- Admins' export for the BKN report: JP per participant per year, by
-- agency (OPD). Valid certificates only; the NIP masked as everywhere.
create or replace function cert_jp_report(p_year integer) returns json
language sql stable as $$
    select json_build_object('year', p_year, 'items', coalesce(json_agg(r order by
               r.agency nulls last, r.full_name, r.user_id), '[]'::json))
      from (select u.id as user_id, u.full_name, pr.agency, pr.nip_mask as nip,
                   count(*) as certificates, sum(ce.jp) as jp,
                   string_agg(ce.programme_title || ' (' || ce.jp || ' JP)', '; '
                              order by ce.issued_at) as programmes
              from certificates ce
              join users u on u.id = ce.user_id
              left join profiles pr on pr.user_id = u.id
             where ce.kind = 'certificate' and ce.revoked_at is null
               and cert_jp_year(ce.issued_at) = p_year
             group by u.id, u.full_name, pr.agency, pr.nip_mask) r
$$;
