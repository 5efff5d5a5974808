"""Code shared by core_api and bff: settings base, problems, ids, money, logging."""
