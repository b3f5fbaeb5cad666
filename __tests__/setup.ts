import "cdktf/lib/testing/adapters/jest";

// cdktf captures a full stack trace for every token it creates and keeps it only for its own error
// messages. Jest formats every capture through the source maps of each frame, which costs more than
// building the constructs. Captures into plain objects (cdktf's and constructs' captureStackTrace)
// get an empty trace; real errors keep jest's source-mapped one.
const formatStack = Error.prepareStackTrace;
if (formatStack) {
  Error.prepareStackTrace = (error, frames) => (Object.prototype.toString.call(error) === "[object Error]" ? formatStack(error, frames) : "");
}
