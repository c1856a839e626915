"""Ingestion: files -> pages -> clean blocks -> passages -> embeddings + indexes."""
