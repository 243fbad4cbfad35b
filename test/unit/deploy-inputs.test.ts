import { parseImage } from '../../src/plan/inputs';
import { CyclopsError } from '../../src/errors';

const digest = 'sha256:' + 'a'.repeat(64);

test.each([
  ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
  ['registry.example.com:5000/team/web:2024.11.22-rc1', { repository: 'registry.example.com:5000/team/web', tag: '2024.11.22-rc1' }],
  ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/shop:abc123', { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/shop', tag: 'abc123' }],
  [`ghcr.io/acme/api@${digest}`, { repository: 'ghcr.io/acme/api', digest }],
  [`ghcr.io/acme/api:v1@${digest}`, { repository: 'ghcr.io/acme/api', tag: 'v1', digest }],
])('accepts %s', (image, expected) => {
  expect(parseImage(image)).toEqual(expect.objectContaining(expected));
});

test.each([
  ['nginx', /has no tag or digest; deploy an explicit version such as nginx:1.0.0/],
  ['Nginx:1', /is not an image reference/],
  ['nginx:', /is not an image reference/],
  ['nginx:1 ; rm -rf /', /is not an image reference/],
  ['ghcr.io/acme/api@sha256:abc', /is not an image reference/],
  ['', /is not an image reference/],
])('rejects %j with exit code 2', (image, message) => {
  try {
    parseImage(image);
    throw new Error('accepted');
  } catch (e) {
    expect(e).toBeInstanceOf(CyclopsError);
    expect((e as CyclopsError).exitCode).toBe(2);
    expect((e as CyclopsError).message).toMatch(message);
  }
});
