// Artifact checks over dist/, standing in for the parts of @grafana/plugin-validator that matter to a
// nested app (includesnested, nestedmetadata, metadatavalid, modulejs): the validator downloads its
// binary at first run and cannot run on these machines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// What Grafana's SystemJS import map provides to plugins (see .config/bundler/externals.ts and
// Grafana's sharedDependencies): anything else must be bundled.
const PROVIDED = [
  /^@grafana\/(data|ui|runtime|schema|i18n)(\/.*)?$/,
  /^react(\/jsx-runtime|\/jsx-dev-runtime)?$/,
  /^react-dom(\/client)?$/,
  /^(rxjs|rxjs\/operators|lodash|moment|jquery|d3|i18next|@emotion\/css|@emotion\/react|emotion|redux|react-redux|react-router|react-router-dom|prismjs|slate|slate-plain-serializer|@grafana\/slate-react)$/,
];
const ID_PATTERN = /^[a-z0-9]+-[a-z0-9]+-(app|datasource|panel)$/;

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    const detail = fn();
    passed++;
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${err.message.split('\n').join('\n     ')}`);
  }
}

/** Dependencies of an AMD module emitted by webpack: `define(["dep", ...], factory)` at the top level. */
function amdDependencies(source) {
  const m = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?define\(\s*(\[[^\]]*\])\s*,\s*(?:function|\()/.exec(source);
  if (!m) {
    throw new Error('not an AMD module: does not start with define([...], factory)');
  }
  return JSON.parse(m[1]);
}

const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

check('dist/ exists', () => assert.ok(fs.existsSync(path.join(dist, 'plugin.json')), 'run "npm run build" first'));
const app = readJson(path.join(dist, 'plugin.json'));

const nested = (app.includes ?? []).filter((i) => i.type === 'datasource' || i.type === 'panel');
const plugins = [{ dir: '', json: app }];

check('app plugin.json is an app with a valid id', () => {
  assert.equal(app.type, 'app');
  assert.match(app.id, ID_PATTERN);
  assert.ok(app.id.endsWith('-app'), `app id must end with -app: ${app.id}`);
  return app.id;
});

check('every nested plugin.json is declared in includes with matching type and path', () => {
  const found = [];
  for (const dir of fs.readdirSync(dist, { withFileTypes: true })) {
    const p = path.join(dist, dir.name, 'plugin.json');
    if (dir.isDirectory() && fs.existsSync(p)) {
      found.push(`${dir.name}/plugin.json`);
    }
  }
  assert.ok(found.length >= 2, `expected the datasource and the panel, found ${found.join(', ') || 'none'}`);
  for (const rel of found) {
    const json = readJson(path.join(dist, rel));
    const inc = nested.find((i) => i.path === rel);
    assert.ok(inc, `${rel} is not declared in the app's includes`);
    assert.equal(inc.type, json.type, `${rel}: includes says type ${inc.type}, plugin.json says ${json.type}`);
    plugins.push({ dir: path.dirname(rel), json });
  }
  for (const inc of nested) {
    assert.ok(found.includes(inc.path), `includes names ${inc.path}, which is not in dist/`);
  }
  return found.join(', ');
});

check('ids follow <org>-<name>-<type> and share the app org', () => {
  const org = app.id.split('-')[0];
  for (const { json } of plugins) {
    assert.match(json.id, ID_PATTERN, `bad id ${json.id}`);
    assert.ok(json.id.endsWith(`-${json.type}`), `${json.id} does not end with its type ${json.type}`);
    assert.equal(json.id.split('-')[0], org, `${json.id} is not in org ${org}`);
  }
  return plugins.map((p) => p.json.id).join(', ');
});

check('plugin.json placeholders substituted (version, date, id)', () => {
  for (const { dir, json } of plugins) {
    const text = fs.readFileSync(path.join(dist, dir, 'plugin.json'), 'utf8');
    assert.doesNotMatch(text, /%(VERSION|TODAY|PLUGIN_ID)%/, `${dir || '.'}/plugin.json still has a placeholder`);
    assert.equal(
      json.info.version,
      pkg.version,
      `${json.id}: version ${json.info.version} != package.json ${pkg.version}`
    );
    assert.match(json.info.updated, /^\d{4}-\d{2}-\d{2}$/);
  }
  return `version ${pkg.version}`;
});

check('grafanaDependency declared and identical everywhere', () => {
  const deps = new Set(plugins.map((p) => p.json.dependencies?.grafanaDependency));
  assert.equal(deps.size, 1, `differing grafanaDependency: ${[...deps].join(' / ')}`);
  const [dep] = deps;
  assert.match(dep, /^>=\d+\.\d+\.\d+/);
  return dep;
});

check('logos referenced by each plugin.json exist', () => {
  for (const { dir, json } of plugins) {
    for (const logo of Object.values(json.info.logos ?? {})) {
      assert.ok(fs.existsSync(path.join(dist, dir, logo)), `${json.id}: missing ${path.join(dir, logo)}`);
    }
  }
});

const sizes = [];
for (const { dir, json } of plugins) {
  check(`${dir || '.'}/module.js is AMD and imports only what Grafana provides`, () => {
    const file = path.join(dist, dir, 'module.js');
    const source = fs.readFileSync(file, 'utf8');
    const deps = amdDependencies(source).filter((d) => d !== 'module' && d !== 'exports' && d !== 'require');
    const unresolved = deps.filter((d) => !PROVIDED.some((re) => re.test(d)));
    assert.deepEqual(unresolved, [], `${json.id} leaves unresolved: ${unresolved.join(', ')}`);
    assert.ok(!/sourceMappingURL=data:/.test(source), 'inline source map in production build');
    // A minifier renames imported bindings, so a literal React.createElement means an undeclared global.
    assert.ok(!/\bReact\.createElement\b/.test(source), 'JSX compiled against a global React (check .swcrc)');
    sizes.push([json.id, fs.statSync(file).size]);
    return deps.join(', ');
  });
}

check('no stray lazy chunks next to nested modules (create-plugin bug #2172)', () => {
  const chunks = fs.readdirSync(dist).filter((f) => /^\d+\.js/.test(f));
  assert.deepEqual(
    chunks,
    [],
    `lazy chunks emitted at the app root would 404 for nested plugins: ${chunks.join(', ')}`
  );
});

check('the training worker and the wasm binaries sit next to the datasource module', () => {
  const dir = path.join(dist, 'datasource');
  const worker = fs.readFileSync(path.join(dir, 'trainWorker.js'), 'utf8');
  // A worker has no AMD loader: a define() wrapper or an external import would never run.
  assert.ok(!/^\s*(\/\*[\s\S]*?\*\/\s*)*define\(/.test(worker), 'trainWorker.js is AMD');
  assert.ok(!/require\(["'](react|@grafana\/)/.test(worker), 'trainWorker.js needs a Grafana external');
  const wasm = fs.readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    assert.ok(wasm.includes(f), `datasource/${f} missing`);
    const bytes = fs.readFileSync(path.join(dir, f));
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '\0asm', `${f} is not WebAssembly`);
  }
  sizes.push(['datasource/trainWorker.js (worker)', fs.statSync(path.join(dir, 'trainWorker.js')).size]);
  return `trainWorker.js, ${wasm.join(', ')}`;
});

console.log('\nbundle sizes:');
for (const [id, bytes] of sizes) {
  console.log(`  ${id.padEnd(36)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
