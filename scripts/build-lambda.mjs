#!/usr/bin/env node
// `npm run build:lambda`: bundles src/lambda/handler.ts (and everything it imports, AWS SDK included,
// so the function does not depend on the runtime's SDK version) into dist-lambda/index.mjs, the
// CodeUri of infra/template.yaml. Returns the esbuild metafile when imported (the test checks it).
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildLambda(outdir = `${root}dist-lambda`) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [`${root}src/lambda/handler.ts`],
    outfile: `${outdir}/index.mjs`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'linked',
    // Some bundled CommonJS dependencies call require(); give ESM output a require of its own.
    banner: {
      js: "import { createRequire as __credsweepRequire } from 'node:module'; const require = __credsweepRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const meta = await buildLambda();
  const [file, info] = Object.entries(meta.outputs).find(([f]) => f.endsWith('index.mjs'));
  console.log(`wrote ${file} (${(info.bytes / 1024).toFixed(0)} KiB)`);
}
