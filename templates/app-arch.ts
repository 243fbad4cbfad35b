/**
 * The CPU architecture of an app's tasks: a task definition's RuntimePlatform. Set only when
 * config names an architecture, so a config without `arch` renders as before (x86_64, the
 * ECS default). CpuArchitecture is X86_64 or ARM64 and OperatingSystemFamily LINUX
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-taskdefinition-runtimeplatform.html).
 * Pure.
 */
import type { Arch } from '../src/config/model';

export const CPU_ARCHITECTURE: Record<Arch, 'X86_64' | 'ARM64'> = { x86_64: 'X86_64', arm64: 'ARM64' };

/** `{ RuntimePlatform }` for a task definition's properties, or nothing without an arch. */
export const runtimePlatform = (arch: Arch | undefined): { RuntimePlatform?: { CpuArchitecture: 'X86_64' | 'ARM64'; OperatingSystemFamily: 'LINUX' } } =>
  arch ? { RuntimePlatform: { CpuArchitecture: CPU_ARCHITECTURE[arch], OperatingSystemFamily: 'LINUX' } } : {};
