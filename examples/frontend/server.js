// Minimal HTTP frontend: / for the health check and the page itself.
const http = require("node:http");

const port = Number(process.env.PORT || 3000);
const host = process.env.HOSTNAME || "0.0.0.0";
const api = process.env.NEXT_PUBLIC_API_URL || "/api";

const page = `<!doctype html><title>example frontend</title>
<h1>It works</h1>
<p>API: <a href="${api}/health">${api}/health</a></p>`;

const server = http.createServer((req, res) => {
  if (req.url === "/" || req.url === "/index.html") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }
});

server.listen(port, host, () => console.log(`example frontend listening on ${host}:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
