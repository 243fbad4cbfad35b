// Two bundles: dist/cli.js (everything but the AWS SDK) and dist/sdk.js (the SDK), which
// cli.js loads with a lazy require only when a command talks to AWS. That keeps start-up
// near `node -e 0` for --version, --help and synth.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['typescript', 'pg-native'],
  define: { CYCLOPS_VERSION: JSON.stringify(pkg.version) },
};

const sdkExternal = {
  name: 'sdk-external',
  setup(b) {
    // src/aws/client.ts does `import('./sdk')`; keep it a runtime require of ./sdk.js.
    b.onResolve({ filter: /^\.\/sdk$/ }, (args) =>
      args.importer.includes('/src/aws/') ? { path: './sdk.js', external: true } : undefined,
    );
  },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', plugins: [sdkExternal] }),
  build({ ...common, entryPoints: ['src/aws/sdk.ts'], outfile: 'dist/sdk.js' }),
]);
