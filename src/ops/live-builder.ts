/** The remote builder bound to AWS at the platform's home (config bucket, platform stack, CodeBuild, its log). */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { PLATFORM_OUTPUT, platformStack } from '../naming';
import type { BuilderApi } from './context';

export function liveBuilder(aws: Aws, config: Config): BuilderApi {
  const bucket = config.platform.bucket;
  return {
    projects: async () => {
      const { describeStack } = await import('../stacks');
      const outputs = (await describeStack(aws, platformStack(config.platform.name)))?.outputs ?? {};
      const arm64 = outputs[PLATFORM_OUTPUT.builderArm64];
      const x86 = outputs[PLATFORM_OUTPUT.builderX86];
      return arm64 && x86 ? { arm64, x86_64: x86 } : null;
    },
    has: async (key) => (await import('../aws/s3')).headObject(aws, bucket, key),
    upload: async (key, file) => (await import('../aws/s3')).putFile(aws, bucket, key, file, 'application/zip'),
    start: async (input) => (await import('../aws/codebuild')).startBuild(aws, input),
    get: async (id) => (await import('../aws/codebuild')).getBuild(aws, id),
    stop: async (id) => (await import('../aws/codebuild')).stopBuild(aws, id),
    logs: async (group, stream, since, nextToken) => (await import('../aws/logs')).filterLogEvents(aws, { group, streams: [stream], start: since, ...(nextToken ? { nextToken } : {}) }),
  };
}
