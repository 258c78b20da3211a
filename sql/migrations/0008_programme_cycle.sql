-- 0008_programme_cycle: what a training office needs to run a whole
-- programme from the web (issue 12).
--
--   * programme authors: instructors who edit a programme's content without
--     being on one of its cohorts (content_can_author reads them);
--   * assignments may cap the number of graded attempts (max_attempts): a
--     failed, released grade opens a new attempt until the cut-off;
--   * lesson attachments (images and PDF handouts) kept in PostgreSQL like
--     submission files, and the attachments of each published version;
--   * the signatory printed on certificates: append-only rows (a change is a
--     new row), a site default and a per-programme choice, PNG images
--     (signature, logo) stored once by their SHA-256, and each certificate
--     pointing at the signatory it was issued with.
-- Cohorts may now exist before the first published version: their
-- content_version stays null until one is published (already nullable).

-- ---- programme authors ----

create table programme_authors (
    programme_id text not null references programmes (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    added_at timestamptz not null default now(),
    added_by text references users (id) on delete set null,
    primary key (programme_id, user_id)
);
create index programme_authors_user_idx on programme_authors (user_id);
create index programme_authors_added_by_idx on programme_authors (added_by);

-- ---- attempts ----

alter table assignments add column max_attempts integer;
alter table assignments add constraint assignments_max_attempts_check
    check (max_attempts between 1 and 100);
alter table version_assignments add column max_attempts integer;

-- ---- lesson attachments ----

-- A file attached to a draft lesson. It outlives the draft lesson (lesson_id
-- set null) and its removal from the draft (removed_at) while a published
-- version still lists it, so published lessons never lose a picture.
create table lesson_attachments (
    id text primary key default sinau_new_id(),
    programme_id text not null references programmes (id) on delete cascade,
    lesson_id text references lessons (id) on delete set null,
    original_name text not null,
    content_type text not null,
    size_bytes bigint not null,
    sha256 text not null,
    data bytea not null,
    created_at timestamptz not null default now(),
    created_by text references users (id) on delete set null,
    removed_at timestamptz,
    constraint lesson_attachments_type_check check (
        content_type in ('image/png', 'image/jpeg', 'application/pdf')),
    constraint lesson_attachments_size_check check (size_bytes = octet_length(data)
                                                    and size_bytes > 0),
    constraint lesson_attachments_sha_check check (sha256 ~ '^[0-9a-f]{64}$'),
    constraint lesson_attachments_name_check check (length(original_name) between 1 and 200)
);
create index lesson_attachments_programme_idx on lesson_attachments (programme_id);
create index lesson_attachments_lesson_idx on lesson_attachments (lesson_id);
create index lesson_attachments_created_by_idx on lesson_attachments (created_by);

create table version_lesson_attachments (
    programme_id text not null,
    version integer not null,
    lesson_id text not null,
    attachment_id text not null references lesson_attachments (id) on delete cascade,
    position integer not null,
    primary key (programme_id, version, lesson_id, attachment_id),
    constraint version_lesson_attachments_lesson_fkey foreign key (programme_id, version, lesson_id)
        references version_lessons (programme_id, version, lesson_id) on delete cascade
);
create index version_lesson_attachments_attachment_idx
    on version_lesson_attachments (attachment_id);
create trigger version_lesson_attachments_immutable
    before update or delete on version_lesson_attachments
    for each row execute function content_refuse_change();

-- ---- the signatory of certificates ----

-- PNG images (a scanned signature, a logo), stored once by their hash.
create table cert_images (
    sha256 text primary key,
    data bytea not null,
    width integer not null,
    height integer not null,
    created_at timestamptz not null default now(),
    created_by text references users (id) on delete set null,
    constraint cert_images_sha_check check (sha256 ~ '^[0-9a-f]{64}$'),
    constraint cert_images_size_check check (octet_length(data) between 1 and 524288),
    constraint cert_images_dims_check check (width between 1 and 4000 and height between 1 and 4000)
);
create index cert_images_created_by_idx on cert_images (created_by);

-- Who signs: never changed once written (a certificate points at the row it
-- was issued with). The NIP is personal data: encrypted (AAD signatories,
-- nip, id) with a mask for the settings page.
create table signatories (
    id text primary key,
    programme_id text references programmes (id) on delete cascade, -- null: the site default
    organisation text not null,
    name text not null,
    title text not null,
    nip_enc text,
    nip_mask text,
    signature_sha text references cert_images (sha256),
    logo_sha text references cert_images (sha256),
    created_at timestamptz not null default clock_timestamp(),
    created_by text references users (id) on delete set null,
    constraint signatories_id_check check (id ~ '^[A-Za-z0-9_-]{22}$'),
    constraint signatories_text_check check (length(organisation) between 1 and 200
                                             and length(name) between 1 and 200
                                             and length(title) between 1 and 200),
    constraint signatories_nip_check check ((nip_enc is null) = (nip_mask is null))
);
create index signatories_programme_idx on signatories (programme_id, created_at);
create index signatories_signature_idx on signatories (signature_sha);
create index signatories_logo_idx on signatories (logo_sha);
create index signatories_created_by_idx on signatories (created_by);

-- The current choice: a programme's own (null: the site default), and the
-- site default (null: the server's configuration).
alter table programmes add column signatory_id text references signatories (id);
create index programmes_signatory_idx on programmes (signatory_id);
create table site_settings (
    id integer primary key default 1,
    signatory_id text references signatories (id),
    constraint site_settings_one_row check (id = 1)
);
create index site_settings_signatory_idx on site_settings (signatory_id);
insert into site_settings (id) values (1);

alter table certificates add column signatory_id text references signatories (id);
create index certificates_signatory_idx on certificates (signatory_id);

-- The functions of this migration live in sql/functions/ (one home each,
-- re-applied when changed); only those the schema itself calls stay here.

-- Functions whose arguments or results changed (their new form is in
-- sql/functions/, applied after this migration).
drop function if exists content_move_cohort(text, integer, text);
drop function if exists asg_queue(text, text, text, text, integer);
drop function if exists cert_verify_row(text);
