"""A member's own cover: coverage, visits, providers and data; front-desk check-ins."""
