/**
 * Golden files: every template rendered from config.example.json, byte for byte.
 * UPDATE_GOLDEN=1 npx jest test/templates/golden.test.ts rewrites them after a deliberate change.
 */
import path from 'node:path';
import { fileName, renderAll } from '../../src/plan/all';
import { example } from './fixtures';
import { goldenFiles } from './golden-files';

const DIR = path.join(__dirname, 'golden');

describe('golden templates for config.example.json', () => {
  const rendered = renderAll(example());

  it('renders the platform, both environments and every app in each', () => {
    expect(rendered.map((r) => fileName(r))).toEqual([
      'platform.json',
      'cluster-staging.json',
      'app-staging-shop.json',
      'app-staging-api.json',
      'app-staging-docs.json',
      'cluster-production.json',
      'app-production-shop.json',
      'app-production-api.json',
      'app-production-docs.json',
    ]);
  });

  goldenFiles(DIR, rendered, 'test/templates/golden.test.ts');
});
