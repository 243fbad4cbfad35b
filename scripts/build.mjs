// Two bundles, made by esbuild:
// - dist/cli.cjs, the start-up bundle (CommonJS): src/cli.ts with commander and the command
//   tree, which is all that `cyclops --help` and parser errors run. CommonJS because Node loads
//   one CommonJS file faster than the same code as ES modules, and because bin/cyclops can then
//   compile it from V8's code cache (see there).
// - dist/lazy/*.mjs and dist/chunks/*.mjs, the actions (ES modules, split): every module the
//   start-up code loads with import() (the context, the reporter and chalk, the config loader,
//   every action's ops) is an entry here, and what those share or import() in turn (the AWS
//   SDK, zod + cosmiconfig, templates, pg) lands in chunks. In dist/cli.cjs each such import()
//   becomes an import() of its dist/lazy file.
// The modules both bundles use (src/errors, src/naming and a few pure helpers) exist once in
// each, so nothing may rely on their identity: cyclops errors carry a brand (isCyclopsError in
// src/errors.ts), never `instanceof`.
//
// Guards and extras:
// - checkStartup: the build fails when the start-up bundle includes a module that belongs
//   behind import() (see FORBIDDEN). A command file that imports ops, the config loader, the
//   reporter or chalk at top level is the usual cause: move it into the action
//   (`const { x } = await import('../ops/x')`).
// - dist/cli.mjs: the program as an ES module, for scripts that import buildProgram
//   (scripts/gen-commands-doc.mjs).
// - dist/help.txt: `cyclops --help` as the build's run printed it (see step 4).
// - dist/cli.cjs.<V8 version>.cache: V8's code cache for dist/cli.cjs, which the first run of
//   bin/cyclops on a Node writes (see there); the build makes that run (`--help`) for the
//   Node that builds.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json')));

/** Modules that must stay out of the start-up bundle (matched against esbuild input paths). */
// Every dependency but commander; the reporter (and chalk), the context, the config loader,
// planning and templates, the engines and the SDK boundary. Pure helpers that option parsers
// and command specs use (src/errors, src/naming, src/plan/inputs, src/plan/log-events,
// src/stacks/poll, src/aws/errors) are allowed.
export const FORBIDDEN = [
  /^node_modules\/(?!commander\/)/,
  /^templates\//,
  /^src\/(context|events)\.ts$/,
  /^src\/report\/(?!error-text\.ts$)/,
  /^src\/(store|database|ecs)\//,
  /^src\/plan\/(?!(inputs|log-events)\.ts$)/,
  /^src\/config\/(?!model|options)/,
  /^src\/ops\//,
  /^src\/aws\/(?!errors\.ts$)/,
  /^src\/stacks\/(?!poll\.ts$|types\.ts$)/,
];
/**
 * In the start-up bundle, an import() of one of cyclops's modules stays an import(), of that
 * module's entry in the action bundle (dist/lazy/<path below src>.mjs); `entries` collects them.
 */
function splitAtImport(entries) {
  return {
    name: 'split-at-import',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (a) => {
        if (a.kind !== 'dynamic-import' || a.pluginData?.resolving) return undefined;
        const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: { resolving: true } });
        if (r.errors.length) return { errors: r.errors };
        const name = `lazy/${path.relative(root, r.path).replace(/^src\//, '').replace(/\.[cm]?[jt]s$/, '')}`;
        entries[name] = r.path;
        return { path: `./${name}.mjs`, external: true };
      });
    },
  };
}

/**
 * Built-ins that the start-up code names at top level but --help and parser errors never call:
 * commander's child_process (for executable subcommands, which cyclops has none of). Loading it
 * (with net, dgram and streams) costs Node 22 about 8 ms of a 45 ms start (bench/startup.mjs),
 * so in the start-up bundle it is an object that requires the real module on first use. Only
 * for CommonJS users that read properties (esbuild's ESM interop would copy every key at load).
 */
const LAZY_BUILTINS = /^node:child_process$/;
function lazyBuiltins() {
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter: LAZY_BUILTINS }, (a) => ({ path: a.path.slice('node:'.length), namespace: 'lazy-builtin' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
        contents: `let m;const real=()=>(m??=require(${JSON.stringify(a.path)}));module.exports=new Proxy({},{get:(_,k)=>real()[k],has:(_,k)=>k in real(),ownKeys:()=>Reflect.ownKeys(real()),getOwnPropertyDescriptor:(_,k)=>Object.getOwnPropertyDescriptor(real(),k)});`,
        loader: 'js',
      }));
    },
  };
}

/** The loader bin/cyclops hands in (see there); loaded by plain require, import() resolves itself. */
const IMPORT = '__cyclopsImport';
const importFallback = `var ${IMPORT}=typeof ${IMPORT}=="function"?${IMPORT}:(p)=>import(p);`;

function checkStartup(meta, file) {
  const out = meta.outputs[file];
  const norm = (i) => i.replace(/^.*?node_modules\//, 'node_modules/');
  const bad = Object.keys(out.inputs).map(norm).filter((i) => FORBIDDEN.some((re) => re.test(i)));
  if (bad.length) {
    console.error(`build: the start-up bundle includes modules that belong behind import(): ${bad.join(', ')}`);
    console.error('build: a command file imports them at top level; import them inside the action instead (see src/commands/index.ts)');
    process.exit(1);
  }
  if (process.env.CYCLOPS_BUILD_VERBOSE) {
    const builtins = out.imports.filter((i) => i.external && i.kind !== 'dynamic-import').map((i) => i.path);
    console.error(`start-up: ${Object.keys(out.inputs).length} modules, ${(out.bytes / 1024).toFixed(1)} KiB; builtins ${[...new Set(builtins)].join(' ')}`);
  }
}

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  metafile: true,
  external: ['typescript', 'pg-native'],
  define: { CYCLOPS_VERSION: JSON.stringify(pkg.version) },
};

rmSync(path.join(root, 'dist'), { recursive: true, force: true });

// 1. The start-up bundle.
const entries = {};
const startup = await build({
  ...shared,
  entryPoints: { cli: path.join(root, 'src/cli.ts') },
  outdir: path.join(root, 'dist'),
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  write: false,
  plugins: [splitAtImport(entries), lazyBuiltins()],
});
const cliFile = path.join(root, 'dist/cli.cjs');
checkStartup(startup.metafile, path.relative(process.cwd(), cliFile));
// Each import() of dist/lazy goes through the loader bin/cyclops hands in: code that V8
// compiled from a code cache cannot use import() itself (Node 20 loses its import callback).
let code = startup.outputFiles[0].text.replace(/\bimport\((["'`])\.\/lazy\//g, `${IMPORT}($1./lazy/`);
if (/\bimport\(/.test(code)) {
  console.error('build: dist/cli.cjs has an import() the split did not rewrite (see splitAtImport in scripts/build.mjs)');
  process.exit(1);
}
code = code.replace(/^("use strict";)?/, (s) => s + importFallback);

// 2. The actions.
await build({
  ...shared,
  entryPoints: entries,
  outdir: path.join(root, 'dist'),
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cyclopsCreateRequire } from 'node:module'; const require = __cyclopsCreateRequire(import.meta.url);" },
});
writeFileSync(cliFile, code);
writeFileSync(
  path.join(root, 'dist/cli.mjs'),
  "// The program as an ES module, for scripts (bin/cyclops loads dist/cli.cjs).\nimport { createRequire } from 'node:module';\nconst cli = createRequire(import.meta.url)('./cli.cjs');\nexport const { buildProgram, main, eventsMarkdown } = cli;\n",
);

// 3. schema.json, the JSON Schema of config.json that the package ships ("$schema" in the
// configs `cyclops init` writes), from the action bundle's own copy of the zod schema.
const { configJsonSchema } = await import(pathToFileURL(path.join(root, 'dist/lazy/config/json-schema.mjs')).href);
writeFileSync(path.join(root, 'schema.json'), JSON.stringify(configJsonSchema(), null, 2) + '\n');

// 4. The code cache: the first run of bin/cyclops writes it (after a `--help` run it holds the
// functions that --help compiles). Its output, the program's help off a terminal (80 columns),
// is dist/help.txt, which bin/cyclops answers `--help` from when stdout is not a terminal.
const first = spawnSync(process.execPath, [path.join(root, 'bin/cyclops'), '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
if (first.status !== 0 || !first.stdout.length) {
  console.error(`build: bin/cyclops --help exited ${first.status}`);
  process.exit(1);
}
writeFileSync(path.join(root, 'dist/help.txt'), first.stdout);
