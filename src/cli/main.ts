#!/usr/bin/env node
import { processContext } from './context.ts';
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), processContext());
process.exitCode = code;
