import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema. Written by hand (not generated) so that names, foreign
 * keys, CHECK constraints on enumerations and the indexes the scheduler and
 * the UI need are deliberate and readable.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    const now = 'timestamptz NOT NULL DEFAULT now()';
    const id = 'uuid PRIMARY KEY DEFAULT gen_random_uuid()';

    await sql(`CREATE TABLE labs (id ${id}, name text NOT NULL UNIQUE, description text, created_at ${now})`);
    await sql(`CREATE TABLE agents (
      id ${id}, lab_id uuid NOT NULL REFERENCES labs(id) ON DELETE CASCADE, name text NOT NULL,
      token_hash text NOT NULL UNIQUE, version text, last_heartbeat_at timestamptz, created_at ${now},
      CONSTRAINT agents_lab_name_uq UNIQUE (lab_id, name))`);

    await sql(`CREATE TABLE machines (
      id ${id}, name text NOT NULL UNIQUE, lab_id uuid NOT NULL REFERENCES labs(id) ON DELETE RESTRICT,
      arch text NOT NULL CHECK (arch IN ('x86_64','arm64','s390x','ppc64le')),
      platform text NOT NULL CHECK (platform IN ('x86-server','thunderx2','power9','z15-lpar')),
      memory_mib integer NOT NULL CHECK (memory_mib > 0), cpus integer NOT NULL DEFAULT 1,
      tags text[] NOT NULL DEFAULT '{}', power jsonb NOT NULL, console jsonb NOT NULL, boot jsonb NOT NULL,
      ssh jsonb, hotplug jsonb,
      health text NOT NULL DEFAULT 'unknown' CHECK (health IN ('good','unknown','bad','maintenance','retired')),
      health_changed_at ${now}, description text,
      lease_run_id uuid, lease_expires_at timestamptz, lease_token bigint NOT NULL DEFAULT 0,
      created_at ${now}, updated_at ${now})`);
    await sql(`CREATE INDEX machines_arch_health_idx ON machines (arch, health)`);
    await sql(`CREATE INDEX machines_tags_idx ON machines USING gin (tags)`);
    await sql(`CREATE INDEX machines_lease_idx ON machines (lease_expires_at) WHERE lease_run_id IS NOT NULL`);
    await sql(`CREATE TABLE machine_secrets (
      id ${id}, machine_id uuid NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('power-password','console-password','ssh-password','ssh-private-key')),
      ciphertext text NOT NULL, updated_at ${now}, CONSTRAINT machine_secrets_machine_kind_uq UNIQUE (machine_id, kind))`);
    await sql(`CREATE TABLE machine_health_events (
      id bigserial PRIMARY KEY, machine_id uuid NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
      from_state text, to_state text NOT NULL, reason text NOT NULL, actor text, at ${now})`);
    await sql(`CREATE INDEX machine_health_events_machine_at_idx ON machine_health_events (machine_id, at DESC)`);

    await sql(`CREATE TABLE kernel_trees (id ${id}, name text NOT NULL UNIQUE, url text NOT NULL UNIQUE, created_at ${now})`);
    await sql(`CREATE TABLE builds (
      id ${id}, tree_id uuid REFERENCES kernel_trees(id) ON DELETE SET NULL, tree_url text NOT NULL, ref text NOT NULL,
      commit text, patches jsonb NOT NULL DEFAULT '[]', config jsonb NOT NULL,
      arch text NOT NULL CHECK (arch IN ('x86_64','arm64','s390x','ppc64le')), toolchain text NOT NULL DEFAULT 'gcc',
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','PASS','FAIL','ERROR')),
      title text, content_hash text, artifacts jsonb NOT NULL DEFAULT '{}', metadata jsonb NOT NULL DEFAULT '{}',
      created_at ${now}, started_at timestamptz, finished_at timestamptz)`);
    await sql(`CREATE INDEX builds_status_created_idx ON builds (status, created_at DESC)`);
    await sql(`CREATE INDEX builds_content_hash_idx ON builds (content_hash) WHERE content_hash IS NOT NULL`);

    await sql(`CREATE TABLE users (
      id ${id}, name text NOT NULL UNIQUE, role text NOT NULL CHECK (role IN ('viewer','operator','admin')),
      disabled boolean NOT NULL DEFAULT false, created_at ${now})`);
    await sql(`CREATE TABLE api_tokens (
      id ${id}, user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE, name text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer','operator','admin')), token_hash text NOT NULL UNIQUE, prefix text NOT NULL,
      created_at ${now}, last_used_at timestamptz, expires_at timestamptz, revoked_at timestamptz)`);
    await sql(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);

    await sql(`CREATE TABLE jobs (
      id ${id}, name text, spec jsonb NOT NULL,
      arch text NOT NULL CHECK (arch IN ('x86_64','arm64','s390x','ppc64le')), priority integer NOT NULL CHECK (priority BETWEEN 0 AND 100),
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','finished','canceled')),
      verdict text CHECK (verdict IN ('PASS','FAIL','ERROR','CANCELED','DONE')), verdict_reason text,
      submitted_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at ${now}, updated_at ${now}, finished_at timestamptz)`);
    // The scheduler takes queued jobs by priority then age; the UI lists newest first, by user.
    await sql(`CREATE INDEX jobs_queue_idx ON jobs (priority DESC, created_at) WHERE state = 'queued'`);
    await sql(`CREATE INDEX jobs_state_created_idx ON jobs (state, created_at DESC)`);
    await sql(`CREATE INDEX jobs_created_idx ON jobs (created_at DESC)`);
    await sql(`CREATE INDEX jobs_submitter_idx ON jobs (submitted_by, created_at DESC)`);

    await sql(`CREATE TABLE runs (
      id ${id}, job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      machine_id uuid REFERENCES machines(id) ON DELETE SET NULL, build_id uuid REFERENCES builds(id) ON DELETE SET NULL,
      iteration integer NOT NULL DEFAULT 0, attempt integer NOT NULL DEFAULT 1,
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','finished')),
      verdict text CHECK (verdict IN ('PASS','FAIL','ERROR','CANCELED','DONE')), verdict_reason text, failed_step text,
      kernel_version text, milestones jsonb NOT NULL DEFAULT '[]', lease_token bigint, console_lines bigint NOT NULL DEFAULT 0,
      created_at ${now}, started_at timestamptz, finished_at timestamptz,
      CONSTRAINT runs_job_iteration_attempt_uq UNIQUE (job_id, iteration, attempt))`);
    await sql(`CREATE INDEX runs_machine_created_idx ON runs (machine_id, created_at DESC)`);
    await sql(`CREATE INDEX runs_state_created_idx ON runs (state, created_at)`);
    await sql(`CREATE TABLE run_steps (
      id bigserial PRIMARY KEY, run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq integer NOT NULL,
      name text NOT NULL CHECK (name IN ('reserve','console','deploy','power','boot','test','collect','recover','release')),
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','ok','failed','skipped')),
      timeout_seconds integer, started_at timestamptz, finished_at timestamptz, error text,
      CONSTRAINT run_steps_run_seq_uq UNIQUE (run_id, seq))`);
    await sql(`CREATE TABLE console_chunks (
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq_from bigint NOT NULL, seq_to bigint NOT NULL,
      line_count integer NOT NULL, raw_bytes integer NOT NULL, data bytea NOT NULL, created_at ${now},
      PRIMARY KEY (run_id, seq_from), CHECK (seq_to >= seq_from))`);

    await sql(`CREATE TABLE crashes (
      id ${id}, title text NOT NULL UNIQUE, type text NOT NULL, frame text, count integer NOT NULL DEFAULT 0,
      arches text[] NOT NULL DEFAULT '{}', first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL)`);
    await sql(`CREATE INDEX crashes_last_seen_idx ON crashes (last_seen DESC)`);
    await sql(`CREATE TABLE crash_occurrences (
      id ${id}, crash_id uuid NOT NULL REFERENCES crashes(id) ON DELETE CASCADE,
      run_id uuid REFERENCES runs(id) ON DELETE SET NULL, machine_id uuid REFERENCES machines(id) ON DELETE SET NULL,
      arch text NOT NULL, kernel_version text, corrupted boolean NOT NULL DEFAULT false, count integer NOT NULL DEFAULT 1,
      report text NOT NULL, at ${now})`);
    await sql(`CREATE INDEX crash_occurrences_crash_at_idx ON crash_occurrences (crash_id, at DESC)`);
    await sql(`CREATE INDEX crash_occurrences_run_idx ON crash_occurrences (run_id)`);

    await sql(`CREATE TABLE measurements (
      id bigserial PRIMARY KEY, run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, build_id uuid REFERENCES builds(id) ON DELETE SET NULL,
      machine_id uuid REFERENCES machines(id) ON DELETE SET NULL, arch text NOT NULL, payload text NOT NULL, metric text NOT NULL,
      iteration integer NOT NULL DEFAULT 0, value double precision NOT NULL, unit text NOT NULL, created_at ${now})`);
    await sql(`CREATE INDEX measurements_metric_machine_idx ON measurements (metric, machine_id, created_at)`);
    await sql(`CREATE INDEX measurements_run_idx ON measurements (run_id)`);
    await sql(`CREATE INDEX measurements_build_metric_idx ON measurements (build_id, metric)`);
    await sql(`CREATE INDEX measurements_job_metric_idx ON measurements (job_id, metric)`);

    await sql(`CREATE TABLE comparisons (
      id ${id}, baseline jsonb NOT NULL, candidate jsonb NOT NULL, results jsonb NOT NULL DEFAULT '[]', verdict text,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL, created_at ${now})`);
    await sql(`CREATE INDEX comparisons_created_idx ON comparisons (created_at DESC)`);
    await sql(`CREATE TABLE bisections (
      id ${id}, state text NOT NULL DEFAULT 'running', good_ref text NOT NULL, bad_ref text NOT NULL, criterion text NOT NULL,
      spec jsonb NOT NULL, steps jsonb NOT NULL DEFAULT '[]', culprit text, conclusion text,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL, created_at ${now}, finished_at timestamptz)`);
    await sql(`CREATE INDEX bisections_state_created_idx ON bisections (state, created_at DESC)`);

    await sql(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY, at ${now}, actor_user_id uuid, actor_token_id uuid, action text NOT NULL,
      target_type text NOT NULL, target_id text, details jsonb NOT NULL DEFAULT '{}', remote_address text)`);
    await sql(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC)`);
    await sql(`CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, at DESC)`);
    await sql(`CREATE TABLE notification_routes (
      id ${id}, name text NOT NULL UNIQUE, kind text NOT NULL DEFAULT 'slack', channel text NOT NULL,
      match jsonb NOT NULL DEFAULT '{}', enabled boolean NOT NULL DEFAULT true, created_at ${now})`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'notification_routes', 'audit_log', 'bisections', 'comparisons', 'measurements', 'crash_occurrences', 'crashes',
      'console_chunks', 'run_steps', 'runs', 'jobs', 'api_tokens', 'users', 'builds', 'kernel_trees',
      'machine_health_events', 'machine_secrets', 'machines', 'agents', 'labs',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
