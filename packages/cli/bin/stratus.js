#!/usr/bin/env node
// The `stratus` command; compiled code lives in ../dist (run `npm run build` first).
import { main } from '../dist/index.js';

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
