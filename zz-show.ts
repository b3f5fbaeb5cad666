import { readFileSync } from "node:fs";
import { reviewPlan, toText } from "./lib/plan-review";
const p = JSON.parse(readFileSync(process.argv[2], "utf8"));
console.log(toText(reviewPlan(p)));
