/**
 * What a CLI process loads before it knows what it needs (dist, as the package runs it): the static
 * module graph of the entry point, of each command's module and of the live audit's first stage.
 * Every package here costs each `credsweep` run CPU at start-up (docs/performance.md, Start-up:
 * the AWS SDK's client packages 0.1-0.3 s each, zod ~0.1 s, yaml ~0.05 s), so what a command needs
 * only once it runs is imported there (dynamic `import()`, not followed here), and these tests keep
 * the cut from quietly coming back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { staticModuleGraph } from '../helpers/module-graph.ts';

/** The packages a dist module loads through static imports, its own and its imports' (transitively). */
const packagesLoaded = (entry: string): string[] => staticModuleGraph(entry).packages;

describe('CLI start-up: packages loaded before they are needed', () => {
  it('--version and the overview load no package, commander included', () => {
    assert.deepEqual(packagesLoaded('dist/cli/main.js'), []);
  });

  it('audit loads its parser: no zod, yaml, cli-progress, AWS SDK or reporter (they load by format)', () => {
    assert.deepEqual(packagesLoaded('dist/cli/commands/audit.js'), ['commander', 'papaparse']);
  });

  it('plan, apply, undo, permissions and export load only commander until they run', () => {
    for (const command of ['plan', 'apply', 'undo', 'permissions', 'export']) {
      assert.deepEqual(packagesLoaded(`dist/cli/commands/${command}.js`), ['commander'], command);
    }
  });

  it('the AWS clients module loads the IAM, STS and Organizations clients only', () => {
    assert.deepEqual(packagesLoaded('dist/aws/clients.js'), [
      '@aws-sdk/client-iam',
      '@aws-sdk/client-organizations',
      '@aws-sdk/client-sts',
      '@aws-sdk/credential-providers',
    ]);
  });

  it('a live audit, plan, apply or undo loads no SDK package of a service it may not call', () => {
    const unasked = [
      '@aws-sdk/client-accessanalyzer',
      '@aws-sdk/client-athena',
      '@aws-sdk/client-cloudtrail',
      '@aws-sdk/client-securityhub',
    ];
    for (const entry of [
      'dist/audit/collect-live.js',
      'dist/cli/run/plan.js',
      'dist/cli/run/apply.js',
      'dist/cli/run/undo.js',
    ]) {
      const loaded = packagesLoaded(entry);
      assert.deepEqual(
        unasked.filter((p) => loaded.includes(p)),
        [],
        entry,
      );
    }
  });
});
