#!/usr/bin/env node
import { processContext } from './context.ts';
import { runCli } from './program.ts';

// On Node 20 the AWS SDK prints a nine-line notice about its future Node 22 requirement in the middle of
// our output, which would break the one-line error contract; the README states the supported versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
}

const code = await runCli(process.argv.slice(2), processContext());
process.exitCode = code;
