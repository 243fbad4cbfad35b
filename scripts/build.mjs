// Bundle with esbuild into ES module chunks (dist/*.mjs). The source is a CommonJS-style
// TypeScript project; the bundle uses ESM only so that esbuild can split it: everything a
// command loads with import() (the AWS SDK, zod + cosmiconfig, templates, pg) lands in its own
// chunk, and `cyclops --version`, `--help` and offline commands parse only what they use.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
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
  external: ['typescript', 'pg-native'],
  define: { CYCLOPS_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cyclopsCreateRequire } from 'node:module'; const require = __cyclopsCreateRequire(import.meta.url);" },
});
