#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npm start` and `npx tributary`: runs the TypeScript sources through tsx,
// so a fresh clone needs no build step. --max-semi-space-size=64: ingest allocates many short-lived
// strings (feed text, HTML, tokens); a larger young generation cut worker CPU by about a fifth in
// `npm run bench` (the flag only works on the command line, so every launcher passes it).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv.slice(2));
