"""The rumour model as the analysis stage runs it: features, the trained model, the
post-alone trees, reasons, the rules in context (authority, stance, corroboration), claims
and the heuristic fallback with debunk matching."""
