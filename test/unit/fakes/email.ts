/**
 * In-memory SES and SMTP users for the unit fakes: IAM users with their keys (two at most, as
 * IAM), the smtp secrets by version stage, and SES's account and identities. Every call is
 * recorded through `call` as "email.<method>".
 */
import type { IamUser } from '../../../src/aws/iam';
import type { SesAccount, SesIdentity } from '../../../src/aws/sesv2';
import type { EmailApi } from '../../../src/ops/context';

export interface FakeEmail {
  api: EmailApi;
  users: Map<string, IamUser & { policies: Record<string, string> }>;
  /** access keys per user, in creation order, with their secret halves */
  keys: Map<string, { id: string; secret: string; created: Date }[]>;
  /** secret name → versions, newest last (current = last, previous = the one before) */
  secrets: Map<string, { value: string; tags: Record<string, string> }[]>;
  sesAccount: SesAccount;
  identities: Map<string, SesIdentity>;
}

export function fakeEmail(call: (name: string) => Promise<void>, tick: () => Date): FakeEmail {
  let n = 0;
  const f: FakeEmail = {
    users: new Map(),
    keys: new Map(),
    secrets: new Map(),
    sesAccount: { sandbox: true, sendingEnabled: true, max24HourSend: 200 },
    identities: new Map(),
    api: undefined as unknown as EmailApi,
  };
  const username = (v?: { value: string }) => (v ? (JSON.parse(v.value) as { username: string }).username : null);
  const noUser = (name: string) => new Error(`NoSuchEntity: user ${name}`);
  f.api = {
    user: async (name) => {
      await call('email.user');
      const u = f.users.get(name);
      return u ? { arn: u.arn, path: u.path, ...(u.boundary ? { boundary: u.boundary } : {}), tags: u.tags } : null;
    },
    createUser: async (u) => {
      await call('email.createUser');
      const arn = `arn:aws:iam::123456789012:user${u.path}${u.name}`;
      f.users.set(u.name, { arn, path: u.path, boundary: u.boundary, tags: Object.fromEntries(u.tags.map((t) => [t.Key, t.Value])), policies: {} });
      f.keys.set(u.name, []);
      return arn;
    },
    setBoundary: async (name, boundary) => {
      await call('email.setBoundary');
      f.users.get(name)!.boundary = boundary;
    },
    putPolicy: async (name, policy, document) => {
      await call('email.putPolicy');
      f.users.get(name)!.policies[policy] = document;
    },
    keys: async (name) => {
      await call('email.keys');
      return (f.keys.get(name) ?? []).map((k) => ({ id: k.id, created: k.created, status: 'Active' }));
    },
    createKey: async (name) => {
      await call('email.createKey');
      const keys = f.keys.get(name);
      if (!keys) throw noUser(name);
      if (keys.length >= 2) throw new Error(`LimitExceeded: ${name} has two access keys`);
      const key = { id: `AKIAFAKE${String(++n).padStart(12, '0')}`, secret: `fake-secret-key-${n}-${'x'.repeat(24)}`, created: tick() };
      keys.push(key);
      return { ...key };
    },
    deleteKey: async (name, id) => {
      await call('email.deleteKey');
      const keys = f.keys.get(name) ?? [];
      const i = keys.findIndex((k) => k.id === id);
      if (i >= 0) keys.splice(i, 1);
      return i >= 0;
    },
    deleteUser: async (name) => {
      await call('email.deleteUser');
      if ((f.keys.get(name) ?? []).length) throw new Error(`DeleteConflict: ${name} still has keys`);
      f.keys.delete(name);
      return f.users.delete(name);
    },
    storedUsernames: async (secret) => {
      await call('email.storedUsernames');
      const v = f.secrets.get(secret) ?? [];
      return { current: username(v.at(-1)), previous: username(v.at(-2)) };
    },
    store: async (secret, value, tags) => {
      await call('email.store');
      f.secrets.set(secret, [...(f.secrets.get(secret) ?? []), { value, tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])) }]);
      return { arn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secret}-AbCdEf` };
    },
    secretExists: async (secret) => {
      await call('email.secretExists');
      return f.secrets.has(secret);
    },
    deleteSecret: async (secret, platform) => {
      await call('email.deleteSecret');
      const v = f.secrets.get(secret);
      if (!v) return 'missing';
      if (v.at(-1)!.tags['cyclops:platform'] !== platform) return 'not-ours';
      f.secrets.delete(secret);
      return 'deleted';
    },
    account: async () => {
      await call('email.account');
      return f.sesAccount;
    },
    identity: async (domain) => {
      await call('email.identity');
      return f.identities.get(domain) ?? null;
    },
  };
  return f;
}
