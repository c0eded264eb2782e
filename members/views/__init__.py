"""Member views, split by subject: records (list, detail, edit), transfers, register (export, import, print)."""
