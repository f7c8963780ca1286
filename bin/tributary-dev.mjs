#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=50
// Development entry (`npm run dev -- <command>`): the TypeScript sources through tsx, no build.
// Users run bin/tributary.mjs (the built dist/).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv.slice(2));
