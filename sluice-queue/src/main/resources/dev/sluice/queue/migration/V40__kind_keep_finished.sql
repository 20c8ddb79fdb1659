-- Per kind: whether a completed job leaves a row in job_finished (KindPolicy.keepFinished). Off saves
-- one INSERT per completion for high-volume kinds nobody looks up once done; dead and cancelled jobs
-- still go to job_dead and dedupe keys stay in job_dedupe either way.
ALTER TABLE job_kind ADD COLUMN keep_finished boolean NOT NULL DEFAULT true;
