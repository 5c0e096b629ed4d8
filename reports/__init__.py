"""Statistics and reports: dashboard figures from grouped SQL counts and the estimators of sampling/,
their pages, API, exports and CLI, and the rectification (整改) lists built from confirmed discrepancies."""
