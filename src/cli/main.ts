#!/usr/bin/env node
import { processContext } from './context.ts';
import { runCli } from './program.ts';

// On Node 20 the AWS SDK prints a nine-line notice about its future Node 22 requirement in the middle of
// our output, which would break the one-line error contract; the README states the supported versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader of standard output or error that went away (`| head`: EPIPE) is no reason to stop: the
// command finishes what it does (an apply mid-way, the history of --db) and exits as it would have;
// what it still writes there is lost, as the reader chose. The output that matters learns of a failed
// write from its own callbacks (src/files/safe-write.ts); this listener only keeps the stream's
// 'error' event from ending the process.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const code = await runCli(process.argv.slice(2), processContext());
process.exitCode = code;
