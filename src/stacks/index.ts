/** The stack engine: everything deploy, env and bootstrap need from CloudFormation. */
export { applyStack } from './apply';
export { deleteStack } from './delete';
export { formatChange } from './changeset';
export { refuseBlocked } from './safety';
export { listAppStacks, type AppStack } from './list';
export { parseTimeout } from './poll';
export { describeStack, envOutputs, type StackSummary, type EnvOutputs } from './outputs';
export * from './types';
