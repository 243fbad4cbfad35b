import { finishSuiteLog } from './suite-log';

export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<string, unknown>).__CYCLOPS_TEARDOWN__ as (() => Promise<void>) | undefined;
  await stop?.();
  // after the proxies have exited: every request they saw is in the log
  finishSuiteLog();
}
