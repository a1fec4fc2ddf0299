/**
 * The schema, as numbered steps. A step is never edited once released: a change is a new step, so
 * every database reaches the same schema whichever version it started from. `S` stands for the
 * quoted schema name.
 */
export type Migration = { version: number; description: string; statements: (schema: string) => string[] };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions, transcripts, entries, leases',
    statements: (S) => [
      // One row per session: the unit of locking, expiry and listing.
      `CREATE TABLE ${S}.sessions (
        project_key  text NOT NULL,
        session_id   text NOT NULL,
        mtime        bigint,
        summary      jsonb,
        summary_text text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz,
        PRIMARY KEY (project_key, session_id)
      )`,
      `CREATE INDEX sessions_expires_at ON ${S}.sessions (expires_at) WHERE expires_at IS NOT NULL`,
      // One row per transcript: the main one (subpath '') and each subkey.
      `CREATE TABLE ${S}.transcripts (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        project_key   text NOT NULL,
        session_id    text NOT NULL,
        subpath       text NOT NULL,
        length        bigint NOT NULL,
        last_uuid     text,
        last_boundary bigint,
        UNIQUE (project_key, session_id, subpath),
        FOREIGN KEY (project_key, session_id) REFERENCES ${S}.sessions ON DELETE CASCADE
      )`,
      `CREATE TABLE ${S}.entries (
        transcript_id bigint NOT NULL REFERENCES ${S}.transcripts (id) ON DELETE CASCADE,
        seq           bigint NOT NULL,
        uuid          text,
        entry         jsonb,
        entry_text    text,
        PRIMARY KEY (transcript_id, seq),
        CHECK ((entry IS NULL) <> (entry_text IS NULL))
      )`,
      `CREATE UNIQUE INDEX entries_uuid ON ${S}.entries (transcript_id, uuid) WHERE uuid IS NOT NULL`,
      // Apart from the sessions, so deleting or expiring a session keeps its lease fenced.
      `CREATE TABLE ${S}.leases (
        project_key text NOT NULL,
        session_id  text NOT NULL,
        holder      text NOT NULL,
        token       bigint NOT NULL,
        expires_at  timestamptz NOT NULL,
        PRIMARY KEY (project_key, session_id)
      )`,
      `CREATE SEQUENCE ${S}.lease_tokens`,
    ],
  },
];

/** The schema version this release of the store reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
