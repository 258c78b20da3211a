-- functions/messages.sql — messages: the outbox (enqueueing in the event's
-- transaction, claiming with SKIP LOCKED, retries with backoff, the
-- delivery log), rendering in id/en, participants' channel choices,
-- announcements, scheduled reminders, and account recovery (password
-- reset, change, e-mail verification) (schema: migrations/0009).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.
--
-- Placeholders the server fills at sending time, never stored filled:
-- {base} (SINAU_PUBLIC_URL), {secret} (the decrypted token of the row).

-- ---- kinds ----

-- Security messages go by e-mail whatever the participant chose, and carry
-- no List-Unsubscribe.
create or replace function msg_is_security(p_kind text) returns boolean
language sql immutable as $$
    select p_kind in ('password_reset', 'password_changed', 'email_verify')
$$;

-- Reminders, which participants may turn off.
create or replace function msg_is_reminder(p_kind text) returns boolean
language sql immutable as $$
    select p_kind in ('offer_reminder', 'cohort_tomorrow', 'session_soon')
$$;

-- ---- enqueueing (inside the event's transaction) ----

-- One row per channel the recipient receives this kind on: e-mail unless
-- turned off, WhatsApp when chosen and a phone is on the profile; security
-- messages by e-mail only; reminders not when turned off; nothing for a
-- disabled account. A dedup key already used (a reminder sent before) adds
-- nothing. The i-th message goes to p_users[i], of kind p_kinds[i] with
-- p_params[i]; rows are written in that order, in one statement for a group
-- (reg_register_set). Returns how many rows were written.
create or replace function msg_enqueue_all(p_users text[], p_kinds text[], p_params jsonb[],
                                           p_cohort_id text default null,
                                           p_dedup text default null,
                                           p_secret_id text default null,
                                           p_secret_enc text default null)
returns integer
language plpgsql as $$
declare
    n integer;
begin
    insert into outbox (kind, user_id, channel, cohort_id, params, security, dedup_key,
                        secret_id, secret_enc)
    select m.kind, u.id, ch.channel, p_cohort_id, coalesce(m.params, '{}'::jsonb),
           msg_is_security(m.kind), p_dedup, p_secret_id, p_secret_enc
      from unnest(p_users, p_kinds, p_params) with ordinality m (user_id, kind, params, i)
      join users u on u.id = m.user_id
      left join message_prefs mp on mp.user_id = u.id
      cross join (values ('email'), ('whatsapp')) ch (channel)
     where u.status = 'active'
       and case when msg_is_security(m.kind) then ch.channel = 'email'
                when msg_is_reminder(m.kind) and not coalesce(mp.reminders, true) then false
                when ch.channel = 'email' then coalesce(mp.email, true)
                else coalesce(mp.whatsapp, false)
                     and exists (select 1 from profiles p
                                  where p.user_id = u.id and p.phone_enc is not null)
           end
     order by m.i, ch.channel
    on conflict on constraint outbox_dedup_key do nothing;
    get diagnostics n = row_count;
    return n;
end;
$$;

-- One message (msg_enqueue_all's rules).
create or replace function msg_enqueue(p_user_id text, p_kind text, p_params jsonb,
                                       p_cohort_id text default null, p_dedup text default null,
                                       p_secret_id text default null,
                                       p_secret_enc text default null)
returns integer
language sql as $$
    select msg_enqueue_all(array[p_user_id], array[p_kind], array[p_params], p_cohort_id, p_dedup,
                           p_secret_id, p_secret_enc)
$$;

-- What a registration event's message says (msg_registration, and
-- reg_register_set for a group): the facts as they are now.
create or replace function msg_registration_params(r registrations, p_position bigint)
returns jsonb
language sql immutable as $$
    select jsonb_build_object('registration_id', r.id, 'position', p_position,
                              'offer_expires_at', r.offer_expires_at)
$$;

-- A registration event (confirmed, waitlisted with its position, cancelled,
-- offered, promoted).
create or replace function msg_registration(p_kind text, p_registration_id text,
                                            p_position bigint default null)
returns void
language plpgsql as $$
declare
    r registrations;
begin
    select * into r from registrations where id = p_registration_id;
    if found then
        perform msg_enqueue(r.user_id, p_kind, msg_registration_params(r, p_position),
                            r.cohort_id);
    end if;
end;
$$;

-- Grades about to be released: everyone with a graded submission that is
-- not yet visible hears of it once. Call before the release is stored.
create or replace function msg_grades_released(p_cohort_id text, p_assignment_id text)
returns void
language sql as $$
    select msg_enqueue(u.user_id, 'grades_released', '{}'::jsonb, p_cohort_id)
      from (select distinct s.user_id from submissions s
             where s.cohort_id = p_cohort_id
               and (p_assignment_id is null or s.assignment_id = p_assignment_id)
               and exists (select 1 from grades g where g.submission_id = s.id)
               and not asg_released(p_cohort_id, s.assignment_id)) u
$$;

-- A certificate was issued.
create or replace function msg_certificate_issued(p_certificate_id text)
returns void
language sql as $$
    select msg_enqueue(ce.user_id, 'certificate_issued',
                       jsonb_build_object('certificate_id', ce.id), ce.cohort_id)
      from certificates ce where ce.id = p_certificate_id
$$;

-- Scheduled messages, run by every instance's timer (each is written once:
-- the dedup key): the offer reminder once a third of the offer's time is
-- left, a cohort starting tomorrow (Western Indonesian Time), a live
-- session within the hour. Also forgets what is no longer needed: sent
-- messages after 90 days (the delivery log's horizon), used or expired
-- links after a day. Returns how many rows were written.
create or replace function msg_tick() returns integer
language plpgsql as $$
declare
    w record;
    n integer := 0;
    today date := (now() at time zone 'Asia/Jakarta')::date;
begin
    for w in select r.id, r.user_id, r.cohort_id, r.offer_expires_at
               from registrations r join cohorts c on c.id = r.cohort_id
              where r.status = 'offered' and r.offer_expires_at > now()
                and r.offer_expires_at - make_interval(secs => coalesce(c.offer_ttl_s, 0) / 3.0)
                    <= now()
                and not exists (select 1 from outbox o
                                 where o.dedup_key = 'offer_reminder:' || r.id || ':'
                                                     || extract(epoch from r.offer_expires_at))
              limit 500
    loop
        n := n + msg_enqueue(w.user_id, 'offer_reminder',
                             jsonb_build_object('registration_id', w.id,
                                                'offer_expires_at', w.offer_expires_at),
                             w.cohort_id,
                             'offer_reminder:' || w.id || ':' || extract(epoch from w.offer_expires_at));
    end loop;
    for w in select r.user_id, r.cohort_id from registrations r
               join cohorts c on c.id = r.cohort_id
              where c.starts_on = today + 1 and r.status = 'confirmed'
                and not exists (select 1 from outbox o
                                 where o.dedup_key = 'cohort_tomorrow:' || r.cohort_id || ':'
                                                     || r.user_id)
              limit 1000
    loop
        n := n + msg_enqueue(w.user_id, 'cohort_tomorrow', '{}'::jsonb, w.cohort_id,
                             'cohort_tomorrow:' || w.cohort_id || ':' || w.user_id);
    end loop;
    for w in select s.id as session_id, r.user_id, r.cohort_id from cohort_sessions s
               join registrations r on r.cohort_id = s.cohort_id and r.status = 'confirmed'
              where s.starts_at > now() and s.starts_at <= now() + interval '1 hour'
                and not exists (select 1 from outbox o
                                 where o.dedup_key = 'session_soon:' || s.id || ':' || r.user_id)
              limit 1000
    loop
        n := n + msg_enqueue(w.user_id, 'session_soon',
                             jsonb_build_object('session_id', w.session_id), w.cohort_id,
                             'session_soon:' || w.session_id || ':' || w.user_id);
    end loop;
    -- by id = any(array): an index scan whatever the statistics say (a
    -- semi join planned on an outbox believed empty rescanned it per row)
    delete from outbox where id = any (array(select id from outbox
                                              where state = 'sent'
                                                and sent_at < now() - interval '90 days'
                                              limit 1000));
    delete from password_resets where expires_at < now() - interval '1 day';
    delete from email_verifications where expires_at < now() - interval '1 day';
    return n;
end;
$$;

-- ---- rendering (when a row is claimed) ----

create or replace function msg_when(p_at timestamptz) returns text
language sql immutable as $$
    select to_char(p_at at time zone 'Asia/Jakarta', 'DD-MM-YYYY HH24:MI') || ' WIB'
$$;

-- Subject and text of a kind in a language, with {placeholders}.
create or replace function msg_template(p_kind text, p_lang text) returns text[]
language plpgsql immutable as $$
begin
    if p_lang = 'en' then
        return case p_kind
        when 'registration_confirmed' then array['Your seat in {cohort} is confirmed',
            E'Hello {name},\n\nyour registration for {programme}, {cohort}, is confirmed. The cohort starts on {starts_on}.\n\n{base}/cohorts/{cohort_id}']
        when 'registration_waitlisted' then array['You are on the waiting list of {cohort}',
            E'Hello {name},\n\nall seats of {programme}, {cohort}, are taken. You are number {position} on the waiting list; we will write to you when a seat is yours.\n\n{base}/me/cohorts']
        when 'registration_cancelled' then array['Your registration for {cohort} is cancelled',
            E'Hello {name},\n\nyour registration for {programme}, {cohort}, has been cancelled.\n\n{base}/cohorts/{cohort_id}']
        when 'seat_offered' then array['A seat in {cohort} is offered to you',
            E'Hello {name},\n\na seat in {programme}, {cohort}, is free and offered to you until {until}. Accept it before then, or it passes to the next person waiting:\n\n{base}/me/cohorts']
        when 'offer_reminder' then array['Reminder: your seat in {cohort} is held until {until}',
            E'Hello {name},\n\nthe seat offered to you in {programme}, {cohort}, is held only until {until}. Accept it here:\n\n{base}/me/cohorts']
        when 'promoted' then array['A seat in {cohort} is yours',
            E'Hello {name},\n\na seat came free in {programme}, {cohort}, and it is now yours: your registration is confirmed.\n\n{base}/cohorts/{cohort_id}']
        when 'cohort_tomorrow' then array['{cohort} starts tomorrow',
            E'Hello {name},\n\n{programme}, {cohort}, starts tomorrow, {starts_on}. Add its sessions to your calendar:\n\n{base}/api/v1/cohorts/{cohort_id}/calendar.ics\n\n{base}/cohorts/{cohort_id}']
        when 'session_soon' then array['In one hour: {session}',
            E'Hello {name},\n\nthe live session {session} of {cohort} starts at {session_at}. {session_where}\n\n{base}/cohorts/{cohort_id}']
        when 'grades_released' then array['Your grades in {cohort} are out',
            E'Hello {name},\n\ngrades and feedback for your work in {programme}, {cohort}, have been released.\n\n{base}/cohorts/{cohort_id}']
        when 'certificate_issued' then array['Your certificate for {programme}',
            E'Hello {name},\n\nyour certificate for {programme}, {cohort}, has been issued. Anyone can check it here:\n\n{base}/credentials/{certificate_id}']
        when 'announcement' then array['{subject}',
            E'{body}\n\n{author}, {cohort}\n{base}/cohorts/{cohort_id}']
        when 'password_reset' then array['Reset your Sinau password',
            E'Hello {name},\n\nsomeone asked to reset the password of your Sinau account. To choose a new one, open this link within {valid}:\n\n{base}/reset?token={secret}\n\nThe link works once. If you did not ask for it, ignore this message: your password stays as it is.']
        when 'password_changed' then array['Your Sinau password was changed',
            E'Hello {name},\n\nthe password of your Sinau account was changed on {at}, and every session was signed out. If that was not you, reset your password at once:\n\n{base}/reset']
        when 'email_verify' then array['Confirm your e-mail address for Sinau',
            E'Hello {name},\n\nplease confirm that this address is yours by opening this link:\n\n{base}/verify-email?token={secret}\n\nIf you did not sign up for Sinau, ignore this message.']
        end;
    end if;
    return case p_kind
    when 'registration_confirmed' then array['Kursi Anda di {cohort} terkonfirmasi',
        E'Halo {name},\n\npendaftaran Anda untuk {programme}, {cohort}, terkonfirmasi. Angkatan dimulai {starts_on}.\n\n{base}/cohorts/{cohort_id}']
    when 'registration_waitlisted' then array['Anda masuk daftar tunggu {cohort}',
        E'Halo {name},\n\nsemua kursi {programme}, {cohort}, sudah terisi. Anda nomor {position} di daftar tunggu; kami kabari bila ada kursi untuk Anda.\n\n{base}/me/cohorts']
    when 'registration_cancelled' then array['Pendaftaran Anda di {cohort} dibatalkan',
        E'Halo {name},\n\npendaftaran Anda untuk {programme}, {cohort}, telah dibatalkan.\n\n{base}/cohorts/{cohort_id}']
    when 'seat_offered' then array['Kursi di {cohort} ditawarkan kepada Anda',
        E'Halo {name},\n\nada kursi kosong di {programme}, {cohort}, yang ditawarkan kepada Anda sampai {until}. Terima sebelum itu, atau kursi beralih ke peserta berikutnya di daftar tunggu:\n\n{base}/me/cohorts']
    when 'offer_reminder' then array['Pengingat: kursi Anda di {cohort} ditahan sampai {until}',
        E'Halo {name},\n\nkursi yang ditawarkan kepada Anda di {programme}, {cohort}, hanya ditahan sampai {until}. Terima di sini:\n\n{base}/me/cohorts']
    when 'promoted' then array['Kursi di {cohort} kini milik Anda',
        E'Halo {name},\n\nada kursi kosong di {programme}, {cohort}, dan kini menjadi milik Anda: pendaftaran Anda terkonfirmasi.\n\n{base}/cohorts/{cohort_id}']
    when 'cohort_tomorrow' then array['{cohort} dimulai besok',
        E'Halo {name},\n\n{programme}, {cohort}, dimulai besok, {starts_on}. Tambahkan jadwal sesinya ke kalender Anda:\n\n{base}/api/v1/cohorts/{cohort_id}/calendar.ics\n\n{base}/cohorts/{cohort_id}']
    when 'session_soon' then array['Satu jam lagi: {session}',
        E'Halo {name},\n\nsesi langsung {session} dari {cohort} dimulai pukul {session_at}. {session_where}\n\n{base}/cohorts/{cohort_id}']
    when 'grades_released' then array['Nilai Anda di {cohort} sudah keluar',
        E'Halo {name},\n\nnilai dan umpan balik untuk tugas Anda di {programme}, {cohort}, sudah dirilis.\n\n{base}/cohorts/{cohort_id}']
    when 'certificate_issued' then array['Sertifikat Anda untuk {programme}',
        E'Halo {name},\n\nsertifikat Anda untuk {programme}, {cohort}, telah terbit. Siapa pun dapat memeriksanya di sini:\n\n{base}/credentials/{certificate_id}']
    when 'announcement' then array['{subject}',
        E'{body}\n\n{author}, {cohort}\n{base}/cohorts/{cohort_id}']
    when 'password_reset' then array['Atur ulang kata sandi Sinau Anda',
        E'Halo {name},\n\nada permintaan untuk mengatur ulang kata sandi akun Sinau Anda. Untuk memilih kata sandi baru, buka tautan ini dalam {valid}:\n\n{base}/reset?token={secret}\n\nTautan hanya berlaku sekali. Bila Anda tidak memintanya, abaikan pesan ini: kata sandi Anda tidak berubah.']
    when 'password_changed' then array['Kata sandi Sinau Anda telah diubah',
        E'Halo {name},\n\nkata sandi akun Sinau Anda diubah pada {at}, dan semua sesi telah dikeluarkan. Bila itu bukan Anda, segera atur ulang kata sandi:\n\n{base}/reset']
    when 'email_verify' then array['Konfirmasi alamat e-mail Anda untuk Sinau',
        E'Halo {name},\n\nmohon konfirmasi bahwa alamat ini milik Anda dengan membuka tautan ini:\n\n{base}/verify-email?token={secret}\n\nBila Anda tidak mendaftar di Sinau, abaikan pesan ini.']
    end;
end;
$$;

-- The values a row's template needs, in its recipient's language.
create or replace function msg_facts(o outbox, u users) returns jsonb
language plpgsql stable as $$
declare
    f jsonb := jsonb_build_object('name', u.full_name, 'at', msg_when(o.created_at),
                                  'valid', case when u.language = 'en' then '30 minutes'
                                                else '30 menit' end);
    c record;
    s cohort_sessions;
    a announcements;
begin
    if o.kind = 'password_reset' and o.params ? 'valid_hours' then
        f := f || jsonb_build_object('valid', (o.params ->> 'valid_hours')
                                              || case when u.language = 'en' then ' hours'
                                                      else ' jam' end);
    end if;
    if o.cohort_id is not null then
        select ch.id, ch.name, p.title, ch.starts_on into c
          from cohorts ch join programmes p on p.id = ch.programme_id where ch.id = o.cohort_id;
        f := f || jsonb_build_object('cohort_id', c.id, 'cohort', c.name, 'programme', c.title,
                                     'starts_on', to_char(c.starts_on, 'DD-MM-YYYY'));
    end if;
    if o.params ? 'position' then
        f := f || jsonb_build_object('position', coalesce(o.params ->> 'position', '?'));
    end if;
    if o.params ->> 'offer_expires_at' is not null then
        f := f || jsonb_build_object('until',
                                     msg_when((o.params ->> 'offer_expires_at')::timestamptz));
    end if;
    if o.params ? 'certificate_id' then
        f := f || jsonb_build_object('certificate_id', o.params ->> 'certificate_id');
    end if;
    if o.params ? 'session_id' then
        select * into s from cohort_sessions where id = o.params ->> 'session_id';
        f := f || jsonb_build_object('session', s.title, 'session_at', msg_when(s.starts_at),
                                     'session_where', coalesce(s.online_url, s.place, ''));
    end if;
    if o.params ? 'announcement_id' then
        select * into a from announcements where id = o.params ->> 'announcement_id';
        f := f || jsonb_build_object('subject', a.subject, 'body', a.body_md,
                                     'author', coalesce((select full_name from users
                                                          where id = a.author_id), 'Sinau'));
    end if;
    return f;
end;
$$;

-- Replaces each {key} of f in t (missing values stay as they are).
create or replace function msg_fill(t text, f jsonb) returns text
language plpgsql immutable as $$
declare
    k text;
    v text;
begin
    for k, v in select key, value from jsonb_each_text(f) loop
        t := replace(t, '{' || k || '}', coalesce(v, ''));
    end loop;
    return t;
end;
$$;

create or replace function msg_html_escape(t text) returns text
language sql immutable as $$
    select replace(replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                           '"', '&quot;'), '''', '&#39;')
$$;

-- The HTML part: the text escaped, paragraphs at blank lines, line breaks
-- kept, links (ours and http/https) made clickable; no images, no styles
-- from outside.
create or replace function msg_html(p_text text, p_lang text) returns text
language sql immutable as $$
    select '<!DOCTYPE html><html lang="' || p_lang || '"><head><meta charset="utf-8">'
        || '<meta name="viewport" content="width=device-width"></head>'
        || '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">'
        || string_agg('<p>' || replace(regexp_replace(msg_html_escape(para),
                                                      '(\{base\}[^\s<]*|https?://[^\s<]+)',
                                                      '<a href="\1">\1</a>', 'g'),
                                       E'\n', '<br>') || '</p>', '' order by ord)
        || '</body></html>'
      from regexp_split_to_table(p_text, E'\n[ \t]*\n') with ordinality as t (para, ord)
$$;

-- Subject, text and HTML of a row. Non-security messages end with where
-- to change what one receives.
create or replace function msg_render(o outbox, u users,
                                      out subject text, out body_text text, out body_html text)
language plpgsql stable as $$
declare
    lang text := coalesce(u.language, 'id');
    tpl text[] := msg_template(o.kind, lang);
    f jsonb := msg_facts(o, u);
begin
    subject := msg_fill(tpl[1], f);
    body_text := msg_fill(tpl[2], f);
    if not o.security then
        body_text := body_text || E'\n\n-- \n'
            || case when lang = 'en' then 'Sinau. Choose which messages you receive: '
                    else 'Sinau. Atur pesan yang Anda terima: ' end
            || '{base}/me/notifications';
    end if;
    body_html := msg_html(body_text, lang);
end;
$$;

-- ---- delivery ----

-- Claims up to p_limit due rows for one instance: queued rows whose time
-- has come, and rows whose sender's lease ran out (it crashed, or a send
-- outlived it) — those are sent again with the same Message-ID. Each row
-- comes back rendered, with the address to use.
create or replace function msg_claim(p_instance text, p_limit integer, p_lease_s integer)
returns table (id bigint, kind text, channel text, user_id text, email text, phone_enc text,
               language text, security boolean, subject text, body_text text,
               body_html text, secret_id text, secret_enc text, attempts integer)
language plpgsql as $$
begin
    return query
    with due as (
        select q.id from outbox q
         where q.state = 'queued' and q.next_attempt_at <= now()
         order by q.next_attempt_at limit p_limit for update skip locked
    ), stale as (
        select q.id from outbox q
         where q.state = 'sending' and q.lease_until < now()
         order by q.lease_until limit p_limit for update skip locked
    ), picked as (
        select x.id from (select d.id from due d union select s.id from stale s) x
         order by x.id limit p_limit
    ), claimed as (
        update outbox o
           set state = 'sending', attempts = o.attempts + 1, claimed_by = p_instance,
               lease_until = now() + make_interval(secs => p_lease_s)
         where o.id = any (array(select picked.id from picked)) -- msg_tick says why
        returning o.*
    )
    select c.id, c.kind, c.channel, c.user_id, u.email::text, p.phone_enc, u.language,
           c.security, r.subject, r.body_text, r.body_html, c.secret_id, c.secret_enc,
           c.attempts
      from claimed c
      join users u on u.id = c.user_id
      left join profiles p on p.user_id = c.user_id
      cross join lateral msg_render(c::outbox, u) r
     order by c.id;
end;
$$;

-- The message went out.
create or replace function msg_sent(p_id bigint) returns void
language sql as $$
    update outbox set state = 'sent', sent_at = now(), lease_until = null, last_error = null,
                      secret_enc = null
     where id = p_id and state = 'sending'
$$;

-- A try failed: again after base × 2^(tries-1) (at most p_max_ms), times a
-- random factor in [0.5, 1.5) so that a crowd of retries spreads out; after
-- p_max_attempts tries the row is failed (and its secret forgotten).
create or replace function msg_retry(p_id bigint, p_error text, p_max_attempts integer,
                                     p_base_ms integer, p_max_ms integer)
returns void
language sql as $$
    update outbox
       set state = case when attempts >= p_max_attempts then 'failed' else 'queued' end,
           lease_until = null,
           last_error = left(p_error, 300),
           next_attempt_at = now() + make_interval(secs => least(p_max_ms::double precision,
                                 p_base_ms * power(2, least(attempts - 1, 30)))
                                 * (0.5 + random()) / 1000.0),
           secret_enc = case when attempts >= p_max_attempts then null else secret_enc end
     where id = p_id and state = 'sending'
$$;

-- Kept but not sendable (no channel configured, no phone on the profile).
create or replace function msg_undeliverable(p_id bigint, p_reason text) returns void
language sql as $$
    update outbox set state = 'undeliverable', lease_until = null, last_error = p_reason,
                      secret_enc = null
     where id = p_id and state = 'sending'
$$;

-- An instance with no channel at all configured keeps what is due as
-- undeliverable ("no channel") in one statement, up to p_limit rows.
-- Returns how many.
create or replace function msg_park_due(p_limit integer) returns integer
language sql as $$
    with due as (
        select id from outbox where state = 'queued' and next_attempt_at <= now()
         order by next_attempt_at limit p_limit for update skip locked
    ), parked as (
        update outbox o set state = 'undeliverable', last_error = 'no channel',
                            attempts = o.attempts + 1, secret_enc = null
         where o.id = any (array(select due.id from due)) -- msg_tick says why
        returning 1
    )
    select count(*)::integer from parked
$$;

-- Admins: a failed or undeliverable message queued again. {status, body}.
create or replace function msg_resend(p_id bigint, p_actor_id text, p_ip text) returns json
language plpgsql as $$
declare
    o outbox;
begin
    o := sinau_found((select x from outbox x where x.id = p_id for update), 'message');
    if o.state not in ('failed', 'undeliverable') then
        return sinau_error(409, 'not_resendable', 'only failed or undeliverable messages are sent again');
    end if;
    if o.secret_id is not null then
        return sinau_error(409, 'link_expired', 'its link is gone; send a new one instead');
    end if;
    update outbox set state = 'queued', attempts = 0, next_attempt_at = now(), resent = resent + 1
     where id = p_id returning * into o;
    perform sinau_audit(p_actor_id, 'message.resent', jsonb_build_object('message_id', o.id),
                        o.user_id, p_ip);
    return sinau_ok(200, msg_log_item(o));
end;
$$;

-- An address as admins see it: the first character and the domain.
create or replace function msg_mask_email(p_email text) returns text
language sql immutable as $$
    select left(p_email, 1) || '***@' || split_part(p_email, '@', 2)
$$;

create or replace function msg_log_item(o outbox) returns json
language sql stable as $$
    select json_build_object(
        'id', o.id, 'kind', o.kind, 'channel', o.channel, 'state', o.state,
        'attempts', o.attempts, 'resent', o.resent, 'error', o.last_error,
        'user', json_build_object('id', u.id, 'full_name', u.full_name),
        'recipient', case when o.channel = 'email' then msg_mask_email(u.email)
                          else (select phone_mask from profiles where user_id = o.user_id) end,
        'cohort_id', o.cohort_id, 'security', o.security,
        'created_at', o.created_at, 'sent_at', o.sent_at,
        'next_attempt_at', case when o.state = 'queued' then o.next_attempt_at end)
      from users u where u.id = o.user_id
$$;

-- Admins: the delivery log, newest first, by state, channel, kind, cohort or
-- recipient (user id); keyset pagination on id.
create or replace function msg_log(p_state text, p_channel text, p_kind text, p_cohort_id text,
                                   p_user_id text, p_before bigint, p_limit integer)
returns json
language sql stable as $$
    with page as (
        select o.* from outbox o
         where (p_state is null or o.state = p_state)
           and (p_channel is null or o.channel = p_channel)
           and (p_kind is null or o.kind = p_kind)
           and (p_cohort_id is null or o.cohort_id = p_cohort_id)
           and (p_user_id is null or o.user_id = p_user_id)
           and (p_before is null or o.id < p_before)
         order by o.id desc limit p_limit + 1
    ), shown as (
        select * from page order by id desc limit p_limit
    )
    select json_build_object(
        'items', coalesce((select json_agg(msg_log_item(s::outbox) order by s.id desc)
                             from shown s), '[]'::json),
        'next_cursor', case when (select count(*) from page) > p_limit
                            then (select min(id)::text from shown) end)
$$;

-- For the metrics: rows by state and channel, and the age of the oldest
-- due message in seconds.
create or replace function msg_stats() returns json
language sql stable as $$
    select json_build_object(
        'counts', coalesce((select json_agg(json_build_object('state', state, 'channel', channel,
                                                              'n', n))
                              from (select state, channel, count(*) as n from outbox
                                     group by state, channel) x), '[]'::json),
        'oldest_due_s', coalesce((select extract(epoch from now() - min(next_attempt_at))
                                    from outbox where state = 'queued'
                                     and next_attempt_at <= now()), 0))
$$;

-- ---- what participants choose ----

create or replace function msg_prefs_json(p_user_id text) returns json
language sql stable as $$
    select json_build_object(
        'language', u.language,
        'email', coalesce(mp.email, true),
        'whatsapp', coalesce(mp.whatsapp, false),
        'reminders', coalesce(mp.reminders, true),
        'phone', p.phone_mask,
        'email_verified', u.email_verified_at is not null)
      from users u
      left join message_prefs mp on mp.user_id = u.id
      left join profiles p on p.user_id = u.id
     where u.id = p_user_id
$$;

-- p_changes: {language?, email?, whatsapp?, reminders?}. WhatsApp needs a
-- phone on the profile (422 phone_required).
create or replace function msg_prefs_put(p_user_id text, p_changes jsonb) returns json
language plpgsql as $$
begin
    if coalesce((p_changes ->> 'whatsapp')::boolean, false)
       and not exists (select 1 from profiles where user_id = p_user_id and phone_enc is not null) then
        return sinau_error(422, 'phone_required', 'WhatsApp needs a phone number on the profile');
    end if;
    if p_changes ? 'language' then
        update users set language = p_changes ->> 'language' where id = p_user_id;
    end if;
    insert into message_prefs (user_id) values (p_user_id) on conflict (user_id) do nothing;
    update message_prefs
       set email = coalesce((p_changes ->> 'email')::boolean, email),
           whatsapp = coalesce((p_changes ->> 'whatsapp')::boolean, whatsapp),
           reminders = coalesce((p_changes ->> 'reminders')::boolean, reminders)
     where user_id = p_user_id;
    return sinau_ok(200, msg_prefs_json(p_user_id));
end;
$$;

-- The List-Unsubscribe link (checked by the server): no more e-mail but
-- security messages.
create or replace function msg_unsubscribe(p_user_id text) returns boolean
language plpgsql as $$
begin
    if not exists (select 1 from users where id = p_user_id) then
        return false;
    end if;
    insert into message_prefs (user_id, email) values (p_user_id, false)
    on conflict (user_id) do update set email = false;
    perform sinau_audit(p_user_id, 'messages.unsubscribed', p_subject_id => p_user_id);
    return true;
end;
$$;

-- ---- announcements ----

create or replace function msg_announcement_json(a announcements) returns json
language sql stable as $$
    select json_build_object('id', a.id, 'cohort_id', a.cohort_id, 'subject', a.subject,
                             'body_md', a.body_md, 'body_html', a.body_html,
                             'segment', a.segment, 'recipients', a.recipients,
                             'author', (select json_build_object('id', u.id,
                                                                 'full_name', u.full_name)
                                          from users u where u.id = a.author_id),
                             'created_at', a.created_at)
$$;

-- Cohort staff write to every confirmed participant, or one segment's.
-- {status, body}.
create or replace function msg_announce(p_cohort_id text, p_subject text, p_body_md text,
                                        p_body_html text, p_segment text, p_user_id text,
                                        p_role text)
returns json
language plpgsql as $$
declare
    a announcements;
    r registrations;
    n integer := 0;
begin
    if not exists (select 1 from cohorts where id = p_cohort_id)
       or not reg_can_manage(p_cohort_id, p_user_id, p_role) then
        return sinau_error(404, 'not_found', 'no such cohort');
    end if;
    if p_segment is not null
       and not exists (select 1 from cohort_segments
                        where cohort_id = p_cohort_id and segment = p_segment) then
        return sinau_error(422, 'invalid_segment', 'this cohort has no such segment');
    end if;
    insert into announcements (cohort_id, author_id, subject, body_md, body_html, segment)
    values (p_cohort_id, p_user_id, p_subject, p_body_md, p_body_html, p_segment)
    returning * into a;
    for r in select * from registrations
              where cohort_id = p_cohort_id and status = 'confirmed'
                and (p_segment is null or segment = p_segment)
    loop
        perform msg_enqueue(r.user_id, 'announcement',
                            jsonb_build_object('announcement_id', a.id), p_cohort_id);
        n := n + 1;
    end loop;
    update announcements set recipients = n where id = a.id returning * into a;
    perform sinau_audit(p_user_id, 'cohort.announced',
                        jsonb_build_object('cohort_id', p_cohort_id, 'announcement_id', a.id,
                                           'segment', p_segment, 'recipients', n));
    return sinau_ok(201, msg_announcement_json(a));
end;
$$;

-- A cohort's announcements: staff see all, a confirmed participant those to
-- everyone and to their segment; anyone else gets null (404).
create or replace function msg_announcements(p_cohort_id text, p_user_id text, p_role text)
returns json
language sql stable as $$
    with me as (
        select segment from registrations
         where cohort_id = p_cohort_id and user_id = p_user_id and status = 'confirmed'
    )
    select case when exists (select 1 from cohorts where id = p_cohort_id)
                 and (reg_can_manage(p_cohort_id, p_user_id, p_role) or exists (select 1 from me))
           then json_build_object('items', coalesce((
                select json_agg(msg_announcement_json(a) order by a.created_at desc)
                  from announcements a
                 where a.cohort_id = p_cohort_id
                   and (reg_can_manage(p_cohort_id, p_user_id, p_role) or a.segment is null
                        or a.segment in (select segment from me))), '[]'::json))
           end
$$;

-- ---- account recovery ----

-- A reset request: the client address may ask p_max_ip times per window
-- (then {retry_after}); an active account gets at most p_max_account links
-- per window, the rest silently dropped, so the answer never tells whether
-- the address has an account. The token's hash is stored; the token itself
-- only encrypted in the message row.
create or replace function msg_reset_request(p_email citext, p_ip text, p_token_hash text,
                                             p_secret_enc text, p_ttl_s integer,
                                             p_window_s integer, p_max_ip integer,
                                             p_max_account integer)
returns json
language plpgsql as $$
declare
    since timestamptz := now() - make_interval(secs => p_window_s);
    u users;
    wait_s integer;
begin
    -- counted one after the other per address and per account (a burst
    -- cannot pass the limits together)
    perform sinau_throttle_lock('reset.ip', p_ip);
    perform sinau_throttle_lock('reset.account', lower(p_email::text));
    select ceil(extract(epoch from min(at) + make_interval(secs => p_window_s) - now()))::integer
      into wait_s
      from (select at from password_reset_requests where ip = p_ip and at > since
             order by at desc limit p_max_ip) f
    having count(*) >= p_max_ip;
    if coalesce(wait_s, 0) > 0 then
        return json_build_object('retry_after', wait_s);
    end if;
    delete from password_reset_requests where at < now() - make_interval(secs => 2 * p_window_s);
    select * into u from users where email = p_email and status = 'active';
    insert into password_reset_requests (ip, user_id) values (p_ip, u.id);
    if u.id is not null
       and (select count(*) from password_reset_requests
             where user_id = u.id and at > since) <= p_max_account then
        insert into password_resets (token_hash, user_id, expires_at)
        values (p_token_hash, u.id, now() + make_interval(secs => p_ttl_s));
        perform msg_enqueue(u.id, 'password_reset', '{}'::jsonb, null, null, p_token_hash,
                            p_secret_enc);
        perform sinau_audit(u.id, 'password.reset_requested', p_subject_id => u.id, p_ip => p_ip);
    end if;
    return json_build_object('retry_after', 0);
end;
$$;

-- An admin sends a reset link to a user (audited). {status, body}.
create or replace function msg_reset_by_admin(p_user_id text, p_actor_id text, p_ip text,
                                              p_token_hash text, p_secret_enc text,
                                              p_ttl_s integer)
returns json
language plpgsql as $$
declare
    u users;
begin
    u := sinau_found((select x from users x where x.id = p_user_id), 'user');
    if u.status <> 'active' then
        return sinau_error(409, 'account_disabled', 'the account is disabled');
    end if;
    insert into password_resets (token_hash, user_id, requested_by, expires_at)
    values (p_token_hash, u.id, p_actor_id, now() + make_interval(secs => p_ttl_s));
    perform msg_enqueue(u.id, 'password_reset',
                        jsonb_build_object('valid_hours', p_ttl_s / 3600), null, null,
                        p_token_hash, p_secret_enc);
    perform sinau_audit(p_actor_id, 'user.password_reset_sent', p_subject_id => u.id, p_ip => p_ip);
    return sinau_ok(202, json_build_object('sent', true,
                                           'expires_at', now() + make_interval(secs => p_ttl_s)));
end;
$$;

-- Is this a live reset token (unused, not expired)? Checked before the new
-- password is hashed, so unknown tokens cost no hashing.
create or replace function msg_reset_live(p_token_hash text) returns boolean
language sql stable as $$
    select exists (select 1 from password_resets r join users u on u.id = r.user_id
                    where r.token_hash = p_token_hash and r.used_at is null
                      and r.expires_at > now() and u.status = 'active')
$$;

-- Sets the new password with a live token: the token and every other of the
-- account used up, every session ended, the throttle cleared, a notice
-- queued, audited. {status, body}: 204, or 400 invalid_token.
create or replace function msg_reset_confirm(p_token_hash text, p_new_hash text, p_ip text)
returns json
language plpgsql as $$
declare
    r password_resets;
    u users;
begin
    select * into r from password_resets where token_hash = p_token_hash for update;
    if not found or r.used_at is not null or r.expires_at <= now() then
        return sinau_error(400, 'invalid_token', 'this link is not valid (used, expired or unknown)');
    end if;
    update users set password_hash = p_new_hash
     where id = r.user_id and status = 'active' returning * into u;
    if not found then
        return sinau_error(400, 'invalid_token', 'this link is not valid (used, expired or unknown)');
    end if;
    update password_resets set used_at = now() where user_id = u.id and used_at is null;
    update sessions set revoked_at = now() where user_id = u.id and revoked_at is null;
    delete from login_failures where email = u.email;
    perform sinau_audit(u.id, 'password.reset', p_subject_id => u.id, p_ip => p_ip);
    perform msg_enqueue(u.id, 'password_changed', '{}'::jsonb);
    return sinau_ok(204, null);
end;
$$;

-- Step 1 of a change of password: the attempt reserved against the login's
-- throttle (auth_login_reserve; forgiven by the change) and the stored hash.
create or replace function msg_password_begin(p_user_id text, p_ip text, p_window_s integer,
                                              p_max_per_account integer, p_max_per_ip integer)
returns json
language plpgsql volatile as $$
declare
    u users;
begin
    select * into u from users where id = p_user_id and status = 'active';
    if not found then
        return null;
    end if;
    return json_build_object('retry_after', auth_login_reserve(u.email, p_ip, p_window_s,
                                                               p_max_per_account, p_max_per_ip),
                             'email', u.email, 'hash', u.password_hash);
end;
$$;

-- Step 3: the new hash stored, every other session ended, a notice queued.
create or replace function msg_password_change(p_user_id text, p_new_hash text,
                                               p_keep_token_hash text, p_ip text)
returns void
language plpgsql as $$
begin
    update users set password_hash = p_new_hash where id = p_user_id;
    update sessions set revoked_at = now()
     where user_id = p_user_id and revoked_at is null and token_hash <> p_keep_token_hash;
    update password_resets set used_at = now() where user_id = p_user_id and used_at is null;
    -- the right current password forgives the attempt reserved in step 1
    delete from login_failures where email = (select email from users where id = p_user_id);
    perform sinau_audit(p_user_id, 'password.changed', p_subject_id => p_user_id, p_ip => p_ip);
    perform msg_enqueue(p_user_id, 'password_changed', '{}'::jsonb);
end;
$$;

-- A new account with its language; with a verification token (signup under
-- SINAU_VERIFY_EMAIL=1) the account is unverified and the link is queued.
-- An e-mail already taken raises auth_create_user's 409 email_taken.
create or replace function msg_account_create(p_email citext, p_full_name text, p_hash text,
                                              p_role text, p_actor_id text, p_ip text,
                                              p_language text, p_token_hash text,
                                              p_secret_enc text, p_ttl_s integer)
returns json
language plpgsql as $$
declare
    res json;
    uid text;
begin
    res := auth_create_user(p_email, p_full_name, p_hash, p_role, p_actor_id, p_ip);
    uid := res -> 'user' ->> 'id';
    if p_language is not null then
        update users set language = p_language where id = uid;
    end if;
    if p_token_hash is not null then
        update users set email_verified_at = null where id = uid;
        insert into email_verifications (token_hash, user_id, expires_at)
        values (p_token_hash, uid, now() + make_interval(secs => p_ttl_s));
        perform msg_enqueue(uid, 'email_verify', '{}'::jsonb, null, null, p_token_hash,
                            p_secret_enc);
    end if;
    return res;
end;
$$;

-- Following the verification link. {status, body}: 204 or 400 invalid_token.
create or replace function msg_verify_email(p_token_hash text) returns json
language plpgsql as $$
declare
    v email_verifications;
begin
    select * into v from email_verifications where token_hash = p_token_hash for update;
    if not found or v.used_at is not null or v.expires_at <= now() then
        return sinau_error(400, 'invalid_token', 'this link is not valid (used, expired or unknown)');
    end if;
    update email_verifications set used_at = now() where user_id = v.user_id and used_at is null;
    update users set email_verified_at = coalesce(email_verified_at, now()) where id = v.user_id;
    perform sinau_audit(v.user_id, 'email.verified', p_subject_id => v.user_id);
    return sinau_ok(204, null);
end;
$$;

-- A new verification link for a signed-in, unverified account (at most 5
-- an hour). {status, body}.
create or replace function msg_verify_resend(p_user_id text, p_token_hash text, p_secret_enc text,
                                             p_ttl_s integer)
returns json
language plpgsql as $$
begin
    perform sinau_throttle_lock('verify.account', p_user_id);
    if exists (select 1 from users where id = p_user_id and email_verified_at is not null) then
        return sinau_error(409, 'already_verified', 'this e-mail address is already confirmed');
    end if;
    if (select count(*) from email_verifications
         where user_id = p_user_id and created_at > now() - interval '1 hour') >= 5 then
        return sinau_error(429, 'too_many_attempts', 'too many links asked for; wait and retry');
    end if;
    insert into email_verifications (token_hash, user_id, expires_at)
    values (p_token_hash, p_user_id, now() + make_interval(secs => p_ttl_s));
    perform msg_enqueue(p_user_id, 'email_verify', '{}'::jsonb, null, null, p_token_hash,
                        p_secret_enc);
    return sinau_ok(202, json_build_object('sent', true));
end;
$$;
