/**
 * What the cache may run, as plain data: config validation reads it without importing the construct.
 * Every version here is 7.0 or newer, so the AUTH-for-old-Redis control (ElastiCache.6) never applies
 * and TLS with AUTH works on every one of them.
 */
export const CACHE_ENGINE_VERSIONS: Readonly<Record<"valkey" | "redis", readonly string[]>> = {
  valkey: ["7.2", "8.0", "8.1"],
  redis: ["7.0", "7.1"],
};

/** The version a new cache gets when config names none. */
export const DEFAULT_CACHE_ENGINE_VERSION: Readonly<Record<"valkey" | "redis", string>> = { valkey: "8.0", redis: "7.1" };

/** A cache node type: `cache.<family>.<size>`. */
export const CACHE_NODE_TYPE = /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** The port Valkey and Redis OSS listen on. */
export const CACHE_PORT = 6379;
