"""The roster of registered unemployed persons: reading county files, validating rows, importing
batches as snapshots, data-quality checks and the synthetic demo roster."""
