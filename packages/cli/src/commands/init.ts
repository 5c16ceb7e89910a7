import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MANIFEST_FILE, manifestTemplate, parseManifest } from '../manifest.js';

/** `stratus init`: writes a stratus.yml with the default stack, refusing to overwrite one. */
export function init(opts: { file?: string; force?: boolean }): void {
  const file = resolve(opts.file ?? MANIFEST_FILE);
  const text = manifestTemplate(dirname(file));
  const manifest = parseManifest(text, { file, baseDir: dirname(file) });
  try {
    writeFileSync(file, text, { flag: opts.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${opts.file ?? MANIFEST_FILE} already exists (use --force to overwrite it)`);
    throw error;
  }
  process.stdout.write(
    `wrote ${opts.file ?? MANIFEST_FILE} with ${manifest.processes.length} processes (${manifest.processes
      .map((p) => p.name)
      .join(', ')}); add your own and run npx stratus up\n`,
  );
}
