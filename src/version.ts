/** The agent's version, reported by `capture-agent version` and the control API. */
export const VERSION = "0.1.0";
