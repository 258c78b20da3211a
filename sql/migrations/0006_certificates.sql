-- 0006_certificates: certificate rules and eligibility, signing keys, the
-- certificates themselves (VC-JWT tokens stored verbatim), and the
-- revocation status list (CERTIFICATES.md).
--
-- Signing happens in the server (libsodium); the database keeps the seeds
-- encrypted under the master key, the public keys, the tokens as signed,
-- and the status bits. Nothing here ever holds an e-mail, NIK or NIP in a
-- certificate: the e-mail appears only salted and hashed inside the token.

-- ---- keys ----

-- Every key ever used (only grows); the newest is the signer.
create table signing_keys (
    thumbprint text primary key, -- RFC 7638, base64url; the kid is <PUBLIC_URL>/keys/<thumbprint>
    public_key bytea not null,
    seed_enc text not null, -- pii_encrypt token of the seed, bound to signing_keys.seed.<thumbprint>
    created_at timestamptz not null default clock_timestamp(),
    constraint signing_keys_pk_check check (octet_length(public_key) = 32),
    constraint signing_keys_thumbprint_check check (thumbprint ~ '^[A-Za-z0-9_-]{43}$')
);
create unique index signing_keys_created_idx on signing_keys (created_at);

-- ---- the status list ----

create table status_lists (
    id integer primary key,
    bits bytea not null,
    version bigint not null default 1, -- bumped on every change of bits
    token text,                        -- the signed list, as served
    token_version bigint not null default 0, -- the version of bits the token holds
    signed_at timestamptz,
    constraint status_lists_bits_check check (octet_length(bits) = 16384)
);
insert into status_lists (id, bits) values (1, decode(repeat('00', 16384), 'hex'));

-- ---- certificates ----

create table certificates (
    id text primary key, -- 26 characters of Crockford base32, 128 random bits
    cohort_id text not null references cohorts (id) on delete restrict,
    user_id text not null references users (id) on delete restrict,
    status_index integer not null,
    kid_thumbprint text not null references signing_keys (thumbprint),
    token text not null,
    holder_name text not null,
    -- what the certificate says, as signed: later edits of the programme or
    -- cohort never change what its page and PDF show
    programme_title text not null,
    cohort_name text not null,
    jp integer not null,
    starts_on date not null,
    ends_on date not null,
    issued_at timestamptz not null,
    issued_by text references users (id) on delete set null,
    revoked_at timestamptz,
    revoked_by text references users (id) on delete set null,
    revoke_reason text,
    constraint certificates_once unique (cohort_id, user_id),
    constraint certificates_index_key unique (status_index),
    constraint certificates_id_check check (id ~ '^[0-9a-hjkmnp-tv-z]{26}$'),
    constraint certificates_index_check check (status_index between 0 and 131071),
    constraint certificates_revoked_check check ((revoked_at is null) = (revoke_reason is null)),
    constraint certificates_reason_check check (length(revoke_reason) between 1 and 500)
);
create index certificates_user_idx on certificates (user_id);
create index certificates_kid_idx on certificates (kid_thumbprint);
create index certificates_issued_by_idx on certificates (issued_by);
create index certificates_revoked_by_idx on certificates (revoked_by);

-- A certificate is issued once and its token never changes.
create function cert_refuse_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' or new.token <> old.token or new.id <> old.id
       or new.status_index <> old.status_index or new.user_id <> old.user_id then
        raise exception 'certificates are immutable' using errcode = 'restrict_violation';
    end if;
    return new;
end;
$$;
create trigger certificates_immutable before update or delete on certificates
    for each row execute function cert_refuse_change();

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.
