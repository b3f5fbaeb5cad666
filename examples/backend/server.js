// Minimal HTTP backend: /up for the load balancer health check, /api/* for the frontend.
const http = require("node:http");

const port = Number(process.env.PORT || 8000);
const database = ["DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD"].every((name) => process.env[name]);

const server = http.createServer((req, res) => {
  if (req.url === "/up") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  } else if (req.url.startsWith("/api/")) {
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ app: "example-backend", environment: process.env.APP_ENV || "unknown", databaseConfigured: database, path: req.url }),
    );
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }
});

server.listen(port, "0.0.0.0", () => console.log(`example backend listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
