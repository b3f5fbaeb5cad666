/** Estimates of every environment stack of a synthesized app. */
import { join } from "node:path";
import type { EnvironmentConfig } from "../../config";
import { environmentStacks } from "../diagram";
import { readStack, regionOf } from "../stack-json";
import { CostError, estimateStack, PRICES, type Estimate } from "./estimate";

export { CostError, estimateStack, FREE_TYPES, PRICED_TYPES, PRICES, splitTasks, unpricedTypes, type Estimate } from "./estimate";
export { details, difference, sideBySide } from "./format";

/** One estimate per environment stack under `outdir`, with each environment's `cost` assumptions. */
export function estimateAll(outdir: string, configs: readonly EnvironmentConfig[], asOf = PRICES.date): Estimate[] {
  return environmentStacks(outdir).map((environment) => {
    const config = configs.find((c) => c.name === environment);
    if (!config) throw new CostError(`stack "${environment}" has no environment configuration`);
    const stack = readStack(join(outdir, "stacks", environment));
    return estimateStack(environment, regionOf(stack), stack, config.cost, PRICES, asOf);
  });
}
