// The example's queue worker (config: workers.default.command = ["node", "worker.js"]). A real app runs
// `php artisan queue:work` or its Rails job runner here; this one proves the worker got the backend's
// settings and the queue's name, and stops cleanly when ECS stops the task (SIGTERM).
const queue = process.env.SQS_QUEUE || process.env.SQS_QUEUE_NAME;
if (!queue) {
  console.error("worker: no queue configured (SQS_QUEUE / SQS_QUEUE_NAME); add queue: {} to the environment's config");
  process.exit(1);
}
console.log(`example worker: would work off ${queue} (${process.env.SQS_PREFIX || process.env.SQS_QUEUE_URL || "url unknown"})`);
const timer = setInterval(() => console.log(`example worker: polling ${queue}`), 60_000);
process.on("SIGTERM", () => {
  clearInterval(timer);
  console.log("example worker: stopping");
  process.exit(0);
});
