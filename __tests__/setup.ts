import "cdktf/lib/testing/adapters/jest";

// cdktf captures a full stack trace for every token it creates and keeps it only for its own error
// messages. Jest formats every capture through the source maps of each frame, which costs more than
// building the constructs. Captures into plain objects (cdktf's and constructs' captureStackTrace)
// get an empty trace; real errors keep jest's source-mapped one.
const formatStack = Error.prepareStackTrace;
if (formatStack) {
  Error.prepareStackTrace = (error, frames) => (Object.prototype.toString.call(error) === "[object Error]" ? formatStack(error, frames) : "");
}

// The shared Terraform run (terraform/global-setup.ts) is the longest path of a jest run and the test
// files are not on it: the workers yield the CPU to it, and use what it leaves idle. Lowering one's own
// priority needs no privilege; it is set once per worker.
const WORKER_NICENESS = 10;
if (process.env.JEST_WORKER_ID && require("node:os").getPriority() < WORKER_NICENESS) require("node:os").setPriority(WORKER_NICENESS);
