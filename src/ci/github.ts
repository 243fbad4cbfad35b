/**
 * GitHub Actions OIDC trust, as data: which workflow runs of a repository may assume its deploy
 * role. Pure: no I/O. Facts (cited in docs/ci.md):
 * - the issuer is https://token.actions.githubusercontent.com; IAM's condition keys for it are
 *   token.actions.githubusercontent.com:aud and token.actions.githubusercontent.com:sub
 *   (docs.github.com/en/actions/reference/security/oidc; GitHub's "OIDC in AWS" guide);
 * - aws-actions/configure-aws-credentials asks for the audience sts.amazonaws.com;
 * - the subject is repo:ORG/REPO:ref:REF for a push or a branch run, repo:ORG/REPO:pull_request
 *   for a pull request, and repo:ORG/REPO:environment:NAME — with no ref — whenever the job names
 *   a GitHub environment (the most common trust mistake).
 */
import { usageError } from '../errors';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const GITHUB_AUDIENCE = 'sts.amazonaws.com';
export const DEFAULT_REF = 'refs/heads/main';
/** IAM's bounds on a role's MaxSessionDuration (seconds). */
export const SESSION_MIN = 3600;
export const SESSION_MAX = 43200;

export interface GithubTrust {
  /** ORG/REPO */
  repo: string;
  /** git refs (patterns allowed: refs/tags/v*) whose runs may deploy */
  refs: string[];
  pullRequests: boolean;
  /** GitHub environment names whose jobs may deploy */
  environments: string[];
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** "ORG/REPO" checked against GitHub's name rules; exit 2 otherwise. */
export function parseRepo(text: string): string {
  const [owner, repo, ...rest] = text.split('/');
  if (rest.length || !owner || !repo || !OWNER.test(owner) || !REPO.test(repo) || repo === '.' || repo === '..') {
    throw usageError(`--github ${text}: not a GitHub repository; use ORG/REPO as in its URL, such as acme/shop`);
  }
  return `${owner}/${repo}`;
}

/** A branch name or a full ref ("main" → refs/heads/main); "*" and "?" are StringLike wildcards. */
export function parseRef(text: string): string {
  const ref = text.startsWith('refs/') ? text : `refs/heads/${text}`;
  if (!/^refs\/[A-Za-z0-9._/*?+-]+$/.test(ref) || ref.includes('..') || ref.endsWith('/')) {
    throw usageError(`--ref ${text}: not a git ref; use a branch (main), refs/heads/BRANCH or refs/tags/PATTERN such as refs/tags/v*`);
  }
  return ref;
}

/** A GitHub environment name: any characters but the ones its UI refuses; ":" would break the subject. */
export function parseEnvironment(text: string): string {
  if (!text || text.length > 255 || /[:*?"'<>|\\/,;`]/.test(text)) {
    throw usageError(`--environment ${text}: not a GitHub environment name; use the name as in the repository's Settings > Environments, such as production`);
  }
  return text;
}

/** The `sub` values a repository's tokens may carry (StringLike patterns). */
export function subjects(t: GithubTrust): string[] {
  return [
    ...t.refs.map((r) => `repo:${t.repo}:ref:${r}`),
    ...(t.pullRequests ? [`repo:${t.repo}:pull_request`] : []),
    ...t.environments.map((e) => `repo:${t.repo}:environment:${e}`),
  ];
}

/** The role's trust policy: only this repository's tokens, for the audience sts.amazonaws.com. */
export function trustPolicy(t: GithubTrust, providerArn: unknown) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE },
          StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjects(t) },
        },
      },
    ],
  };
}

/** Merge newly named repositories over the ones already trusted (a repository named again is replaced). */
export function mergeTrusts(existing: GithubTrust[], added: GithubTrust[]): GithubTrust[] {
  const by = new Map(existing.map((t) => [t.repo.toLowerCase(), t]));
  for (const t of added) by.set(t.repo.toLowerCase(), t);
  return [...by.values()].sort((a, b) => a.repo.localeCompare(b.repo));
}

/** A role session covering the longest wait (--timeout) plus ten minutes, within IAM's bounds. */
export function sessionSeconds(longestTimeoutSeconds: number): number {
  return Math.min(SESSION_MAX, Math.max(SESSION_MIN, Math.ceil((longestTimeoutSeconds + 600) / 3600) * 3600));
}

/** The provider ARN given with --oidc-provider-arn, checked. */
export function parseProviderArn(text: string): string {
  if (!/^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(text)) {
    throw usageError(`--oidc-provider-arn ${text}: not the ARN of GitHub's OIDC provider; use arn:aws:iam::ACCOUNT:oidc-provider/${GITHUB_OIDC_HOST} (aws iam list-open-id-connect-providers)`);
  }
  return text;
}
