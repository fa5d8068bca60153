/**
 * Temporary files and signals (src/files/temp-files.ts). The signal cases run in a child process,
 * since the handler ends the process it runs in.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createTempFile, liveTempFiles } from '../../src/files/temp-files.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsweep-temp-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MODULE = pathToFileURL(join(REPO_ROOT, 'src/files/temp-files.ts')).href;

/** Runs `body` (ESM, `createTempFile` and `open` in scope, `path` the file) in a child process. */
function inChild(path: string, body: string) {
  const script = `import { createTempFile } from ${JSON.stringify(MODULE)};
import { open } from 'node:fs/promises';
const path = ${JSON.stringify(path)};
${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('createTempFile', () => {
  it('a Ctrl-C while the file is being created removes it once it exists, and ends the run as interrupted', async () => {
    const path = join(dir, 'mid-open.tmp');
    const run = inChild(
      path,
      `await createTempFile(path, async () => {
  const handle = await open(path, 'wx', 0o600);
  process.kill(process.pid, 'SIGINT'); // the file is on disk, the creation not yet returned
  await new Promise((ok) => setTimeout(ok, 200));
  return handle;
});
console.log('not reached');`,
    );
    assert.equal(run.signal, 'SIGINT', `ends as interrupted (${run.stderr})`);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(path), false, 'the file is removed');
  });

  it('a Ctrl-C after the creation removes the file (the handler is the one installed before it)', async () => {
    const path = join(dir, 'after-open.tmp');
    const run = inChild(
      path,
      `await createTempFile(path, () => open(path, 'wx', 0o600));
process.kill(process.pid, 'SIGINT');
await new Promise((ok) => setTimeout(ok, 200));
console.log('not reached');`,
    );
    assert.equal(run.signal, 'SIGINT', `ends as interrupted (${run.stderr})`);
    assert.equal(existsSync(path), false);
  });

  it('a creation that fails (the name is taken) is forgotten and leaves no signal handler behind', async () => {
    const path = join(dir, 'taken.tmp');
    await writeFile(path, 'somebody else’s');
    const handlers = process.listenerCount('SIGINT');
    await assert.rejects(
      createTempFile(path, () => open(path, 'wx', 0o600)),
      { code: 'EEXIST' },
    );
    assert.deepEqual(liveTempFiles(), []);
    assert.equal(process.listenerCount('SIGINT'), handlers);
    assert.equal(existsSync(path), true, 'a file it did not create is never removed');
  });
});
