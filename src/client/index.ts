/**
 * tickflare client: publish, snapshot and subscribe (keeping a local mirror table).
 * Placeholder until the HTTP/WebSocket protocol lands.
 */

/** Protocol version this client speaks. */
export const version = "0.0.0";
