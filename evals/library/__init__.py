"""A fictional but realistic probation library (reports, MAPPA protocols, board papers) for tests and evals."""
