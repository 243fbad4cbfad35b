export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as Record<string, unknown>).__CYCLOPS_TEARDOWN__ as (() => Promise<void>) | undefined;
  await stop?.();
}
