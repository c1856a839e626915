"""The API's routers, one per feature: questions (ask, search), documents (list, read, upload, delete), ops."""
