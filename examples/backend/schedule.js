// The example's scheduled job (config: scheduledJobs.scheduler.command = ["node", "schedule.js"]). A real
// Laravel app runs `php artisan schedule:run` every minute; this one prints when it ran and exits 0, so a
// run's outcome is in the backend's log group and its exit code is the task's.
console.log(`example scheduled job ran at ${new Date().toISOString()} in ${process.env.APP_ENV || "unknown"}`);
