-- 0010_certificates_di: what issue 18 adds to certificates (CERTIFICATES.md):
--  * each credential also as Open Badges 3.0 with a Data Integrity proof
--    (eddsa-rdfc-2022), stored as signed next to the VC-JWT, and the status
--    list likewise;
--  * the content version and content hash the cohort was taught, which the
--    credential cites and the achievement page publishes;
--  * yearly JP transcripts of a participant: credentials of their own kind
--    in the same table (same ids, verify page, status list and revocation),
--    with no cohort, the year and the certificates they list;
--  * the signed PDFs, signed once and stored so every fetch returns the
--    same bytes.

alter table certificates
    add column credential_di text,
    add column content_version integer,
    add column content_hash text,
    add column kind text not null default 'certificate',
    add column year integer,
    add column transcript_items jsonb,
    alter column cohort_id drop not null,
    add constraint certificates_kind_check check (kind in ('certificate', 'transcript')),
    add constraint certificates_kind_cohort_check
        check ((kind = 'certificate') = (cohort_id is not null)),
    add constraint certificates_kind_year_check
        check ((kind = 'transcript') = (year is not null and transcript_items is not null)),
    add constraint certificates_year_check check (year between 2000 and 2999),
    add constraint certificates_content_hash_check check (content_hash ~ '^[0-9a-f]{64}$');
create index certificates_user_year_idx on certificates (user_id, year) where kind = 'transcript';

-- What a certificate issued before this migration was taught: its cohort's
-- version (cohorts move forward only with an admin's edit, audited).
update certificates ce
   set content_version = c.content_version, content_hash = v.content_hash
  from cohorts c
  join content_versions v on v.programme_id = c.programme_id and v.version = c.content_version
 where ce.cohort_id = c.id;

-- The Data Integrity credential is written once, at issue or by the
-- server's start-up for certificates issued before it could (an update
-- `where credential_di is null`), and never changed after: no other
-- statement writes the column.

alter table status_lists add column credential_di text; -- the list with a Data Integrity proof

-- The status list is stored with both of its signed forms now.
drop function if exists cert_status_store(bigint, text);

create table certificate_pdfs (
    certificate_id text not null references certificates (id) on delete restrict,
    lang text not null,
    pdf bytea not null,
    signer text not null, -- the signing certificate's subject, as the PDF names it
    signed_at timestamptz not null default now(),
    primary key (certificate_id, lang),
    constraint certificate_pdfs_lang_check check (lang in ('id', 'en'))
);
