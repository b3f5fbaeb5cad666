/** CPU units → memory sizes (MiB) that Fargate accepts for that CPU (AWS ECS developer guide, "Task size"). */
const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Why a CPU/memory pair is not a Fargate task size, or undefined when it is one. */
export function fargateSizeProblem(cpu: number, memoryMiB: number): string | undefined {
  const memories = FARGATE_MEMORY_BY_CPU[cpu];
  if (!memories) {
    return `cpu ${cpu} is not a Fargate size; valid cpu values: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`;
  }
  if (!memories.includes(memoryMiB)) {
    return `memoryMiB ${memoryMiB} is not valid with cpu ${cpu}; valid memoryMiB values for cpu ${cpu}: ${memories.join(", ")}`;
  }
  return undefined;
}
