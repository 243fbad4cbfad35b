// Bundle with esbuild into ES module chunks (dist/*.mjs). The source is a CommonJS-style
// TypeScript project; the bundle uses ESM only so that esbuild can split it: everything a
// command loads with import() (the AWS SDK, zod + cosmiconfig, templates, pg, chalk and the
// reporter, every action's ops) lands in its own chunk, and `cyclops --help` and parser errors
// parse only the start-up chunk: commander and the command tree.
//
// Two guards keep start-up small:
// - lazyBuiltins: node:child_process (commander, for executable subcommands cyclops does not
//   have) and node:crypto (hashing in naming) are required on first use, not at start-up;
//   each costs 5-10 % of `node -e 0` to load. Only cyclops's sources and commander get the
//   facade; the SDK and pg import the real modules.
// - checkStartup: the build fails when the start-up chunk statically reaches a module that
//   belongs behind import() (see FORBIDDEN). A command file that imports ops, the config
//   loader, the reporter or chalk at top level is the usual cause: move it into the action
//   (`const { x } = await import('../ops/x')`).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));

/** Modules that must stay out of the start-up chunk (matched against esbuild input paths). */
// Every dependency but commander; the reporter (and chalk), the context, the config loader,
// planning and templates, the engines and the SDK boundary. Pure helpers that option parsers
// and command specs use (src/errors, src/naming, src/ops/inputs, src/stacks/poll, src/aws/errors)
// are allowed.
export const FORBIDDEN = [
  /^node_modules\/(?!commander\/)/,
  /^templates\//,
  /^src\/(context|events)\.ts$/,
  /^src\/(report|plan|store|database|services)\//,
  /^src\/config\/(?!model|options)/,
  /^src\/ops\/(?!inputs\.ts$)/,
  /^src\/aws\/(?!errors\.ts$)/,
  /^src\/stacks\/(?!poll\.ts$|types\.ts$)/,
];
const LAZY = ['node:child_process', 'node:crypto'];

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(${LAZY.join('|')})$`);
    // Only for cyclops's own sources and commander; dependencies keep their own imports.
    const ours = (importer) => /\/(src|templates)\//.test(importer) || /node_modules\/commander\//.test(importer);
    b.onResolve({ filter }, (a) =>
      a.namespace === 'file' && ours(a.importer) ? { path: a.path, namespace: 'lazy-builtin', pluginData: { cjs: a.kind === 'require-call' } } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (a) => {
      const load = `let m; const load = () => (m ??= require(${JSON.stringify(a.path)}));`;
      if (a.pluginData.cjs) {
        // require(): a proxy that loads the module on the first property read.
        return { loader: 'js', contents: `${load}\nmodule.exports = new Proxy({}, { get: (_, k) => load()[k] });` };
      }
      // import { f }: one wrapper per exported function (importing anything else fails the build).
      const mod = await import(a.path);
      const fns = Object.keys(mod.default).filter((k) => typeof mod.default[k] === 'function' && /^[a-z]\w*$/.test(k));
      return { loader: 'js', contents: `${load}\n${fns.map((f) => `export function ${f}(...a) { return load().${f}(...a); }`).join('\n')}` };
    });
  },
};

/** The inputs the entry chunk reaches through static imports (what `cyclops --help` loads). */
function startupInputs(meta, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  const inputs = [...seen].flatMap((f) => Object.keys(meta.outputs[f].inputs));
  const bytes = [...seen].reduce((n, f) => n + meta.outputs[f].bytes, 0);
  return { files: [...seen], inputs, bytes };
}

function checkStartup(meta) {
  const entry = Object.keys(meta.outputs).find((f) => f.endsWith('dist/cli.mjs') || f === 'dist/cli.mjs');
  const { files, inputs, bytes } = startupInputs(meta, entry);
  const norm = (i) => i.replace(/^.*?node_modules\//, 'node_modules/');
  const bad = inputs.map(norm).filter((i) => FORBIDDEN.some((re) => re.test(i)));
  if (bad.length) {
    console.error(`build: the start-up chunk includes modules that belong behind import(): ${bad.join(', ')}`);
    console.error('build: a command file imports them at top level; import them inside the action instead (see src/commands/index.ts)');
    process.exit(1);
  }
  const builtins = Object.values(meta.outputs[entry].imports).filter((i) => i.external).map((i) => i.path);
  if (process.env.CYCLOPS_BUILD_VERBOSE) console.error(`start-up: ${files.length} files, ${(bytes / 1024).toFixed(1)} KiB; builtins ${[...new Set(builtins)].join(' ')}`);
}

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [lazyBuiltins],
  external: ['typescript', 'pg-native'],
  define: { CYCLOPS_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cyclopsCreateRequire } from 'node:module'; const require = __cyclopsCreateRequire(import.meta.url);" },
});
checkStartup(result.metafile);
