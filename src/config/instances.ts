/**
 * Common EC2 instance types: what an ECS container instance of each type offers tasks. The
 * ENI count is the instance's network-interface limit; without ENI trunking an instance runs
 * at most ENIs - 1 awsvpc tasks (the primary interface is the instance's own).
 */
export interface InstanceSpec {
  vcpu: number;
  /** MiB */
  memory: number;
  enis: number;
}

const GIB = 1024;
/** size → [vCPU, GiB, ENIs] */
type Sizes = Record<string, [number, number, number]>;

const BURSTABLE: Sizes = { nano: [2, 0.5, 2], micro: [2, 1, 2], small: [2, 2, 3], medium: [2, 4, 3], large: [2, 8, 3], xlarge: [4, 16, 4], '2xlarge': [8, 32, 4] };
const GENERAL: Sizes = { large: [2, 8, 3], xlarge: [4, 16, 4], '2xlarge': [8, 32, 4], '4xlarge': [16, 64, 8] };
const COMPUTE: Sizes = { large: [2, 4, 3], xlarge: [4, 8, 4], '2xlarge': [8, 16, 4], '4xlarge': [16, 32, 8] };
const MEMORY: Sizes = { large: [2, 16, 3], xlarge: [4, 32, 4], '2xlarge': [8, 64, 4], '4xlarge': [16, 128, 8] };

const FAMILIES: Record<string, Sizes> = {
  t3: BURSTABLE,
  t3a: BURSTABLE,
  t4g: BURSTABLE,
  m5: GENERAL,
  m6i: GENERAL,
  m7g: GENERAL,
  c5: COMPUTE,
  c6i: COMPUTE,
  r5: MEMORY,
};

/** The instance type's figures, or undefined for a type not in the table. */
export function instanceSpec(type: string): InstanceSpec | undefined {
  const [family, size] = type.split('.');
  const row = FAMILIES[family]?.[size];
  return row ? { vcpu: row[0], memory: row[1] * GIB, enis: row[2] } : undefined;
}

/** CPU units an instance registers with ECS. */
export const instanceCpu = (s: InstanceSpec) => s.vcpu * 1024;
/** Memory left for tasks: the operating system and the ECS agent keep about a tenth. */
export const instanceTaskMemory = (s: InstanceSpec) => Math.floor(s.memory * 0.9);
/** awsvpc tasks one instance can run without ENI trunking. */
export const tasksPerInstance = (s: InstanceSpec) => s.enis - 1;

/**
 * The CPU architecture of an instance type, from its family: AWS Graviton families carry a
 * "g" after the generation digit (t4g, m6g, m7gd, c7gn, r8g, im4gn, is4gen, g5g) and a1 is
 * the first Arm family; every other family is x86_64. Source: the Graviton families listed in
 * https://github.com/aws/aws-graviton-getting-started (C6g[d], M6g[d], R6g[d], T4g, X2gd,
 * C6gn, I4g, Im4gn, Is4gen, G5g, C7g[d][n], M7g[d], R7g[d], R8g) and the EC2 naming
 * convention (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
 */
export function instanceArch(type: string): 'arm64' | 'x86_64' {
  const family = type.split('.')[0];
  return family === 'a1' || /^[a-z]+\d+g[a-z]*$/.test(family) ? 'arm64' : 'x86_64';
}
