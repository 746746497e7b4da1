/**
 * Which make-tiny wrote a tiny demo. make-tiny stamps it beside the model
 * and dataset folders; the launcher regenerates a demo with another stamp (or none), so a
 * clone that made its demo before the demo changed does not train the new
 * preset on the old model. Bump it whenever make-tiny's output changes.
 * Imports nothing, so the server can read it without bundling the trainer.
 */
export const TINY_DEMO_VERSION = "2";
export const TINY_DEMO_VERSION_FILE = "inkstone_tiny_version";
