// Loads framework-free TypeScript from src/core in plain Node (tests written as .mjs): transpiles the
// entry and every relative import it reaches to CommonJS in a temp folder with the project's own
// TypeScript, then requires it. No type checking here: `npm run typecheck` does that.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function resolveTs(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && !candidate.endsWith('/')) {
      return candidate;
    }
  }
  throw new Error(`cannot resolve ${spec} from ${fromFile}`);
}

/** require() of src/<relPath> (e.g. 'core/generator/index.ts'); call cleanup() when done. */
export function loadCore(relPath) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'gs-core-'));
  const todo = [path.join(SRC, relPath)];
  const seen = new Set();
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    const target = path.join(out, path.relative(SRC, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.json')) {
      writeFileSync(target, text);
      continue;
    }
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
      todo.push(resolveTs(file, m[1]));
    }
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    writeFileSync(target, js);
  }
  const mod = createRequire(import.meta.url)(path.join(out, relPath).replace(/\.ts$/, '.js'));
  return { mod, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}
