// The example's migration command (config: services.backend.migrationCommand = ["node", "migrate.js"]).
// A real app runs its framework's migrations here; this one only proves the task got its settings,
// and fails like a real migration would when the database settings are missing.
const missing = ["DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD"].filter((name) => !process.env[name]);
if (missing.length) {
  console.error(`migration failed: ${missing.join(", ")} not set`);
  process.exit(1);
}
console.log(`migrations: nothing to do for ${process.env.DB_DATABASE} on ${process.env.DB_HOST}:${process.env.DB_PORT}`);
