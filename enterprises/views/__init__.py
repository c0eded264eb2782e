"""Enterprise views, split by subject: registry (list, record, coverage), register (export, import)."""
