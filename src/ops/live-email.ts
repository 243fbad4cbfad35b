/** EmailApi bound to AWS: IAM users and keys, the smtp secret, and SES v2's account and identity reads. */
import type { Aws } from '../aws/client';
import { TAG_PLATFORM } from '../naming';
import type { EmailApi } from './context';

/** The user name a stored SMTP secret holds; the password is parsed and dropped here. */
const usernameOf = (text: string | undefined): string | null => {
  try {
    const v = JSON.parse(text ?? '') as { username?: unknown };
    return typeof v.username === 'string' && v.username ? v.username : null;
  } catch {
    return null;
  }
};

export function liveEmail(aws: Aws): EmailApi {
  const iam = () => import('../aws/iam');
  const sm = () => import('../aws/secrets');
  const ses = () => import('../aws/sesv2');
  return {
    user: async (name) => (await iam()).getUser(aws, name),
    createUser: async (u) => (await iam()).createUser(aws, u),
    setBoundary: async (name, boundary) => (await iam()).putUserBoundary(aws, name, boundary),
    putPolicy: async (name, policy, document) => (await iam()).putUserPolicy(aws, name, policy, document),
    keys: async (name) => (await iam()).listAccessKeys(aws, name),
    createKey: async (name) => (await iam()).createAccessKey(aws, name),
    deleteKey: async (name, id) => (await iam()).deleteAccessKey(aws, name, id),
    deleteUser: async (name) => (await iam()).deleteUser(aws, name),
    storedUsernames: async (secret) => {
      const { getSecret } = await sm();
      const current = await getSecret(aws, secret, `read secret ${secret}`);
      // a secret with one version has no AWSPREVIOUS: ResourceNotFound, read as none
      const previous = current ? await getSecret(aws, secret, `read secret ${secret} (previous version)`, 'AWSPREVIOUS') : null;
      return { current: usernameOf(current?.text), previous: usernameOf(previous?.text) };
    },
    store: async (secret, value, tags) => {
      const { describeSecret, restoreSecret, putOrCreateSecret } = await sm();
      const found = await describeSecret(aws, secret);
      if (found?.deletedAt) await restoreSecret(aws, found.arn);
      const out = await putOrCreateSecret(aws, { name: secret, description: 'cyclops: SES SMTP user name and password of an app (keys username, password)', text: value, tags });
      return { arn: out.arn };
    },
    secretExists: async (secret) => {
      const found = await (await sm()).describeSecret(aws, secret);
      return !!found && !found.deletedAt;
    },
    deleteSecret: async (secret, platform) => {
      const { describeSecret, deleteSecretNow } = await sm();
      const found = await describeSecret(aws, secret);
      if (!found) return 'missing';
      if (found.tags[TAG_PLATFORM] !== platform) return 'not-ours';
      await deleteSecretNow(aws, found.arn);
      return 'deleted';
    },
    account: async () => (await ses()).sesAccount(aws),
    identity: async (domain) => (await ses()).sesIdentity(aws, domain),
  };
}
