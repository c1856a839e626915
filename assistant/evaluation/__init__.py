"""Evaluation runs: question sets and BEIR datasets scored per named configuration (see evals/README.md)."""
