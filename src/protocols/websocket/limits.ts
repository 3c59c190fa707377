/**
 * Bounds of the WebSocket decoder: message sizes (before and after inflation) and how long a direction that lost its
 * frame boundaries looks for them again.
 * @module
 */

/** Bound of one message (sum of its frames) by default: the largest SIP message a stream may carry. */
export const WS_MESSAGE_BYTES_MAX_DEFAULT = 65536 + (1 << 20);

/**
 * Bound of one permessage-deflate message once inflated, by default. SIP compresses well (often 5:1), so the
 * compressed bound alone would let a small message inflate into megabytes; this one holds the output.
 */
export const WS_INFLATED_BYTES_MAX_DEFAULT = WS_MESSAGE_BYTES_MAX_DEFAULT;

/**
 * Deliveries of a direction that lost its frame boundaries (picked up mid-stream, or after lost bytes) tried for a
 * frame that starts a SIP message; after that many the direction is given up.
 */
export const WS_RESYNC_ATTEMPTS_MAX = 32;

/** Payload bytes unmasked or inflated to look for a SIP start line when guessing a frame boundary. */
export const WS_SNIFF_BYTES_MAX = 2048;
