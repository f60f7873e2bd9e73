"""佐证材料: files attached to an indicator's actual value, a monitoring checkpoint or a
rectification. Rows here, files under the var directory with random names (``services.evidence``)."""
