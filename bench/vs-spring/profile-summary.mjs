#!/usr/bin/env node
// Summarises a V8 CPU profile (`node --cpu-prof`): the top functions by self time and by total
// (inclusive) time, with their share of all samples.
// Usage: node bench/vs-spring/profile-summary.mjs <file.cpuprofile> [--top=25]
import { readFile } from 'node:fs/promises';

const file = process.argv[2];
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 25);
if (file === undefined) {
  console.error('usage: profile-summary.mjs <file.cpuprofile> [--top=25]');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const total = profile.samples.length;

const nameOf = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const inclusive = new Map();
for (const [id, count] of selfSamples) {
  const node = byId.get(id);
  self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + count);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const name = nameOf(byId.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + count);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (${total} samples)`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
};
print('self time', self);
print('total time', inclusive);
