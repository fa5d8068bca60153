/** The default thread count for a credential report file (src/audit/report-workers/report-jobs.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultReportJobs,
  MAX_DEFAULT_JOBS,
  THREADS_FROM_BYTES,
} from '../../../src/audit/report-workers/report-jobs.ts';

describe('defaultReportJobs', () => {
  it('one thread below 16 MiB, whatever the cores', () => {
    assert.equal(defaultReportJobs(0, 8), 1);
    assert.equal(defaultReportJobs(THREADS_FROM_BYTES - 1, 8), 1);
  });
  it('from 16 MiB: one thread per core, at most MAX_DEFAULT_JOBS', () => {
    assert.equal(defaultReportJobs(THREADS_FROM_BYTES, 1), 1);
    assert.equal(defaultReportJobs(THREADS_FROM_BYTES, 2), 2);
    assert.equal(defaultReportJobs(230 << 20, 64), MAX_DEFAULT_JOBS);
    assert.equal(defaultReportJobs(230 << 20, 0), 1);
  });
});
